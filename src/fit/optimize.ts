/**
 * Unconstrained minimisation for MAP estimation: Levenberg–Marquardt on objectives that are sums of per-observation
 * terms of model predictions plus xᵀx (the whitened prior), with a finite-difference Jacobian of the predictions;
 * BFGS with a backtracking (Armijo) line search and central finite-difference gradients for any objective (and as
 * the fallback); a finite-difference Hessian for the Laplace approximation.
 *
 * Hand-written on purpose: the problem is small (a handful of random effects), the objective is a black box
 * (a simulation) that may return Infinity far in the tails, and the code must run in a browser without
 * dependencies. No maintained npm package offers a quasi-Newton method with these properties (the candidates
 * are unmaintained, gradient-free only, or Node-only); the method is textbook (Nocedal & Wright 2006, Alg. 6.1
 * with the initial-Hessian scaling of eq. 6.20) and is checked against scipy.optimize.minimize in
 * test/fit/reference.
 *
 * Etas need no bounds: they are unbounded by construction (bounded individual parameters come from transforms
 * in the model), so "bounded quasi-Newton" reduces to making the line search back off from Infinity.
 */

import { FitError } from './objective.js';
import { choleskyPd, choleskySolveInPlace } from './linalg.js';

export interface MinimizeOptions {
  /** Stop when the largest gradient component is below this (objective units per unit of x). Default 1e-6. */
  readonly gtol?: number;
  /** Finite-difference step (absolute, in x). Default 1e-4. */
  readonly step?: number;
  readonly maxIterations?: number;
  /** Scale of the initial inverse Hessian (0.5 for an OFV = −2 log posterior in whitened coordinates). */
  readonly initialInverseHessian?: number;
}

export interface MinimizeResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly gradient: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  readonly message: string;
}

/** Central-difference gradient; one-sided where one side is not finite. */
export function gradient(f: (x: Float64Array) => number, x: Float64Array, fx: number, h: number, out: Float64Array): Float64Array {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    x[i] = xi + h;
    const fp = f(x);
    x[i] = xi - h;
    const fm = f(x);
    x[i] = xi;
    if (Number.isFinite(fp) && Number.isFinite(fm)) out[i] = (fp - fm) / (2 * h);
    else if (Number.isFinite(fp)) out[i] = (fp - fx) / h;
    else if (Number.isFinite(fm)) out[i] = (fx - fm) / h;
    else throw new FitError(`the objective is not finite on either side of the current estimate (component ${i + 1})`);
  }
  return out;
}

