/** Test problems shared by the fixture tests and the performance report. Parameters match generate.py. */
import type { OdeRhs } from '../../src/core/ode/index.js';
import { createRawIntegrator, type OdeIntegrator, type OdeMethod, type OdeOptions } from '../../src/core/ode/index.js';

export const robertson: OdeRhs = (_t, y, f) => {
  const y1 = y[0]!;
  const y2 = y[1]!;
  const y3 = y[2]!;
  f[0] = -0.04 * y1 + 1e4 * y2 * y3;
  f[1] = 0.04 * y1 - 1e4 * y2 * y3 - 3e7 * y2 * y2;
  f[2] = 3e7 * y2 * y2;
};

export const vdp1000: OdeRhs = (_t, y, f) => {
  f[0] = y[1]!;
  f[1] = 1000 * (1 - y[0]! * y[0]!) * y[1]! - y[0]!;
};

export const hires: OdeRhs = (_t, y, f) => {
  const [y1, y2, y3, y4, y5, y6, y7, y8] = [y[0]!, y[1]!, y[2]!, y[3]!, y[4]!, y[5]!, y[6]!, y[7]!];
  f[0] = -1.71 * y1 + 0.43 * y2 + 8.32 * y3 + 0.0007;
  f[1] = 1.71 * y1 - 8.75 * y2;
  f[2] = -10.03 * y3 + 0.43 * y4 + 0.035 * y5;
  f[3] = 8.32 * y2 + 1.71 * y3 - 1.12 * y4;
  f[4] = -1.745 * y5 + 0.43 * y6 + 0.43 * y7;
  f[5] = -280 * y6 * y8 + 0.69 * y4 + 1.71 * y5 - 0.43 * y6 + 0.69 * y7;
  f[6] = 280 * y6 * y8 - 1.81 * y7;
  f[7] = -280 * y6 * y8 + 1.81 * y7;
};

/** A dosing schedule: at events[k] the state gets jumps[k] added and the RHS switches to piece k. */
export interface PiecewiseProblem {
  n: number;
  y0: number[];
  events: number[];
  jumps: number[][];
  /** RHS factory: `piece.k` is the index of the current piece. */
  makeRhs(piece: { k: number }): OdeRhs;
}

export const PK3 = { k10: 0.05, k12: 50, k21: 25, k13: 0.02, k31: 0.01, dose: 100, rate: 2, tInf: [60, 180] } as const;

export const pk3Stiff: PiecewiseProblem = {
  n: 3,
  y0: [0, 0, 0],
  events: [0, PK3.tInf[0], PK3.tInf[1]],
  jumps: [
    [PK3.dose, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ],
  makeRhs(piece) {
    const rates = [0, PK3.rate, 0];
    const { k10, k12, k21, k13, k31 } = PK3;
    return (_t, y, f) => {
      const a1 = y[0]!;
      const a2 = y[1]!;
      const a3 = y[2]!;
      f[0] = -(k10 + k12 + k13) * a1 + k21 * a2 + k31 * a3 + rates[piece.k]!;
      f[1] = k12 * a1 - k21 * a2;
      f[2] = k13 * a1 - k31 * a3;
    };
  },
};

export const IDR = { ka: 1.2, ke: 0.2, V: 10, kin: 10, kout: 0.5, imax: 0.9, ic50: 2, dose: 100, tau: 12, ndose: 4 } as const;

export const idr: PiecewiseProblem = {
  n: 3,
  y0: [0, 0, IDR.kin / IDR.kout],
  events: Array.from({ length: IDR.ndose }, (_, k) => k * IDR.tau),
  jumps: Array.from({ length: IDR.ndose }, () => [IDR.dose, 0, 0]),
  makeRhs() {
    const { ka, ke, V, kin, kout, imax, ic50 } = IDR;
    return (_t, y, f) => {
      const c = y[1]! / V;
      f[0] = -ka * y[0]!;
      f[1] = ka * y[0]! - ke * y[1]!;
      f[2] = kin * (1 - (imax * c) / (ic50 + c)) - kout * y[2]!;
    };
  },
};

/**
 * Runs a piecewise problem the way the simulator does: `init` at each event (after adding the jump), outputs
 * with tStop = next event. At an event time the output is the state after the jump.
 */
export function runPiecewise(
  method: OdeMethod,
  p: PiecewiseProblem,
  options: OdeOptions,
  times: readonly number[],
): { ys: Float64Array[]; integrator: OdeIntegrator } {
  const piece = { k: 0 };
  const integ = createRawIntegrator(method, p.n, p.makeRhs(piece), options);
  const tEnd = times[times.length - 1]!;
  const bounds = [...p.events, tEnd];
  const y = Float64Array.from(p.y0);
  const ys: Float64Array[] = times.map(() => new Float64Array(p.n));
  for (let k = 0; k < p.events.length; k++) {
    piece.k = k;
    for (let i = 0; i < p.n; i++) y[i] = y[i]! + p.jumps[k]![i]!;
    const t0 = bounds[k]!;
    const t1 = bounds[k + 1]!;
    const last = k === p.events.length - 1;
    integ.init(t0, y);
    times.forEach((t, j) => {
      if (t >= t0 && (t < t1 || (last && t === t1))) integ.advanceTo(t, t1, ys[j]!);
    });
    integ.advanceTo(t1, t1, y);
  }
  return { ys, integrator: integ };
}
