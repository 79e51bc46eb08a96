/**
 * 'auto' (DOPRI5 handing over to BDF when stiff): on a problem that is non-stiff while a fast state follows its
 * forcing and stiff once the forcing has decayed, it switches, stays accurate against the exact solution and needs
 * far fewer right-hand-side calls than DOPRI5; on a non-stiff problem it is DOPRI5, bit for bit; a restart
 * (init) goes back to DOPRI5.
 */
import { describe, expect, it } from 'vitest';
import { AutoIntegrator, createRawIntegrator, type OdeOptions, type OdeRhs } from '../../src/core/ode/index.js';
import { linspace, maxRelError, solve } from './helpers.js';

/** y0 follows e^{−t} at rate 50; y1 accumulates y0 and decays at 0.01: stiff once e^{−t} has died away. */
const FAST = 50;
const SLOW = 0.01;
const turnsStiff: OdeRhs = (t, y, f) => {
  f[0] = -FAST * (y[0]! - Math.exp(-t));
  f[1] = -SLOW * y[1]! + y[0]!;
};
function turnsStiffExact(t: number): number[] {
  const c = FAST / (FAST - 1);
  const chain = (a: number): number => (Math.exp(-a * t) - Math.exp(-SLOW * t)) / (SLOW - a);
  return [c * (Math.exp(-t) - Math.exp(-FAST * t)), c * (chain(1) - chain(FAST))];
}

const rotation: OdeRhs = (_t, y, f) => {
  f[0] = -0.1 * y[0]! + 2 * y[1]!;
  f[1] = -2 * y[0]! - 0.1 * y[1]!;
};

const options: OdeOptions = { rtol: 1e-7, atol: 1e-10 };

describe('auto: DOPRI5, then BDF while stiff', () => {
  it('switches on a problem that turns stiff, stays accurate and saves right-hand-side calls', () => {
    const times = linspace(1, 400, 400);
    const auto = solve('auto' as never, 2, turnsStiff, options, 0, [0, 0], times);
    const dopri = solve('dopri5', 2, turnsStiff, options, 0, [0, 0], times);
    const exact = times.map(turnsStiffExact);
    expect((auto.integrator as AutoIntegrator).switches).toBe(1);
    expect(maxRelError(auto.ys, exact)).toBeLessThan(1e-5);
    expect(maxRelError(dopri.ys, exact)).toBeLessThan(1e-5);
    expect(auto.integrator.stats.rhsEvals).toBeLessThan(dopri.integrator.stats.rhsEvals / 3);
    expect(auto.integrator.stats.luDecomps).toBeGreaterThan(0);
  });

  it('is DOPRI5, bit for bit, on a non-stiff problem', () => {
    const times = linspace(0, 20, 81);
    const auto = solve('auto' as never, 2, rotation, options, 0, [1, 0], times);
    const dopri = solve('dopri5', 2, rotation, options, 0, [1, 0], times);
    expect((auto.integrator as AutoIntegrator).switches).toBe(0);
    auto.ys.forEach((y, k) => expect(Array.from(y)).toEqual(Array.from(dopri.ys[k]!)));
  });

  it('serves output times inside the last DOPRI5 step after the hand-over, and restarts with DOPRI5', () => {
    const integ = createRawIntegrator('auto', 2, turnsStiff, options) as AutoIntegrator;
    integ.init(0, Float64Array.from([0, 0]));
    const y = new Float64Array(2);
    // one output far away: DOPRI5 steps until stiffness is detected, then BDF takes over
    integ.advanceTo(300, 400, y);
    expect(integ.switches).toBe(1);
    expect(maxRelError([y], [turnsStiffExact(300)])).toBeLessThan(1e-5);
    for (const t of [320, 360, 400]) {
      integ.advanceTo(t, 400, y);
      expect(maxRelError([y], [turnsStiffExact(t)])).toBeLessThan(1e-5);
    }
    // a restart (a dose): DOPRI5 again, and a second hand-over once the new transient has passed
    integ.init(400, Float64Array.from([y[0]! + 1, y[1]!]));
    integ.advanceTo(401, 800, y);
    integ.advanceTo(800, 800, y);
    expect(integ.switches).toBe(2);
    expect(integ.t).toBe(800);
  });
});
