/**
 * Metrics: how a published number is read off simulated curves. Pure functions on arrays (times in hours,
 * ascending; values at those times), each tested on curves with analytic answers (test/validation/metrics.test.ts).
 *
 * Curve metrics read one curve (the typical subject's, or a population's mean curve): cmax, tmax, auc, value,
 * change, percentChange, clearance. Population metrics read one curve per subject: meanSd of changes,
 * responseRate, remissionRate, fractionAbove, medianTimeTo (with timeToEvent per subject).
 *
 * Between grid points curves are linear (values at times between grid points are interpolated, windows are cut
 * at their ends by interpolation, events happen where the interpolated curve crosses the threshold).
 */

export type Values = ArrayLike<number>;

function check(t: Values, y: Values): void {
  if (t.length !== y.length) throw new RangeError(`metric: ${t.length} times but ${y.length} values`);
  if (t.length === 0) throw new RangeError('metric: empty curve');
}

/** Linear interpolation at `at` (the curve must cover it). */
export function valueAt(t: Values, y: Values, at: number): number {
  check(t, y);
  const n = t.length;
  const first = t[0] as number;
  const last = t[n - 1] as number;
  const eps = 1e-9 * Math.max(1, Math.abs(last));
  if (at < first - eps || at > last + eps) throw new RangeError(`metric: time ${at} h is outside the simulated ${first}–${last} h`);
  // Binary search for the last index with t[i] <= at.
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((t[mid] as number) <= at + eps) lo = mid;
    else hi = mid - 1;
  }
  const t0 = t[lo] as number;
  if (Math.abs(t0 - at) <= eps || lo === n - 1) return y[lo] as number;
  const t1 = t[lo + 1] as number;
  const y0 = y[lo] as number;
  const y1 = y[lo + 1] as number;
  return y0 + ((y1 - y0) * (at - t0)) / (t1 - t0);
}

/** The index range [i0, i1] of grid points inside [from, to]. */
function windowIndices(t: Values, from: number, to: number): [number, number] {
  let i0 = 0;
  while (i0 < t.length && (t[i0] as number) < from - 1e-12) i0++;
  let i1 = t.length - 1;
  while (i1 >= 0 && (t[i1] as number) > to + 1e-12) i1--;
  return [i0, i1];
}

export interface Peak {
  readonly value: number;
  /** Time of the (first) maximum, hours. */
  readonly time: number;
}

/** Largest value over [from, to] (default: the whole curve), on the grid points, and when it first occurs. */
export function peak(t: Values, y: Values, from = -Infinity, to = Infinity): Peak {
  check(t, y);
  const [i0, i1] = windowIndices(t, from, to);
  if (i1 < i0) throw new RangeError(`metric: no simulated time in [${from}, ${to}] h`);
  let best = i0;
  for (let i = i0 + 1; i <= i1; i++) if ((y[i] as number) > (y[best] as number)) best = i;
  return { value: y[best] as number, time: t[best] as number };
}

export function cmax(t: Values, y: Values, from?: number, to?: number): number {
  return peak(t, y, from, to).value;
}

export function tmax(t: Values, y: Values, from?: number, to?: number): number {
  return peak(t, y, from, to).time;
}

/** Area under the curve over [from, to] by the linear trapezoidal rule (window ends interpolated). */
export function auc(t: Values, y: Values, from?: number, to?: number): number {
  check(t, y);
  const a = from ?? (t[0] as number);
  const b = to ?? (t[t.length - 1] as number);
  if (b < a) throw new RangeError(`metric: AUC window [${a}, ${b}] h is empty`);
  const ya = valueAt(t, y, a);
  const yb = valueAt(t, y, b);
  const [i0, i1] = windowIndices(t, a, b);
  let sum = 0;
  let tp = a;
  let yp = ya;
  for (let i = i0; i <= i1; i++) {
    const ti = t[i] as number;
    const yi = y[i] as number;
    sum += ((ti - tp) * (yi + yp)) / 2;
    tp = ti;
    yp = yi;
  }
  sum += ((b - tp) * (yb + yp)) / 2;
  return sum;
}

export interface AucInfinity {
  readonly auc: number;
  /** Terminal rate constant (1/h) from the log-linear fit of the last points. */
  readonly lambdaZ: number;
  /** Fraction of the total area that is extrapolated (C_last / λz). */
  readonly extrapolatedFraction: number;
}

