/**
 * DOP853 (src/core/ode/dop853.ts): its coefficients against scipy's and against the Runge–Kutta order conditions,
 * the observed orders of the method (8) and of its dense output (7), agreement with scipy's DOP853 (step counts
 * and solutions, test/fixtures/ode/dop853_scipy.json written by generate_dop853.py), the advanceTo contract
 * (dense output, restarts, tStop) and failure reporting.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOP853_TABLEAU } from '../../src/core/ode/dop853.js';
import { createIntegrator, createRawIntegrator, LOCAL_ERROR_FACTOR, type OdeOptions, type OdeRhs } from '../../src/core/ode/index.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { p3Dataset, readSubjects } from '../../examples/baselines/problems.js';
import { fixture, loadExample, maxAbsoluteError, observationColumn, readReference } from '../baselines/helpers.js';
import { linspace, maxRelError, readFixture, expectSolverError } from './helpers.js';
import { hires, idr, pk3Stiff, runPiecewise } from './problems.js';

interface ScipyRun {
  rtol: number;
  atol: number;
  t: number[];
  y: number[][];
  steps: number;
  nfev: number;
}
interface ScipyData {
  coefficients: { C: number[]; A: number[][]; B: number[]; E3: number[]; E5: number[]; D: number[][] };
  arenstorf: { mu: number; y0: number[]; t_end: number; runs: { rtol: number; atol: number; steps: number; rejected: number; nfev: number; y_end: number[] }[] };
  hires: ScipyRun;
  pk3_stiff: ScipyRun;
  idr: ScipyRun;
}
const SCIPY = JSON.parse(readFileSync(new URL('../fixtures/ode/dop853_scipy.json', import.meta.url), 'utf8')) as ScipyData;

// ---------------------------------------------------------------- order conditions (rooted trees, Butcher)
/** A rooted tree is the multiset of its children's subtrees, in canonical (sorted) order. */
type Tree = Tree[];
const key = (t: Tree): string => `[${t.map(key).join(',')}]`;
const order = (t: Tree): number => 1 + t.reduce((s, c) => s + order(c), 0);
const gamma = (t: Tree): number => order(t) * t.reduce((p, c) => p * gamma(c), 1);

const treeMemo = new Map<number, Tree[]>();
/** All rooted trees with exactly n vertices (1, 1, 2, 4, 9, 20, 48, 115, 286 for n = 1..9). */
function trees(n: number): Tree[] {
  const known = treeMemo.get(n);
  if (known !== undefined) return known;
  const out = new Map<string, Tree>();
  if (n === 1) out.set('[]', []);
  const add = (rest: number, maxKey: string | null, acc: Tree[]): void => {
    if (rest === 0) {
      const t = [...acc].sort((a, b) => (key(a) < key(b) ? -1 : 1));
      out.set(key(t), t);
      return;
    }
    for (let m = 1; m <= rest; m++) {
      for (const c of trees(m)) {
        const k = key(c);
        if (maxKey !== null && k > maxKey) continue; // children in nonincreasing key order: no duplicates
        add(rest - m, k, [...acc, c]);
      }
    }
  };
  if (n > 1) add(n - 1, null, []);
  const list = [...out.values()];
  treeMemo.set(n, list);
  return list;
}

/** Φ_i(t) for all stages i: Φ_i([t1..tm]) = Π_k Σ_j a_ij Φ_j(t_k). Memoized per tableau. */
function phiFor(a: readonly (readonly number[])[]): (t: Tree) => number[] {
  const memo = new Map<string, number[]>();
  const phi = (t: Tree): number[] => {
    const k = key(t);
    const known = memo.get(k);
    if (known !== undefined) return known;
    const res = new Array<number>(a.length).fill(1);
    for (const child of t) {
      const pc = phi(child);
      for (let i = 0; i < a.length; i++) {
        let s = 0;
        for (let j = 0; j < a[i]!.length; j++) s += a[i]![j]! * pc[j]!;
        res[i]! *= s;
      }
    }
    memo.set(k, res);
    return res;
  };
  return phi;
}

