/**
 * The advanceTo/init contract the simulator relies on: outputs never perturb the integration, the RHS is never
 * evaluated beyond tStop, restarts at discontinuities, continuation, and failures reported as SolverError.
 */
import { describe, expect, it } from 'vitest';
import { createRawIntegrator, type OdeOptions, type OdeRhs } from '../../src/core/ode/index.js';
import { linspace, maxRelError, METHODS, solve, expectSolverError } from './helpers.js';

const rotation: OdeRhs = (_t, y, f) => {
  f[0] = -0.1 * y[0]! + 2 * y[1]!;
  f[1] = -2 * y[0]! - 0.1 * y[1]!;
};
const rotationExact = (t: number): number[] => [Math.exp(-0.1 * t) * Math.cos(2 * t), -Math.exp(-0.1 * t) * Math.sin(2 * t)];

/** A stiff linear 3-state system (eigenvalues ≈ −1000, −1, −0.1) that makes BDF use its Jacobian and LU. */
const stiff: OdeRhs = (t, y, f) => {
  f[0] = -1000 * y[0]! + 999 * y[1]! + Math.sin(t);
  f[1] = -y[1]! + 0.5 * y[2]!;
  f[2] = -0.1 * y[2]!;
};

const stiff3to2: OdeRhs = (_t, y, f) => {
  f[0] = -y[0]!;
  f[1] = -1e4 * (y[1]! - y[0]!);
};