/**
 * AUC from `from` to infinity: trapezoid to the last time plus C_last/λz, λz from a log-linear least-squares fit
 * of the last `points` values (they must be positive and declining).
 */
export function aucToInfinity(t: Values, y: Values, from?: number, points = 3): AucInfinity {
  check(t, y);
  const n = t.length;
  if (n < points || points < 2) throw new RangeError(`metric: need at least ${Math.max(points, 2)} points for the terminal slope`);
  const inside = auc(t, y, from);
  // Least squares on centred times (the sums of squares of raw times cancel badly for late, close points).
  let mx = 0;
  let my = 0;
  for (let i = n - points; i < n; i++) {
    const yi = y[i] as number;
    if (!(yi > 0)) throw new RangeError('metric: the terminal concentrations must be positive to extrapolate the AUC');
    mx += (t[i] as number) / points;
    my += Math.log(yi) / points;
  }
  let sxx = 0;
  let sxy = 0;
  for (let i = n - points; i < n; i++) {
    const dx = (t[i] as number) - mx;
    sxx += dx * dx;
    sxy += dx * (Math.log(y[i] as number) - my);
  }
  const slope = sxy / sxx;
  const lambdaZ = -slope;
  if (!(lambdaZ > 0)) throw new RangeError('metric: the curve is not declining at the end: follow it longer to extrapolate the AUC');
  const tail = (y[n - 1] as number) / lambdaZ;
  return { auc: inside + tail, lambdaZ, extrapolatedFraction: tail / (inside + tail) };
}

/** Value at `at` minus value at `baseline` (default time 0). */
export function change(t: Values, y: Values, at: number, baseline = 0): number {
  return valueAt(t, y, at) - valueAt(t, y, baseline);
}

/** Change from baseline as a percentage of the baseline value. */
export function percentChange(t: Values, y: Values, at: number, baseline = 0): number {
  const b = valueAt(t, y, baseline);
  if (b === 0) throw new RangeError('metric: percent change from a baseline of 0');
  return (100 * (valueAt(t, y, at) - b)) / b;
}

/**
 * Clearance = dose / AUC(0–∞) for an intravenous dose, in L/h when the dose is in mg, the time in hours and
 * `mgPerLPerUnit` converts the concentration unit to mg/L (ng/mL: 1e-3).
 */
export function clearance(t: Values, y: Values, doseMg: number, mgPerLPerUnit: number): { clearance: number; extrapolatedFraction: number } {
  const inf = aucToInfinity(t, y);
  return { clearance: doseMg / (inf.auc * mgPerLPerUnit), extrapolatedFraction: inf.extrapolatedFraction };
}

/** mg/L per unit of a concentration unit, for the units models use; undefined when unknown. */
export function mgPerLiter(unit: string): number | undefined {
  const u = unit.trim().replace('µ', 'u').replace('μ', 'u').toLowerCase();
  const table: Record<string, number> = { 'ng/ml': 1e-3, 'ug/l': 1e-3, 'mg/l': 1, 'ug/ml': 1, 'g/l': 1000, 'mg/ml': 1000, 'ng/l': 1e-6 };
  return table[u];
}

// Summaries --------------------------------------------------------------------------------------------------

export interface MeanSd {
  readonly mean: number;
  /** Sample SD (n − 1); 0 for one value. */
  readonly sd: number;
  readonly n: number;
}

export function meanSd(values: Values): MeanSd {
  const n = values.length;
  if (n === 0) throw new RangeError('metric: no values');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((values[i] as number) - mean) ** 2;
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n };
}

/** Median (the mean of the two middle values for an even count). */
export function median(values: Values): number {
  const n = values.length;
  if (n === 0) throw new RangeError('metric: no values');
  const s = Array.from(values).sort((a, b) => a - b);
  const mid = n >> 1;
  return n % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function geometricMean(values: Values): number {
  const n = values.length;
  if (n === 0) throw new RangeError('metric: no values');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (!(v > 0)) throw new RangeError('metric: a geometric mean needs positive values');
    sum += Math.log(v);
  }
  return Math.exp(sum / n);
}

/** Pointwise arithmetic mean of curves on the same grid. */
export function meanCurve(curves: readonly Values[]): Float64Array {
  if (curves.length === 0) throw new RangeError('metric: no curves');
  const n = (curves[0] as Values).length;
  const out = new Float64Array(n);
  for (const c of curves) {
    if (c.length !== n) throw new RangeError('metric: curves of different lengths');
    for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (c[i] as number);
  }
  for (let i = 0; i < n; i++) out[i] = (out[i] as number) / curves.length;
  return out;
}

