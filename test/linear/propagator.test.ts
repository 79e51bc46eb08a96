import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  LinearPropagator,
  ModalSystem,
  steadyStateBolus,
  steadyStateConstantInfusion,
  steadyStateInfusion,
  type LinearRates,
} from '../../src/core/linear/index.js';

interface Case {
  name: string;
  v1: number;
  k10: number;
  ka?: number;
  kas?: number[];
  ke0?: number;
  peripherals: Array<{ kcp: number; kpc: number }>;
  x0: number[];
  rate: number[];
  times: number[];
  expected: string[][];
}

const cases = JSON.parse(readFileSync(new URL('../fixtures/linear/cases.json', import.meta.url), 'utf8')) as Case[];

function solve(rates: LinearRates, x0: number[], rate: number[], h: number, viaStateAt: boolean): Float64Array {
  const system = ModalSystem.of(rates);
  const prop = new LinearPropagator(system);
  const z = new Float64Array(system.size);
  const b = new Float64Array(system.size);
  system.modesFromAmounts(x0, z);
  system.modesFromAmounts(rate, b);
  if (viaStateAt) {
    prop.beginInterval(z, b);
    prop.stateAt(h, z);
  } else {
    prop.advance(z, b, h);
  }
  const x = new Float64Array(system.size);
  system.amountsFromModes(z, x);
  return x;
}

describe('closed-form propagator vs 50-digit mpmath matrix exponential', () => {
  for (const c of cases) {
    for (const mode of ['advance', 'stateAt'] as const) {
      it(`${c.name} (${mode})`, () => {
        let worst = 0;
        c.times.forEach((h, ti) => {
          const x = solve(c, c.x0, c.rate, h, mode === 'stateAt');
          const expected = (c.expected[ti] as string[]).map(Number);
          const scale = Math.max(...expected.map(Math.abs));
          expected.forEach((e, i) => {
            // relative error against the largest state at that time (amounts and concentrations of similar size here)
            const err = Math.abs((x[i] as number) - e) / scale;
            worst = Math.max(worst, err);
          });
        });
        // advance: exact to rounding; stateAt (ODE right-hand sides): ~1e-14 of the state's scale by design.
        expect(worst).toBeLessThan(mode === 'advance' ? 2e-14 : 1e-13);
      });
    }
  }
});

