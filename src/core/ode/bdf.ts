/**
 * Variable-order (1–5), variable-step BDF/NDF in the quasi-constant step-size form of Shampine & Reichelt
 * ("The MATLAB ODE suite", SIAM J. Sci. Comput. 18, 1997; MATLAB's ode15s) as implemented in
 * scipy.integrate.BDF, which this is a port of:
 *  - the history is the array D of modified divided differences (backward differences of the interpolating
 *    polynomial on an equally spaced grid with spacing h): D[0] = y_n, D[j] = ∇^j y_n;
 *  - a change of step size by `factor` re-expresses that polynomial on the new grid: D ← (R·U)ᵀ·D;
 *  - the NDF formulas (Klopfenstein–Shampine, κ = −0.1850, −1/9, −0.0823, −0.0415, 0) are solved by a simplified
 *    Newton iteration with matrix I − (h/α_k)·J. J is kept until Newton converges badly (then refreshed once per
 *    step), the LU factors until h or the order changes;
 *  - the local error estimate is errconst_k·∇^{k+1}y_{n+1}; order k±1 is considered after k+1 equal steps;
 *  - outputs come from the interpolating polynomial of the last step.
 * Steps never go beyond tStop, so the RHS is never evaluated past the next discontinuity.
 */
import type { OdeIntegrator, OdeJacobian, OdeOptions, OdeRhs } from './types.js';
import {
  IntegratorBase,
  EPS,
  backwardsError,
  checkAdvanceArgs,
  checkInitialState,
  firstNonFinite,
  initialStep,
  nonFiniteRhsError,
  stepTooSmallError,
  stepUnderflow,
  tooManyStepsError,
} from './common.js';
import { SolverError } from '../errors.js';
import { luFactor, luSolve } from './linalg.js';
import { float64, int32 } from '../buffers.js';

const MAX_ORDER = 5;
const NEWTON_MAXITER = 4;
const MIN_FACTOR = 0.2;
const MAX_FACTOR = 10;
/** Newton failures (each halving h) allowed within one step before giving up. */
const MAX_NEWTON_FAILURES = 20;
const SQRT_EPS = Math.sqrt(EPS);

const KAPPA = [0, -0.185, -1 / 9, -0.0823, -0.0415, 0];
const GAMMA = float64(MAX_ORDER + 1);
const ALPHA = float64(MAX_ORDER + 1);
const ERROR_CONST = float64(MAX_ORDER + 2);
for (let k = 1; k <= MAX_ORDER; k++) GAMMA[k] = GAMMA[k - 1]! + 1 / k;
for (let k = 0; k <= MAX_ORDER; k++) {
  ALPHA[k] = (1 - KAPPA[k]!) * GAMMA[k]!;
  ERROR_CONST[k] = KAPPA[k]! * GAMMA[k]! + 1 / (k + 1);
}
ERROR_CONST[MAX_ORDER + 1] = 1 / (MAX_ORDER + 2);

/** Coefficients, exported for tests. */
export const BDF_COEFFICIENTS = {
  kappa: KAPPA as readonly number[],
  gamma: Array.from(GAMMA),
  alpha: Array.from(ALPHA),
  errorConst: Array.from(ERROR_CONST),
} as const;

/**
 * R(order, factor) of Shampine & Reichelt, row-major (order+1)², written into `out`:
 * M[0][j] = 1, M[i][j] = (i − 1 − factor·j)/i (i ≥ 1, and M[i][0] = 0), R = cumulative product of M down the rows.
 */
export function computeR(order: number, factor: number, out: Float64Array): void {
  const m = order + 1;
  for (let j = 0; j < m; j++) out[j] = 1;
  for (let i = 1; i < m; i++) {
    out[i * m] = 0;
    for (let j = 1; j < m; j++) out[i * m + j] = out[(i - 1) * m + j]! * ((i - 1 - factor * j) / i);
  }
}

/**
 * Change of step size h → factor·h on the difference array D (rows of n, flat): D[0..order] ← (R·U)ᵀ·D[0..order]
 * with R = R(order, factor), U = R(order, 1). Re-expresses the interpolating polynomial of degree `order` on the
 * new grid, exactly. `R`, `RU` ((order+1)² entries) and `T` (order·n entries after the first n) are scratch.
 */