// Population metrics -----------------------------------------------------------------------------------------

/** Reduction from baseline in percent of the baseline (positive = improvement of a symptom score). */
export function reductionPct(t: Values, y: Values, at: number, baseline = 0): number {
  return -percentChange(t, y, at, baseline);
}

/** Fraction of subjects with at least `pct` % reduction from baseline at `at` (responders; default 50 %). */
export function responseRate(t: Values, curves: readonly Values[], at: number, baseline = 0, pct = 50): number {
  return fraction(curves, (y) => reductionPct(t, y, at, baseline) >= pct - 1e-9);
}

/** Fraction of subjects whose value at `at` is at or below `threshold` (remitters). */
export function remissionRate(t: Values, curves: readonly Values[], at: number, threshold: number): number {
  return fraction(curves, (y) => valueAt(t, y, at) <= threshold);
}

/**
 * Fraction of subjects whose peak over [from, to] exceeds `threshold` (e.g. CADSS > 4, SBP > 180 mmHg). With
 * `baselineAt`, the peak of the change from the value at that time.
 */
export function fractionAbove(t: Values, curves: readonly Values[], threshold: number, from?: number, to?: number, baselineAt?: number): number {
  return fraction(curves, (y) => {
    const base = baselineAt === undefined ? 0 : valueAt(t, y, baselineAt);
    return cmax(t, y, from, to) - base > threshold;
  });
}

function fraction(curves: readonly Values[], test: (y: Values) => boolean): number {
  if (curves.length === 0) throw new RangeError('metric: no subjects');
  let k = 0;
  for (const y of curves) if (test(y)) k++;
  return k / curves.length;
}

/** A per-subject condition on the value: above / below a level (which may depend on the subject's baseline). */
export interface LevelCondition {
  readonly direction: 'above' | 'below';
  readonly level: number;
  /** Whether equality counts (≥ / ≤). */
  readonly inclusive?: boolean;
}

export function holds(value: number, c: LevelCondition): boolean {
  if (c.direction === 'above') return c.inclusive === true ? value >= c.level : value > c.level;
  return c.inclusive === true ? value <= c.level : value < c.level;
}

/**
 * Time (hours after `from`) at which the condition first holds on [from, to]: 0 if it holds at `from`, else
 * where the linearly interpolated curve reaches the level; undefined if it never holds (censored at `to`).
 */
export function timeToEvent(t: Values, y: Values, condition: LevelCondition, from: number, to = Infinity): number | undefined {
  check(t, y);
  const end = Math.min(to, t[t.length - 1] as number);
  let tp = from;
  let yp = valueAt(t, y, from);
  if (holds(yp, condition)) return 0;
  const [i0, i1] = windowIndices(t, from, end);
  for (let i = i0; i <= i1; i++) {
    const ti = t[i] as number;
    const yi = y[i] as number;
    if (ti > tp && holds(yi, condition)) {
      const frac = yi === yp ? 1 : (condition.level - yp) / (yi - yp);
      return tp + Math.min(1, Math.max(0, frac)) * (ti - tp) - from;
    }
    tp = ti;
    yp = yi;
  }
  return undefined;
}

export interface MedianTime {
  /** Median time to the event; NaN when fewer than half of the subjects have it (not reached). */
  readonly median: number;
  readonly subjects: number;
  readonly events: number;
  readonly censored: number;
}

/**
 * Median time to an event. When every subject has the event, the ordinary median of the times. When some are
 * censored (all at the end of follow-up, as here), the Kaplan–Meier median: the first event time at which at
 * least half of the subjects have had the event; NaN (not reached) if fewer than half ever do.
 */
export function medianTimeTo(times: readonly (number | undefined)[]): MedianTime {
  const n = times.length;
  if (n === 0) throw new RangeError('metric: no subjects for a time to event');
  const events = times.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  const censored = n - events.length;
  if (censored === 0) return { median: median(events), subjects: n, events: events.length, censored };
  const k = Math.ceil(n / 2);
  const med = events.length >= k ? (events[k - 1] as number) : Number.NaN;
  return { median: med, subjects: n, events: events.length, censored };
}
