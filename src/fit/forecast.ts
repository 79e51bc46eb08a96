/**
 * Predictions for a fitted patient on a time grid: the individual prediction (MAP etas), the typical patient's
 * (etas 0) and percentiles over posterior draws of the etas (parameter uncertainty; add `residual` for
 * prediction intervals of future observations). Under the record's doses, plus optional planned doses: the
 * forecast of a plan. One simulation call for all draws (the patient's records shared by every draw). Pure.
 */

import type { Dataset } from '../core/data/dataset.js';
import type { CompiledModelWithRandom } from '../core/model/index.js';
import { observation } from '../core/random/residual.js';
import { SubjectRandom } from '../core/random/philox.js';
import { simulate } from '../core/simulate/simulate.js';
import { buildDesign, type PlannedDose } from './design.js';
import type { PatientFit } from './fit.js';
import { fitSolver } from './fit.js';

export interface BandOptions {
  readonly gridH: readonly number[];
  readonly outputs: readonly string[];
  readonly plannedDoses?: readonly PlannedDose[];
  /** Posterior draws used (at most the fit's). Default 200. */
  readonly draws?: number;
  /** Add residual error (prediction intervals of observations) instead of parameter uncertainty only. */
  readonly residual?: boolean;
  readonly seed?: number;
  /** Percentiles of the band. Default [0.05, 0.5, 0.95]. */
  readonly percentiles?: readonly [number, number, number];
}

export interface OutputBands {
  readonly name: string;
  readonly unit: string;
  readonly ipred: readonly number[];
  readonly pred: readonly number[];
  readonly lower: readonly number[];
  readonly median: readonly number[];
  readonly upper: readonly number[];
  /** values[d][k]: draw d at grid time k (for event summaries such as time to relapse). */
  readonly draws: readonly Float64Array[];
}

export interface Bands {
  readonly timesH: readonly number[];
  readonly outputs: readonly OutputBands[];
}

export function predictionBands(model: CompiledModelWithRandom, fit: PatientFit, options: BandOptions): Bands {
  const design = buildDesign(model, fit.design.record, { gridH: options.gridH, ...(options.plannedDoses !== undefined ? { plannedDoses: options.plannedDoses } : {}) });
  const n = fit.objective.n;
  const nDraws = Math.min(options.draws ?? 200, fit.draws.length / n);
  const subject = design.dataset.subjects[0];
  if (subject === undefined) throw new RangeError('empty design');
  // Subject 0: MAP; 1: typical; 2…: draws (the same records object shared by every simulated subject).
  const count = nDraws + 2;
  const dataset: Dataset = { ...design.dataset, subjects: Array.from({ length: count }, () => subject) };
  const values = new Float64Array(count * n);
  values.set(fit.mapEta, 0);
  for (let d = 0; d < nDraws; d++) for (let i = 0; i < n; i++) values[(d + 2) * n + i] = fit.draws[d * n + i] as number;
  const solver = fitSolver(model, undefined);
  const sim = simulate(model, dataset, { subjectInputs: { names: fit.objective.names, values }, ...(solver !== undefined ? { solver } : {}) });
  const rowsPer = subject.n;
  const ps = options.percentiles ?? [0.05, 0.5, 0.95];
  const rng = new SubjectRandom(options.seed ?? 1, 0, 9);
  const outputs = options.outputs.map((name) => {
    const k = model.outputNames.indexOf(name);
    if (k < 0) throw new RangeError(`model ${model.name} has no output ${name}`);
    const col = sim.values[k] as Float64Array;
    const residual = options.residual === true ? model.residual.get(name) : undefined;
    const at = (s: number, g: number): number => col[s * rowsPer + (design.gridRows[g] as number)] as number;
    const m = options.gridH.length;
    const drawValues: Float64Array[] = [];
    for (let d = 0; d < nDraws; d++) {
      const row = new Float64Array(m);
      for (let g = 0; g < m; g++) row[g] = residual !== undefined ? observation(residual, at(d + 2, g), rng.normal()) : at(d + 2, g);
      drawValues.push(row);
    }
    const lower: number[] = [];
    const median: number[] = [];
    const upper: number[] = [];
    const tmp = new Float64Array(nDraws);
    for (let g = 0; g < m; g++) {
      for (let d = 0; d < nDraws; d++) tmp[d] = (drawValues[d] as Float64Array)[g] as number;
      tmp.sort();
      const q = (p: number): number => {
        const x = p * (nDraws - 1);
        const lo = Math.floor(x);
        const hi = Math.min(nDraws - 1, lo + 1);
        return (tmp[lo] as number) + (x - lo) * ((tmp[hi] as number) - (tmp[lo] as number));
      };
      lower.push(q(ps[0]));
      median.push(q(ps[1]));
      upper.push(q(ps[2]));
    }
    return {
      name,
      unit: model.outputUnits[k] ?? '',
      ipred: options.gridH.map((_, g) => at(0, g)),
      pred: options.gridH.map((_, g) => at(1, g)),
      lower,
      median,
      upper,
      draws: drawValues,
    };
  });
  return { timesH: [...options.gridH], outputs };
}

/** A grid from 0 to endH: every `stepH`, plus fine steps in the hours after each dose (peaks of short effects). */
export function patientGridH(doses: readonly PlannedDose[], endH: number, stepH = 2, fineH = 5 / 60, windowH = 4): number[] {
  const set = new Set<number>();
  const add = (t: number): void => {
    if (t >= 0 && t <= endH) set.add(Math.round(t * 1e6) / 1e6);
  };
  for (let k = 0; k * stepH <= endH; k++) add(k * stepH);
  for (const d of doses) for (let t = d.timeH; t <= d.timeH + d.durationH + windowH; t += fineH) add(t);
  add(endH);
  return [...set].sort((a, b) => a - b);
}