export function rescaleDifferences(
  D: Float64Array,
  n: number,
  order: number,
  factor: number,
  R: Float64Array,
  RU: Float64Array,
  T: Float64Array,
): void {
  const m = order + 1;
  const U = U_TABLE[order]!;
  computeR(order, factor, R);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let l = 0; l < m; l++) s += R[i * m + l]! * U[l * m + j]!;
      RU[i * m + j] = s;
    }
  }
  // row 0 is unchanged (RU[i][0] = δ_i0)
  for (let j = 1; j < m; j++) {
    const rj = j * n;
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += RU[i * m + j]! * D[i * n + c]!;
      T[rj + c] = s;
    }
  }
  for (let k = n; k < m * n; k++) D[k] = T[k]!;
}

/** U(order) = R(order, 1) for each order, precomputed. */
const U_TABLE: Float64Array[] = [];
for (let k = 0; k <= MAX_ORDER; k++) {
  const u = float64((k + 1) * (k + 1));
  computeR(k, 1, u);
  U_TABLE.push(u);
}

export class BdfIntegrator extends IntegratorBase implements OdeIntegrator {
  readonly method = 'bdf' as const;

  private readonly jacFn: OdeJacobian | undefined;
  private readonly maxOrder: number;
  private readonly newtonTol: number;

  private tOld = 0;
  private hAbs = 0;
  private order = 1;
  private nEqualSteps = 0;
  private started = false;
  private hasStep = false;
  private haveJac = false;
  private luValid = false;
  /** c = h/α_k the current LU was computed with. */
  private luC = 0;
  /** Newton contraction rate measured with the current LU (-1: none yet). */
  private rateEst = -1;
  /** fPred holds f(tNew, yPred) for the current attempt (computed with a finite-difference Jacobian). */
  private fPredValid = false;
  private lastFailure = '';

  /** Difference array, (MAX_ORDER + 3) rows of n. Row 0 is the current solution. */
  private readonly D: Float64Array;
  /** View of row 0 of D. */
  private readonly yCur: Float64Array;
  private readonly Dtmp: Float64Array;
  private readonly Rm: Float64Array;
  private readonly RU: Float64Array;
  private readonly yPred: Float64Array;
  private readonly fPred: Float64Array;
  private readonly psi: Float64Array;
  private readonly scale: Float64Array;
  private readonly yNew: Float64Array;
  private readonly d: Float64Array;
  private readonly dy: Float64Array;
  private readonly f: Float64Array;
  private readonly fTmp: Float64Array;
  private readonly J: Float64Array;
  private readonly LU: Float64Array;
  private readonly piv: Int32Array;

  constructor(n: number, rhs: OdeRhs, options: OdeOptions) {
    super(n, rhs, options);
    const o = this.options;
    this.jacFn = o.jacobian;
    this.maxOrder = o.maxOrder;
    this.newtonTol = Math.max((10 * EPS) / Math.max(o.rtol, EPS), Math.min(0.03, Math.sqrt(o.rtol)));
    this.D = float64((MAX_ORDER + 3) * n);
    this.yCur = this.D.subarray(0, n);
    this.Dtmp = float64((MAX_ORDER + 1) * n);
    this.Rm = float64((MAX_ORDER + 1) * (MAX_ORDER + 1));
    this.RU = float64((MAX_ORDER + 1) * (MAX_ORDER + 1));
    const mk = (): Float64Array => float64(n);
    this.yPred = mk();
    this.fPred = mk();
    this.psi = mk();
    this.scale = mk();
    this.yNew = mk();
    this.d = mk();
    this.dy = mk();
    this.f = mk();
    this.fTmp = mk();
    this.J = float64(n * n);
    this.LU = float64(n * n);
    this.piv = int32(n);
  }

  /** Current order (1..5), for diagnostics and tests. */
  get currentOrder(): number {
    return this.order;
  }

  /**
   * Restart at (t0, y0): order 1, new step size, no history. The Jacobian is dropped too, so that the result of an
   * interval depends only on (t0, y0, tStop, options) — not on what this integrator integrated before (e.g. for
   * another subject). Reusing it would save n RHS calls per restart at the price of that reproducibility.
   */
  init(t0: number, y0: Float64Array): void {
    checkInitialState(t0, y0, this.n);
    this.tCur = t0;
    this.tOld = t0;
    for (let i = 0; i < this.n; i++) this.yCur[i] = y0[i]!;
    this.order = 1;
    this.nEqualSteps = 0;
    this.started = false;
    this.hasStep = false;
    this.luValid = false;
    this.haveJac = false;
    this.hAbs = 0;
  }

