/**
 * Divided differences of the exponential function, computed accurately for any points,
 * including equal and nearly equal ones.
 *
 * The closed-form solution of a linear compartmental system over an interval of length h is a sum of
 * terms  E[ρ0..ρq](h) = ∫…∫ exp over a simplex = h^q · exp[ρ0·h, …, ρq·h]  where exp[x0..xq] is the q-th
 * divided difference of exp at the points x. With distinct, well separated rates these are the familiar
 * (e^{a h} − e^{b h})/(a − b) terms; when two rates nearly coincide (ka ≈ k, ke0 ≈ λ) the naive formula loses
 * all precision. Here:
 *  - points are sorted; a range [i..j] whose spread x_j − x_i is at least SPREAD_FOR_RECURSION uses the
 *    recursion (exp[i+1..j] − exp[i..j−1]) / (x_j − x_i), whose cancellation is bounded because the gap is large;
 *  - a range with a smaller spread uses the Taylor series about its centre c:
 *      exp[x0..xq] = e^c · Σ_{r≥0} h_r(x − c) / (r + q)!
 *    where h_r is the complete homogeneous symmetric polynomial of degree r (the divided difference of t^m is
 *    h_{m−q}), which converges fast because |x − c| ≤ SPREAD_FOR_RECURSION / 2.
 * Hand-written because no library offers this and the accuracy of every closed-form result depends on it.
 */

import { float64, uint8 } from '../buffers.js';

const SPREAD_FOR_RECURSION = 0.5;
const MAX_POINTS = 6;
const MAX_TAYLOR_TERMS = 60;

const sorted = float64(MAX_POINTS);
const memo = float64(MAX_POINTS * MAX_POINTS);
const memoSet = uint8(MAX_POINTS * MAX_POINTS);
const homogeneous = float64(MAX_TAYLOR_TERMS + 1);

/**
 * q-th divided difference of exp at the points x[0..count-1] (q = count − 1).
 * Points may be in any order and may coincide. count ≤ 6.
 */
export function expDividedDifference(x: ArrayLike<number>, count: number): number {
  if (count < 1 || count > MAX_POINTS) throw new RangeError(`expDividedDifference: 1..${MAX_POINTS} points, got ${count}`);
  for (let i = 0; i < count; i++) {
    const v = x[i] as number;
    let j = i - 1;
    while (j >= 0 && (sorted[j] as number) > v) {
      sorted[j + 1] = sorted[j] as number;
      j--;
    }
    sorted[j + 1] = v;
  }
  memoSet.fill(0, 0, MAX_POINTS * MAX_POINTS);
  return range(0, count - 1);
}

function range(i: number, j: number): number {
  const key = i * MAX_POINTS + j;
  if (memoSet[key] === 1) return memo[key] as number;
  let value: number;
  if (i === j) {
    value = Math.exp(sorted[i] as number);
  } else {
    const spread = (sorted[j] as number) - (sorted[i] as number);
    value = spread < SPREAD_FOR_RECURSION ? taylor(i, j) : (range(i + 1, j) - range(i, j - 1)) / spread;
  }
  memo[key] = value;
  memoSet[key] = 1;
  return value;
}

function taylor(i: number, j: number): number {
  const q = j - i;
  const centre = 0.5 * ((sorted[i] as number) + (sorted[j] as number));
  const radius = 0.5 * ((sorted[j] as number) - (sorted[i] as number));
  // Terms needed: radius^R/R! < 1e-18 (R ≤ 23 for the largest radius used, 0.25).
  let terms = 1;
  for (let bound = 1; terms < MAX_TAYLOR_TERMS && bound >= 1e-18; terms++) bound *= radius / terms;
  homogeneous.fill(0, 0, terms + 1);
  homogeneous[0] = 1;
  // Build h_r for the shifted points one variable at a time: h_r ← h_r + x·h_{r−1} (h_{r−1} already updated).
  for (let l = i; l <= j; l++) {
    const xl = (sorted[l] as number) - centre;
    for (let r = 1; r <= terms; r++) homogeneous[r] = (homogeneous[r] as number) + xl * (homogeneous[r - 1] as number);
  }
  // Σ_r h_r / (r+q)!. |h_r| ≤ C(r+q, q)·radius^r, so the r-th term is at most radius^r/(r!·q!): stop when that
  // bound is below 1e-18 of the leading term 1/q! (the sum itself is e^ξ/q! for some ξ in [−radius, radius]).
  let inverseFactorial = 1;
  for (let m = 2; m <= q; m++) inverseFactorial /= m;
  let sum = 0;
  for (let r = 0; r <= terms; r++) {
    sum += (homogeneous[r] as number) * inverseFactorial;
    inverseFactorial /= r + q + 1;
  }
  return Math.exp(centre) * sum;
}

/**
 * E[ρ0..ρq](h) = h^q · exp[ρ0·h, …, ρq·h]: the response at time h of a chain of first-order processes
 * with rates ρ (negative for decay, 0 for a constant input) to a unit impulse into the first one.
 */
const scaled = float64(MAX_POINTS);
export function exponentialChainResponse(rates: ArrayLike<number>, count: number, h: number): number {
  // One and two rates (the common cases) in closed form, stable for any rates: E[a](h) = e^{a h};
  // E[a, b](h) = (e^{a h} − e^{b h})/(a − b), written e^{b h}·h·expm1(δ)/δ with δ = (a − b)·h ≥ 0 when δ < 1
  // (expm1 keeps nearly equal rates exact), directly otherwise (no cancellation, and no 0·∞ when e^{b h} underflows).
  if (count === 1) return Math.exp((rates[0] as number) * h);
  if (count === 2) {
    const r0 = rates[0] as number;
    const r1 = rates[1] as number;
    const hi = r0 > r1 ? r0 : r1;
    const lo = r0 > r1 ? r1 : r0;
    const delta = (hi - lo) * h;
    if (delta < 1) return Math.exp(lo * h) * (delta === 0 ? h : (h * Math.expm1(delta)) / delta);
    return (Math.exp(hi * h) - Math.exp(lo * h)) / (hi - lo);
  }
  let power = 1;
  for (let i = 0; i < count; i++) {
    scaled[i] = (rates[i] as number) * h;
    if (i > 0) power *= h;
  }
  return power * expDividedDifference(scaled, count);
}
