/**
 * Pieces shared by the DOPRI5 and BDF integrators: option checking, the starting-step algorithm, error messages.
 */
import { SolverError } from '../errors.js';
import type { OdeJacobian, OdeOptions, OdeRhs, OdeStats } from './types.js';
import { float64 } from '../buffers.js';

export const EPS = Number.EPSILON;
export const DEFAULT_MAX_STEPS = 100_000;

/** Options after validation, with per-state absolute tolerances. */
export interface ResolvedOptions {
  readonly rtol: number;
  readonly atol: Float64Array;
  readonly maxSteps: number;
  readonly hmax: number;
  /** 0 = automatic. */
  readonly h0: number;
  readonly jacobian: OdeJacobian | undefined;
  readonly denseOutput: boolean;
  readonly maxOrder: number;
}

/** Checks the options; throws RangeError (a programming or model-setup error, not a numerical failure). */
export function resolveOptions(n: number, rhs: OdeRhs, o: OdeOptions): ResolvedOptions {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`ODE system size must be a positive integer, got ${n}`);
  if (typeof rhs !== 'function') throw new RangeError('ODE right-hand side must be a function');
  const rtol = o.rtol;
  if (!(rtol >= 0 && rtol < 1)) throw new RangeError(`rtol must be in [0, 1), got ${rtol}`);
  const atol = float64(n);
  if (typeof o.atol === 'number') {
    atol.fill(o.atol);
  } else {
    if (o.atol.length !== n) throw new RangeError(`atol has ${o.atol.length} entries, the system has ${n} states`);
    atol.set(o.atol);
  }
  for (let i = 0; i < n; i++) {
    const a = atol[i]!;
    if (!(a > 0 && a < Infinity)) throw new RangeError(`atol must be positive and finite, got ${a} for state ${i}`);
  }
  const maxSteps = o.maxSteps ?? DEFAULT_MAX_STEPS;
  if (!(Number.isInteger(maxSteps) && maxSteps >= 1)) throw new RangeError(`maxSteps must be a positive integer, got ${maxSteps}`);
  const hmax = o.hmax ?? Infinity;
  if (!(hmax > 0)) throw new RangeError(`hmax must be positive, got ${hmax}`);
  const h0 = o.h0 ?? 0;
  if (!(h0 >= 0 && h0 < Infinity)) throw new RangeError(`h0 must be positive and finite, got ${h0}`);
  const maxOrder = o.maxOrder ?? 5;
  if (!(Number.isInteger(maxOrder) && maxOrder >= 1 && maxOrder <= 5)) throw new RangeError(`maxOrder must be 1..5, got ${maxOrder}`);
  if (o.jacobian !== undefined && typeof o.jacobian !== 'function') throw new RangeError('jacobian must be a function');
  return { rtol, atol, maxSteps, hmax, h0, jacobian: o.jacobian, denseOutput: o.denseOutput ?? true, maxOrder };
}

export function newStats(): OdeStats {
  return { steps: 0, rejected: 0, rhsEvals: 0, jacEvals: 0, luDecomps: 0 };
}

/** Index of the first non-finite entry of a[0..n), or -1. */
export function firstNonFinite(a: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    if (v - v !== 0) return i;
  }
  return -1;
}

export function nonFiniteRhsError(t: number, index: number, value: number): SolverError {
  return new SolverError(`the ODE right-hand side returned a non-finite value for state ${index + 1} (index ${index}): dydt = ${value}`, undefined, t);
}

export function checkInitialState(t0: number, y0: Float64Array, n: number): void {
  if (!Number.isFinite(t0)) throw new SolverError(`initial time is not finite (${t0})`, undefined, t0);
  if (y0.length < n) throw new RangeError(`initial state has ${y0.length} entries, the system has ${n} states`);
  const i = firstNonFinite(y0, n);
  if (i >= 0) throw new SolverError(`initial state ${i + 1} (index ${i}) is not finite: ${y0[i]}`, undefined, t0);
}

/**
 * Checks the arguments of advanceTo that do not depend on the solver state. Called for every output time: the test
 * is kept small enough for V8 to inline, the messages are built in a separate function only when it fails.
 */
export function checkAdvanceArgs(t: number, tOut: number, tStop: number, yOut: Float64Array, n: number): void {
  if (!(tOut <= tStop) || tOut - tOut !== 0 || yOut.length < n) advanceArgsError(t, tOut, tStop, yOut, n);
}

function advanceArgsError(t: number, tOut: number, tStop: number, yOut: Float64Array, n: number): never {
  if (!(tOut <= tStop)) throw new SolverError(`output time ${tOut} is after the stop time ${tStop} (or not a number)`, undefined, t);
  if (!Number.isFinite(tOut)) throw new SolverError(`output time ${tOut} is not finite`, undefined, t);
  throw new RangeError(`output array has ${yOut.length} entries, the system has ${n} states`);
}

export function backwardsError(t: number, tOut: number, tMin: number): SolverError {
  return new SolverError(`cannot integrate backwards: output time ${tOut} is before the current step [${tMin}, ${t}]`, undefined, t);
}