export function minimizeBfgs(f: (x: Float64Array) => number, x0: ArrayLike<number>, options: MinimizeOptions = {}): MinimizeResult {
  const n = x0.length;
  const gtol = options.gtol ?? 1e-6;
  const h = options.step ?? 1e-4;
  const maxIterations = options.maxIterations ?? 200;
  const h0 = options.initialInverseHessian ?? 1;
  const x = Float64Array.from(x0);
  let fx = f(x);
  if (!Number.isFinite(fx)) throw new FitError('the objective is not finite at the starting point (the model cannot be simulated there, or an observation is impossible under it)');
  const g = gradient(f, x, fx, h, new Float64Array(n));
  const H = new Float64Array(n * n);
  const resetH = (scale: number): void => {
    H.fill(0);
    for (let i = 0; i < n; i++) H[i * n + i] = scale;
  };
  resetH(h0);
  const p = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  const Hy = new Float64Array(n);
  let stalled = 0;
  let firstUpdate = true;
  for (let iter = 0; iter < maxIterations; iter++) {
    let gmax = 0;
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i] as number));
    if (gmax < gtol) return { x, f: fx, gradient: g, iterations: iter, converged: true, message: `gradient below ${gtol}` };
    // p = −H·g; a non-descent direction resets H
    let slope = 0;
    for (let attempt = 0; attempt < 2; attempt++) {
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v -= (H[i * n + j] as number) * (g[j] as number);
        p[i] = v;
      }
      slope = 0;
      for (let i = 0; i < n; i++) slope += (p[i] as number) * (g[i] as number);
      if (slope < 0) break;
      resetH(h0);
      firstUpdate = true;
    }
    // Backtracking line search with the Armijo condition; quadratic interpolation for the next trial step.
    let alpha = 1;
    let fNew = Infinity;
    let accepted = false;
    for (let k = 0; k < 60; k++) {
      for (let i = 0; i < n; i++) xNew[i] = (x[i] as number) + alpha * (p[i] as number);
      fNew = f(xNew);
      if (Number.isFinite(fNew) && fNew <= fx + 1e-4 * alpha * slope) {
        accepted = true;
        break;
      }
      const quad = Number.isFinite(fNew) ? (-slope * alpha * alpha) / (2 * (fNew - fx - slope * alpha)) : alpha * 0.1;
      alpha = Math.min(0.5 * alpha, Math.max(0.1 * alpha, quad));
    }
    if (!accepted) {
      // No decrease along p: at the noise floor of the finite differences. Converged if the gradient is small.
      const ok = gmax < Math.max(1e3 * gtol, 1e-3);
      return { x, f: fx, gradient: g, iterations: iter, converged: ok, message: ok ? `no further decrease (gradient ${gmax.toExponential(1)})` : `line search failed (gradient ${gmax.toExponential(1)})` };
    }
    gradient(f, xNew, fNew, h, gNew);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = (xNew[i] as number) - (x[i] as number);
      y[i] = (gNew[i] as number) - (g[i] as number);
      sy += (s[i] as number) * (y[i] as number);
    }
    const decrease = fx - fNew;
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
    if (sy > 1e-12) {
      if (firstUpdate) {
        // Nocedal & Wright eq. 6.20: scale the initial inverse Hessian by sᵀy / yᵀy before the first update.
        let yy = 0;
        for (let i = 0; i < n; i++) yy += (y[i] as number) ** 2;
        resetH(sy / yy);
        firstUpdate = false;
      }
      let yHy = 0;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += (H[i * n + j] as number) * (y[j] as number);
        Hy[i] = v;
        yHy += (y[i] as number) * v;
      }
      const rho = 1 / sy;
      // H ← H − ρ(H y sᵀ + s yᵀ H) + (ρ² yᵀHy + ρ) s sᵀ
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          H[i * n + j] = (H[i * n + j] as number) - rho * ((Hy[i] as number) * (s[j] as number) + (s[i] as number) * (Hy[j] as number)) + (rho * rho * yHy + rho) * (s[i] as number) * (s[j] as number);
        }
      }
    }
    if (decrease <= 1e-14 * (1 + Math.abs(fx))) {
      if (++stalled >= 3) {
        let gm = 0;
        for (let i = 0; i < n; i++) gm = Math.max(gm, Math.abs(g[i] as number));
        const ok = gm < Math.max(1e3 * gtol, 1e-3);
        return { x, f: fx, gradient: g, iterations: iter + 1, converged: ok, message: `objective no longer decreasing (gradient ${gm.toExponential(1)})` };
      }
    } else stalled = 0;
  }
  return { x, f: fx, gradient: g, iterations: maxIterations, converged: false, message: `no convergence in ${maxIterations} iterations` };
}

/** Finite-difference Hessian (central second differences) at x, symmetric. */
export function hessian(f: (x: Float64Array) => number, x0: ArrayLike<number>, fx: number, h: number): Float64Array {
  const n = x0.length;
  const x = Float64Array.from(x0);
  const H = new Float64Array(n * n);
  const fp = new Float64Array(n);
  const fm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    x[i] = xi + h;
    fp[i] = f(x);
    x[i] = xi - h;
    fm[i] = f(x);
    x[i] = xi;
    H[i * n + i] = ((fp[i] as number) - 2 * fx + (fm[i] as number)) / (h * h);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const xi = x[i] as number;
      const xj = x[j] as number;
      x[i] = xi + h;
      x[j] = xj + h;
      const fpp = f(x);
      x[j] = xj - h;
      const fpm = f(x);
      x[i] = xi - h;
      const fmm = f(x);
      x[j] = xj + h;
      const fmp = f(x);
      x[i] = xi;
      x[j] = xj;
      const v = (fpp - fpm - fmp + fmm) / (4 * h * h);
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  }
  return H;
}

/**
 * An objective F(x) = Σᵢ φᵢ(pᵢ(x)) + xᵀx: m model predictions p(x), each with a scalar term φᵢ (−2·log likelihood
 * of an observation), plus the whitened prior.
 */