/** max over trees of order `from`..`to` of |Σ w_i Φ_i(t) − θ^|t| / γ(t)|. */
function residual(a: readonly (readonly number[])[], w: readonly number[], from: number, to: number, theta = 1): number {
  const phi = phiFor(a);
  let worst = 0;
  for (let q = from; q <= to; q++) {
    for (const t of trees(q)) {
      const ph = phi(t);
      const lhs = w.reduce((s, wi, i) => s + wi * ph[i]!, 0);
      worst = Math.max(worst, Math.abs(lhs - theta ** q / gamma(t)));
    }
  }
  return worst;
}

const T = DOP853_TABLEAU;
const A16 = T.a as readonly (readonly number[])[];
const A13 = A16.slice(0, 13);
const A12 = A16.slice(0, 12);
const pad = (v: readonly number[], len: number): number[] => [...v, ...new Array<number>(len - v.length).fill(0)];
const B = T.b as readonly number[];

/** Weights on h·k_1..h·k_16 of the dense output y(t0 + θh) − y0 (scipy's Dop853DenseOutput, unrolled). */
function denseWeights(theta: number): number[] {
  const unit = (i: number): number[] => pad([], 16).map((_, j) => (j === i ? 1 : 0));
  const b = pad(B, 16);
  const F = [
    b, // Δ = F0
    unit(0).map((v, i) => v - b[i]!), // h k1 − Δ
    b.map((v, i) => 2 * v - unit(12)[i]! - unit(0)[i]!), // 2Δ − h (k13 + k1)
    ...(T.d as readonly (readonly number[])[]).map((row) => [...row]),
  ];
  // y = θ(F0 + (1−θ)(F1 + θ(F2 + (1−θ)(F3 + θ(F4 + (1−θ)(F5 + θ F6))))))
  let acc = new Array<number>(16).fill(0);
  for (let r = F.length - 1; r >= 0; r--) {
    const factor = (F.length - 1 - r) % 2 === 0 ? theta : 1 - theta;
    acc = acc.map((v, i) => (v + F[r]![i]!) * factor);
  }
  return acc;
}

describe('DOP853 tableau', () => {
  it('is scipy\'s, bit for bit (dop853_coefficients.py, as written by generate_dop853.py)', () => {
    const s = SCIPY.coefficients;
    expect([...T.c]).toEqual(s.C);
    for (let i = 0; i < 16; i++) {
      const row = pad(A16[i]!, 16);
      // scipy's row 12 is b (the FSAL stage); rows 14–16 are the extra stages of the dense output
      expect(row, `A row ${i}`).toEqual(s.A[i]);
    }
    expect([...B]).toEqual(s.B);
    expect([...T.e5]).toEqual(s.E5);
    expect([...T.e3]).toEqual(s.E3);
    expect(T.d.map((r) => [...r])).toEqual(s.D);
  });

  it('tree generator: 1, 1, 2, 4, 9, 20, 48, 115, 286 rooted trees of orders 1..9', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((q) => trees(q).length)).toEqual([1, 1, 2, 4, 9, 20, 48, 115, 286]);
  });

  it('c_i = Σ_j a_ij for all 16 stages; stages 12 and 13 at c = 1', () => {
    for (let i = 1; i < 16; i++) expect(Math.abs(A16[i]!.reduce((s, v) => s + v, 0) - T.c[i]!), `row ${i}`).toBeLessThan(2e-14);
    expect(T.c[11]).toBe(1);
    expect(T.c[12]).toBe(1);
  });

  // Measured residuals (max over the trees): b, orders 1..8 (200 conditions): 2.2e-15 (the coefficients are
  // 30-digit decimals rounded to doubles), order 9: 2.7e-5; b − e5: 5.0e-15 up to order 5, 4.5e-4 at order 6;
  // b − e3: 3.6e-15 up to order 3, 2.5e-2 at order 4; dense output up to order 7: ≤ 2.8e-15 for all θ tested,
  // order 8 at θ = 0.5: 6.2e-5.
  it('8th-order weights satisfy all 200 order conditions up to order 8, and not all of order 9', () => {
    expect(residual(A12, B, 1, 8)).toBeLessThan(1e-14);
    expect(residual(A12, B, 9, 9)).toBeGreaterThan(1e-6);
  });

  it('embedded weights: b − e5 is of order 5 (not 6), b − e3 of order 3 (not 4); the FSAL stage is not used', () => {
    const b13 = pad(B, 13);
    const b5 = b13.map((v, i) => v - T.e5[i]!);
    const b3 = b13.map((v, i) => v - T.e3[i]!);
    expect(residual(A13, b5, 1, 5)).toBeLessThan(1e-14);
    expect(residual(A13, b5, 6, 6)).toBeGreaterThan(1e-5);
    expect(residual(A13, b3, 1, 3)).toBeLessThan(1e-14);
    expect(residual(A13, b3, 4, 4)).toBeGreaterThan(1e-3);
    expect(T.e5[12]).toBe(0);
    expect(T.e3[12]).toBe(0);
  });

  it('dense output: for every θ the weights satisfy the conditions up to order 7 (θ^|t|/γ), not all of order 8', () => {
    for (const theta of [0, 0.1, 0.25, 0.5, 0.77, 0.9, 1]) {
      expect(residual(A16, denseWeights(theta), 1, 7, theta), `θ = ${theta}`).toBeLessThan(1e-14);
    }
    expect(residual(A16, denseWeights(0.5), 8, 8, 0.5)).toBeGreaterThan(1e-5);
    // θ = 1 reproduces the step
    expect(Math.max(...denseWeights(1).map((w, i) => Math.abs(w - pad(B, 16)[i]!)))).toBeLessThan(1e-13);
  });
});

