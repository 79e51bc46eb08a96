/**
 * Public types of the ODE solvers. See index.ts for the overview and the measured performance.
 */

/** Right-hand side: writes dy/dt at (t, y) into `dydt`. Called in the hot loop: it must not allocate and must not
 *  keep references to `y` or `dydt` (the solver reuses those arrays). */
export type OdeRhs = (t: number, y: Float64Array, dydt: Float64Array) => void;

/** Analytic Jacobian: writes ∂f_i/∂y_j into `jac[i * n + j]` (row-major n×n). BDF only. */
export type OdeJacobian = (t: number, y: Float64Array, jac: Float64Array) => void;

export interface OdeOptions {
  /** Relative tolerance (mrgsolve's default is 1e-8). Must be >= 0 and < 1. */
  rtol: number;
  /** Absolute tolerance, scalar or one per state. Must be > 0. */
  atol: number | Float64Array;
  /** Maximum number of step attempts (accepted + rejected) per `advanceTo` call. Default 100000. */
  maxSteps?: number;
  /** Maximum step size. Default Infinity. */
  hmax?: number;
  /** Initial step size after every `init`. Default: automatic (Hairer's starting-step algorithm). */
  h0?: number;
  /** Analytic Jacobian (BDF only). Default: forward finite differences. */
  jacobian?: OdeJacobian;
  /**
   * DOPRI5 and DOP853. true (default): steps are limited only by `tStop` and outputs are interpolated with the
   * continuous extension (order 4 for DOPRI5, 7 for DOP853), so output times do not perturb the integration.
   * false: every output time is hit exactly by a step (slower when outputs are dense).
   */
  denseOutput?: boolean;
  /** BDF only: highest order used, 1..5 (default 5). */
  maxOrder?: number;
}

/** Counters, cumulative since the integrator was created (`init` does not reset them). */
export interface OdeStats {
  /** Accepted steps. */
  steps: number;
  /** Rejected step attempts (error test failures, and for BDF also Newton failures). */
  rejected: number;
  /** Calls of the RHS, including those made for finite-difference Jacobians. */
  rhsEvals: number;
  /** Jacobian evaluations (finite-difference or analytic). */
  jacEvals: number;
  /** LU decompositions of the Newton iteration matrix. */
  luDecomps: number;
}

export interface OdeIntegrator {
  readonly method: 'dopri5' | 'dop853' | 'bdf' | 'auto';
  /** Start (or restart after a discontinuity) at t0 with state y0 (copied). Forgets step history. */
  init(t0: number, y0: Float64Array): void;
  /**
   * Integrate from the current time to tOut and write y(tOut) into yOut. The integrator may step beyond tOut
   * to at most tStop (>= tOut; the next discontinuity) and interpolate; it never evaluates the RHS beyond tStop.
   * Successive calls continue from where it left off without restarting (keeps step size/history).
   * `tOut` may lie inside the last step taken (interpolation), but not before it.
   * Throws SolverError (with the model time) on failure; the integrator must then be restarted with `init`.
   */
  advanceTo(tOut: number, tStop: number, yOut: Float64Array): void;
  /** Time reached by the last step (>= the last tOut). */
  readonly t: number;
  readonly stats: OdeStats;
}