  advanceTo(tOut: number, tStop: number, yOut: Float64Array): void {
    const n = this.n;
    checkAdvanceArgs(this.tCur, tOut, tStop, yOut, n);
    if (tOut <= this.tCur) {
      if (tOut === this.tCur) {
        for (let i = 0; i < n; i++) yOut[i] = this.yCur[i]!;
        return;
      }
      if (!this.hasStep || tOut < this.tOld) throw backwardsError(this.tCur, tOut, this.hasStep ? this.tOld : this.tCur);
      this.interpolate(tOut, yOut);
      return;
    }
    if (tStop - this.tCur <= 16 * EPS * Math.max(Math.abs(this.tCur), Math.abs(tOut))) {
      // the interval left is below the resolution of the time axis: the state does not change
      this.tCur = tStop;
      this.hasStep = false;
      for (let i = 0; i < n; i++) yOut[i] = this.yCur[i]!;
      return;
    }
    if (!this.started) this.start(tStop);
    this.attempts = 0;
    this.lastFailure = '';
    this.nonFiniteIndex = -1;
    while (this.tCur < tOut) this.step(tStop, tOut);
    if (this.tCur === tOut) {
      for (let i = 0; i < n; i++) yOut[i] = this.yCur[i]!;
    } else {
      this.interpolate(tOut, yOut);
    }
  }

  private start(tStop: number): void {
    const n = this.n;
    const f0 = this.f;
    this.rhs(this.tCur, this.yCur, f0);
    this.stats.rhsEvals++;
    const bad = firstNonFinite(f0, n);
    if (bad >= 0) throw nonFiniteRhsError(this.tCur, bad, f0[bad]!);
    let h = this.h0;
    if (h === 0) {
      h = initialStep(this.rhs, n, this.tCur, this.yCur, f0, tStop, this.hmax, 1, this.rtol, this.atol, this.yNew, this.fTmp, this.stats);
    }
    h = Math.min(h, this.hmax);
    this.hAbs = h;
    const D = this.D;
    for (let i = 0; i < n; i++) D[n + i] = h * f0[i]!;
    this.started = true;
  }

  private changeD(order: number, factor: number): void {
    rescaleDifferences(this.D, this.n, order, factor, this.Rm, this.RU, this.Dtmp);
  }

  /** Predictor, ψ and error scale for a step at the current order (uses D as it is now). */
  private predict(order: number): void {
    const n = this.n;
    const D = this.D;
    const yPred = this.yPred;
    const psi = this.psi;
    const scale = this.scale;
    const atol = this.atol;
    const rtol = this.rtol;
    const inv = 1 / ALPHA[order]!;
    for (let c = 0; c < n; c++) {
      let s = D[c]!;
      let p = 0;
      for (let j = 1; j <= order; j++) {
        const v = D[j * n + c]!;
        s += v;
        p += GAMMA[j]! * v;
      }
      yPred[c] = s;
      psi[c] = p * inv;
      scale[c] = atol[c]! + rtol * Math.abs(s);
    }
    this.fPredValid = false;
  }

  /** Jacobian at (t, y) into J. Returns false when a RHS value was not finite. */
  private evalJac(t: number, y: Float64Array): boolean {
    const n = this.n;
    const J = this.J;
    this.stats.jacEvals++;
    this.haveJac = false;
    this.luValid = false;
    if (this.jacFn !== undefined) {
      this.jacFn(t, y, J);
      const bad = firstNonFinite(J, n * n);
      if (bad >= 0) {
        this.lastFailure = `; the Jacobian entry (${Math.floor(bad / n) + 1}, ${(bad % n) + 1}) was not finite at t = ${t}`;
        return false;
      }
      this.haveJac = true;
      return true;
    }
    const f0 = this.fPred;
    const f1 = this.fTmp;
    this.rhs(t, y, f0);
    this.stats.rhsEvals++;
    let bad = firstNonFinite(f0, n);
    if (bad >= 0) {
      this.noteNonFinite(t, bad, f0[bad]!);
      return false;
    }
    this.fPredValid = true;
    let ymax = 0;
    for (let i = 0; i < n; i++) ymax = Math.max(ymax, Math.abs(y[i]!));
    const atol = this.atol;
    for (let j = 0; j < n; j++) {
      const yj = y[j]!;
      const r = Math.max(Math.abs(yj), 1e-3 * ymax, atol[j]!);
      let del = (yj >= 0 ? SQRT_EPS : -SQRT_EPS) * r;
      del = yj + del - yj;
      y[j] = yj + del;
      this.rhs(t, y, f1);
      this.stats.rhsEvals++;
      bad = firstNonFinite(f1, n);
      if (bad >= 0) {
        // try the other side once
        del = yj - del - yj;
        y[j] = yj + del;
        this.rhs(t, y, f1);
        this.stats.rhsEvals++;
        bad = firstNonFinite(f1, n);
      }
      y[j] = yj;
      if (bad >= 0) {
        this.noteNonFinite(t, bad, f1[bad]!);
        return false;
      }
      const inv = 1 / del;
      for (let i = 0; i < n; i++) J[i * n + j] = (f1[i]! - f0[i]!) * inv;
    }
    this.haveJac = true;
    return true;
  }

