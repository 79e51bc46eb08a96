/**
 * The statistics trials report, as pure functions of counts and sums: Student t quantiles, the t interval of a
 * mean, Welch's interval for a difference of means, Wilson's score interval for a proportion, Newcombe's hybrid
 * score interval for a difference of proportions, and the Kaplan–Meier estimate with Greenwood's variance,
 * log–log confidence limits and the Brookmeyer–Crowley interval of the median. Checked against textbook values
 * in test/trial/stats.test.ts.
 */

import { normalQuantile } from '../core/random/philox.js';

// Special functions -------------------------------------------------------------------------------------------

/** log Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error about 1e-15). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const xx = x - 1;
  let a = c[0] as number;
  const t = xx + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lbt = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lbt) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(lbt) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Student t distribution function with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  if (!Number.isFinite(df)) return normalCdf(t);
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Standard normal distribution function: Φ(z) = erfc(−z/√2)/2, erfc through the incomplete gamma function Q(1/2, ·). */
export function normalCdf(z: number): number {
  // Φ(z) = 1/2 · erfc(−z/√2); erfc from the regularized incomplete gamma Q(1/2, x²) = erfc(x).
  const x = z / Math.SQRT2;
  const q = gammaQHalf(x * x);
  return z >= 0 ? 1 - 0.5 * q : 0.5 * q;
}

/** Q(1/2, y) = erfc(√y) by series / continued fraction (Numerical Recipes gser/gcf). */
function gammaQHalf(y: number): number {
  const a = 0.5;
  if (y === 0) return 1;
  const gln = logGamma(a);
  if (y < a + 1) {
    let ap = a;
    let sum = 1 / a;
    let del = sum;
    for (let n = 0; n < 1000; n++) {
      ap += 1;
      del *= y / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - sum * Math.exp(-y + a * Math.log(y) - gln);
  }
  const tiny = 1e-300;
  let b = y + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(-y + a * Math.log(y) - gln) * h;
}

/** Quantile p of Student's t with `df` degrees of freedom (df = Infinity: the normal quantile). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`tQuantile: degrees of freedom must be positive, got ${df}`);
  const z = normalQuantile(p);
  if (!Number.isFinite(df) || df > 1e7) return z;
  if (p === 0.5) return 0;
  // Bracket, then bisection refined by the secant: the t quantile lies beyond the normal one in the same direction.
  const upper = p > 0.5;
  const target = upper ? 1 - p : p; // lower-tail probability of −|t|
  let lo = 0;
  let hi = Math.max(1, Math.abs(z));
  while (tCdf(-hi, df) > target) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (tCdf(-mid, df) > target) lo = mid;
    else hi = mid;
    if (hi - lo <= 1e-15 * hi) break;
  }
  const t = 0.5 * (lo + hi);
  return upper ? t : -t;
}

// Intervals ---------------------------------------------------------------------------------------------------

export type Interval = readonly [number, number];

export interface MeanStats {
  readonly n: number;
  readonly mean: number;
  /** Sample SD (n − 1); NaN for n < 2. */
  readonly sd: number;
  /** t interval of the mean (NaN for n < 2). */
  readonly ci95: Interval;
}