// ---------------------------------------------------------------- observed orders
/** Kepler orbit, eccentricity 0.2, period 2π. Nonlinear, so all order conditions matter. */
const E = 0.2;
const KEPLER_Y0 = [1 - E, 0, 0, Math.sqrt((1 + E) / (1 - E))];
const kepler: OdeRhs = (_t, y, f) => {
  const r3 = Math.pow(y[0]! * y[0]! + y[1]! * y[1]!, 1.5);
  f[0] = y[2]!;
  f[1] = y[3]!;
  f[2] = -y[0]! / r3;
  f[3] = -y[1]! / r3;
};
/** Fixed steps h (h0 = hmax = h; a huge atol accepts every step). */
const fixedStep = (h: number): OdeOptions => ({ rtol: 0.5, atol: 1e6, h0: h, hmax: h });
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('DOP853 observed orders', () => {
  // Max error over the step points of one period against a tight reference, N fixed steps. Measured:
  //   N = 24: 2.6e-8, 48: 1.5e-10, 96: 5.5e-13 (slopes 7.5, 8.05; coarser steps are not yet asymptotic).
  it('fixed steps on the Kepler orbit: the global error falls as h^8', () => {
    const period = 2 * Math.PI;
    const errs = [24, 48, 96].map((nSteps) => {
      const h = period / nSteps;
      const integ = createRawIntegrator('dop853', 4, kepler, fixedStep(h));
      const ref = createRawIntegrator('dop853', 4, kepler, { rtol: 1e-14, atol: 1e-16, denseOutput: false });
      integ.init(0, Float64Array.from(KEPLER_Y0));
      ref.init(0, Float64Array.from(KEPLER_Y0));
      const y = new Float64Array(4);
      const r = new Float64Array(4);
      let worst = 0;
      for (let k = 1; k <= nSteps; k++) {
        const t = k === nSteps ? period : k * h;
        integ.advanceTo(t, period, y);
        ref.advanceTo(t, period, r);
        worst = Math.max(worst, maxDiff(y, r));
      }
      expect(integ.stats.rejected).toBe(0);
      expect(integ.stats.steps).toBe(nSteps);
      return worst;
    });
    const slopes = errs.slice(1).map((e, k) => Math.log2(errs[k]! / e));
    expect(slopes[0]).toBeGreaterThan(7.2);
    expect(slopes[1]).toBeGreaterThan(7.7);
    expect(errs[2]).toBeLessThan(2e-12);
  });

  // One step of size h from the exact state; interpolation error at θ = 0.3, 0.5, 0.7 against a tight reference.
  // Measured max error: h = 0.8: 3.3e-5, 0.4: 1.5e-7, 0.2: 7.7e-10, 0.1: 3.2e-12 (slopes 7.8, 7.6, 7.9: a
  // 7th-order interpolant, local error O(h^8)); the step end itself: 1.0e-13 at h = 0.1 (order 8, O(h^9)).
  it('dense output of order 7: the interpolation error within one step falls as h^8', () => {
    const ref = (t: number): Float64Array => {
      const integ = createRawIntegrator('dop853', 4, kepler, { rtol: 1e-14, atol: 1e-16, denseOutput: false });
      integ.init(0, Float64Array.from(KEPLER_Y0));
      const y = new Float64Array(4);
      integ.advanceTo(t, t, y);
      return y;
    };
    const errs = [0.4, 0.2, 0.1].map((h) => {
      let worst = 0;
      for (const theta of [0.3, 0.5, 0.7]) {
        const integ = createRawIntegrator('dop853', 4, kepler, fixedStep(h));
        integ.init(0, Float64Array.from(KEPLER_Y0));
        const y = new Float64Array(4);
        integ.advanceTo(theta * h, h, y);
        expect(integ.stats.steps).toBe(1);
        worst = Math.max(worst, maxDiff(y, ref(theta * h)));
      }
      return worst;
    });
    const slopes = errs.slice(1).map((e, k) => Math.log2(errs[k]! / e));
    for (const s of slopes) expect(s).toBeGreaterThan(7.3);
    expect(errs[2]).toBeLessThan(1e-11);
  });
});

