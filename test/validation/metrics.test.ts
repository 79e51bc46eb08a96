/**
 * Validation metrics on curves with analytic answers: exponential decay (AUC, terminal slope, clearance), the
 * one-compartment oral (Bateman) curve (Cmax, Tmax), straight lines (interpolation, changes, event times), and
 * families of curves whose population answers can be counted by hand.
 */
import { describe, expect, it } from 'vitest';
import * as M from '../../src/validation/metrics.js';

function grid(from: number, to: number, step: number): Float64Array {
  const n = Math.round((to - from) / step);
  return Float64Array.from({ length: n + 1 }, (_, i) => from + i * step);
}
const map = (t: Float64Array, f: (x: number) => number): Float64Array => t.map(f);
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('curve metrics', () => {
  // C(t) = C0 exp(-k t): AUC(a, b) = C0 (e^-ka - e^-kb) / k, AUC(0, ∞) = C0 / k.
  const C0 = 200;
  const k = 0.3;
  const t = grid(0, 48, 0.005);
  const y = map(t, (x) => C0 * Math.exp(-k * x));

  it('trapezoidal AUC of an exponential converges to the integral (error ~ h²k²/12)', () => {
    const exact = (C0 / k) * (Math.exp(-k * 1) - Math.exp(-k * 8));
    expect(rel(M.auc(t, y, 1, 8), exact)).toBeLessThan(1e-5);
    // Window ends between grid points are interpolated.
    const exact2 = (C0 / k) * (Math.exp(-k * 1.0025) - Math.exp(-k * 7.9975));
    expect(rel(M.auc(t, y, 1.0025, 7.9975), exact2)).toBeLessThan(1e-5);
    expect(M.auc(t, y, 3, 3)).toBe(0);
    expect(() => M.auc(t, y, 5, 4)).toThrow(/empty/);
  });

  it('AUC to infinity: the log-linear terminal slope of an exponential is k exactly', () => {
    const inf = M.aucToInfinity(t, y);
    expect(inf.lambdaZ).toBeCloseTo(k, 10);
    expect(rel(inf.auc, C0 / k)).toBeLessThan(1e-5);
    expect(inf.extrapolatedFraction).toBeCloseTo(Math.exp(-k * 48), 8);
    expect(() => M.aucToInfinity(t, map(t, (x) => x))).toThrow(/not declining/);
  });

  it('clearance = dose / AUC(0–∞): a 35 mg bolus into V = 50 L with k = 0.2/h gives CL = kV = 10 L/h', () => {
    const tt = grid(0, 96, 0.01);
    const conc = map(tt, (x) => ((1000 * 35) / 50) * Math.exp(-0.2 * x)); // ng/mL
    const cl = M.clearance(tt, conc, 35, M.mgPerLiter('ng/mL') as number);
    expect(rel(cl.clearance, 10)).toBeLessThan(1e-5);
    expect(M.mgPerLiter('µg/L')).toBe(1e-3);
    expect(M.mgPerLiter('mg/L')).toBe(1);
    expect(M.mgPerLiter('points')).toBeUndefined();
  });

  it('Cmax and Tmax of the Bateman curve: tmax = ln(ka/k)/(ka − k)', () => {
    const ka = 1.5;
    const ke = 0.2;
    const tt = grid(0, 24, 0.0005);
    const b = map(tt, (x) => ((100 * ka) / (ka - ke)) * (Math.exp(-ke * x) - Math.exp(-ka * x)));
    const tmax = Math.log(ka / ke) / (ka - ke);
    const cmax = ((100 * ka) / (ka - ke)) * (Math.exp(-ke * tmax) - Math.exp(-ka * tmax));
    expect(Math.abs(M.tmax(tt, b) - tmax)).toBeLessThanOrEqual(0.0005);
    expect(rel(M.cmax(tt, b), cmax)).toBeLessThan(1e-6);
    // A window after the peak: the maximum is at its start.
    expect(M.tmax(tt, b, 5, 10)).toBeCloseTo(5, 10);
    expect(() => M.cmax(tt, b, 30, 40)).toThrow(/no simulated time/);
  });

  it('values between grid points are interpolated linearly; a straight line is exact', () => {
    const tt = Float64Array.from([0, 1, 2, 4]);
    const line = map(tt, (x) => 10 + 2 * x);
    expect(M.valueAt(tt, line, 3)).toBe(16);
    expect(M.valueAt(tt, line, 4)).toBe(18);
    expect(M.valueAt(tt, line, 0)).toBe(10);
    expect(() => M.valueAt(tt, line, 4.5)).toThrow(/outside/);
    expect(M.change(tt, line, 3)).toBe(6);
    expect(M.change(tt, line, 4, 1)).toBe(6);
    expect(M.percentChange(tt, line, 3)).toBeCloseTo(60, 12);
    expect(M.reductionPct(tt, map(tt, (x) => 30 - 5 * x), 2)).toBeCloseTo(100 / 3, 12);
    // The trapezoid is exact on a piecewise-linear curve: a triangle of base 4 and height 8.
    const tri = Float64Array.from([0, 4, 8]);
    expect(M.auc(Float64Array.from([0, 2, 4]), tri)).toBe(16);
  });

  it('mean curve, mean/SD, median, geometric mean', () => {
    expect(Array.from(M.meanCurve([[1, 2, 3], [3, 4, 5]]))).toEqual([2, 3, 4]);
    const s = M.meanSd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBe(5);
    expect(s.sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(M.meanSd([3]).sd).toBe(0);
    expect(M.median([5, 1, 3])).toBe(3);
    expect(M.median([4, 1, 3, 2])).toBe(2.5);
    expect(M.geometricMean([1, 100])).toBeCloseTo(10, 12);
    expect(() => M.geometricMean([1, 0])).toThrow(/positive/);
  });
});

describe('population metrics', () => {
  // Ten subjects, score_i(t) = 30 (1 − r_i t / 10) on 0..10 h with r_i = 0.1, 0.2, … 1.0: reduction at t is
  // 100 r_i t / 10 %.
  const t = grid(0, 10, 0.5);
  const rs = Array.from({ length: 10 }, (_, i) => (i + 1) / 10);
  const curves = rs.map((r) => map(t, (x) => 30 * (1 - (r * x) / 10)));

  it('response rate: fraction with at least X % reduction from baseline', () => {
    // At 10 h reductions are 10, 20, … 100 %: five subjects reach 60 %, six reach 50 %.
    expect(M.responseRate(t, curves, 10)).toBe(0.6);
    expect(M.responseRate(t, curves, 10, 0, 60)).toBe(0.5);
    // At 5 h reductions are 5 … 50 %: only the last subject reaches 50 %.
    expect(M.responseRate(t, curves, 5)).toBe(0.1);
  });

  it('remission rate: fraction at or below a threshold', () => {
    // At 10 h the scores are 27, 24, … 0: at or below 12 for r ≥ 0.6 (five subjects).
    expect(M.remissionRate(t, curves, 10, 12)).toBe(0.5);
  });

  it('fraction above: peak over a window, optionally as a rise from baseline', () => {
    // Rising curves 5 + c t: peak over 0–4 h is 5 + 4c; above 15 when c > 2.5.
    const up = [1, 2, 3, 4].map((c) => map(t, (x) => 5 + c * x));
    expect(M.fractionAbove(t, up, 15, 0, 4)).toBe(0.5);
    expect(M.fractionAbove(t, up, 14)).toBe(1);
    // Rise from the value at 2 h to the peak at 4 h is 2c: above 5 for c = 3, 4.
    expect(M.fractionAbove(t, up, 5, 2, 4, 2)).toBe(0.5);
  });

  it('time to event: where the interpolated curve first crosses the level, 0 if it holds at the start', () => {
    const line = map(t, (x) => 10 + 2 * x);
    expect(M.timeToEvent(t, line, { direction: 'above', level: 17 }, 0)).toBeCloseTo(3.5, 12);
    expect(M.timeToEvent(t, line, { direction: 'above', level: 17 }, 1.25)).toBeCloseTo(2.25, 12);
    expect(M.timeToEvent(t, line, { direction: 'above', level: 5 }, 0)).toBe(0);
    expect(M.timeToEvent(t, line, { direction: 'above', level: 40 }, 0)).toBeUndefined();
    expect(M.timeToEvent(t, line, { direction: 'above', level: 25 }, 0, 6)).toBeUndefined();
    expect(M.timeToEvent(t, line, { direction: 'below', level: 12, inclusive: true }, 0)).toBe(0);
  });

  it('median time to event: plain median when all have the event, Kaplan–Meier median with censoring', () => {
    expect(M.medianTimeTo([4, 1, 3, 2])).toEqual({ median: 2.5, subjects: 4, events: 4, censored: 0 });
    // Censored at the end: S(t) falls by 1/5 at each event; S ≤ 0.5 at the third event.
    expect(M.medianTimeTo([1, undefined, 3, 2, undefined])).toEqual({ median: 3, subjects: 5, events: 3, censored: 2 });
    expect(M.medianTimeTo([1, undefined, undefined]).median).toBeNaN();
  });
});
