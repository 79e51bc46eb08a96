import { describe, expect, it } from 'vitest';
import { SubjectRandom } from '../../src/core/random/philox.js';
import { ExactSum } from '../../src/trial/exact-sum.js';
import { meanStats, newcombeDifference, welchDifference, wilson } from '../../src/trial/stats.js';

/** Repeated simulated samples: the 95 % intervals cover the true value about 95 % of the time. */
describe('coverage of the 95% intervals', () => {
  const reps = 4000;
  // Binomial SD of the coverage over 4000 repetitions is 0.0034; accept ±0.015 (4.4 SD).
  const tol = 0.015;

  it('t interval of a mean (n = 12) and Welch interval of a difference (n = 12 vs 20, unequal SDs)', () => {
    let hitMean = 0;
    let hitDiff = 0;
    for (let r = 0; r < reps; r++) {
      const rng = new SubjectRandom(11, r, 0);
      const sample = (n: number, mu: number, sd: number): ReturnType<typeof meanStats> => {
        const s = new ExactSum();
        const q = new ExactSum();
        for (let i = 0; i < n; i++) {
          const x = mu + sd * rng.normal();
          s.add(x);
          q.addSquare(x);
        }
        return meanStats(n, s.value(), q.value());
      };
      const a = sample(12, -16.5, 8);
      const b = sample(20, -8.8, 4);
      if (a.ci95[0] <= -16.5 && -16.5 <= a.ci95[1]) hitMean++;
      const d = welchDifference(a, b);
      if (d.ci95[0] <= -7.7 && -7.7 <= d.ci95[1]) hitDiff++;
    }
    expect(Math.abs(hitMean / reps - 0.95)).toBeLessThan(tol);
    expect(Math.abs(hitDiff / reps - 0.95)).toBeLessThan(tol);
  });

  it('Wilson interval of a rate (n = 60, p = 0.45) and Newcombe interval of a difference (0.45 vs 0.18)', () => {
    let hitRate = 0;
    let hitDiff = 0;
    for (let r = 0; r < reps; r++) {
      const rng = new SubjectRandom(12, r, 0);
      let x = 0;
      let y = 0;
      for (let i = 0; i < 60; i++) if (rng.uniform() < 0.45) x++;
      for (let i = 0; i < 50; i++) if (rng.uniform() < 0.18) y++;
      const w = wilson(x, 60);
      if (w.ci95[0] <= 0.45 && 0.45 <= w.ci95[1]) hitRate++;
      const d = newcombeDifference(w, wilson(y, 50));
      if (d.ci95[0] <= 0.27 && 0.27 <= d.ci95[1]) hitDiff++;
    }
    // Score intervals of discrete data oscillate around the nominal level: a wider band (still "about 95 %").
    expect(Math.abs(hitRate / reps - 0.95)).toBeLessThan(0.025);
    expect(Math.abs(hitDiff / reps - 0.95)).toBeLessThan(0.025);
  });
});
