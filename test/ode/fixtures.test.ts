/**
 * Stiff and PK/PD problems against reference solutions computed by scipy (test/fixtures/ode/generate.py:
 * Radau at rtol 1e-12…1e-13 cross-checked with LSODA/DOP853, or the matrix exponential for the linear PK model;
 * the agreement of the two is in each CSV header and is far below the tolerances tested here).
 *
 * Error measure: max over outputs and states of |y − ref| / (|ref| + atol_i/rtol), i.e. relative error, with
 * values below atol_i/rtol (where the solver is asked for absolute accuracy only) measured against that floor.
 * atol is chosen per problem well below the states' scales, so this is a relative error for all but vanishing
 * values. All runs at rtol = 1e-8. Measured (this machine, Node 20):
 *
 *   problem            atol                 bdf       dopri5    bdf steps / RHS calls / Jacobians / LUs
 *   Robertson 0–4e7    (1e-12,1e-18,1e-12)  1.1e-7    —         1173 / 3637 / 23 / 224  (y1, y2: relative ≤ 1.4e-7 throughout)
 *   Van der Pol 1000   (1e-12, 1e-14)       3.4e-6    —         4145 / 12077 / 148 / 844 (≤ 4.7e-7 except at t = 800, 1600,
 *                                                                 2400, the onsets of the relaxation jumps)
 *   HIRES              1e-13                8.9e-8    1.2e-8
 *   stiff 3-cmt PK     1e-10                5.3e-8    8.1e-9
 *   indirect response  1e-10                4.5e-7    1.7e-8
 *   3-cmt PK, mrgsolve defaults rtol = atol = 1e-8: bdf 5.3e-8, dopri5 7.7e-9.
 * scipy's BDF (which ours ports) gives 2.6e-6 on the Van der Pol problem at the same tolerances.
 */
import { describe, expect, it } from 'vitest';
import { SolverError } from '../../src/core/errors.js';
import type { OdeOptions } from '../../src/core/ode/index.js';
import { readFixture, solve, type Fixture, type Method } from './helpers.js';
import { hires, idr, pk3Stiff, robertson, runPiecewise, vdp1000 } from './problems.js';

const RTOL = 1e-8;

function weightedError(ys: readonly Float64Array[], fx: Fixture, atol: number | Float64Array, rtol = RTOL): number {
  let worst = 0;
  fx.y.forEach((ref, k) => {
    ref.forEach((r, i) => {
      const a = typeof atol === 'number' ? atol : atol[i]!;
      worst = Math.max(worst, Math.abs(ys[k]![i]! - r) / (Math.abs(r) + a / rtol));
    });
  });
  return worst;
}

interface Case {
  file: string;
  atol: number | Float64Array;
  run(method: Method, o: OdeOptions, fx: Fixture): Float64Array[];
  bound: Partial<Record<Method, number>>;
}

const cases: Record<string, Case> = {
  Robertson: {
    file: 'robertson.csv',
    atol: Float64Array.from([1e-12, 1e-18, 1e-12]),
    run: (m, o, fx) => solve(m, 3, robertson, o, 0, fx.y[0]!, fx.t).ys,
    bound: { bdf: 1e-6 }, // measured 1.1e-7
  },
  'Van der Pol mu=1000': {
    file: 'vdp1000.csv',
    atol: Float64Array.from([1e-12, 1e-14]),
    run: (m, o, fx) => solve(m, 2, vdp1000, o, 0, fx.y[0]!, fx.t).ys,
    bound: { bdf: 5e-6 }, // measured 3.4e-6 (at the onset of a jump; elsewhere ≤ 4.7e-7)
  },
  HIRES: {
    file: 'hires.csv',
    atol: 1e-13,
    run: (m, o, fx) => solve(m, 8, hires, o, 0, fx.y[0]!, fx.t).ys,
    bound: { bdf: 1e-6, dopri5: 1e-7 }, // measured 8.9e-8, 1.2e-8
  },
  'stiff 3-compartment PK (bolus + infusion, restarts)': {
    file: 'pk3_stiff.csv',
    atol: 1e-10,
    run: (m, o, fx) => runPiecewise(m, pk3Stiff, o, fx.t).ys,
    bound: { bdf: 1e-6, dopri5: 1e-7 }, // measured 5.3e-8, 8.1e-9
  },
  'indirect response PD (4 doses, restarts)': {
    file: 'idr.csv',
    atol: 1e-10,
    run: (m, o, fx) => runPiecewise(m, idr, o, fx.t).ys,
    bound: { bdf: 1e-6, dopri5: 1e-7 }, // measured 4.5e-7, 1.7e-8
  },
};

describe('fixtures (rtol = 1e-8)', () => {
  it('the fixtures are what generate.py writes, with a reference accurate to far better than 1e-8', () => {
    for (const c of Object.values(cases)) {
      const fx = readFixture(c.file);
      expect(fx.t.length).toBeGreaterThan(5);
      expect(fx.y.every((r) => r.length === fx.columns.length - 1 && r.every(Number.isFinite))).toBe(true);
      expect(Number(fx.meta['crosscheck_max_rel_diff'])).toBeLessThan(1e-8);
    }
  });

  for (const [name, c] of Object.entries(cases)) {
    for (const [method, bound] of Object.entries(c.bound) as [Method, number][]) {
      it(`${method}: ${name} within ${bound}`, () => {
        const fx = readFixture(c.file);
        const ys = c.run(method, { rtol: RTOL, atol: c.atol }, fx);
        expect(weightedError(ys, fx, c.atol)).toBeLessThan(bound);
      });
    }
  }

  it('dopri5 on Robertson (stiff) runs out of steps with a hint to use BDF instead of returning garbage', () => {
    const fx = readFixture('robertson.csv');
    try {
      solve('dopri5', 3, robertson, { rtol: RTOL, atol: 1e-12, maxSteps: 5000 }, 0, fx.y[0]!, fx.t);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SolverError);
      expect((e as SolverError).message).toMatch(/too many steps.*BDF/);
    }
  });

  it('3-compartment PK at mrgsolve defaults (rtol = atol = 1e-8): both methods within 1e-6', () => {
    const fx = readFixture('pk3_stiff.csv');
    for (const method of ['bdf', 'dopri5'] as const) {
      const ys = runPiecewise(method, pk3Stiff, { rtol: 1e-8, atol: 1e-8 }, fx.t).ys;
      // measured: bdf 5.3e-8, dopri5 7.7e-9 — relative for amounts above 1 (atol/rtol), absolute below
      expect(weightedError(ys, fx, 1e-8)).toBeLessThan(1e-6);
    }
  });
});