describe.each(METHODS)('%s: advanceTo semantics', (method) => {
  const opts: OdeOptions = { rtol: 1e-8, atol: 1e-10 };

  it('outputs do not perturb the integration: y(T) is bit-identical with 0 or 400 intermediate outputs', () => {
    const fine = linspace(0, 10, 401);
    const a = solve(method, 2, rotation, opts, 0, [1, 0], fine, 10);
    const b = solve(method, 2, rotation, opts, 0, [1, 0], [10], 10);
    expect(Array.from(a.ys[a.ys.length - 1]!)).toEqual(Array.from(b.ys[0]!));
    expect(a.integrator.stats.steps).toBe(b.integrator.stats.steps);
    expect(a.integrator.stats.rhsEvals).toBe(b.integrator.stats.rhsEvals);
    // and any single intermediate output equals the one computed in a run that asked only for it
    for (const k of [37, 200, 333]) {
      const c = solve(method, 2, rotation, opts, 0, [1, 0], [fine[k]!], 10);
      expect(Array.from(a.ys[k]!)).toEqual(Array.from(c.ys[0]!));
    }
  });

  it('many outputs in one interval agree with one-by-one integration (a fresh run ending at each output)', () => {
    const times = linspace(0, 10, 41).slice(1);
    const together = solve(method, 2, rotation, opts, 0, [1, 0], times, 10).ys;
    const oneByOne = times.map((t) => solve(method, 2, rotation, opts, 0, [1, 0], [t], t).ys[0]!);
    const exact = times.map(rotationExact);
    const eTogether = maxRelError(together, exact);
    const eSingle = maxRelError(oneByOne, exact);
    const diff = maxRelError(together, oneByOne);
    // both are accurate, and they differ by no more than their errors
    expect(eTogether).toBeLessThan(method === 'dopri5' ? 1e-7 : 2e-5);
    expect(eSingle).toBeLessThan(method === 'dopri5' ? 1e-7 : 2e-5);
    expect(diff).toBeLessThan(2 * Math.max(eTogether, eSingle));
  });

  it('never evaluates the RHS beyond tStop (RHS throws there), and stops exactly at tStop', () => {
    for (const [n, rhs, y0] of [
      [2, rotation, [1, 0]],
      [3, stiff, [1, 1, 1]],
    ] as const) {
      let tStop = 0;
      let maxT = -Infinity;
      const guarded: OdeRhs = (t, y, f) => {
        if (t > tStop) throw new Error(`RHS evaluated at t = ${t} > tStop = ${tStop}`);
        maxT = Math.max(maxT, t);
        rhs(t, y, f);
      };
      const integ = createRawIntegrator(method, n, guarded, opts);
      const y = new Float64Array(n);
      // intervals of awkward lengths, outputs inside and at the end, restart at each boundary
      const bounds = [0, 0.1, 0.1 + 1e-9, 0.35, 1 / 3 + 1, 7.77, 7.7700001, 20];
      integ.init(0, Float64Array.from(y0));
      for (let k = 1; k < bounds.length; k++) {
        tStop = bounds[k]!;
        const t0 = bounds[k - 1]!;
        for (const frac of [0.01, 0.5, 0.999]) integ.advanceTo(t0 + frac * (tStop - t0), tStop, y);
        integ.advanceTo(tStop, tStop, y);
        expect(integ.t).toBe(tStop);
        expect(maxT).toBeLessThanOrEqual(tStop);
        integ.init(tStop, y); // discontinuity
      }
    }
  });

  it('continues past tStop without init when called with a later tStop (no discontinuity there)', () => {
    const integ = createRawIntegrator(method, 2, rotation, opts);
    integ.init(0, Float64Array.from([1, 0]));
    const y = new Float64Array(2);
    const ys: Float64Array[] = [];
    for (const [tOut, tStop] of [
      [1, 2],
      [2, 2],
      [3, 5],
      [5, 5],
      [7.5, 10],
    ] as const) {
      integ.advanceTo(tOut, tStop, y);
      ys.push(Float64Array.from(y));
    }
    expect(maxRelError(ys, [1, 2, 3, 5, 7.5].map(rotationExact))).toBeLessThan(method === 'dopri5' ? 1e-7 : 2e-5);
  });

  it('restarts with init at doses: 1-compartment bolus doses match the superposition solution', () => {
    const k = 0.3;
    const rhs: OdeRhs = (_t, y, f) => {
      f[0] = -k * y[0]!;
    };
    const doses = [0, 6, 12, 30];
    const exact = (t: number): number => doses.filter((d) => d <= t).reduce((s, d) => s + 100 * Math.exp(-k * (t - d)), 0);
    const integ = createRawIntegrator(method, 1, rhs, { rtol: 1e-8, atol: 1e-8 });
    const y = new Float64Array(1);
    const bounds = [...doses, 48];
    const errs: number[] = [];
    for (let i = 0; i < doses.length; i++) {
      y[0]! += 100;
      integ.init(bounds[i]!, y);
      for (const t of linspace(bounds[i]!, bounds[i + 1]!, 7).slice(1, -1)) {
        integ.advanceTo(t, bounds[i + 1]!, y);
        errs.push(Math.abs(y[0]! - exact(t)) / exact(t));
      }
      integ.advanceTo(bounds[i + 1]!, bounds[i + 1]!, y); // the state just before the next dose
    }
    expect(Math.max(...errs)).toBeLessThan(method === 'dopri5' ? 1e-7 : 1e-5);
  });

  it('init forgets everything: a reused integrator gives bit-identical results to a fresh one', () => {
    const run = (integ: ReturnType<typeof createRawIntegrator>): number[] => {
      const y = new Float64Array(3);
      integ.init(0, Float64Array.from([1, 2, 3]));
      const out: number[] = [];
      for (const t of [0.5, 1, 4]) {
        integ.advanceTo(t, 4, y);
        out.push(...y);
      }
      return out;
    };
    const reused = createRawIntegrator(method, 3, stiff, opts);
    reused.init(0, Float64Array.from([5, -1, 0.3]));
    reused.advanceTo(17, 20, new Float64Array(3)); // something else first
    expect(run(reused)).toEqual(run(createRawIntegrator(method, 3, stiff, opts)));
  });

  it('advanceTo(t0) right after init returns y0 without calling the RHS; zero-length intervals are fine', () => {
    let calls = 0;
    const integ = createRawIntegrator(method, 1, (_t, y, f) => {
      calls++;
      f[0] = -y[0]!;
    }, opts);
    const y = new Float64Array(1);
    integ.init(3, Float64Array.from([2]));
    integ.advanceTo(3, 3, y);
    expect(y[0]).toBe(2);
    expect(calls).toBe(0);
    // an interval shorter than the time resolution at t = 1e6 leaves the state unchanged
    integ.init(1e6, Float64Array.from([2]));
    integ.advanceTo(1e6 + 1e-10, 1e6 + 1e-10, y);
    expect(y[0]).toBe(2);
  });

  it('tStop = Infinity (no further event) is allowed', () => {
    const { ys } = solve(method, 2, rotation, opts, 0, [1, 0], [1, 2.5, 7], Infinity);
    expect(maxRelError(ys, [1, 2.5, 7].map(rotationExact))).toBeLessThan(method === 'dopri5' ? 1e-7 : 2e-5);
  });

  it('interpolates inside the last step, refuses times before it and tOut > tStop', () => {
    const integ = createRawIntegrator(method, 2, rotation, opts);
    integ.init(0, Float64Array.from([1, 0]));
    const y = new Float64Array(2);
    integ.advanceTo(5, 10, y);
    const tReached = integ.t;
    expect(tReached).toBeGreaterThanOrEqual(5);
    if (tReached > 5) {
      integ.advanceTo(5, 10, y); // again: inside the last step
      expect(maxRelError([y], [rotationExact(5)])).toBeLessThan(method === 'dopri5' ? 1e-7 : 2e-5);
    }
    const e = expectSolverError(() => integ.advanceTo(0.5, 10, y));
    expect(e.message).toMatch(/cannot integrate backwards/);
    expect(expectSolverError(() => integ.advanceTo(12, 10, y)).message).toMatch(/after the stop time/);
  });
});