// ---------------------------------------------------------------- agreement with scipy
const MU = SCIPY.arenstorf.mu;
/** The Arenstorf orbit (Hairer, Nørsett & Wanner I, II.0): periodic with period t_end. */
const arenstorf: OdeRhs = (_t, y, f) => {
  const y1 = y[0]!;
  const y2 = y[1]!;
  const mu2 = 1 - MU;
  const d1 = Math.pow((y1 + MU) * (y1 + MU) + y2 * y2, 1.5);
  const d2 = Math.pow((y1 - mu2) * (y1 - mu2) + y2 * y2, 1.5);
  f[0] = y[2]!;
  f[1] = y[3]!;
  f[2] = y1 + 2 * y[3]! - (mu2 * (y1 + MU)) / d1 - (MU * (y1 - mu2)) / d2;
  f[3] = y2 - 2 * y[2]! - (mu2 * y2) / d1 - (MU * y2) / d2;
};

/** max over outputs and states of |y − ref| / (|ref| + atol/rtol), as in fixtures.test.ts. */
function weightedError(ys: readonly ArrayLike<number>[], refs: readonly (readonly number[])[], atol: number, rtol: number, states?: readonly number[]): number {
  let worst = 0;
  refs.forEach((ref, k) => {
    ref.forEach((r, i) => {
      if (states !== undefined && !states.includes(i)) return;
      worst = Math.max(worst, Math.abs(ys[k]![i]! - r) / (Math.abs(r) + atol / rtol));
    });
  });
  return worst;
}

