import { describe, expect, it } from 'vitest';
import { normalQuantile, philox4x32, SubjectRandom } from '../../src/core/random/philox.js';
import { observation, residualSd } from '../../src/core/random/residual.js';
import { sampleEtas } from '../../src/core/random/population.js';
import { randomEffectsCovariance } from '../../src/core/model/random-effects.js';

const hex = (a: Uint32Array): string => [...a].map((v) => v.toString(16).padStart(8, '0')).join(' ');

describe('Philox4x32-10', () => {
  // Known-answer vectors of Random123 (kat_vectors), also reproduced by an independent Python big-integer version.
  it('matches the Random123 known answers', () => {
    const out = new Uint32Array(4);
    philox4x32(0, 0, 0, 0, 0, 0, out);
    expect(hex(out)).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    philox4x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, out);
    expect(hex(out)).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
    philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
    expect(hex(out)).toBe('d16cfe09 94fdcceb 5001e420 24126ea1');
  });

  it('gives each (seed, subject, stream) its own stream, independent of creation order', () => {
    const draw = (seed: number, subject: number, stream = 0) => {
      const r = new SubjectRandom(seed, subject, stream);
      return [r.uniform(), r.uniform(), r.normal()];
    };
    expect(draw(7, 3)).toEqual(draw(7, 3));
    expect(draw(7, 3)).not.toEqual(draw(7, 4));
    expect(draw(7, 3)).not.toEqual(draw(8, 3));
    expect(draw(7, 3)).not.toEqual(draw(7, 3, 1));
    expect(draw(2 ** 40 + 5, 2 ** 33)).not.toEqual(draw(5, 2 ** 33));
  });

  it('draws uniforms in (0, 1) with the right mean and variance', () => {
    const r = new SubjectRandom(1, 0);
    const n = 200000;
    let s = 0;
    let s2 = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      s += u;
      s2 += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThan(1);
    // mean 1/2 ± 4 SE (SE = sqrt(1/12/n)), variance 1/12 ± 4 SE (SE = sqrt(1/180/n))
    expect(Math.abs(s / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12)).toBeLessThan(4 * Math.sqrt(1 / 180 / n));
  });

  it('rejects bad seeds and subjects', () => {
    expect(() => new SubjectRandom(-1, 0)).toThrow(/seed/);
    expect(() => new SubjectRandom(1.5, 0)).toThrow(/seed/);
    expect(() => new SubjectRandom(1, -2)).toThrow(/subject/);
  });
});

describe('normalQuantile (AS 241)', () => {
  it('matches scipy.stats.norm.ppf', () => {
    // scipy.stats.norm.ppf values (printed with repr)
    const cases: Array<[number, number]> = [
      [0.5, 0],
      [0.975, 1.959963984540054],
      [0.8413447460685429, 1.0],
      [0.001, -3.090232306167813],
      [1e-10, -6.361340902404056],
      [1e-300, -37.0470962993612],
      [0.999999, 4.753424308817087],
    ];
    for (const [p, x] of cases) expect(normalQuantile(p)).toBeCloseTo(x, 12);
  });
});

describe('sampleEtas', () => {
  const random = randomEffectsCovariance({
    random: { A: { variance: 0.09 }, B: { sd: 0.5 }, C: { cv: 0.4 } },
    correlations: [['A', 'B', 0.6]],
  });

  it('reproduces Ω in large samples', () => {
    const n = 40000;
    const { values } = sampleEtas(random, 11, n);
    const cov = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) cov[a * 3 + b]! += values[i * 3 + a]! * values[i * 3 + b]!;
    const omega = [...random.covariance];
    for (let k = 0; k < 9; k++) {
      const a = Math.floor(k / 3);
      const b = k % 3;
      // SE of a sample covariance ≈ sqrt((Ω_aa Ω_bb + Ω_ab²) / n)
      const se = Math.sqrt((omega[a * 4]! * omega[b * 4]! + omega[k]! ** 2) / n);
      expect(Math.abs(cov[k]! / n - omega[k]!)).toBeLessThan(5 * se);
    }
  });

  it('gives subject k the same etas whichever block it is drawn in (shards, workers)', () => {
    const all = sampleEtas(random, 5, 10);
    const shard = sampleEtas(random, 5, 4, 6);
    expect([...shard.values]).toEqual([...all.values.slice(18, 30)]);
  });
});

describe('residual error', () => {
  const draws = (n: number): number[] => {
    const r = new SubjectRandom(3, 0, 2);
    return Array.from({ length: n }, () => r.normal());
  };
  const moments = (xs: number[]): { mean: number; sd: number } => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return { mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) };
  };
  const z = draws(50000);

  it('combined error has variance a² + (b·f)² around the prediction', () => {
    const spec = { additive: 2, proportional: 0.1 };
    expect(residualSd(spec, 30)).toBeCloseTo(Math.sqrt(4 + 9), 12);
    const m = moments(z.map((e) => observation(spec, 30, e)));
    expect(Math.abs(m.mean - 30)).toBeLessThan(4 * (Math.sqrt(13) / Math.sqrt(z.length)));
    expect(Math.abs(m.sd / Math.sqrt(13) - 1)).toBeLessThan(0.02);
  });

  it('exponential error is log-normal with the given log-scale SD', () => {
    const spec = { exponential: 0.3 };
    const logs = z.map((e) => Math.log(observation(spec, 50, e) / 50));
    const m = moments(logs);
    expect(Math.abs(m.mean)).toBeLessThan(4 * (0.3 / Math.sqrt(z.length)));
    expect(Math.abs(m.sd / 0.3 - 1)).toBeLessThan(0.02);
  });

  it('keeps observations inside the instrument range', () => {
    const spec = { additive: 5, range: [0, 60] as [number, number] };
    expect(observation(spec, 2, -3)).toBe(0);
    expect(observation(spec, 58, 3)).toBe(60);
    expect(observation(spec, 30, 1)).toBe(35);
  });
});