describe('semigroup properties', () => {
  const positive = fc.double({ min: 1e-3, max: 5, noNaN: true });
  const system = fc.record({
    v1: fc.double({ min: 0.5, max: 100, noNaN: true }),
    k10: positive,
    peripherals: fc.array(fc.record({ kcp: positive, kpc: positive }), { maxLength: 2 }),
    ka: fc.option(positive, { nil: undefined }),
    ke0: fc.option(positive, { nil: undefined }),
  });
  it('Φ(a+b) = Φ(b)Φ(a) and G(a+b) = Φ(b)G(a) + G(b)', () => {
    fc.assert(
      fc.property(system, fc.double({ min: 0.01, max: 20, noNaN: true }), fc.double({ min: 0.01, max: 20, noNaN: true }), (rates, a, bStep) => {
        const sys = ModalSystem.of(rates);
        const prop = new LinearPropagator(sys);
        const n = sys.size;
        const z0 = Float64Array.from({ length: n }, (_, i) => 1 + i);
        const input = Float64Array.from({ length: n }, (_, i) => (i === sys.centralIndex ? 0.7 : i === 0 ? 0.3 : 0));
        const inputModal = new Float64Array(n);
        sys.modesFromAmounts(input, inputModal);
        const twoSteps = Float64Array.from(z0);
        prop.advance(twoSteps, inputModal, a);
        prop.advance(twoSteps, inputModal, bStep);
        const oneStep = Float64Array.from(z0);
        prop.advance(oneStep, inputModal, a + bStep);
        const scale = Math.max(1, ...Array.from(oneStep, Math.abs));
        for (let i = 0; i < n; i++) expect(Math.abs((twoSteps[i] as number) - (oneStep[i] as number)) / scale).toBeLessThan(1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it('stateAt agrees with advance for any interval offset', () => {
    fc.assert(
      fc.property(system, fc.double({ min: 1e-6, max: 50, noNaN: true }), (rates, s) => {
        const sys = ModalSystem.of(rates);
        const prop = new LinearPropagator(sys);
        const n = sys.size;
        const z0 = Float64Array.from({ length: n }, (_, i) => 2 - 0.3 * i);
        const b = Float64Array.from({ length: n }, (_, i) => 0.1 * (i + 1));
        prop.beginInterval(z0, b);
        const at = new Float64Array(n);
        prop.stateAt(s, at);
        const adv = Float64Array.from(z0);
        prop.advance(adv, b, s);
        const scale = Math.max(1e-3, ...Array.from(adv, Math.abs));
        for (let i = 0; i < n; i++) expect(Math.abs((at[i] as number) - (adv[i] as number)) / scale).toBeLessThan(1e-10);
      }),
      { numRuns: Number(process.env.KS_RUNS ?? 300) },
    );
  });
});

describe('steady states', () => {
  const rates: LinearRates = { v1: 4.41, k10: 0.4381, peripherals: [{ kcp: 0.5921, kpc: 0.247 }, { kcp: 0.59, kpc: 0.0146 }], ka: 0.05, ke0: 0.238 };
  const sys = ModalSystem.of(rates);
  const prop = new LinearPropagator(sys);
  const n = sys.size;

  function iterate(period: (z: Float64Array) => void): Float64Array {
    const z = new Float64Array(n);
    for (let k = 0; k < 20000; k++) period(z);
    return z;
  }
  function expectClose(a: Float64Array, b: Float64Array, tol: number): void {
    const scale = Math.max(...Array.from(b, Math.abs));
    for (let i = 0; i < n; i++) expect(Math.abs((a[i] as number) - (b[i] as number)) / scale).toBeLessThan(tol);
  }

  it('bolus: equals the state after many doses', () => {
    const dose = new Float64Array(n);
    sys.modesFromAmounts([100, 0, 0, 0, 0], dose);
    const ss = new Float64Array(n);
    steadyStateBolus(prop, dose, 12, ss);
    const brute = iterate((z) => {
      for (let i = 0; i < n; i++) z[i] = (z[i] as number) + (dose[i] as number);
      prop.advance(z, undefined, 12);
    });
    expectClose(ss, brute, 1e-12);
  });

  for (const [duration, tau] of [
    [2, 12],
    [12, 12],
    [30, 12],
    [24, 12],
  ] as const) {
    it(`infusion of duration ${duration} every ${tau} (overlapping when duration > tau)`, () => {
      const b = new Float64Array(n);
      sys.modesFromAmounts([0, 5, 0, 0, 0], b);
      const ss = new Float64Array(n);
      steadyStateInfusion(prop, b, duration, tau, ss);
      // Brute force: keep a list of running infusions and step in small pieces of tau/… at breakpoints.
      const starts: number[] = [];
      let z = new Float64Array(n);
      const step = (from: number, to: number): void => {
        // breakpoints: infusion ends within (from, to)
        const points = [from, ...starts.map((s) => s + duration).filter((e) => e > from && e < to), to].sort((x, y) => x - y);
        for (let k = 0; k + 1 < points.length; k++) {
          const mid = 0.5 * ((points[k] as number) + (points[k + 1] as number));
          const active = starts.filter((s) => s <= mid && mid < s + duration).length;
          const input = Float64Array.from(b, (v) => v * active);
          prop.advance(z, input, (points[k + 1] as number) - (points[k] as number));
        }
      };
      const periods = 3000;
      for (let k = 0; k < periods; k++) {
        starts.push(k * tau);
        step(k * tau, (k + 1) * tau);
        if (starts.length > 10) starts.shift();
      }
      expectClose(ss, z, 1e-11);
      z = new Float64Array(0);
    });
  }

  it('constant infusion: T·x = −b', () => {
    const b = new Float64Array(n);
    sys.modesFromAmounts([1, 2, 0, 0, 0], b);
    const ss = new Float64Array(n);
    steadyStateConstantInfusion(prop, b, ss);
    const amounts = new Float64Array(n);
    sys.amountsFromModes(ss, amounts);
    // analytic: depot = r_d/ka; central at SS: CL·C = total input → A1 = (r_d + r_c)/k10; effect = A1/V1.
    expect(amounts[0]).toBeCloseTo(1 / 0.05, 10);
    expect(Math.abs((amounts[1] as number) - 3 / 0.4381) / (3 / 0.4381)).toBeLessThan(1e-13);
    expect(Math.abs((amounts[4] as number) - 3 / 0.4381 / 4.41) / (3 / 0.4381 / 4.41)).toBeLessThan(1e-13);
  });
});