describe('DOP853 vs scipy.integrate.DOP853', () => {
  // Measured: identical step and rejection counts at all three tolerances (66/23, 136/50, 298/59); RHS calls =
  // scipy's − rejected (the FSAL stage is evaluated for accepted steps only). The final states differ from scipy's
  // by 1.1e-9, 7.2e-10, 1.2e-10 (rounding: numpy sums the stages in another order; the orbit passes close to the
  // moon twice, which amplifies it), against errors |y(T) − y(0)| of 6.9e-3, 7.3e-6, 1.5e-9.
  it('Arenstorf orbit at rtol = atol = 1e-6, 1e-9, 1e-12: the same steps and rejections as scipy', () => {
    const a = SCIPY.arenstorf;
    for (const run of a.runs) {
      const integ = createRawIntegrator('dop853', 4, arenstorf, { rtol: run.rtol, atol: run.atol });
      integ.init(0, Float64Array.from(a.y0));
      const y = new Float64Array(4);
      integ.advanceTo(a.t_end, a.t_end, y);
      expect(Math.abs(integ.stats.steps - run.steps), `tol ${run.rtol}`).toBeLessThanOrEqual(2);
      expect(Math.abs(integ.stats.rejected - run.rejected), `tol ${run.rtol}`).toBeLessThanOrEqual(2);
      expect(integ.stats.rhsEvals).toBe(2 + 12 * integ.stats.steps + 11 * integ.stats.rejected);
      // the same numerical solution: the difference from scipy is far below its error
      expect(maxDiff(y, run.y_end)).toBeLessThan(0.2 * maxDiff(run.y_end, a.y0));
    }
  });

  // Measured at rtol = 1e-8 (the atol of fixtures.test.ts), restarts as the simulator does them:
  //   problem         steps (scipy)    |ours − scipy DOP853|     error vs the Radau/expm reference: ours, scipy
  //   indirect resp.  123 (123)        1.2e-14                   5.5e-8, 5.5e-8
  //   stiff 3-cmt PK  8479 (8479)      1.9e-9                    3.2e-7, 3.2e-7
  //   HIRES           5745 (5745)      y1–y5 4e-14, y6–y8 6.6e-7 2.4e-7, 4.7e-7
  // The last two are stiff (stability-limited steps, which is why DOP853 needs thousands of them): there the
  // fast components carry step-size-controller noise at the tolerance level, which rounding perturbs.
  function hiresRun(o: OdeOptions, times: readonly number[]): { ys: Float64Array[]; integrator: ReturnType<typeof createRawIntegrator> } {
    const integrator = createRawIntegrator('dop853', 8, hires, o);
    integrator.init(0, Float64Array.from(SCIPY.hires.y[0]!));
    const ys = times.map((t) => {
      const y = new Float64Array(8);
      integrator.advanceTo(t, times[times.length - 1]!, y);
      return y;
    });
    return { ys, integrator };
  }
  const cases = [
    { name: 'indirect response PD (4 doses, restarts)', data: SCIPY.idr, file: 'idr.csv', run: (o: OdeOptions, t: number[]) => runPiecewise('dop853', idr, o, t), agree: 1e-12, bound: 1e-7 },
    { name: 'stiff 3-compartment PK (bolus + infusion, restarts)', data: SCIPY.pk3_stiff, file: 'pk3_stiff.csv', run: (o: OdeOptions, t: number[]) => runPiecewise('dop853', pk3Stiff, o, t), agree: 1e-8, bound: 1e-6 },
    { name: 'HIRES', data: SCIPY.hires, file: 'hires.csv', run: hiresRun, agree: 1e-12, agreeStates: [0, 1, 2, 3, 4], bound: 1e-6 },
  ];
  for (const c of cases) {
    it(`${c.name}: scipy's step count and solution; accurate against the reference`, () => {
      const s = c.data;
      const o = { rtol: s.rtol, atol: s.atol };
      const { ys, integrator: integ } = c.run(o, s.t);
      expect(Math.abs(integ.stats.steps - s.steps)).toBeLessThanOrEqual(Math.max(2, 0.01 * s.steps));
      expect(weightedError(ys, s.y, s.atol, s.rtol, c.agreeStates)).toBeLessThan(c.agree);
      const fx = readFixture(c.file);
      expect(fx.t).toEqual(s.t);
      expect(weightedError(ys, fx.y, s.atol, s.rtol)).toBeLessThan(c.bound);
    });
  }
});

// ---------------------------------------------------------------- advanceTo contract
const rotation: OdeRhs = (_t, y, f) => {
  f[0] = -0.1 * y[0]! + 2 * y[1]!;
  f[1] = -2 * y[0]! - 0.1 * y[1]!;
};
const rotationExact = (t: number): number[] => [Math.exp(-0.1 * t) * Math.cos(2 * t), -Math.exp(-0.1 * t) * Math.sin(2 * t)];

function run(rhs: OdeRhs, n: number, o: OdeOptions, y0: number[], times: readonly number[], tStop = times[times.length - 1]!) {
  const integ = createRawIntegrator('dop853', n, rhs, o);
  integ.init(0, Float64Array.from(y0));
  const ys = times.map((t) => {
    const y = new Float64Array(n);
    integ.advanceTo(t, tStop, y);
    return y;
  });
  return { ys, integ };
}

