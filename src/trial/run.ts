/**
 * Simulating patients of a planned trial: subjects `from … to − 1` (global indices) in batches — one simulate()
 * call per batch with the patients' random effects and covariates as subject inputs, output buffers reused —
 * each reduced at once to its compact outcome and added to the arm's accumulator. Pure (no I/O); the worker
 * threads and the single-thread path both call `runSubjects`.
 *
 * Randomness per patient (seed, subject, stream): random effects (stream 0, the model's full Ω by Cholesky), covariates
 * and inclusion (1), residual error (2: one normal per visit, drawn for every visit so that dropout does not shift
 * them), dropout (3), occasion deviations (5: per occasion, per random effect with between-occasion variability),
 * reading errors (6: one normal per session, reading time and reading output, in that order, all drawn).
 *
 * Safety thresholds: on the peak (model prediction, fine grid after each dose; a rise is over the value at time 0),
 * or, for outputs read at endpoints.readings, on the readings (prediction + measurement error at the reading
 * times of every session up to dropout; a rise is over the session's first reading).
 *
 * Between-occasion variability: the engine reads a data-set column named like a random effect at every record
 * (next observation carried backward). Each patient with BOV therefore gets a column η + κ_occasion for each such
 * random effect, with the value changing at dose records (a dose opens its occasion; a pre-dose assessment at the
 * same time still belongs to the previous occasion). The dose itself (bioavailability, lag) uses the new occasion.
 */

import type { Dataset, SubjectRecords } from '../core/data/dataset.js';
import { SubjectRandom } from '../core/random/philox.js';
import { sampleEtas } from '../core/random/population.js';
import { observation } from '../core/random/residual.js';
import { simulate } from '../core/simulate/simulate.js';
import { ArmAccumulator, type ArmShape, type SubjectOutcome } from './accumulate.js';
import { TrialError } from './design.js';
import type { ArmPlan, ReadingsPlan, SafetyPart, TrialPlan } from './plan.js';
import { lastVisit, sampleCovariates, TRIAL_STREAMS } from './population.js';

/** Patients per simulate() call. */
export const BATCH = 512;

export function armShape(plan: TrialPlan, arm: ArmPlan): ArmShape {
  return {
    visits: plan.visits.length,
    peakOutputs: plan.peakOutputs.length,
    thresholds: plan.safety.length,
    responsePct: plan.score.responsePct,
    remission: plan.score.remission,
    missing: plan.missing,
    relapseVisit: arm.relapseVisit,
  };
}

/** The arm of a global subject index. */
export function armOf(plan: TrialPlan, subject: number): ArmPlan {
  for (const a of plan.arms) if (subject < a.firstSubject + a.n) return a;
  throw new RangeError(`subject ${subject} is beyond the trial's ${plan.totalSubjects} subjects`);
}

/** Reusable per-thread state for one plan. */
export class TrialSimulator {
  private buffers: Float64Array[] = [];
  readonly accumulators: ArmAccumulator[];
  /** The outputs a trial reads (the score, then the peak outputs): only these are computed. */
  private readonly outputs: readonly string[];
  private readonly scoreColumn: number;
  private readonly peakColumns: Int32Array;

  constructor(
    readonly plan: TrialPlan,
    readonly batchSize = BATCH,
  ) {
    this.accumulators = plan.arms.map((a) => new ArmAccumulator(armShape(plan, a)));
    this.outputs = [...new Set([plan.score.output, ...plan.peakOutputs.map((p) => p.output)])];
    this.scoreColumn = this.outputs.indexOf(plan.score.output);
    this.peakColumns = Int32Array.from(plan.peakOutputs, (p) => this.outputs.indexOf(p.output));
  }

  /**
   * Simulate subjects [from, to) (global indices; may span arms) and add them to the accumulators. `onSubject`
   * sees each outcome (for per-subject output); its arrays are reused after the call returns.
   */
  run(from: number, to: number, onSubject?: (o: SubjectOutcome) => void): void {
    let s = from;
    while (s < to) {
      const arm = armOf(this.plan, s);
      const end = Math.min(to, arm.firstSubject + arm.n, s + this.batchSize);
      this.batch(arm, s, end, onSubject);
      s = end;
    }
  }

