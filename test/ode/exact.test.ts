/**
 * Accuracy against closed-form solutions, and tolerance proportionality.
 *
 * Error measure: max over the 33 output times of max_i |y_i − exact_i| / max_i |exact_i| (t in [0, 8]).
 * Measured (rtol = atol = tol):
 *                       tol:   1e-4     1e-6     1e-8     1e-10    1e-12
 *   dopri5 decay              3.9e-4   6.3e-6   7.5e-8   8.3e-10  8.5e-12
 *   dopri5 rotation           4.2e-3   4.8e-5   5.0e-7   5.2e-9   5.2e-11
 *   dopri5 two-rates          3.4e-5   4.2e-7   6.0e-9   6.6e-11  7.1e-13
 *   dopri5 forced             1.7e-3   3.6e-5   5.0e-7   5.7e-9   8.9e-11
 *   bdf    decay              2.3e-3   6.1e-5   1.5e-6   3.7e-8   8.5e-10
 *   bdf    rotation           1.8e-2   4.2e-4   1.0e-5   2.2e-7   4.9e-9
 *   bdf    two-rates          3.7e-4   3.0e-6   7.1e-8   1.8e-9   4.2e-11
 *   bdf    forced             1.1e-2   4.4e-4   3.9e-6   9.0e-8   1.9e-9
 * scipy.integrate.BDF (which our BDF ports) on the same problems: decay 2.3e-3, 6.1e-5, 1.5e-6, 3.7e-8, 8.5e-10;
 * rotation 1.8e-2, 4.2e-4, 1.0e-5, 1.5e-7, 4.8e-9 — the same global error. BDF/NDF has no local extrapolation
 * and accumulates ~tol per step, so its global error is 10–1000× tol; DOPRI5 stays within ~10× tol.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linspace, maxRelError, METHODS, solve, type Method } from './helpers.js';
import type { OdeOptions, OdeRhs } from '../../src/core/ode/index.js';

interface Problem {
  name: string;
  n: number;
  rhs: OdeRhs;
  y0: number[];
  exact(t: number): number[];
}

const problems: Problem[] = [
  {
    name: 'decay',
    n: 1,
    rhs: (_t, y, f) => {
      f[0] = -0.5 * y[0]!;
    },
    y0: [1],
    exact: (t) => [Math.exp(-0.5 * t)],
  },
  {
    // eigenvalues −0.5 ± 2i: y = e^{−t/2}(cos 2t, −sin 2t)
    name: 'rotation',
    n: 2,
    rhs: (_t, y, f) => {
      f[0] = -0.5 * y[0]! + 2 * y[1]!;
      f[1] = -2 * y[0]! - 0.5 * y[1]!;
    },
    y0: [1, 0],
    exact: (t) => [Math.exp(-0.5 * t) * Math.cos(2 * t), -Math.exp(-0.5 * t) * Math.sin(2 * t)],
  },
  {
    // real eigenvalues −0.3, −0.9 (triangular): y2 = 2e^{−0.9t}, y1 = 3e^{−0.3t} − 2e^{−0.9t}
    name: 'two-rates',
    n: 2,
    rhs: (_t, y, f) => {
      f[0] = -0.3 * y[0]! + 0.6 * y[1]!;
      f[1] = -0.9 * y[1]!;
    },
    y0: [1, 2],
    exact: (t) => [3 * Math.exp(-0.3 * t) - 2 * Math.exp(-0.9 * t), 2 * Math.exp(-0.9 * t)],
  },
  {
    // y' = −2y + sin 3t, y(0) = 1: y = (16/13)e^{−2t} + (2 sin 3t − 3 cos 3t)/13
    name: 'forced',
    n: 1,
    rhs: (t, y, f) => {
      f[0] = -2 * y[0]! + Math.sin(3 * t);
    },
    y0: [1],
    exact: (t) => [(16 / 13) * Math.exp(-2 * t) + (2 * Math.sin(3 * t) - 3 * Math.cos(3 * t)) / 13],
  },
];

const TIMES = linspace(0, 8, 33);

function error(method: Method, p: Problem, tol: number, extra: Partial<OdeOptions> = {}): number {
  const { ys } = solve(method, p.n, p.rhs, { rtol: tol, atol: tol, ...extra }, 0, p.y0, TIMES);
  return maxRelError(ys, TIMES.map(p.exact));
}

/** Bounds on the relative global error: [tol, bound]. */
const BOUNDS: Record<Method, [number, number][]> = {
  dopri5: [
    [1e-10, 1e-8],
    [1e-6, 1e-4],
  ],
  bdf: [
    [1e-10, 5e-7],
    [1e-6, 1e-3],
  ],
};

