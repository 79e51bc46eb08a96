/**
 * Dormand–Prince 5(4) (DOPRI5): explicit Runge–Kutta, 7 stages with FSAL (6 RHS evaluations per step), local
 * extrapolation (the 5th-order solution is propagated, the embedded 4th-order one only estimates the error),
 * Hairer's PI step-size controller and Dormand & Prince's 4th-order continuous extension for outputs.
 * Follows Hairer & Wanner's Fortran DOPRI5 (Hairer, Nørsett & Wanner, Solving ODEs I, II.5 and II.6).
 */
import type { OdeIntegrator, OdeOptions, OdeRhs } from './types.js';
import { firstNonFinite, stepTooSmallError, stepUnderflow, tooManyStepsError } from './common.js';
import { ExplicitRungeKutta } from './explicit-rk.js';
import { SolverError } from '../errors.js';
import { float64 } from '../buffers.js';

// ---- Butcher tableau (Dormand & Prince 1980) ----
const C2 = 1 / 5;
const C3 = 3 / 10;
const C4 = 4 / 5;
const C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40;
const A32 = 9 / 40;
const A41 = 44 / 45;
const A42 = -56 / 15;
const A43 = 32 / 9;
const A51 = 19372 / 6561;
const A52 = -25360 / 2187;
const A53 = 64448 / 6561;
const A54 = -212 / 729;
const A61 = 9017 / 3168;
const A62 = -355 / 33;
const A63 = 46732 / 5247;
const A64 = 49 / 176;
const A65 = -5103 / 18656;
// 5th-order weights (= row 7 of A: FSAL)
const B1 = 35 / 384;
const B3 = 500 / 1113;
const B4 = 125 / 192;
const B5 = -2187 / 6784;
const B6 = 11 / 84;
// error weights E = B - B̂ (B̂: embedded 4th-order weights)
const E1 = 71 / 57600;
const E3 = -71 / 16695;
const E4 = 71 / 1920;
const E5 = -17253 / 339200;
const E6 = 22 / 525;
const E7 = -1 / 40;
// continuous extension (Hairer's CONTD5)
const D1 = -12715105075 / 11282082432;
const D3 = 87487479700 / 32700410799;
const D4 = -10690763975 / 1880347072;
const D5 = 701980252875 / 199316789632;
const D6 = -1453857185 / 822651844;
const D7 = 69997945 / 29380423;

/** The coefficients used by the integrator, exported so that tests can check the order conditions. */
export const DOPRI5_TABLEAU = {
  c: [0, C2, C3, C4, C5, 1, 1],
  a: [
    [],
    [A21],
    [A31, A32],
    [A41, A42, A43],
    [A51, A52, A53, A54],
    [A61, A62, A63, A64, A65],
    [B1, 0, B3, B4, B5, B6],
  ],
  b: [B1, 0, B3, B4, B5, B6, 0],
  /** b − b̂ */
  e: [E1, 0, E3, E4, E5, E6, E7],
  /** Hairer's dense-output coefficients d_i of the CONTD5 formula. */
  d: [D1, 0, D3, D4, D5, D6, D7],
} as const;

// ---- step-size control (Hairer's DOPRI5 defaults) ----
const SAFE = 0.9;
const FAC1 = 0.2; // facmin: h_new >= 0.2 h
const FAC2 = 10; // facmax: h_new <= 10 h
const BETA = 0.04; // PI (Lund) stabilization
const EXPO1 = 0.2 - BETA * 0.75;
const FACC1 = 1 / FAC1;
const FACC2 = 1 / FAC2;
/** Consecutive step rejections caused by non-finite RHS values before giving up. */
const MAX_NONFINITE_REJECTS = 10;

export class Dopri5Integrator extends ExplicitRungeKutta implements OdeIntegrator {
  readonly method = 'dopri5' as const;

  private facold = 1e-4;
  /** The last attempt was rejected: the next accepted step must not increase h. */
  private reject = false;
  /** Stiffness detection (Hairer's DOPRI5): accepted steps in a row with h·|λ| ≳ 3.25, and non-stiff steps since. */
  private stiffSteps = 0;
  private nonStiffSteps = 0;
  private stiffDetected = false;
  /** Set by the 'auto' integrator: advanceTo returns as soon as stiffness is detected, before reaching tOut. */
  handOverWhenStiff = false;

  private readonly k3: Float64Array;
  private readonly k4: Float64Array;
  private readonly k5: Float64Array;
  private readonly k6: Float64Array;
  private k7: Float64Array;
  private readonly r1: Float64Array;
  private readonly r2: Float64Array;
  private readonly r3: Float64Array;
  private readonly r4: Float64Array;
  private readonly r5: Float64Array;