  private batch(arm: ArmPlan, from: number, to: number, onSubject?: (o: SubjectOutcome) => void): void {
    const plan = this.plan;
    const model = plan.model;
    const count = to - from;
    const nInputs = plan.inputNames.length;
    const nEta = model.etaNames.length;
    const values = new Float64Array(count * nInputs);
    const etas = nEta > 0 ? sampleEtas(model.randomEffects, plan.seed, count, from).values : new Float64Array(0);
    const pop = plan.population;
    const popValues = new Float64Array(pop.length);
    const weights = new Float64Array(count);
    const covIndex = plan.covariateNames.map((name) => pop.findIndex((c) => c.name === name));
    const wtIndex = pop.findIndex((c) => c.name === 'WT');
    const subjects: SubjectRecords[] = [];
    const bov = plan.occasionVariability;
    const columnNames = bov.map((b) => b.name);
    for (let i = 0; i < count; i++) {
      const subject = from + i;
      const row = i * nInputs;
      for (let k = 0; k < nEta; k++) values[row + k] = etas[i * nEta + k] as number;
      sampleCovariates(pop, plan.design.inclusion, plan.seed, subject, popValues);
      plan.covariateNames.forEach((name, k) => {
        const fixed = arm.fixed[name];
        const p = covIndex[k] as number;
        values[row + nEta + k] = fixed !== undefined ? fixed : (popValues[p] as number);
      });
      const wt = wtIndex >= 0 ? (popValues[wtIndex] as number) : Number.NaN;
      weights[i] = wt;
      subjects.push(this.subjectRecords(arm, subject, wt, etas, i, bov));
    }
    const dataset: Dataset = { source: `trial arm ${arm.name}`, subjects, columnNames, textColumns: [], ignoredRows: 0 };
    const rows = count * arm.template.n;
    const nOut = this.outputs.length;
    if (this.buffers.length !== nOut || (this.buffers[0]?.length ?? 0) < rows) {
      this.buffers = Array.from({ length: nOut }, () => new Float64Array(this.batchSize * arm.template.n * 2));
      if ((this.buffers[0]?.length ?? 0) < rows) this.buffers = Array.from({ length: nOut }, () => new Float64Array(rows));
    }
    const solver = plan.design.solver;
    const result = simulate(model, dataset, {
      subjectInputs: { names: plan.inputNames, values },
      outputs: this.outputs,
      outputBuffers: this.buffers,
      ...(solver !== undefined ? { solver } : {}),
    });
    this.reduce(arm, from, count, result.subjectOffsets, values, nEta, onSubject);
  }

  private subjectRecords(arm: ArmPlan, subject: number, wt: number, etas: Float64Array, i: number, bov: TrialPlan['occasionVariability']): SubjectRecords {
    const t = arm.template;
    let amt = t.amt;
    let rate = t.rate;
    if (arm.weightBased) {
      if (!(wt > 0)) throw new TrialError(`subject ${subject + 1}: a weight-based dose needs a positive body weight, got ${wt}`, `arms.${arm.name}`);
      amt = new Float64Array(t.n);
      rate = new Float64Array(t.n);
      for (let r = 0; r < t.n; r++) {
        amt[r] = (arm.amtConst[r] as number) + (arm.amtPerKg[r] as number) * wt;
        rate[r] = (arm.ratePerKg[r] as number) === 0 ? (t.rate[r] as number) : (arm.rateConst[r] as number) + (arm.ratePerKg[r] as number) * wt;
      }
    }
    let columns = t.columns;
    if (bov.length > 0) {
      const model = this.plan.model;
      const rng = new SubjectRandom(this.plan.seed, subject, TRIAL_STREAMS.occasions);
      const kappa = new Float64Array(arm.occasions * bov.length);
      for (let o = 0; o < arm.occasions; o++) for (let b = 0; b < bov.length; b++) kappa[o * bov.length + b] = (bov[b]?.sd as number) * rng.normal();
      const m = new Map<string, Float64Array>();
      bov.forEach((b, k) => {
        const eta = etas[i * model.etaNames.length + model.etaNames.indexOf(b.name)] as number;
        const col = new Float64Array(t.n);
        for (let r = 0; r < t.n; r++) col[r] = eta + (kappa[(arm.occasionOfRecord[r] as number) * bov.length + k] as number);
        m.set(b.name, col);
      });
      columns = m;
    }
    return { ...t, id: String(subject + 1), amt, rate, columns };
  }