describe.each(METHODS)('%s: failures', (method) => {
  it('an RHS that returns NaN beyond t = 2 → SolverError naming the state and a time near 2', () => {
    const rhs: OdeRhs = (t, y, f) => {
      f[0] = -y[0]!;
      f[1] = t > 2 ? NaN : -2 * y[1]!;
    };
    const integ = createRawIntegrator(method, 2, rhs, { rtol: 1e-8, atol: 1e-8 });
    integ.init(0, Float64Array.from([1, 1]));
    const e = expectSolverError(() => integ.advanceTo(5, 5, new Float64Array(2)));
    expect(e.message).toMatch(/non-finite/);
    expect(e.message).toMatch(/state 2/);
    expect(e.message).toMatch(/^time /); // SolverError puts the time first; the simulator adds the subject
    expect(e.time).toBeGreaterThan(1.9);
    expect(e.time).toBeLessThan(2.1);
  });

  it('an RHS that is NaN at the start → SolverError at t0', () => {
    const integ = createRawIntegrator(method, 1, (_t, _y, f) => {
      f[0] = Infinity;
    }, { rtol: 1e-8, atol: 1e-8 });
    integ.init(1.5, Float64Array.from([1]));
    const e = expectSolverError(() => integ.advanceTo(2, 2, new Float64Array(1)));
    expect(e.time).toBe(1.5);
    expect(e.message).toMatch(/state 1 .*Infinity/);
  });

  it('a non-finite initial state → SolverError', () => {
    const integ = createRawIntegrator(method, 2, rotation, { rtol: 1e-8, atol: 1e-8 });
    expect(expectSolverError(() => integ.init(0, Float64Array.from([1, NaN]))).message).toMatch(/initial state 2/);
  });

  it('maxSteps exceeded → SolverError "too many steps"', () => {
    const integ = createRawIntegrator(method, 2, rotation, { rtol: 1e-10, atol: 1e-10, maxSteps: 20 });
    integ.init(0, Float64Array.from([1, 0]));
    const e = expectSolverError(() => integ.advanceTo(100, 100, new Float64Array(2)));
    expect(e.message).toMatch(/too many steps/);
    expect(e.time).toBeGreaterThan(0);
    expect(e.time).toBeLessThan(100);
  });

  it('a solution that blows up (y\' = y², y(0) = 1, singular at t = 1) → SolverError near t = 1, no NaN output', () => {
    const integ = createRawIntegrator(method, 1, (_t, y, f) => {
      f[0] = y[0]! * y[0]!;
    }, { rtol: 1e-8, atol: 1e-8 });
    integ.init(0, Float64Array.from([1]));
    const y = new Float64Array(1);
    integ.advanceTo(0.9, 2, y);
    // an unstable problem: the global error grows like 1/(1 − t)²; measured 6e-9 (dopri5), 3.2e-6 (bdf)
    expect(Math.abs(y[0]! - 10) / 10).toBeLessThan(method === 'dopri5' ? 1e-7 : 1e-5);
    const e = expectSolverError(() => integ.advanceTo(2, 2, y));
    expect(e.time).toBeGreaterThan(0.99);
    expect(e.time).toBeLessThan(1.01);
  });
});