export interface SumOfTermsProblem {
  readonly m: number;
  /** Predictions at x into p; false where the model cannot be evaluated (F = Infinity there). */
  predictions(x: Float64Array, p: Float64Array): boolean;
  /** Σ φᵢ(pᵢ): Infinity, never NaN, when a term is infinite. */
  terms(p: Float64Array): number;
  /** φᵢ′(pᵢ) into d1 and a non-negative curvature weight (≈ φᵢ″, Gauss–Newton) into w. */
  termDerivatives(p: Float64Array, d1: Float64Array, w: Float64Array): void;
}

export interface LevenbergMarquardtOptions {
  /** Stop when the largest gradient component is below this. Default 1e-6. */
  readonly gtol?: number;
  /** Finite-difference step (absolute, in x) of the Jacobian of the predictions. Default 1e-4. */
  readonly step?: number;
  /** Central differences (default) or forward differences (half the model evaluations, first-order accurate). */
  readonly differences?: 'central' | 'forward';
  /** Per component: true = forward differences for it (overrides `differences`; e.g. where an evaluation costs a simulation). */
  readonly forward?: ArrayLike<boolean>;
  readonly maxIterations?: number;
}

/**
 * Levenberg–Marquardt (Madsen, Nielsen & Tingleff 2004, Alg. 3.16, with Nielsen's damping update) for
 * F(x) = Σ φᵢ(pᵢ(x)) + xᵀx. Gradient g = Jᵀφ′ + 2x (exact up to the finite-difference Jacobian J of the predictions),
 * Hessian approximation A = Jᵀ·diag(w)·J + 2I (Gauss–Newton for squared residuals, Fisher scoring for
 * prediction-dependent SDs, the exact z-curvature for censored terms); step (A + μI)δ = −g. Near a mode it
 * converges in a few iterations where BFGS with finite-difference gradients needs tens, and each Jacobian costs n
 * (forward) or 2n (central) evaluations of the predictions. The result is the same mode as BFGS's (same F, ∇F = 0);
 * a run that stops above gtol returns converged: false and the caller may continue with BFGS.
 */
