/**
 * ODE solvers of the engine. The simulator integrates piecewise between events (doses, infusion start/stop,
 * covariate changes): it calls `init` at each discontinuity and `advanceTo(tOut, tStop)` for each output time,
 * with tStop = the next event. Three methods:
 *
 *  - 'dopri5': Dormand–Prince 5(4), adaptive, FSAL, Hairer's PI controller, dense output by the 4th-order continuous
 *    extension (outputs do not shorten steps). For non-stiff models.
 *  - 'dop853': Dormand–Prince 8(5,3) as in Hairer's DOP853 and scipy's DOP853 (same error estimator, step-size
 *    control and step counts), 12 RHS calls per step, dense output of order 7 (3 more RHS calls for a step that
 *    contains outputs). For non-stiff models at tight tolerances: 3.9–11× fewer steps than DOPRI5 at rtol = atol
 *    = 1e-6…1e-12 on a damped rotation (test/ode/dop853.test.ts), but 2–2.5× more RHS calls per step, so the
 *    gain in RHS calls is smaller (P3 at 1e-8: 62 vs 168 steps, 894 vs 1021 RHS calls per subject).
 *    Not for stiff models, even mildly: once its steps are stability-limited (e.g. an ODE-written PK model long
 *    after the dose: steps limited by the fast distribution rate while the solution decays slowly), the fast
 *    modes carry step-size-controller noise and the interpolant amplifies it (|P_θ(hλ)| reaches 25 at the real
 *    stability boundary hλ ≈ −6.4, more beyond it). Measured, P1/P4 all-ODE PK at rtol = atol = 1e-8: 6e-5 / 2e-3
 *    relative error, against 5e-8 for DOPRI5 and 1e-6 for mrgsolve; scipy's DOP853 behaves the same.
 *  - 'bdf': variable-order (1–5) BDF/NDF in the quasi-constant step-size form of Shampine & Reichelt
 *    (ode15s / scipy BDF), simplified Newton with a dense LU, finite-difference or analytic Jacobian, output by the
 *    interpolating polynomial. For stiff models (fast distribution vs slow elimination, turnover models, …).
 *  - 'auto': DOPRI5 after every restart, handing over to BDF when DOPRI5's stiffness test fires (its steps limited by
 *    stability, not accuracy) until the next restart (auto.ts). For models that are non-stiff around doses and stiff
 *    long after them (fast turnover states followed for days or months).
 *
 * All never evaluate the RHS beyond tStop, report failures as SolverError (with the model time) and never return
 * non-finite values silently. No allocation happens per step: all work arrays are allocated in the constructor.
 *
 * Measured cost (test/ode/perf.test.ts; KETASIM_ODE_PERF=1 prints the timings; Node 20, 2-core machine shared
 * with other jobs, so times vary ±50%). Stiff 3-compartment PK in minutes (k12 = 50, k21 = 25 vs k13 = 0.02,
 * k31 = 0.01, k10 = 0.05 /min; bolus at 0, 2 mg/min infusion 60–180 min, restarts at 0, 60, 180; 73 outputs on
 * 0–720 min), rtol = atol = 1e-8:
 *    method   steps   rejected  RHS evals  Jacobians  LUs   time/run   time/step   max error vs expm reference
 *    bdf        555       0         696        3       110   ~0.25 ms   0.4–0.6 µs   5.3e-8 (relative, amounts > 1)
 *    dopri5   16431       5       98622        0         0   ~4 ms      0.25–0.4 µs  7.7e-9
 *  (peer: LSODA via scipy's odeint on the same problem and tolerances: 536 steps, 1069 RHS evals, 32 Jacobians.)
 * 5-state PK/PD (depot, central, 2 peripherals, effect site; 7 daily doses with restarts, hourly outputs),
 * rtol = atol = 1e-8, per subject: dopri5 804 steps / 4838 RHS calls, 0.35–0.55 µs per step (~0.3–0.45 ms);
 * bdf 1734 steps / 2148 RHS calls, 0.5–0.65 µs per step (~0.9–1.1 ms) — on non-stiff models DOPRI5 is the
 * faster choice, on stiff ones BDF by far.
 * No work array is allocated per step; V8 may still box the double `t` passed to a non-inlined RHS (16 bytes,
 * young generation; measured GC time: ~1.4% of the run for dopri5, ~0.6% for bdf on the 5-state model).
 */