  /** LU of I − c·J. Returns false when singular. */
  private factor(c: number): boolean {
    const n = this.n;
    const J = this.J;
    const A = this.LU;
    for (let k = 0; k < n * n; k++) A[k] = -c * J[k]!;
    for (let i = 0; i < n; i++) A[i * n + i] = A[i * n + i]! + 1;
    this.stats.luDecomps++;
    const info = luFactor(A, n, this.piv);
    this.luValid = info === 0;
    this.luC = c;
    this.rateEst = -1;
    if (info !== 0) this.lastFailure = `; the Newton iteration matrix was singular`;
    return this.luValid;
  }

  /**
   * Simplified Newton for d − c·f(tNew, yPred + d) + ψ = 0 (port of scipy's solve_bdf_system).
   * On success yNew = yPred + d and the number of iterations is returned; -1 on failure.
   * Convergence test as scipy (estimated remaining error rate/(1 − rate)·‖dy‖ < tol), plus, as in CVODE and
   * RADAU5, on the first iteration with the contraction rate measured earlier with the same LU factors (only when
   * they were computed for this very c, so a stale iteration matrix never passes after one iteration).
   */
  private newton(tNew: number, c: number, tol: number): number {
    const n = this.n;
    const yNew = this.yNew;
    const yPred = this.yPred;
    const d = this.d;
    const dy = this.dy;
    const psi = this.psi;
    const scale = this.scale;
    for (let i = 0; i < n; i++) {
      yNew[i] = yPred[i]!;
      d[i] = 0;
    }
    let dyNormOld = 0;
    let rate = 0;
    for (let k = 0; k < NEWTON_MAXITER; k++) {
      let f = this.f;
      if (k === 0 && this.fPredValid) {
        f = this.fPred;
      } else {
        this.rhs(tNew, yNew, f);
        this.stats.rhsEvals++;
      }
      let bad = 0;
      for (let i = 0; i < n; i++) {
        const v = f[i]!;
        bad += v * 0;
        dy[i] = c * v - psi[i]! - d[i]!;
      }
      if (bad !== 0) {
        const i = firstNonFinite(f, n);
        this.noteNonFinite(tNew, i, f[i]!);
        return -1;
      }
      luSolve(this.LU, n, this.piv, dy);
      let s = 0;
      for (let i = 0; i < n; i++) {
        const q = dy[i]! / scale[i]!;
        s += q * q;
      }
      const dyNorm = Math.sqrt(s / n);
      if (!(dyNorm < Infinity)) {
        this.rateEst = -1;
        return -1;
      }
      if (k > 0) {
        rate = dyNorm / dyNormOld;
        if (rate >= 1 || (Math.pow(rate, NEWTON_MAXITER - k) / (1 - rate)) * dyNorm > tol) {
          this.rateEst = -1;
          return -1;
        }
      }
      for (let i = 0; i < n; i++) {
        const v = dy[i]!;
        yNew[i] = yNew[i]! + v;
        d[i] = d[i]! + v;
      }
      if (dyNorm === 0) return k + 1;
      if (k > 0) {
        if ((rate / (1 - rate)) * dyNorm < tol) {
          this.rateEst = rate;
          return k + 1;
        }
      } else if (this.rateEst >= 0 && c === this.luC && (this.rateEst / (1 - this.rateEst)) * dyNorm < tol) {
        return 1;
      }
      dyNormOld = dyNorm;
    }
    this.rateEst = -1;
    return -1;
  }