/** Mean, SD and 95 % t interval from n, Σx and Σx² (both exact sums, correctly rounded). */
export function meanStats(n: number, sum: number, sumSquares: number, level = 0.95): MeanStats {
  if (n === 0) return { n, mean: Number.NaN, sd: Number.NaN, ci95: [Number.NaN, Number.NaN] };
  const mean = sum / n;
  if (n < 2) return { n, mean, sd: Number.NaN, ci95: [Number.NaN, Number.NaN] };
  const ss = Math.max(0, sumSquares - sum * mean);
  const sd = Math.sqrt(ss / (n - 1));
  const half = (tQuantile(1 - (1 - level) / 2, n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, ci95: [mean - half, mean + half] };
}

export interface Difference {
  readonly estimate: number;
  readonly ci95: Interval;
  readonly method: string;
}

/** Difference of means a − b with Welch's t interval (Welch–Satterthwaite degrees of freedom). */
export function welchDifference(a: MeanStats, b: MeanStats, level = 0.95): Difference {
  const estimate = a.mean - b.mean;
  const va = (a.sd * a.sd) / a.n;
  const vb = (b.sd * b.sd) / b.n;
  const se = Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  if (!(se > 0) || !Number.isFinite(df)) return { estimate, ci95: [Number.NaN, Number.NaN], method: 'Welch t' };
  const half = tQuantile(1 - (1 - level) / 2, df) * se;
  return { estimate, ci95: [estimate - half, estimate + half], method: 'Welch t' };
}

export interface Proportion {
  readonly count: number;
  readonly n: number;
  readonly rate: number;
  /** Wilson score interval. */
  readonly ci95: Interval;
}

/** Wilson's score interval for count/n (Wilson 1927; Newcombe 1998 method 3). */
export function wilson(count: number, n: number, level = 0.95): Proportion {
  if (n === 0) return { count, n, rate: Number.NaN, ci95: [Number.NaN, Number.NaN] };
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = count / n;
  const z2 = z * z;
  const centre = (count + z2 / 2) / (n + z2);
  const half = (z / (n + z2)) * Math.sqrt((count * (n - count)) / n + z2 / 4);
  return { count, n, rate: p, ci95: [count === 0 ? 0 : Math.max(0, centre - half), count === n ? 1 : Math.min(1, centre + half)] };
}

/** Difference of proportions a − b with Newcombe's hybrid score interval (Newcombe 1998, method 10). */
export function newcombeDifference(a: Proportion, b: Proportion, level = 0.95): Difference {
  const A = wilson(a.count, a.n, level);
  const B = wilson(b.count, b.n, level);
  const d = A.rate - B.rate;
  const lower = d - Math.sqrt((A.rate - A.ci95[0]) ** 2 + (B.ci95[1] - B.rate) ** 2);
  const upper = d + Math.sqrt((A.ci95[1] - A.rate) ** 2 + (B.rate - B.ci95[0]) ** 2);
  return { estimate: d, ci95: [lower, upper], method: 'Newcombe hybrid score' };
}

// Kaplan–Meier ------------------------------------------------------------------------------------------------

export interface KmStep {
  readonly time: number;
  readonly atRisk: number;
  readonly events: number;
  readonly censored: number;
  /** S(t) just after this time. */
  readonly survival: number;
  /** Greenwood standard error of S(t). */
  readonly se: number;
  /** Log–log 95 % limits of S(t). */
  readonly ci95: Interval;
}

export interface KaplanMeier {
  readonly subjects: number;
  readonly events: number;
  readonly censored: number;
  readonly steps: readonly KmStep[];
  /** Median: first time with S ≤ 0.5 (midway to the next event time when S = 0.5 exactly, as R); NaN if not reached. */
  readonly median: number;
  /** Brookmeyer–Crowley limits from the log–log band: first times the lower / upper limit of S is ≤ 0.5 (NaN: not reached). */
  readonly medianCi95: Interval;
}

/**
 * Kaplan–Meier estimate from counts at ordered times: events[j] and censored[j] at times[j] (censoring after the
 * events at the same time, the usual convention). Times need not be distinct from one another's order? They
 * must be ascending.
 */
export function kaplanMeier(times: readonly number[], events: readonly number[], censored: readonly number[], level = 0.95): KaplanMeier {
  const z = normalQuantile(1 - (1 - level) / 2);
  const total = events.reduce((a, b) => a + b, 0) + censored.reduce((a, b) => a + b, 0);
  let atRisk = total;
  let s = 1;
  let greenwood = 0;
  const steps: KmStep[] = [];
  for (let j = 0; j < times.length; j++) {
    const d = events[j] as number;
    const c = censored[j] as number;
    if (d === 0 && c === 0) continue;
    if (d > 0) {
      s *= 1 - d / atRisk;
      greenwood += atRisk > d ? d / (atRisk * (atRisk - d)) : Number.POSITIVE_INFINITY;
    }
    const se = s * Math.sqrt(greenwood);
    let ci: Interval;
    if (s <= 0 || !Number.isFinite(greenwood)) ci = [0, s <= 0 ? 0 : 1];
    else if (s >= 1 || greenwood === 0) ci = [s, s];
    else {
      const l = Math.log(-Math.log(s));
      const w = (z * Math.sqrt(greenwood)) / Math.abs(Math.log(s));
      ci = [Math.exp(-Math.exp(l + w)), Math.exp(-Math.exp(l - w))];
    }
    steps.push({ time: times[j] as number, atRisk, events: d, censored: c, survival: s, se, ci95: ci });
    atRisk -= d + c;
  }
  const eventSteps = steps.filter((st) => st.events > 0);
  const first = (test: (st: KmStep) => boolean): number => eventSteps.find(test)?.time ?? Number.NaN;
  const eps = 1e-12;
  let median = first((st) => st.survival <= 0.5 + eps);
  const at = eventSteps.findIndex((st) => Math.abs(st.survival - 0.5) <= eps);
  if (at >= 0) {
    const next = eventSteps[at + 1];
    median = next === undefined ? (eventSteps[at] as KmStep).time : 0.5 * ((eventSteps[at] as KmStep).time + next.time);
  }
  return {
    subjects: total,
    events: eventSteps.reduce((a, st) => a + st.events, 0),
    censored: steps.reduce((a, st) => a + st.censored, 0),
    steps,
    median,
    medianCi95: [first((st) => st.ci95[0] <= 0.5 + eps), first((st) => st.ci95[1] <= 0.5 + eps)],
  };
}