describe('bdf: Newton failure', () => {
  it('a Jacobian that is not finite → SolverError after repeated step reductions, naming the Jacobian entry', () => {
    const integ = createRawIntegrator('bdf', 2, stiff3to2, {
      rtol: 1e-8,
      atol: 1e-8,
      jacobian: (_t, _y, J) => {
        J.fill(0);
        J[3] = NaN;
      },
    });
    integ.init(0, Float64Array.from([1, 1]));
    const e = expectSolverError(() => integ.advanceTo(1, 1, new Float64Array(2)));
    expect(e.message).toMatch(/Newton iterations failed to converge after 20 step size reductions/);
    expect(e.message).toMatch(/Jacobian entry \(2, 2\) was not finite/);
    expect(e.time).toBe(0);
  });
});

describe('dopri5 dense output', () => {
  /** Runs through `times` and also collects the step solution at every step point passed (outputs do not perturb). */
  function denseAndSteps(tol: number, times: number[]): { eDense: number; eSteps: number; steps: number } {
    const integ = createRawIntegrator('dopri5', 2, rotation, { rtol: tol, atol: tol });
    integ.init(0, Float64Array.from([1, 0]));
    const y = new Float64Array(2);
    const tEnd = times[times.length - 1]!;
    let eDense = 0;
    let eSteps = 0;
    let lastStep = 0;
    for (const t of times) {
      integ.advanceTo(t, tEnd, y);
      eDense = Math.max(eDense, maxRelError([y], [rotationExact(t)]));
      if (integ.t !== lastStep) {
        lastStep = integ.t;
        integ.advanceTo(lastStep, tEnd, y); // the step value itself (no interpolation)
        eSteps = Math.max(eSteps, maxRelError([y], [rotationExact(lastStep)]));
      }
    }
    return { eDense, eSteps, steps: integ.stats.steps };
  }

  // Measured, rotation problem on [0, 20] with 2001 outputs (2–36 per step), max relative error vs exact:
  //   tol     interpolated outputs   step points   steps
  //   1e-4    4.93e-3                4.93e-3       56
  //   1e-6    3.83e-5                3.83e-5       136
  //   1e-8    3.15e-7                3.15e-7       338
  //   1e-10   3.42e-9                3.43e-9       845
  // The continuous extension is of order 4 (error O(h^5) per step, like the local error the controller admits),
  // so interpolation adds nothing visible to the global error.
  it('interpolated outputs are as accurate as the step solution itself', () => {
    const times = linspace(0, 20, 2001);
    for (const tol of [1e-4, 1e-6, 1e-8, 1e-10]) {
      const r = denseAndSteps(tol, times);
      expect(r.eDense).toBeLessThan(1.1 * r.eSteps);
    }
  });

  // 41 outputs on [0, 20]; max relative error, dense vs stopping at every output, and steps:
  //   1e-4: 4.9e-3 vs 1.2e-3 (56 vs 95 steps); 1e-6: 3.8e-5 vs 2.0e-5 (136 vs 162);
  //   1e-8: 3.1e-7 vs 2.4e-7 (338 vs 374);     1e-10: 3.4e-9 vs 3.1e-9 (845 vs 882).
  // Stopping at outputs only adds (shorter) steps, hence the smaller errors at loose tolerances.
  it('and about as accurate as stopping exactly at each output (denseOutput: false), with fewer steps', () => {
    const times = linspace(0, 20, 41);
    const exact = times.map(rotationExact);
    for (const tol of [1e-4, 1e-6, 1e-8, 1e-10]) {
      const dense = solve('dopri5', 2, rotation, { rtol: tol, atol: tol }, 0, [1, 0], times, 20);
      const stops = solve('dopri5', 2, rotation, { rtol: tol, atol: tol, denseOutput: false }, 0, [1, 0], times, 20);
      const eDense = maxRelError(dense.ys, exact);
      const eStop = maxRelError(stops.ys, exact);
      expect(eDense).toBeLessThan((tol >= 1e-6 ? 5 : 1.5) * eStop);
      expect(dense.integrator.stats.steps).toBeLessThanOrEqual(stops.integrator.stats.steps);
    }
  });
});