  constructor(n: number, rhs: OdeRhs, options: OdeOptions) {
    super(n, rhs, options, 4);
    const mk = (): Float64Array => float64(n);
    this.k3 = mk();
    this.k4 = mk();
    this.k5 = mk();
    this.k6 = mk();
    this.k7 = mk();
    this.r1 = mk();
    this.r2 = mk();
    this.r3 = mk();
    this.r4 = mk();
    this.r5 = mk();
  }

  protected override resetController(): void {
    this.facold = 1e-4;
    this.reject = false;
    this.stiffSteps = 0;
    this.nonStiffSteps = 0;
    this.stiffDetected = false;
  }

  /**
   * True once the steps since the last init have been limited by stability rather than accuracy: Hairer's test
   * (DOPRI5, IASTI/NONSTI), an estimate of h·|λ| from the two derivatives at t + h, at least 3.25 (the edge of the
   * method's stability region) on 15 accepted steps without 6 non-stiff steps in a row between them.
   */
  get stiff(): boolean {
    return this.stiffDetected;
  }

  protected override stopsEarly(): boolean {
    return this.handOverWhenStiff && this.stiffDetected;
  }

  /** The solution at the current time (`t`). */
  currentState(out: Float64Array): void {
    for (let i = 0; i < this.n; i++) out[i] = this.y[i]!;
  }