describe('DOP853: dense output and the advanceTo contract', () => {
  // Measured, rotation on [0, 20], 2001 outputs (up to ~60 per step), max relative error vs exact:
  //   tol     interpolated   step points   steps (DOPRI5: steps, error)
  //   1e-6    1.7e-5         1.4e-5        35    (136, 3.8e-5)
  //   1e-8    1.9e-7         1.5e-7        60    (338, 3.2e-7)
  //   1e-10   2.3e-9         1.7e-9        105   (845, 3.4e-9)
  //   1e-12   2.2e-11        1.7e-11       185   (2118)
  it('interpolated outputs are about as accurate as the step solution, with far fewer steps than DOPRI5', () => {
    const times = linspace(0, 20, 2001);
    for (const tol of [1e-6, 1e-8, 1e-10, 1e-12]) {
      const integ = createRawIntegrator('dop853', 2, rotation, { rtol: tol, atol: tol });
      integ.init(0, Float64Array.from([1, 0]));
      const y = new Float64Array(2);
      let eDense = 0;
      let eSteps = 0;
      let lastStep = 0;
      for (const t of times) {
        integ.advanceTo(t, 20, y);
        eDense = Math.max(eDense, maxRelError([y], [rotationExact(t)]));
        if (integ.t !== lastStep) {
          lastStep = integ.t;
          integ.advanceTo(lastStep, 20, y); // the step value itself
          eSteps = Math.max(eSteps, maxRelError([y], [rotationExact(lastStep)]));
        }
      }
      expect(eDense, `tol ${tol}`).toBeLessThan(1.6 * eSteps);
      expect(eSteps, `tol ${tol}`).toBeLessThan(20 * tol);
      const d5 = createRawIntegrator('dopri5', 2, rotation, { rtol: tol, atol: tol });
      d5.init(0, Float64Array.from([1, 0]));
      d5.advanceTo(20, 20, y);
      expect(integ.stats.steps).toBeLessThan(d5.stats.steps / 3);
    }
  });

  it('outputs do not perturb the integration: y(T) is bit-identical with 0 or 400 intermediate outputs', () => {
    const o = { rtol: 1e-8, atol: 1e-10 };
    const fine = linspace(0, 10, 401);
    const a = run(rotation, 2, o, [1, 0], fine, 10);
    const b = run(rotation, 2, o, [1, 0], [10], 10);
    expect(Array.from(a.ys[400]!)).toEqual(Array.from(b.ys[0]!));
    expect(a.integ.stats.steps).toBe(b.integ.stats.steps);
    for (const k of [37, 200, 333]) expect(Array.from(a.ys[k]!)).toEqual(Array.from(run(rotation, 2, o, [1, 0], [fine[k]!], 10).ys[0]!));
    // denseOutput: false stops at every output instead, and is as accurate
    const stops = run(rotation, 2, { ...o, denseOutput: false }, [1, 0], fine, 10);
    expect(stops.integ.stats.steps).toBeGreaterThanOrEqual(400);
    expect(maxRelError(stops.ys, fine.map(rotationExact))).toBeLessThan(1e-7);
    expect(maxRelError(a.ys, fine.map(rotationExact))).toBeLessThan(1e-7);
  });

  it('never evaluates the RHS beyond tStop, stops exactly there, and restarts at each boundary', () => {
    let tStop = 0;
    let maxT = -Infinity;
    const guarded: OdeRhs = (t, y, f) => {
      if (t > tStop) throw new Error(`RHS evaluated at t = ${t} > tStop = ${tStop}`);
      maxT = Math.max(maxT, t);
      rotation(t, y, f);
    };
    const integ = createRawIntegrator('dop853', 2, guarded, { rtol: 1e-8, atol: 1e-10 });
    const y = new Float64Array(2);
    const bounds = [0, 0.1, 0.1 + 1e-9, 0.35, 1 / 3 + 1, 7.77, 7.7700001, 20];
    integ.init(0, Float64Array.from([1, 0]));
    for (let k = 1; k < bounds.length; k++) {
      tStop = bounds[k]!;
      const t0 = bounds[k - 1]!;
      for (const frac of [0.01, 0.5, 0.999]) integ.advanceTo(t0 + frac * (tStop - t0), tStop, y);
      integ.advanceTo(tStop, tStop, y);
      expect(integ.t).toBe(tStop);
      expect(maxT).toBeLessThanOrEqual(tStop);
      integ.init(tStop, y);
    }
    expect(maxRelError([y], [rotationExact(20)])).toBeLessThan(1e-7);
  });

  it('restarts with init at doses: 1-compartment bolus doses match the superposition solution', () => {
    const k = 0.3;
    const rhs: OdeRhs = (_t, y, f) => {
      f[0] = -k * y[0]!;
    };
    const doses = [0, 6, 12, 30];
    const exact = (t: number): number => doses.filter((d) => d <= t).reduce((s, d) => s + 100 * Math.exp(-k * (t - d)), 0);
    const integ = createRawIntegrator('dop853', 1, rhs, { rtol: 1e-8, atol: 1e-8 });
    const y = new Float64Array(1);
    const bounds = [...doses, 48];
    let worst = 0;
    for (let i = 0; i < doses.length; i++) {
      y[0]! += 100;
      integ.init(bounds[i]!, y);
      for (const t of linspace(bounds[i]!, bounds[i + 1]!, 7).slice(1, -1)) {
        integ.advanceTo(t, bounds[i + 1]!, y);
        worst = Math.max(worst, Math.abs(y[0]! - exact(t)) / exact(t));
      }
      integ.advanceTo(bounds[i + 1]!, bounds[i + 1]!, y);
    }
    expect(worst).toBeLessThan(1e-7); // measured 1.1e-8 in 34 steps (DOPRI5: 8.5e-9 in 169 steps)
  });

  it('init forgets everything; advanceTo(t0) returns y0 without an RHS call; continues past tStop without init', () => {
    const o = { rtol: 1e-8, atol: 1e-10 };
    const go = (integ: ReturnType<typeof createRawIntegrator>): number[] => {
      const y = new Float64Array(2);
      integ.init(0, Float64Array.from([1, 0]));
      const out: number[] = [];
      for (const [tOut, tStop] of [
        [1, 2],
        [2, 2],
        [3, 5],
        [5, 5],
        [7.5, Infinity],
      ] as const) {
        integ.advanceTo(tOut, tStop, y);
        out.push(...y);
      }
      return out;
    };
    const reused = createRawIntegrator('dop853', 2, rotation, o);
    reused.init(0, Float64Array.from([5, -1]));
    reused.advanceTo(17, 20, new Float64Array(2));
    const fresh = go(createRawIntegrator('dop853', 2, rotation, o));
    expect(go(reused)).toEqual(fresh);
    const exact = [1, 2, 3, 5, 7.5].flatMap(rotationExact);
    expect(maxDiff(fresh, exact)).toBeLessThan(1e-7);

    let calls = 0;
    const integ = createRawIntegrator('dop853', 1, (_t, y, f) => {
      calls++;
      f[0] = -y[0]!;
    }, o);
    const y = new Float64Array(1);
    integ.init(3, Float64Array.from([2]));
    integ.advanceTo(3, 3, y);
    expect(y[0]).toBe(2);
    expect(calls).toBe(0);
  });

  it('interpolates inside the last step, refuses times before it and tOut > tStop', () => {
    const integ = createRawIntegrator('dop853', 2, rotation, { rtol: 1e-8, atol: 1e-10 });
    integ.init(0, Float64Array.from([1, 0]));
    const y = new Float64Array(2);
    integ.advanceTo(5, 10, y);
    expect(integ.t).toBeGreaterThan(5);
    integ.advanceTo(5, 10, y);
    expect(maxRelError([y], [rotationExact(5)])).toBeLessThan(1e-7);
    expect(expectSolverError(() => integ.advanceTo(0.5, 10, y)).message).toMatch(/cannot integrate backwards/);
    expect(expectSolverError(() => integ.advanceTo(12, 10, y)).message).toMatch(/after the stop time/);
  });
});

