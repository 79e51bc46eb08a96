import { describe, expect, it } from 'vitest';
import { kaplanMeier, meanStats, newcombeDifference, tQuantile, welchDifference, wilson } from '../../src/trial/stats.js';

describe('trial statistics against textbook values', () => {
  it('Student t quantiles', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706205, 5);
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.228139, 6);
    expect(tQuantile(0.975, 46)).toBeCloseTo(2.012896, 6);
    expect(tQuantile(0.025, 24)).toBeCloseTo(-2.063899, 6);
    expect(tQuantile(0.975, 1e9)).toBeCloseTo(1.959964, 6);
  });

  it('Wilson interval and Newcombe hybrid score difference (Newcombe 1998 examples)', () => {
    const w = wilson(81, 263);
    expect(w.ci95[0]).toBeCloseTo(0.2553, 4);
    expect(w.ci95[1]).toBeCloseTo(0.3662, 4);
    const d = newcombeDifference(wilson(56, 70), wilson(48, 80));
    expect(d.estimate).toBeCloseTo(0.2, 12);
    expect(d.ci95[0]).toBeCloseTo(0.0524, 4);
    expect(d.ci95[1]).toBeCloseTo(0.3339, 4);
    expect(wilson(0, 10).ci95[0]).toBe(0);
  });

  it('mean, SD and t interval; Welch difference', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    const sum = xs.reduce((a, b) => a + b, 0);
    const sq = xs.reduce((a, b) => a + b * b, 0);
    const m = meanStats(xs.length, sum, sq);
    expect(m.mean).toBe(5);
    expect(m.sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(m.ci95[1] - m.mean).toBeCloseTo((tQuantile(0.975, 7) * m.sd) / Math.sqrt(8), 12);
    const a = meanStats(10, 50, 10 * 25 + 9 * 4); // mean 5, SD 2
    const b = meanStats(20, 60, 20 * 9 + 19 * 9); // mean 3, SD 3
    const w = welchDifference(a, b);
    const va = 4 / 10;
    const vb = 9 / 20;
    const df = (va + vb) ** 2 / (va ** 2 / 9 + vb ** 2 / 19);
    expect(w.estimate).toBeCloseTo(2, 12);
    expect(w.ci95[1] - 2).toBeCloseTo(tQuantile(0.975, df) * Math.sqrt(va + vb), 10);
  });

  it('Kaplan-Meier: the 6-MP arm of Freireich 1963 (Gehan 1965), as in R survfit', () => {
    // Remission times (weeks), + = censored: 6 6 6 6+ 7 9+ 10 10+ 11+ 13 16 17+ 19+ 20+ 22 23 25+ 32+ 32+ 34+ 35+
    const times = [6, 7, 9, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 34, 35];
    const events = [3, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0];
    const censored = [1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 2, 1, 1];
    const km = kaplanMeier(times, events, censored);
    const ev = km.steps.filter((s) => s.events > 0);
    expect(ev.map((s) => s.time)).toEqual([6, 7, 10, 13, 16, 22, 23]);
    const surv = [0.8571, 0.8067, 0.7529, 0.6902, 0.6275, 0.5378, 0.4482];
    const se = [0.0764, 0.0869, 0.0963, 0.1068, 0.1141, 0.1282, 0.1346];
    ev.forEach((s, i) => {
      expect(s.survival).toBeCloseTo(surv[i] as number, 4);
      expect(s.se).toBeCloseTo(se[i] as number, 4);
    });
    expect(ev[0]?.atRisk).toBe(21);
    // survfit(..., conf.type = "log-log") at t = 6: 0.620 to 0.952
    expect(ev[0]?.ci95[0]).toBeCloseTo(0.62, 2);
    expect(ev[0]?.ci95[1]).toBeCloseTo(0.952, 3);
    expect(km.median).toBe(23);
    expect(km.events).toBe(9);
    expect(km.censored).toBe(12);
    expect(km.medianCi95[0]).toBe(13);
    expect(Number.isNaN(km.medianCi95[1])).toBe(true);
  });

  it('Kaplan-Meier median when S is exactly 1/2: midway to the next event time (R)', () => {
    const km = kaplanMeier([1, 2, 3, 4], [1, 1, 1, 1], [0, 0, 0, 0]);
    expect(km.median).toBe(2.5);
  });
});
