import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactSum } from '../../src/trial/exact-sum.js';
import { Histogram } from '../../src/trial/histogram.js';

function sumOf(xs: readonly number[], squares = false): ExactSum {
  const s = new ExactSum();
  for (const x of xs) {
    if (squares) s.addSquare(x);
    else s.add(x);
  }
  return s;
}

describe('exact sums', () => {
  it('are correctly rounded where naive sums are not', () => {
    expect(sumOf([1e100, 1, -1e100]).value()).toBe(1);
    expect(sumOf(new Array<number>(10).fill(0.1)).value()).toBe(1);
    expect(sumOf([0.1, 0.2, -0.3]).value()).toBe(2.7755575615628914e-17);
    // 0.1² exactly: the square is not a double; the sum of 0.1² and −(0.1·0.1 rounded) is the rounding error.
    const s = sumOf([0.1], true);
    s.add(-(0.1 * 0.1));
    expect(s.value()).not.toBe(0);
  });

  it('do not depend on order or on how the values are split between merged sums', () => {
    const values = fc.array(fc.double({ min: -1e12, max: 1e12, noNaN: true }), { minLength: 1, maxLength: 200 });
    fc.assert(
      fc.property(values, fc.nat(), (xs, cut) => {
        const k = cut % (xs.length + 1);
        const whole = sumOf(xs);
        const reversed = sumOf([...xs].reverse());
        const a = sumOf(xs.slice(0, k));
        a.merge(sumOf(xs.slice(k)));
        const b = ExactSum.fromPartials(sumOf(xs.slice(k)).toJSON());
        b.merge(sumOf(xs.slice(0, k)));
        const w = whole.value();
        return Object.is(reversed.value(), w) && Object.is(a.value(), w) && Object.is(b.value(), w) && Object.is(sumOf(xs, true).value(), sumOf([...xs].reverse(), true).value());
      }),
      { numRuns: 300 },
    );
  });
});

describe('histogram percentiles', () => {
  it('are within the bin resolution (0.4%) of the type-7 percentiles and merge exactly', () => {
    const h = new Histogram();
    const h1 = new Histogram();
    const h2 = new Histogram();
    for (let i = 1; i <= 1000; i++) {
      const x = i / 10;
      h.add(x);
      (i % 3 === 0 ? h1 : h2).add(x);
    }
    h1.merge(h2);
    for (const p of [0.05, 0.25, 0.5, 0.75, 0.95]) {
      const exact = 0.1 + 99.9 * p; // type 7 on 0.1, 0.2, ..., 100
      expect(Math.abs(h.quantile(p) - exact) / exact).toBeLessThan(0.004);
      expect(h1.quantile(p)).toBe(h.quantile(p));
    }
    expect(h.quantile(0)).toBe(0.1);
    expect(h.quantile(1)).toBe(100);
    expect(JSON.stringify(Histogram.fromJSON(h.toJSON()).toJSON())).toBe(JSON.stringify(h.toJSON()));
    const neg = new Histogram();
    for (const x of [-3, -2, -1, 0, 1, 2, 3]) neg.add(x);
    expect(Math.abs(neg.quantile(0.5))).toBeLessThan(1e-9);
    expect(neg.quantile(1 / 6)).toBeCloseTo(-2, 1);
  });
});