describe.each(METHODS)('%s against exact solutions', (method) => {
  for (const p of problems) {
    for (const [tol, bound] of BOUNDS[method]) {
      it(`${p.name}: rtol = atol = ${tol} → relative global error < ${bound}`, () => {
        expect(error(method, p, tol)).toBeLessThan(bound);
      });
    }

    it(`${p.name}: tolerance proportionality (error falls steadily from tol 1e-3 to 1e-12)`, () => {
      const tols = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12];
      const errs = tols.map((tol) => error(method, p, tol));
      // monotone, allowing small wiggles between neighbours (step-size control is not smooth), strict over 2 decades
      for (let k = 1; k < errs.length; k++) expect(errs[k]!).toBeLessThan(errs[k - 1]! * 1.5);
      for (let k = 2; k < errs.length; k++) expect(errs[k]!).toBeLessThan(errs[k - 2]!);
      // log-log slope over 9 decades: ~1 for DOPRI5, ~0.8 for variable-order BDF
      const slope = Math.log10(errs[0]! / errs[errs.length - 1]!) / 9;
      expect(slope).toBeGreaterThan(method === 'dopri5' ? 0.85 : 0.65);
      expect(slope).toBeLessThan(1.2);
    });
  }
});

describe('property: first-order absorption PK (Bateman) with random rates, both methods', () => {
  // Ad' = −ka·Ad, Ac' = ka·Ad − ke·Ac, Ad(0) = dose: Ac = dose·ka/(ka − ke)·(e^{−ke t} − e^{−ka t}).
  // ka from 0.01 to 1000 /h (up to 1e6× faster than elimination: stiff), outputs at random times up to 72 h.
  it('global error below 1e-5·|Ac| + 10·atol at rtol = 1e-8, atol = 1e-8·dose', () => {
    fc.assert(
      fc.property(
        fc.double({ min: Math.log(0.01), max: Math.log(1000), noNaN: true }),
        fc.double({ min: Math.log(0.001), max: Math.log(2), noNaN: true }),
        fc.double({ min: 1, max: 1e4, noNaN: true }),
        fc.uniqueArray(fc.double({ min: 0.01, max: 72, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom(...METHODS),
        (lka, lke, dose, times, method) => {
          const ka = Math.exp(lka);
          const ke = Math.exp(lke);
          fc.pre(Math.abs(ka - ke) > 1e-3 * ka);
          const ts = [...times].sort((a, b) => a - b);
          const rhs: OdeRhs = (_t, y, f) => {
            f[0] = -ka * y[0]!;
            f[1] = ka * y[0]! - ke * y[1]!;
          };
          const { ys } = solve(method, 2, rhs, { rtol: 1e-8, atol: 1e-8 * dose }, 0, [dose, 0], ts, 72);
          ts.forEach((t, k) => {
            const ac = ((dose * ka) / (ka - ke)) * (Math.exp(-ke * t) - Math.exp(-ka * t));
            expect(Math.abs(ys[k]![1]! - ac)).toBeLessThan(1e-5 * Math.abs(ac) + 1e-7 * dose);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('larger systems: 30-compartment transit chain (dense 30×30 LU for BDF)', () => {
  // y_0' = −k y_0, y_j' = k (y_{j−1} − y_j): y_j(t) = D (kt)^j / j! · e^{−kt} (Erlang densities)
  const N = 30;
  const k = 4;
  const rhs: OdeRhs = (_t, y, f) => {
    f[0] = -k * y[0]!;
    for (let j = 1; j < N; j++) f[j] = k * (y[j - 1]! - y[j]!);
  };
  const exact = (t: number): number[] => {
    const out: number[] = [];
    let term = 100 * Math.exp(-k * t);
    for (let j = 0; j < N; j++) {
      out.push(term);
      term *= (k * t) / (j + 1);
    }
    return out;
  };
  const times = linspace(0, 12, 25);
  const y0 = exact(0);
  for (const method of METHODS) {
    it(`${method}: relative error < 1e-6 at rtol = 1e-8, atol = 1e-10`, () => {
      const { ys, integrator } = solve(method, N, rhs, { rtol: 1e-8, atol: 1e-10 }, 0, y0, times);
      // measured: dopri5 5.3e-9 (328 steps), bdf 1.7e-7 (608 steps, 106 LUs) — relative to the largest compartment
      expect(maxRelError(ys, times.map(exact))).toBeLessThan(1e-6);
      if (method === 'bdf') expect(integrator.stats.luDecomps).toBeGreaterThan(0);
    });
  }
});

describe('options', () => {
  it('hmax bounds every step', () => {
    for (const method of METHODS) {
      const p = problems[0]!;
      const { integrator } = solve(method, 1, p.rhs, { rtol: 1e-6, atol: 1e-6, hmax: 0.1 }, 0, p.y0, [8]);
      expect(integrator.stats.steps).toBeGreaterThanOrEqual(80);
    }
  });

  it('BDF with an analytic Jacobian: same accuracy, no finite-difference RHS calls', () => {
    const p = problems[1]!;
    const jac = (_t: number, _y: Float64Array, J: Float64Array): void => {
      J.set([-0.5, 2, -2, -0.5]);
    };
    const fd = solve('bdf', 2, p.rhs, { rtol: 1e-8, atol: 1e-8 }, 0, p.y0, TIMES);
    const an = solve('bdf', 2, p.rhs, { rtol: 1e-8, atol: 1e-8, jacobian: jac }, 0, p.y0, TIMES);
    const ex = TIMES.map(p.exact);
    expect(maxRelError(an.ys, ex)).toBeLessThan(2e-5);
    expect(Math.abs(maxRelError(an.ys, ex) - maxRelError(fd.ys, ex))).toBeLessThan(1e-6);
    expect(an.integrator.stats.jacEvals).toBeGreaterThanOrEqual(1);
    // every RHS call of the analytic run is a Newton iteration or the start: ≤ 4 per attempt + 2
    const s = an.integrator.stats;
    expect(s.rhsEvals).toBeLessThanOrEqual(4 * (s.steps + s.rejected) + 2);
  });

  it('a user-supplied initial step is used', () => {
    const p = problems[0]!;
    const a = solve('dopri5', 1, p.rhs, { rtol: 1e-6, atol: 1e-6, h0: 1e-9 }, 0, p.y0, [8]).integrator.stats.steps;
    const b = solve('dopri5', 1, p.rhs, { rtol: 1e-6, atol: 1e-6 }, 0, p.y0, [8]).integrator.stats.steps;
    expect(a).toBeGreaterThan(b + 5); // growing from 1e-9 by ≤ 10× per step takes extra steps
  });

  it('rejects invalid options', () => {
    const rhs: OdeRhs = (_t, y, f) => {
      f[0] = -y[0]!;
    };
    for (const method of METHODS) {
      expect(() => solve(method, 1, rhs, { rtol: -1, atol: 1e-8 }, 0, [1], [1])).toThrow(RangeError);
      expect(() => solve(method, 1, rhs, { rtol: 1e-8, atol: 0 }, 0, [1], [1])).toThrow(/atol/);
      expect(() => solve(method, 2, rhs, { rtol: 1e-8, atol: Float64Array.from([1e-8]) }, 0, [1, 1], [1])).toThrow(/atol has 1/);
      expect(() => solve(method, 1, rhs, { rtol: 1e-8, atol: 1e-8, maxSteps: 0 }, 0, [1], [1])).toThrow(/maxSteps/);
      expect(() => solve(method, 0, rhs, { rtol: 1e-8, atol: 1e-8 }, 0, [], [1])).toThrow(/positive integer/);
    }
  });
});