export function minimizeLevenbergMarquardt(problem: SumOfTermsProblem, x0: ArrayLike<number>, options: LevenbergMarquardtOptions = {}): MinimizeResult {
  const n = x0.length;
  const m = problem.m;
  const gtol = options.gtol ?? 1e-6;
  const h = options.step ?? 1e-4;
  const forward = Array.from({ length: n }, (_, j) => options.forward?.[j] ?? options.differences === 'forward');
  const maxIterations = options.maxIterations ?? 100;
  const x = Float64Array.from(x0);
  const p = new Float64Array(m);
  const pNew = new Float64Array(m);
  const pPlus = new Float64Array(m);
  const pMinus = new Float64Array(m);
  const J = new Float64Array(m * n);
  const d1 = new Float64Array(m);
  const w = new Float64Array(m);
  const g = new Float64Array(n);
  const A = new Float64Array(n * n);
  const M = new Float64Array(n * n);
  const delta = new Float64Array(n);
  const xNew = new Float64Array(n);
  const xt = new Float64Array(n);
  const prior = (v: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (v[i] as number) * (v[i] as number);
    return s;
  };
  const objective = (v: Float64Array, out: Float64Array): number => (problem.predictions(v, out) ? problem.terms(out) + prior(v) : Infinity);
  let F = objective(x, p);
  if (!Number.isFinite(F)) throw new FitError('the objective is not finite at the starting point (the model cannot be simulated there, or an observation is impossible under it)');

  /** Jacobian of the predictions at x (central; one-sided where a side fails). */
  const jacobian = (): void => {
    for (let j = 0; j < n; j++) {
      xt.set(x);
      xt[j] = (x[j] as number) + h;
      const okPlus = problem.predictions(xt, pPlus);
      let okMinus = false;
      if (forward[j] !== true || !okPlus) {
        xt[j] = (x[j] as number) - h;
        okMinus = problem.predictions(xt, pMinus);
      }
      if (okPlus && okMinus) for (let i = 0; i < m; i++) J[i * n + j] = ((pPlus[i] as number) - (pMinus[i] as number)) / (2 * h);
      else if (okPlus) for (let i = 0; i < m; i++) J[i * n + j] = ((pPlus[i] as number) - (p[i] as number)) / h;
      else if (okMinus) for (let i = 0; i < m; i++) J[i * n + j] = ((p[i] as number) - (pMinus[i] as number)) / h;
      else throw new FitError(`the model cannot be evaluated on either side of the current estimate (component ${j + 1})`);
    }
  };
  /** g and A at x from J and the term derivatives. */
  const linearise = (): number => {
    problem.termDerivatives(p, d1, w);
    A.fill(0);
    for (let j = 0; j < n; j++) {
      let gj = 2 * (x[j] as number);
      for (let i = 0; i < m; i++) gj += (J[i * n + j] as number) * (d1[i] as number);
      g[j] = gj;
      A[j * n + j] = 2;
    }
    for (let i = 0; i < m; i++) {
      const wi = w[i] as number;
      if (wi === 0) continue;
      for (let a = 0; a < n; a++) {
        const ja = (J[i * n + a] as number) * wi;
        if (ja === 0) continue;
        for (let b = 0; b <= a; b++) A[a * n + b] = (A[a * n + b] as number) + ja * (J[i * n + b] as number);
      }
    }
    let gmax = 0;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < a; b++) A[b * n + a] = A[a * n + b] as number;
      gmax = Math.max(gmax, Math.abs(g[a] as number));
    }
    return gmax;
  };
  /** Solve (A + μI)δ = −g; false when the damped matrix is not positive definite. */
  const solve = (mu: number): boolean => {
    M.set(A);
    for (let i = 0; i < n; i++) M[i * n + i] = (M[i * n + i] as number) + mu;
    const L = choleskyPd(M, n);
    if (L === undefined) return false;
    for (let i = 0; i < n; i++) delta[i] = -(g[i] as number);
    choleskySolveInPlace(L, n, delta);
    return true;
  };

  jacobian();
  let gmax = linearise();
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, A[i * n + i] as number);
  let mu = 1e-3 * maxDiag;
  let nu = 2;
  let stalled = 0;
  const loose = Math.max(1e3 * gtol, 1e-3);
  for (let iter = 0; iter < maxIterations; iter++) {
    if (gmax < gtol) return { x, f: F, gradient: g, iterations: iter, converged: true, message: `gradient below ${gtol}` };
    let accepted = false;
    for (let attempt = 0; attempt < 40 && !accepted; attempt++) {
      if (!solve(mu)) {
        mu = Math.max(mu * nu, 1e-12);
        nu *= 2;
        continue;
      }
      let step = 0;
      let size = 0;
      for (let i = 0; i < n; i++) {
        xNew[i] = (x[i] as number) + (delta[i] as number);
        step = Math.max(step, Math.abs(delta[i] as number));
        size = Math.max(size, Math.abs(x[i] as number));
      }
      if (step <= 1e-12 * (size + 1e-12)) {
        const ok = gmax < loose;
        return { x, f: F, gradient: g, iterations: iter, converged: ok, message: ok ? `step below 1e-12 (gradient ${gmax.toExponential(1)})` : `no progress (gradient ${gmax.toExponential(1)})` };
      }
      const fNew = objective(xNew, pNew);
      // Predicted decrease of the quadratic model: −gᵀδ − ½δᵀAδ = ½δᵀ(μδ − g).
      let predicted = 0;
      for (let i = 0; i < n; i++) predicted += 0.5 * (delta[i] as number) * (mu * (delta[i] as number) - (g[i] as number));
      const rho = Number.isFinite(fNew) && predicted > 0 ? (F - fNew) / predicted : -1;
      if (rho > 0) {
        const decrease = F - fNew;
        x.set(xNew);
        p.set(pNew);
        F = fNew;
        mu *= Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
        nu = 2;
        accepted = true;
        stalled = decrease <= 1e-14 * (1 + Math.abs(F)) ? stalled + 1 : 0;
      } else {
        mu *= nu;
        nu *= 2;
      }
    }
    if (!accepted) {
      // No decrease along any damped step: at the noise floor of the finite differences.
      const ok = gmax < loose;
      return { x, f: F, gradient: g, iterations: iter, converged: ok, message: ok ? `no further decrease (gradient ${gmax.toExponential(1)})` : `no decrease found (gradient ${gmax.toExponential(1)})` };
    }
    jacobian();
    gmax = linearise();
    if (stalled >= 3) {
      const ok = gmax < loose;
      return { x, f: F, gradient: g, iterations: iter + 1, converged: ok, message: `objective no longer decreasing (gradient ${gmax.toExponential(1)})` };
    }
  }
  return { x, f: F, gradient: g, iterations: maxIterations, converged: gmax < gtol, message: gmax < gtol ? `gradient below ${gtol}` : `no convergence in ${maxIterations} iterations` };
}