  /** After an accepted step from t to t + h: k6 = f(t + h, ysti) and k7 = f(t + h, y1) estimate h·|λ|. */
  private checkStiffness(h: number): void {
    const n = this.n;
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      const dk = this.k7[i]! - this.k6[i]!;
      const dy = this.y1[i]! - this.ysti[i]!;
      num += dk * dk;
      den += dy * dy;
    }
    if (den > 0 && h * Math.sqrt(num / den) > 3.25) {
      this.nonStiffSteps = 0;
      if (++this.stiffSteps >= 15) this.stiffDetected = true;
    } else if (++this.nonStiffSteps >= 6) {
      this.stiffSteps = 0;
    }
  }

  /** One accepted step (after as many rejected attempts as needed), never beyond tEnd. */
  protected step(tEnd: number, tOut: number): void {
    const n = this.n;
    const rhs = this.rhs;
    const y = this.y;
    const y1 = this.y1;
    const ysti = this.ysti;
    if (this.fsalPending) {
      const tmp = this.k1;
      this.k1 = this.k7;
      this.k7 = tmp;
      this.fsalPending = false;
    }
    this.denseReady = false;
    const k1 = this.k1;
    const k2 = this.k2;
    const k3 = this.k3;
    const k4 = this.k4;
    const k5 = this.k5;
    const k6 = this.k6;
    const k7 = this.k7;
    const atol = this.atol;
    const rtol = this.rtol;
    const t = this.tCur;
    let h = this.h;
    let nonFiniteRejects = 0;
    while (true) {
      if (++this.attempts > this.maxSteps) throw this.failure(tooManyStepsError(t, this.maxSteps, tOut));
      if (h > this.hmax) h = this.hmax;
      let last = false;
      if (t + 1.01 * h >= tEnd && tEnd - t <= this.hmax) {
        h = tEnd - t;
        last = true;
      }
      if (stepUnderflow(h, t)) throw this.failure(stepTooSmallError(t, h, ''));
      const tNew = last || t + h > tEnd ? tEnd : t + h; // (the second test is a rounding guard)
      // stages; `bad` turns NaN when a stage derivative is not finite (x*0 is NaN for ±Infinity and NaN)
      let bad = 0;
      for (let i = 0; i < n; i++) ysti[i] = y[i]! + h * A21 * k1[i]!;
      rhs(t + C2 * h, ysti, k2);
      for (let i = 0; i < n; i++) {
        const v = k2[i]!;
        bad += v * 0;
        ysti[i] = y[i]! + h * (A31 * k1[i]! + A32 * v);
      }
      rhs(t + C3 * h, ysti, k3);
      for (let i = 0; i < n; i++) {
        const v = k3[i]!;
        bad += v * 0;
        ysti[i] = y[i]! + h * (A41 * k1[i]! + A42 * k2[i]! + A43 * v);
      }
      rhs(t + C4 * h, ysti, k4);
      for (let i = 0; i < n; i++) {
        const v = k4[i]!;
        bad += v * 0;
        ysti[i] = y[i]! + h * (A51 * k1[i]! + A52 * k2[i]! + A53 * k3[i]! + A54 * v);
      }
      rhs(t + C5 * h, ysti, k5);
      for (let i = 0; i < n; i++) {
        const v = k5[i]!;
        bad += v * 0;
        ysti[i] = y[i]! + h * (A61 * k1[i]! + A62 * k2[i]! + A63 * k3[i]! + A64 * k4[i]! + A65 * v);
      }
      rhs(tNew, ysti, k6);
      for (let i = 0; i < n; i++) {
        const v = k6[i]!;
        bad += v * 0;
        y1[i] = y[i]! + h * (B1 * k1[i]! + B3 * k3[i]! + B4 * k4[i]! + B5 * k5[i]! + B6 * v);
      }
      let err = 0;
      if (bad === 0) {
        rhs(tNew, y1, k7);
        // error estimate, RMS of err_i / (atol_i + rtol·max(|y_i|, |y1_i|))
        for (let i = 0; i < n; i++) {
          const v = k7[i]!;
          bad += v * 0;
          const e = h * (E1 * k1[i]! + E3 * k3[i]! + E4 * k4[i]! + E5 * k5[i]! + E6 * k6[i]! + E7 * v);
          const sk = atol[i]! + rtol * Math.max(Math.abs(y[i]!), Math.abs(y1[i]!));
          const q = e / sk;
          err += q * q;
        }
        this.stats.rhsEvals += 6;
      } else {
        this.stats.rhsEvals += 5;
      }
      if (bad !== 0 || !(err < Infinity)) {
        // a stage left the domain where the RHS is finite: retry with a much smaller step
        this.noteNonFinite(t, h);
        if (++nonFiniteRejects >= MAX_NONFINITE_REJECTS) {
          throw this.failure(new SolverError(`${MAX_NONFINITE_REJECTS} step size reductions in a row did not help`, undefined, t));
        }
        this.stats.rejected++;
        h *= 0.1;
        this.reject = true;
        continue;
      }
      err = Math.sqrt(err / n);
      const fac11 = Math.pow(err, EXPO1);
      if (err <= 1) {
        // accepted
        let fac = fac11 / Math.pow(this.facold, BETA);
        fac = Math.max(FACC2, Math.min(FACC1, fac / SAFE));
        let hNew = h / fac;
        this.facold = Math.max(err, 1e-4);
        if (this.reject) hNew = Math.min(hNew, h);
        this.reject = false;
        this.stats.steps++;
        this.checkStiffness(h);
        this.tOld = t;
        this.hLast = h;
        this.tCur = tNew;
        const tmp = this.yOld;
        this.yOld = y;
        this.y = y1;
        this.y1 = tmp;
        this.fsalPending = true;
        this.hasStep = true;
        this.h = Math.min(hNew, this.hmax);
        return;
      }
      // rejected
      h = h / Math.min(FACC1, fac11 / SAFE);
      this.reject = true;
      this.stats.rejected++;
    }
  }

  /** Records which stage/state was not finite in the last attempt (for the error message). */
  private noteNonFinite(t: number, h: number): void {
    const ks = [this.k2, this.k3, this.k4, this.k5, this.k6, this.k7];
    const cs = [C2, C3, C4, C5, 1, 1];
    for (let s = 0; s < ks.length; s++) {
      const i = firstNonFinite(ks[s]!, this.n);
      if (i >= 0) {
        this.nonFiniteT = t + cs[s]! * h;
        this.nonFiniteIndex = i;
        this.nonFiniteValue = ks[s]![i]!;
        return;
      }
    }
    // the stages were finite but the new state or the error estimate overflowed
    this.nonFiniteT = t + h;
    this.nonFiniteIndex = -1;
  }

  /** Dense output on the last step: y(tOld + θ·h) for tOut in [tOld, t]. */
  protected interpolate(tOut: number, yOut: Float64Array): void {
    const n = this.n;
    if (!this.denseReady) {
      const h = this.hLast;
      const y0 = this.yOld;
      const y1 = this.y;
      const k1 = this.k1;
      const k3 = this.k3;
      const k4 = this.k4;
      const k5 = this.k5;
      const k6 = this.k6;
      const k7 = this.k7;
      for (let i = 0; i < n; i++) {
        const ydiff = y1[i]! - y0[i]!;
        const bspl = h * k1[i]! - ydiff;
        this.r1[i] = y0[i]!;
        this.r2[i] = ydiff;
        this.r3[i] = bspl;
        this.r4[i] = ydiff - h * k7[i]! - bspl;
        this.r5[i] = h * (D1 * k1[i]! + D3 * k3[i]! + D4 * k4[i]! + D5 * k5[i]! + D6 * k6[i]! + D7 * k7[i]!);
      }
      this.denseReady = true;
    }
    const theta = (tOut - this.tOld) / this.hLast;
    const theta1 = 1 - theta;
    const r1 = this.r1;
    const r2 = this.r2;
    const r3 = this.r3;
    const r4 = this.r4;
    const r5 = this.r5;
    for (let i = 0; i < n; i++) {
      yOut[i] = r1[i]! + theta * (r2[i]! + theta1 * (r3[i]! + theta * (r4[i]! + theta1 * r5[i]!)));
    }
  }
}
