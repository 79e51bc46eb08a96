/**
 * BDF/NDF coefficients and building blocks: empirical convergence order at fixed order and step (the NDF of
 * order k must converge with order k), the step-change transformation of the difference array (exact for the
 * interpolating polynomial), the interpolation formula, and the tabulated constants.
 */
import { describe, expect, it } from 'vitest';
import { BDF_COEFFICIENTS, BdfIntegrator, computeR, rescaleDifferences } from '../../src/core/ode/bdf.js';
import type { OdeRhs } from '../../src/core/ode/index.js';

/** Prothero–Robinson-type problem with known solution u: y' = λ(y − u(t)) + u'(t), y(0) = u(0). */
const LAMBDA = [-1, -20];
const u = (t: number): [number, number] => [Math.sin(t) + 2, Math.exp(-0.3 * t) * Math.cos(2 * t)];
const du = (t: number): [number, number] => [Math.cos(t), Math.exp(-0.3 * t) * (-0.3 * Math.cos(2 * t) - 2 * Math.sin(2 * t))];
const rhs: OdeRhs = (t, y, f) => {
  const uu = u(t);
  const dd = du(t);
  f[0] = LAMBDA[0]! * (y[0]! - uu[0]) + dd[0];
  f[1] = LAMBDA[1]! * (y[1]! - uu[1]) + dd[1];
};

/** Backward differences ∇^j of g at t, t−h, …, t−(m−1)h: rows j = 0..m−1, each of n. */
function backwardDifferences(g: (t: number) => number[], t: number, h: number, m: number, n: number): Float64Array {
  let cur = Array.from({ length: m }, (_, k) => g(t - k * h));
  const D = new Float64Array(m * n);
  for (let j = 0; j < m; j++) {
    for (let c = 0; c < n; c++) D[j * n + c] = cur[0]![c]!;
    cur = cur.slice(0, -1).map((v, k) => v.map((x, c) => x - cur[k + 1]![c]!));
  }
  return D;
}

/** Global error at T = 1 of the fixed-order, fixed-step NDF with N steps, started from exact history. */
function fixedStepError(order: number, N: number): number {
  const h = 1 / N;
  const integ = new BdfIntegrator(2, rhs, { rtol: 1e-12, atol: 1e-12 });
  integ.testSetHistory(0, h, order, backwardDifferences(u, 0, h, order + 2, 2));
  for (let k = 0; k < N; k++) {
    if (!integ.testFixedStep()) throw new Error('Newton failed');
  }
  expect(integ.t).toBeCloseTo(1, 12);
  const y = new Float64Array(2);
  integ.testInterpolate(integ.t, y);
  const ex = u(integ.t);
  return Math.max(Math.abs(y[0]! - ex[0]), Math.abs(y[1]! - ex[1]));
}