import { BdfIntegrator } from './bdf.js';
import { Dop853Integrator } from './dop853.js';
import { Dopri5Integrator } from './dopri5.js';
import { AutoIntegrator } from './auto.js';
import type { OdeIntegrator, OdeOptions, OdeRhs } from './types.js';

export type { OdeIntegrator, OdeJacobian, OdeOptions, OdeRhs, OdeStats } from './types.js';
export { BdfIntegrator } from './bdf.js';
export { Dop853Integrator } from './dop853.js';
export { Dopri5Integrator } from './dopri5.js';
export { AutoIntegrator } from './auto.js';
export { luFactor, luSolve } from './linalg.js';

export type OdeMethod = 'dopri5' | 'dop853' | 'bdf' | 'auto';

/** Default tolerances (mrgsolve's). */
export const DEFAULT_RTOL = 1e-8;
export const DEFAULT_ATOL = 1e-8;

/**
 * Local-error safety factors. Users give rtol/atol as the accuracy they want in the reported values, as they do in
 * mrgsolve and deSolve; a method's local error test bounds the error of one step, and the reported values carry
 * the errors of many steps (and, for DOPRI5, of its 4th-order interpolation between steps). With these factors the
 * global error on the peer-baseline problems is below the peers' at the same rtol/atol (measured:
 * test/baselines/exactness.test.ts; e.g. P1 at 1e-8: BDF 2.6e-7, DOPRI5 5.1e-8 vs mrgsolve 1.0e-6).
 * DOP853: 0.01 as well, chosen on P3 (hybrid PK + ODE response, 50 subjects vs mrgsolve at 1e-12; max |RESP − ref|
 * at rtol = atol = 1e-8 for factors 1 / 0.1 / 0.03 / 0.01: 2.2e-6 / 1.2e-7 / 2.9e-8 / 4.3e-9, against 1.5e-8 for
 * DOPRI5 and 1.1e-7 for mrgsolve; test/ode/dop853.test.ts). The largest errors there come from the last steps,
 * which run past the final record (tStop = Infinity) near the steady state with |h·λ| at the stability limit.
 */
export const LOCAL_ERROR_FACTOR: Readonly<Record<Exclude<OdeMethod, 'auto'>, number>> = { dopri5: 0.01, dop853: 0.01, bdf: 0.1 };

function scaled(options: OdeOptions, f: number): OdeOptions {
  const atol = typeof options.atol === 'number' ? options.atol * f : Float64Array.from(options.atol, (a) => a * f);
  return { ...options, rtol: options.rtol * f, atol };
}

/**
 * An integrator for `method`. `options.rtol/atol` are the requested accuracy of the solution; the method's local
 * error is controlled at LOCAL_ERROR_FACTOR times them (createRawIntegrator skips that scaling).
 */
export function createIntegrator(method: OdeMethod, n: number, rhs: OdeRhs, options: OdeOptions): OdeIntegrator {
  if (method === 'auto') return new AutoIntegrator(n, rhs, scaled(options, LOCAL_ERROR_FACTOR.dopri5), scaled(options, LOCAL_ERROR_FACTOR.bdf));
  const f = LOCAL_ERROR_FACTOR[method];
  if (f === undefined) throw new RangeError(`unknown ODE method '${String(method)}' (expected 'dopri5', 'dop853', 'bdf' or 'auto')`);
  return createRawIntegrator(method, n, rhs, scaled(options, f));
}

/** An integrator whose local error test uses rtol/atol exactly as given (as scipy's BDF and Hairer's DOPRI5 do). */
export function createRawIntegrator(method: OdeMethod, n: number, rhs: OdeRhs, options: OdeOptions): OdeIntegrator {
  switch (method) {
    case 'dopri5':
      return new Dopri5Integrator(n, rhs, options);
    case 'dop853':
      return new Dop853Integrator(n, rhs, options);
    case 'bdf':
      return new BdfIntegrator(n, rhs, options);
    case 'auto':
      return new AutoIntegrator(n, rhs, options, options);
    default:
      throw new RangeError(`unknown ODE method '${String(method)}' (expected 'dopri5', 'dop853', 'bdf' or 'auto')`);
  }
}