describe('DOP853: failures', () => {
  it('maxSteps exceeded → SolverError "too many steps" naming the time reached and the time asked for', () => {
    const integ = createRawIntegrator('dop853', 2, rotation, { rtol: 1e-10, atol: 1e-10, maxSteps: 20 });
    integ.init(0, Float64Array.from([1, 0]));
    const e = expectSolverError(() => integ.advanceTo(100, 100, new Float64Array(2)));
    expect(e.message).toMatch(/too many steps: 20 step attempts were not enough to reach time 100/);
    expect(e.message).toMatch(/^time \d/); // SolverError puts the model time first
    expect(e.time).toBeGreaterThan(1);
    expect(e.time).toBeLessThan(100);
    expect(e.message).toContain(`time ${e.time}:`);
  });

  it('an RHS that returns NaN beyond t = 2 → SolverError naming the state and a time near 2', () => {
    const rhs: OdeRhs = (t, y, f) => {
      f[0] = -y[0]!;
      f[1] = t > 2 ? NaN : -2 * y[1]!;
    };
    const integ = createRawIntegrator('dop853', 2, rhs, { rtol: 1e-8, atol: 1e-8 });
    integ.init(0, Float64Array.from([1, 1]));
    const e = expectSolverError(() => integ.advanceTo(5, 5, new Float64Array(2)));
    expect(e.message).toMatch(/non-finite.*state 2/);
    expect(e.time).toBeGreaterThan(1.9);
    expect(e.time).toBeLessThan(2.1);
  });

  it('an RHS that is not finite at the start → SolverError at t0; a non-finite initial state → SolverError', () => {
    const integ = createRawIntegrator('dop853', 1, (_t, _y, f) => {
      f[0] = Infinity;
    }, { rtol: 1e-8, atol: 1e-8 });
    integ.init(1.5, Float64Array.from([1]));
    const e = expectSolverError(() => integ.advanceTo(2, 2, new Float64Array(1)));
    expect(e.time).toBe(1.5);
    expect(e.message).toMatch(/state 1 .*Infinity/);
    expect(expectSolverError(() => integ.init(0, Float64Array.from([NaN]))).message).toMatch(/initial state 1/);
  });

  it('a solution that blows up (y\' = y², y(0) = 1, singular at t = 1) → SolverError near t = 1, no NaN output', () => {
    const integ = createRawIntegrator('dop853', 1, (_t, y, f) => {
      f[0] = y[0]! * y[0]!;
    }, { rtol: 1e-8, atol: 1e-8 });
    integ.init(0, Float64Array.from([1]));
    const y = new Float64Array(1);
    integ.advanceTo(0.9, 2, y);
    expect(Math.abs(y[0]! - 10) / 10).toBeLessThan(1e-7);
    const e = expectSolverError(() => integ.advanceTo(2, 2, y));
    expect(e.time).toBeGreaterThan(0.99);
    expect(e.time).toBeLessThan(1.01);
  });
});