  private reduce(arm: ArmPlan, from: number, count: number, offsets: Int32Array, inputs: Float64Array, nEta: number, onSubject?: (o: SubjectOutcome) => void): void {
    const plan = this.plan;
    const acc = this.accumulators[arm.index] as ArmAccumulator;
    const nv = plan.visits.length;
    const visitTimes = plan.visits.map((v) => v.timeH);
    const scoreCol = this.buffers[this.scoreColumn] as Float64Array;
    const residual = plan.score.residual;
    const nPeak = plan.peakOutputs.length;
    const nCov = plan.covariateNames.length;
    const nInputs = plan.inputNames.length;
    const scores = new Float64Array(nv);
    const peaks = new Float64Array(nPeak);
    const baselines = new Float64Array(nPeak);
    const hits = new Uint8Array(plan.safety.length);
    const readingsPlan = plan.readings;
    const nRead = readingsPlan?.outputs.length ?? 0;
    const readings = Array.from({ length: nRead }, () => new Float64Array(arm.readingRows.length));
    const readingColumns = readingsPlan?.outputs.map((r) => this.buffers[this.outputs.indexOf(r.output)] as Float64Array) ?? [];
    const covariates = new Float64Array(nCov);
    for (let i = 0; i < count; i++) {
      const subject = from + i;
      const offset = offsets[i] as number;
      const last = lastVisit(plan.design.dropout, visitTimes, plan.seed, subject);
      const rng = residual !== undefined ? new SubjectRandom(plan.seed, subject, TRIAL_STREAMS.residualError) : undefined;
      for (let v = 0; v < nv; v++) {
        const f = scoreCol[offset + (arm.visitRows[v] as number)] as number;
        const y = rng !== undefined && residual !== undefined ? observation(residual, f, rng.normal()) : f;
        scores[v] = v <= last ? y : Number.NaN;
      }
      // Peaks up to dropout: observation records before the first visit missed.
      const endH = last < nv - 1 ? (visitTimes[last + 1] as number) : Infinity;
      for (let k = 0; k < nPeak; k++) {
        const col = this.buffers[this.peakColumns[k] as number] as Float64Array;
        let best = -Infinity;
        const obs = arm.obsRows;
        for (let j = 0; j < obs.length; j++) {
          if ((arm.obsTimesH[j] as number) >= endH) break;
          const y = col[offset + (obs[j] as number)] as number;
          if (y > best) best = y;
        }
        peaks[k] = best;
        baselines[k] = col[offset + (arm.visitRows[0] as number)] as number;
      }
      if (readingsPlan !== undefined) readClinic(readingsPlan, arm, readingColumns, offset, new SubjectRandom(plan.seed, subject, TRIAL_STREAMS.readings), endH, readings);
      const J = readingsPlan?.offsetsH.length ?? 1;
      plan.safety.forEach((e, j) => {
        hits[j] = e.parts.some((t) => (t.readingIndex >= 0 ? readingHit(t, readings[t.readingIndex] as Float64Array, J) : valueHit(t, peaks[t.peakIndex] as number, baselines[t.peakIndex] as number))) ? 1 : 0;
      });
      for (let k = 0; k < nCov; k++) covariates[k] = inputs[i * nInputs + nEta + k] as number;
      const outcome: SubjectOutcome = { arm: arm.index, subject, covariates, scores, lastVisit: last, peaks, baselines, hits };
      acc.add(outcome);
      onSubject?.(outcome);
    }
  }
}

/**
 * A patient's clinic readings, out[k][s · J + j] for reading output k, session s and reading j: the model's value
 * plus measurement error, NaN for readings at or after `endH` (dropout) or after the end of the trial.
 */
function readClinic(readings: ReadingsPlan, arm: ArmPlan, columns: readonly Float64Array[], offset: number, rng: SubjectRandom, endH: number, out: Float64Array[]): void {
  const rows = arm.readingRows;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as number;
    const taken = row >= 0 && (arm.readingTimesH[r] as number) < endH;
    readings.outputs.forEach(({ residual }, k) => {
      const z = rng.normal(); // drawn for every reading, taken or not: the stream does not depend on dropout
      const f = taken ? ((columns[k] as Float64Array)[offset + row] as number) : Number.NaN;
      (out[k] as Float64Array)[r] = taken && residual !== undefined ? observation(residual, f, z) : f;
    });
  }
}

function meets(t: SafetyPart, x: number): boolean {
  return t.kind === 'above' || t.kind === 'rise_above' ? x > t.value : x >= t.value;
}

/** A threshold on the peak; a rise is over the value at time 0. */
function valueHit(t: SafetyPart, peak: number, baseline: number): boolean {
  return meets(t, t.kind === 'rise_above' || t.kind === 'rise_at_least' ? peak - baseline : peak);
}

/** A threshold on any reading of any session; a rise is over the session's first reading (J readings per session). */
function readingHit(t: SafetyPart, readings: Float64Array, J: number): boolean {
  const rise = t.kind === 'rise_above' || t.kind === 'rise_at_least';
  for (let s = 0; s + J <= readings.length; s += J) {
    const base = readings[s] as number;
    for (let j = rise ? 1 : 0; j < J; j++) {
      const y = readings[s + j] as number;
      if (Number.isNaN(y) || (rise && Number.isNaN(base))) continue;
      if (meets(t, rise ? y - base : y)) return true;
    }
  }
  return false;
}