describe('BDF/NDF', () => {
  it('constants: γ_k = Σ 1/j, α_k = (1 − κ_k)γ_k, error constants κ_k γ_k + 1/(k+1)', () => {
    const { kappa, gamma, alpha, errorConst } = BDF_COEFFICIENTS;
    expect(kappa).toEqual([0, -0.185, -1 / 9, -0.0823, -0.0415, 0]);
    expect(gamma[5]).toBeCloseTo(1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5, 15);
    expect(alpha[1]).toBeCloseTo(1.185, 15);
    // BDF1 (backward Euler) local error constant −1/2 + … : κ₁γ₁ + 1/2 = 0.315 for NDF1
    expect(errorConst[1]).toBeCloseTo(0.315, 15);
    expect(errorConst[5]).toBeCloseTo(1 / 6, 15); // κ₅ = 0: plain BDF5
  });

  // Measured (log2 of the error ratio when h halves; errors at T = 1):
  //   NDF1: 5.36e-3, 2.66e-3, 1.32e-3 (N = 20, 40, 80) → 1.01, 1.01
  //   NDF2: 2.08e-4, 5.23e-5, 1.31e-5                  → 1.99, 1.99
  //   NDF3: 6.28e-6, 7.76e-7, 9.68e-8                  → 3.02, 3.00
  //   NDF4: 2.54e-5, 1.32e-6, 7.39e-8 (N = 8, 16, 32)  → 4.27, 4.16
  //   NDF5: 9.39e-6, 3.42e-7, 1.15e-8                  → 4.78, 4.90
  for (const k of [1, 2, 3, 4, 5]) {
    it(`order ${k}: empirical convergence order ≈ ${k} at fixed step`, () => {
      const Ns = k >= 4 ? [8, 16, 32] : [20, 40, 80];
      const errs = Ns.map((N) => fixedStepError(k, N));
      const p1 = Math.log2(errs[0]! / errs[1]!);
      const p2 = Math.log2(errs[1]! / errs[2]!);
      expect(p2, `errors ${errs.map((e) => e.toExponential(2)).join(', ')}`).toBeGreaterThan(k - 0.2);
      expect(p2).toBeLessThan(k + 0.3);
      expect(p1).toBeGreaterThan(k - 0.5);
    });
  }

  it('error constants: the estimate errconst_k·d has the theoretical ratio to the true local error', () => {
    // One NDF step from exact history. Inserting the exact solution leaves the residual −errconst_k·H with
    // H = h^{k+1} y^{(k+1)}; solving (∂/∂y_{n+1} = α_k + O(h)) gives the local error e = errconst_k/α_k · H, while the
    // correction is d = y_{n+1} − y_pred = H + e. So e / (errconst_k·d) → 1/(α_k + errconst_k) = 1/γ_{k+1} as h → 0:
    // the estimate is conservative by 1.5 (k=1) … 2.45 (k=5). An error constant inconsistent with the formula
    // (κ_k) changes this limit by the factor true/used. Measured deviations from the limit at the smaller h:
    // 0.6% (k=1), 0.17% (k=2), 3.0% (k=3), 0.65% (k=4), 5.3% (k=5), each shrinking with h (from 2.3%, 0.7%, 13%, 2.3%, 13%).
    const { alpha, errorConst } = BDF_COEFFICIENTS;
    const slow: OdeRhs = (t, y, f) => {
      const uu = u(t);
      const dd = du(t);
      f[0] = -0.5 * (y[0]! - uu[0]) + dd[0];
      f[1] = -1 * (y[1]! - uu[1]) + dd[1];
    };
    for (let k = 1; k <= 5; k++) {
      const limit = 1 / (alpha[k]! + errorConst[k]!);
      const dev: number[] = [];
      for (const h of k <= 2 ? [0.01, 0.0025] : k === 3 ? [0.02, 0.005] : [0.04, 0.01]) {
        const integ = new BdfIntegrator(2, slow, { rtol: 1e-10, atol: 1e-10 });
        integ.testSetHistory(0.3, h, k, backwardDifferences(u, 0.3, h, k + 2, 2));
        expect(integ.testFixedStep(), `k=${k} h=${h}`).toBe(true);
        const y = new Float64Array(2);
        const est = new Float64Array(2);
        integ.testInterpolate(integ.t, y);
        integ.testErrorEstimate(est);
        const ex = u(integ.t);
        dev.push(Math.abs((y[0]! - ex[0]) / est[0]! / limit - 1));
      }
      expect(dev[1], `NDF${k}: relative deviation from the limit ${limit.toFixed(4)}: ${dev.map((r) => r.toExponential(2)).join(', ')}`).toBeLessThan(0.06);
      expect(dev[1]).toBeLessThan(dev[0]! / 2); // O(h) approach to the limit
    }
  });

  it('R(order, factor) matches its definition, and R(k,1)·R(k,1) = I (U is an involution)', () => {
    const R = new Float64Array(36);
    computeR(3, 0.7, R);
    // M[i][j] = (i − 1 − f·j)/i for i ≥ 1, cumulative product down each column
    for (let j = 0; j <= 3; j++) {
      let p = 1;
      for (let i = 0; i <= 3; i++) {
        if (i > 0) p *= j === 0 ? 0 : (i - 1 - 0.7 * j) / i;
        expect(R[i * 4 + j]).toBeCloseTo(p, 14);
      }
    }
    for (let k = 1; k <= 5; k++) {
      const m = k + 1;
      const U = new Float64Array(m * m);
      computeR(k, 1, U);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          let s = 0;
          for (let l = 0; l < m; l++) s += U[i * m + l]! * U[l * m + j]!;
          expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
        }
      }
    }
  });

  it('changing the step size re-expresses the interpolating polynomial exactly (all orders, several factors)', () => {
    const n = 2;
    // degree exactly k in both components
    const poly = (k: number) => (t: number) => {
      let a = 0;
      let b = 0;
      for (let j = 0; j <= k; j++) {
        a += (j + 1) * (-0.5) ** j * t ** j;
        b += (3 - j) * 0.7 ** j * t ** j;
      }
      return [a, b];
    };
    const R = new Float64Array(36);
    const RU = new Float64Array(36);
    const T = new Float64Array(6 * n);
    for (let k = 1; k <= 5; k++) {
      for (const factor of [0.2, 0.5, 0.9, 1.7, 10]) {
        const h = 0.3;
        const D = backwardDifferences(poly(k), 1.1, h, k + 1, n);
        rescaleDifferences(D, n, k, factor, R, RU, T);
        const expected = backwardDifferences(poly(k), 1.1, factor * h, k + 1, n);
        const scale = Math.max(...expected.map(Math.abs));
        for (let i = 0; i < D.length; i++) {
          expect(Math.abs(D[i]! - expected[i]!) / scale, `k=${k} factor=${factor} i=${i}`).toBeLessThan(1e-13);
        }
      }
    }
  });

  it('the interpolation formula reproduces a polynomial of the current order between the grid points', () => {
    for (let k = 1; k <= 5; k++) {
      const p = (t: number) => [Math.pow(t - 0.3, k) + 2 * t, -t + 4];
      const integ = new BdfIntegrator(2, rhs, { rtol: 1e-8, atol: 1e-8 });
      const h = 0.25;
      const rows = backwardDifferences(p, 2, h, k + 2, 2);
      integ.testSetHistory(2, h, k, rows);
      const y = new Float64Array(2);
      for (const t of [2, 1.9, 1.75, 1.6, 2 - k * h]) {
        integ.testInterpolate(t, y);
        const ex = p(t);
        expect(y[0]).toBeCloseTo(ex[0]!, 11);
        expect(y[1]).toBeCloseTo(ex[1]!, 11);
      }
    }
  });
});
