/**
 * Cost counters (deterministic, asserted) and timings (printed only; machine dependent) for the record in
 * src/core/ode/index.ts. Set KETASIM_ODE_PERF=1 to print the timing table.
 */
import { describe, expect, it } from 'vitest';
import { createRawIntegrator, type OdeRhs, type OdeStats } from '../../src/core/ode/index.js';
import { linspace, METHODS, type Method } from './helpers.js';
import { pk3Stiff, runPiecewise } from './problems.js';

const PRINT = typeof process !== 'undefined' && process.env['KETASIM_ODE_PERF'] === '1';

/** 5-state PK/PD: depot, central, two peripherals, effect site (per hour). */
const K = { ka: 1.5, k10: 0.15, k12: 0.6, k21: 0.25, k13: 0.08, k31: 0.02, ke0: 0.4 };
const pk5: OdeRhs = (_t, y, f) => {
  const ad = y[0]!;
  const a1 = y[1]!;
  const a2 = y[2]!;
  const a3 = y[3]!;
  const ce = y[4]!;
  f[0] = -K.ka * ad;
  f[1] = K.ka * ad - (K.k10 + K.k12 + K.k13) * a1 + K.k21 * a2 + K.k31 * a3;
  f[2] = K.k12 * a1 - K.k21 * a2;
  f[3] = K.k13 * a1 - K.k31 * a3;
  f[4] = K.ke0 * (a1 / 20 - ce);
};

/** One subject: 7 daily doses into the depot, hourly outputs over 168 h, restart at each dose. */
function simulateSubject(integ: ReturnType<typeof createRawIntegrator>, y: Float64Array, out: Float64Array): number {
  y.fill(0);
  let checksum = 0;
  for (let d = 0; d < 7; d++) {
    const t0 = 24 * d;
    y[0]! += 100;
    integ.init(t0, y);
    for (let h = 1; h <= 24; h++) {
      integ.advanceTo(t0 + h, t0 + 24, out);
      checksum += out[4]!;
    }
    y.set(out);
  }
  return checksum;
}

function stats(method: Method, rtol: number, atol: number): OdeStats {
  return runPiecewise(method, pk3Stiff, { rtol, atol }, linspace(0, 720, 73)).integrator.stats;
}

describe('cost', () => {
  it('stiff 3-compartment PK at rtol = atol = 1e-8: BDF needs far fewer RHS calls than DOPRI5', () => {
    const b = stats('bdf', 1e-8, 1e-8);
    const d = stats('dopri5', 1e-8, 1e-8);
    if (PRINT) {
      console.log('pk3 stiff 1e-8', { bdf: b, dopri5: d });
      for (const method of METHODS) {
        const reps = method === 'bdf' ? 2000 : 100;
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) stats(method, 1e-8, 1e-8);
        const us = ((performance.now() - t0) * 1000) / reps;
        const st = method === 'bdf' ? b : d;
        console.log(`pk3 ${method}: ${us.toFixed(0)} µs per run, ${(us / st.steps).toFixed(2)} µs/step`);
      }
    }
    // recorded in index.ts; ranges leave room for harmless changes but catch regressions of 2×
    expect(b.rhsEvals).toBeLessThan(d.rhsEvals / 10);
    expect(b.rhsEvals).toBeLessThan(2 * 1000);
    expect(d.steps).toBeGreaterThan(1000); // stability-limited: h ≲ 3.3/75 over 720 min
  });

  it('timing: microseconds per step, 5-state PK/PD, 7 daily doses, hourly outputs', () => {
    const reps = PRINT ? 2000 : 50;
    for (const method of METHODS) {
      const integ = createRawIntegrator(method, 5, pk5, { rtol: 1e-8, atol: 1e-8 });
      const y = new Float64Array(5);
      const out = new Float64Array(5);
      simulateSubject(integ, y, out); // warm-up
      const s0 = { ...integ.stats };
      const t0 = performance.now();
      let sum = 0;
      for (let r = 0; r < reps; r++) sum += simulateSubject(integ, y, out);
      const ms = performance.now() - t0;
      const steps = integ.stats.steps - s0.steps;
      const rhs = integ.stats.rhsEvals - s0.rhsEvals;
      expect(Number.isFinite(sum)).toBe(true);
      if (PRINT) {
        console.log(
          `${method}: ${(steps / reps).toFixed(0)} steps and ${(rhs / reps).toFixed(0)} RHS calls per subject, ` +
            `${((ms * 1000) / steps).toFixed(2)} µs/step, ${((ms * 1000) / reps).toFixed(0)} µs/subject`,
        );
      }
    }
  });
});
