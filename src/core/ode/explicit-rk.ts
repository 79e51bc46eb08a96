/**
 * What the explicit Runge–Kutta pairs (DOPRI5, DOP853) share: the solution and FSAL bookkeeping, advancing to an
 * output time (stepping on to the stop time and interpolating back with dense output, or stepping exactly to the
 * output time without it), and the first right-hand-side evaluation with the initial step. Each pair supplies its
 * step (stages, error estimate, step-size control) and its continuous extension.
 */
import type { OdeOptions, OdeRhs } from './types.js';
import { IntegratorBase, EPS, backwardsError, checkAdvanceArgs, checkInitialState, firstNonFinite, initialStep, nonFiniteRhsError } from './common.js';
import { float64 } from '../buffers.js';

export abstract class ExplicitRungeKutta extends IntegratorBase {
  protected readonly dense: boolean;

  /** Start of the last accepted step (valid when hasStep). */
  protected tOld = 0;
  /** Size of the last accepted step. */
  protected hLast = 0;
  /** Proposed size of the next step (0 = not chosen yet). */
  protected h = 0;
  /** k1 holds f(t, y) and h is set. */
  protected started = false;
  /** The last stage holds f at the current point and must become k1 before the next step (FSAL). */
  protected fsalPending = false;
  /** A step has been taken since init (yOld and the stages describe it). */
  protected hasStep = false;
  /** The interpolant of the last step is computed. */
  protected denseReady = false;

  /** Solution at tCur, at the start of the last step, and the candidate of the step being tried. */
  protected y: Float64Array;
  protected yOld: Float64Array;
  protected y1: Float64Array;
  /** Argument of the stage being evaluated. */
  protected readonly ysti: Float64Array;
  /** f(tCur, y) (swapped with the FSAL stage after each step) and the second stage. */
  protected k1: Float64Array;
  protected readonly k2: Float64Array;

  /** `errorOrder`: order of the embedded error estimator, for the initial step (Hairer's IORD). */
  constructor(
    n: number,
    rhs: OdeRhs,
    options: OdeOptions,
    private readonly errorOrder: number,
  ) {
    super(n, rhs, options);
    this.dense = this.options.denseOutput;
    this.y = float64(n);
    this.yOld = float64(n);
    this.y1 = float64(n);
    this.ysti = float64(n);
    this.k1 = float64(n);
    this.k2 = float64(n);
  }

  init(t0: number, y0: Float64Array): void {
    checkInitialState(t0, y0, this.n);
    this.tCur = t0;
    this.tOld = t0;
    for (let i = 0; i < this.n; i++) this.y[i] = y0[i]!;
    this.started = false;
    this.fsalPending = false;
    this.hasStep = false;
    this.denseReady = false;
    this.h = 0;
    this.resetController();
  }

  /** Forget the step-size controller's memory of earlier steps (a restart). */
  protected resetController(): void {}

  /**
   * Whether advanceTo should return after the step just taken, before reaching tOut (its caller then sees t < tOut
   * and yOut unwritten). False unless a subclass has been asked to hand over (DOPRI5 inside 'auto', when stiff).
   */
  protected stopsEarly(): boolean {
    return false;
  }

  advanceTo(tOut: number, tStop: number, yOut: Float64Array): void {
    const n = this.n;
    checkAdvanceArgs(this.tCur, tOut, tStop, yOut, n);
    if (tOut <= this.tCur) {
      if (tOut === this.tCur) {
        for (let i = 0; i < n; i++) yOut[i] = this.y[i]!;
        return;
      }
      if (!this.hasStep || tOut < this.tOld) throw backwardsError(this.tCur, tOut, this.hasStep ? this.tOld : this.tCur);
      this.interpolate(tOut, yOut);
      return;
    }
    const tEnd = this.dense ? tStop : tOut;
    if (tEnd - this.tCur <= 16 * EPS * Math.max(Math.abs(this.tCur), Math.abs(tOut))) {
      // the interval left is below the resolution of the time axis: the state does not change
      this.tCur = tEnd;
      this.hasStep = false;
      for (let i = 0; i < n; i++) yOut[i] = this.y[i]!;
      return;
    }
    if (!this.started) this.start(tStop);
    this.attempts = 0;
    this.nonFiniteIndex = -1;
    while (this.tCur < tOut) {
      this.step(tEnd, tOut);
      // (only when a caller asked for it, see stopsEarly: yOut is then not written and t < tOut tells so)
      if (this.tCur < tOut && this.stopsEarly()) return;
    }
    if (this.tCur === tOut) {
      for (let i = 0; i < n; i++) yOut[i] = this.y[i]!;
    } else {
      this.interpolate(tOut, yOut);
    }
  }

  /** f(t0, y0) and the initial step size (Hairer's HINIT, as scipy's select_initial_step). */
  private start(tStop: number): void {
    const n = this.n;
    this.rhs(this.tCur, this.y, this.k1);
    this.stats.rhsEvals++;
    const bad = firstNonFinite(this.k1, n);
    if (bad >= 0) throw nonFiniteRhsError(this.tCur, bad, this.k1[bad]!);
    let h = this.h0;
    if (h === 0) {
      h = initialStep(this.rhs, n, this.tCur, this.y, this.k1, tStop, this.hmax, this.errorOrder, this.rtol, this.atol, this.y1, this.k2, this.stats);
    }
    this.h = Math.min(h, this.hmax);
    this.started = true;
  }

  /** One accepted step (after as many rejected attempts as needed), never beyond tEnd. */
  protected abstract step(tEnd: number, tOut: number): void;

  /** The solution at tOut within the last step, from the continuous extension. */
  protected abstract interpolate(tOut: number, yOut: Float64Array): void;
}