export function tooManyStepsError(t: number, maxSteps: number, tOut: number): SolverError {
  return new SolverError(`too many steps: ${maxSteps} step attempts were not enough to reach time ${tOut} (raise maxSteps, or the problem may be stiff: use BDF)`, undefined, t);
}

export function stepTooSmallError(t: number, h: number, extra: string): SolverError {
  return new SolverError(`step size too small (h = ${h.toExponential(3)}): the solution may be singular or the tolerances unreachable${extra}`, undefined, t);
}

/** True when h is too small to advance t meaningfully (h < 16·eps·|t|, or h not positive). */
export function stepUnderflow(h: number, t: number): boolean {
  return !(h > 0) || h < 16 * EPS * Math.abs(t) || t + h === t;
}

/**
 * Hairer's starting-step algorithm (Hairer, Nørsett & Wanner, Solving ODEs I, II.4), with RMS norms as in
 * scipy's `select_initial_step`. `order` is the order of the error estimator: the local error is ∝ h^(order+1).
 * Evaluates the RHS once, at t0 + h with h <= tMax - t0; `f1` and `y1` are scratch arrays.
 * When the trial evaluation is not finite, returns a small step (the step-size control then takes over).
 */
export function initialStep(
  rhs: OdeRhs,
  n: number,
  t0: number,
  y0: Float64Array,
  f0: Float64Array,
  tMax: number,
  hmax: number,
  order: number,
  rtol: number,
  atol: Float64Array,
  y1: Float64Array,
  f1: Float64Array,
  stats: OdeStats,
): number {
  const interval = tMax - t0;
  let d0 = 0;
  let d1 = 0;
  for (let i = 0; i < n; i++) {
    const sk = atol[i]! + rtol * Math.abs(y0[i]!);
    const a = y0[i]! / sk;
    const b = f0[i]! / sk;
    d0 += a * a;
    d1 += b * b;
  }
  // A state below its tolerance scale (d0 < 1: e.g. a drug-free body when an infusion starts) says nothing about the
  // step: measure the first Euler step against the tolerance scale instead (d0 = 1), or the start is absurdly small.
  d0 = Math.max(Math.sqrt(d0 / n), 1);
  d1 = Math.sqrt(d1 / n);
  let h = d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
  h = Math.min(h, interval, hmax);
  for (let i = 0; i < n; i++) y1[i] = y0[i]! + h * f0[i]!;
  rhs(h >= interval ? tMax : t0 + h, y1, f1);
  stats.rhsEvals++;
  let d2 = 0;
  for (let i = 0; i < n; i++) {
    const sk = atol[i]! + rtol * Math.abs(y0[i]!);
    const a = (f1[i]! - f0[i]!) / sk;
    d2 += a * a;
  }
  d2 = Math.sqrt(d2 / n) / h;
  if (!Number.isFinite(d2)) return Math.min(h * 1e-3, hmax);
  const h1 = d1 <= 1e-15 && d2 <= 1e-15 ? Math.max(1e-6, h * 1e-3) : Math.pow(0.01 / Math.max(d1, d2), 1 / (order + 1));
  // Never start within a factor 100 of the smallest step the solvers accept (16·eps·|t|).
  const floor = 100 * 16 * Number.EPSILON * Math.abs(t0);
  return Math.min(Math.max(Math.min(100 * h, h1), floor), interval, hmax);
}

/**
 * What both integrators share: the options as resolved, the current time, the statistics, the attempt counter and
 * the bookkeeping that turns a failure after non-finite right-hand-side values into an error naming them.
 */
export abstract class IntegratorBase {
  readonly stats: OdeStats = newStats();
  protected readonly n: number;
  protected readonly rhs: OdeRhs;
  protected readonly rtol: number;
  protected readonly atol: Float64Array;
  protected readonly maxSteps: number;
  protected readonly hmax: number;
  protected readonly h0: number;
  protected readonly options: ResolvedOptions;
  protected tCur = 0;
  protected attempts = 0;
  protected nonFiniteT = 0;
  /** State index of the last non-finite RHS value seen in this advanceTo call, or -1. */
  protected nonFiniteIndex = -1;
  protected nonFiniteValue = 0;

  constructor(n: number, rhs: OdeRhs, options: OdeOptions) {
    const o = resolveOptions(n, rhs, options);
    this.options = o;
    this.n = n;
    this.rhs = rhs;
    this.rtol = o.rtol;
    this.atol = o.atol;
    this.maxSteps = o.maxSteps;
    this.hmax = o.hmax;
    this.h0 = o.h0;
  }

  get t(): number {
    return this.tCur;
  }

  /** A failure while non-finite RHS values were seen in this call is reported as such. */
  protected failure(e: SolverError): SolverError {
    if (this.nonFiniteIndex < 0) return e;
    const err = nonFiniteRhsError(this.nonFiniteT, this.nonFiniteIndex, this.nonFiniteValue);
    return new SolverError(`${err.detail} (then: ${e.detail})`, undefined, this.nonFiniteT);
  }
}