  private noteNonFinite(t: number, index: number, value: number): void {
    this.nonFiniteT = t;
    this.nonFiniteIndex = index;
    this.nonFiniteValue = value;
  }

  /** ∇ update after an accepted step with correction d = ∇^{k+1} y_{n+1}. */
  private updateDifferences(order: number): void {
    const n = this.n;
    const D = this.D;
    const d = this.d;
    const r1 = (order + 1) * n;
    const r2 = (order + 2) * n;
    for (let c = 0; c < n; c++) {
      const v = d[c]!;
      D[r2 + c] = v - D[r1 + c]!;
      D[r1 + c] = v;
    }
    for (let i = order; i >= 0; i--) {
      const ri = i * n;
      const rn = ri + n;
      for (let c = 0; c < n; c++) D[ri + c] = D[ri + c]! + D[rn + c]!;
    }
  }

  /** RMS norm of (coef·D[row]) / scale. */
  private rowNorm(row: number, coef: number): number {
    const n = this.n;
    const D = this.D;
    const scale = this.scale;
    const off = row * n;
    let s = 0;
    for (let c = 0; c < n; c++) {
      const q = (coef * D[off + c]!) / scale[c]!;
      s += q * q;
    }
    return Math.sqrt(s / n);
  }

  /** One accepted step (after as many rejected attempts as needed), never beyond tStop. */
  private step(tStop: number, tOut: number): void {
    const n = this.n;
    const t = this.tCur;
    const order = this.order;
    let hAbs = this.hAbs;
    if (hAbs > this.hmax) {
      this.changeD(order, this.hmax / hAbs);
      hAbs = this.hmax;
      this.nEqualSteps = 0;
      this.luValid = false;
    }
    let jacCurrent = false;
    let newtonFailures = 0;
    let nIter: number;
    let tNew: number;
    let errNorm: number;
    let safety: number;
    while (true) {
      if (++this.attempts > this.maxSteps) throw this.failure(tooManyStepsError(t, this.maxSteps, tOut));
      tNew = t + hAbs;
      if (t + 1.01 * hAbs >= tStop && tStop - t <= this.hmax) {
        const h = tStop - t;
        if (h !== hAbs) {
          this.changeD(order, h / hAbs);
          hAbs = h;
          this.nEqualSteps = 0;
          this.luValid = false;
        }
        tNew = tStop;
      } else if (tNew > tStop) {
        tNew = tStop; // rounding guard: never evaluate beyond tStop
      }
      if (stepUnderflow(hAbs, t)) throw this.failure(stepTooSmallError(t, hAbs, this.lastFailure));
      this.predict(order);
      const c = hAbs / ALPHA[order]!;
      nIter = -1;
      while (true) {
        if (!this.luValid) {
          if (!this.haveJac) {
            if (!this.evalJac(tNew, this.yPred)) break;
            jacCurrent = true;
          }
          if (!this.factor(c)) break;
        }
        nIter = this.newton(tNew, c, this.newtonTol);
        if (nIter > 0 || jacCurrent) break;
        jacCurrent = true;
        if (!this.evalJac(tNew, this.yPred)) break;
      }
      if (nIter < 0) {
        this.stats.rejected++;
        if (++newtonFailures >= MAX_NEWTON_FAILURES) {
          throw this.failure(
            new SolverError(
              `Newton iterations failed to converge after ${MAX_NEWTON_FAILURES} step size reductions (h = ${hAbs.toExponential(3)})${this.lastFailure}`,
              undefined,
              t,
            ),
          );
        }
        hAbs *= 0.5;
        this.changeD(order, 0.5);
        this.nEqualSteps = 0;
        this.luValid = false;
        continue;
      }
      // error test
      const scale = this.scale;
      const yNew = this.yNew;
      const d = this.d;
      const atol = this.atol;
      const rtol = this.rtol;
      const ec = ERROR_CONST[order]!;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const sc = atol[i]! + rtol * Math.abs(yNew[i]!);
        scale[i] = sc;
        const q = (ec * d[i]!) / sc;
        s += q * q;
      }
      errNorm = Math.sqrt(s / n);
      // scipy's safety factor 0.9·(2m+1)/(2m+iterations); a step accepted after one Newton iteration thanks to
      // the remembered contraction rate counts as two, so that the step-size sequence (and accuracy) stay scipy's
      safety = (0.9 * (2 * NEWTON_MAXITER + 1)) / (2 * NEWTON_MAXITER + Math.max(nIter, 2));
      if (errNorm > 1) {
        const factor = Math.max(MIN_FACTOR, safety * Math.pow(errNorm, -1 / (order + 1)));
        hAbs *= factor;
        this.changeD(order, factor);
        this.nEqualSteps = 0;
        this.stats.rejected++;
        // as Newton converged, the LU factors are kept (scipy does the same)
        continue;
      }
      break;
    }
    // accepted
    this.stats.steps++;
    this.nEqualSteps++;
    this.tOld = t;
    this.tCur = tNew;
    this.hasStep = true;
    this.updateDifferences(order);
    this.hAbs = hAbs;
    if (this.nEqualSteps < order + 1) return;
    // order and step size selection
    const errM = order > 1 ? this.rowNorm(order, ERROR_CONST[order - 1]!) : Infinity;
    const errP = order < this.maxOrder ? this.rowNorm(order + 2, ERROR_CONST[order + 1]!) : Infinity;
    const fM = Math.pow(errM, -1 / order);
    const f0 = Math.pow(errNorm, -1 / (order + 1));
    const fP = Math.pow(errP, -1 / (order + 2));
    // first maximum wins, as numpy's argmax: ties prefer the lower order
    let best = fM;
    let newOrder = order - 1;
    if (f0 > best) {
      best = f0;
      newOrder = order;
    }
    if (fP > best) {
      best = fP;
      newOrder = order + 1;
    }
    if (newOrder < 1) newOrder = 1; // (fM = 0 for order 1, so this cannot happen unless all are 0)
    const factor = Math.min(MAX_FACTOR, safety * best);
    this.order = newOrder;
    this.hAbs = hAbs * factor;
    this.changeD(newOrder, factor);
    this.nEqualSteps = 0;
    this.luValid = false;
  }

  /** y(tOut) from the interpolating polynomial of the last step, tOut in [tOld, t]. */
  private interpolate(tOut: number, yOut: Float64Array): void {
    const n = this.n;
    const D = this.D;
    const h = this.hAbs;
    const t = this.tCur;
    for (let i = 0; i < n; i++) yOut[i] = D[i]!;
    let p = 1;
    for (let j = 0; j < this.order; j++) {
      p *= (tOut - (t - j * h)) / ((j + 1) * h);
      const off = (j + 1) * n;
      for (let i = 0; i < n; i++) yOut[i] = yOut[i]! + D[off + i]! * p;
    }
  }

  // ---- testing hooks (fixed order, fixed step, no error control) ----

  /**
   * @internal Sets the history for a fixed-step run: `diffs` holds rows 0..order+1 of D (backward differences
   * of exact values at spacing h), each of n entries.
   */
  testSetHistory(t: number, h: number, order: number, diffs: Float64Array): void {
    const n = this.n;
    this.D.fill(0);
    for (let k = 0; k < (order + 2) * n; k++) this.D[k] = diffs[k]!;
    this.tCur = t;
    this.tOld = t;
    this.hAbs = h;
    this.order = order;
    this.started = true;
    this.hasStep = false;
    this.luValid = false;
    this.haveJac = false;
  }

  /** @internal Interpolation on the current polynomial (no range check). */
  testInterpolate(tOut: number, yOut: Float64Array): void {
    this.interpolate(tOut, yOut);
  }

  /** @internal The local error estimate errconst_k·d of the last step (test hook). */
  testErrorEstimate(out: Float64Array): void {
    const ec = ERROR_CONST[this.order]!;
    for (let i = 0; i < this.n; i++) out[i] = ec * this.d[i]!;
  }

  /** @internal One step of the current size and order, Newton solved tightly; returns false if Newton failed. */
  testFixedStep(): boolean {
    const order = this.order;
    const tNew = this.tCur + this.hAbs;
    this.predict(order);
    const c = this.hAbs / ALPHA[order]!;
    if (!this.evalJac(tNew, this.yPred) || !this.factor(c)) return false;
    const it = this.newton(tNew, c, 1e-10);
    if (it < 0) return false;
    this.tOld = this.tCur;
    this.tCur = tNew;
    this.hasStep = true;
    this.updateDifferences(order);
    return true;
  }
}