// ---------------------------------------------------------------- in the engine
describe('DOP853 in the engine (createIntegrator, LOCAL_ERROR_FACTOR)', () => {
  it('createIntegrator scales the tolerances by LOCAL_ERROR_FACTOR.dop853 (0.01)', () => {
    expect(LOCAL_ERROR_FACTOR.dop853).toBe(0.01);
    const a = createIntegrator('dop853', 2, rotation, { rtol: 1e-6, atol: 1e-6 });
    const b = createRawIntegrator('dop853', 2, rotation, { rtol: 1e-8, atol: 1e-8 });
    const ya = new Float64Array(2);
    const yb = new Float64Array(2);
    for (const [integ, y] of [
      [a, ya],
      [b, yb],
    ] as const) {
      integ.init(0, Float64Array.from([1, 0]));
      integ.advanceTo(10, 10, y);
    }
    expect(Array.from(ya)).toEqual(Array.from(yb));
    expect(a.method).toBe('dop853');
  });

  // P3 (closed-form PK driving the ODE response), 50 subjects, against mrgsolve at 1e-12. Max |RESP − ref| at
  // rtol = atol = 1e-8 with local error factor f (DOPRI5 with its factor 0.01: 1.5e-8; mrgsolve: 1.1e-7):
  //   f = 1: 2.2e-6   0.3: 3.1e-7   0.1: 1.2e-7   0.03: 2.9e-8   0.01: 4.3e-9
  // The largest errors are at the end of the 14 days, where the response is back at its baseline and the last
  // steps run past the final record (tStop = Infinity) with |h·λ| at the stability limit.
  it('P3 hybrid model at rtol = atol = 1e-8: the response is more accurate than mrgsolve and DOPRI5', () => {
    const n = 50;
    const data = p3Dataset(n);
    const ref = readReference('p3_mrgsolve_tight_first50.csv');
    const result = simulate(loadExample('pkpd.yaml'), data, { subjectInputs: readSubjects(fixture('subjects_N10000.csv'), n), solver: { method: 'dop853', rtol: 1e-8, atol: 1e-8 } });
    expect(maxAbsoluteError(observationColumn(result, data, 'RESP'), ref.resp as number[])).toBeLessThan(1.5e-8);
  });
});
