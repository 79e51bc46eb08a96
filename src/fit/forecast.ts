/**
 * Predictions for a fitted patient on a time grid: the individual prediction (MAP etas), the typical patient's
 * (etas 0) and percentiles over posterior draws of the etas (parameter uncertainty; add `residual` for
 * prediction intervals of future observations). Under the record's doses, plus optional planned doses: the
 * forecast of a plan. One simulation call for all draws (the patient's records shared by every draw). Pure.
 */

import type { Dataset, SubjectRecords } from '../core/data/dataset.js';
import type { CompiledModelWithRandom, SolverSpec } from '../core/model/index.js';
import { modelDependencies } from '../core/model/dependencies.js';
import { OutputEvaluator } from '../core/simulate/outputs-from-states.js';
import { observation } from '../core/random/residual.js';
import { SubjectRandom } from '../core/random/philox.js';
import { simulate } from '../core/simulate/simulate.js';
import { buildDesign, type PlannedDose } from './design.js';
import type { PatientFit } from './fit.js';
import type { RecordCovariateChange } from './record.js';
import { drawsSharingDynamics, fitSolver } from './fit.js';

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
  /** Solver settings; default the fitting tolerance (fitSolver). */
  readonly solver?: Partial<SolverSpec>;
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
  const solver = options.solver ?? fitSolver(model, undefined);
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

// Forecasts of a plan: relapse, booster due date, peaks, prediction intervals ---------------------------------------

/** Response: MADRS at least 50 % below the baseline (clinical-practice.md §2.1; src/clinical/population.ts). */
export const RESPONSE_FRACTION = 0.5;

/** A plan to forecast: further doses after the record's (may be none). */
export interface ForecastScenario {
  readonly label: string;
  readonly doses: readonly PlannedDose[];
  /** Planned covariate changes (after the end of the record), e.g. a benzodiazepine taper. */
  readonly covariateChanges?: readonly RecordCovariateChange[];
}

/** Where the MADRS baseline of the response definition comes from. */
export interface Baseline {
  readonly value: number;
  /** 'covariate' (the record's BASE_MADRS), 'rating' (a MADRS rating at or before the first dose), 'model default'. */
  readonly from: 'covariate' | 'rating' | 'model default';
  readonly text: string;
}

export interface PlanForecastOptions {
  /** Forecast origin (hours since the record's time zero); default the record's last dose or observation. */
  readonly originH?: number;
  /** Forecast horizon after the origin, hours. */
  readonly horizonH: number;
  readonly scenarios: readonly ForecastScenario[];
  /** Posterior draws. Default 500 (independent draws: at most the fit's). */
  readonly draws?: number;
  readonly seed?: number;
  /** Outputs with prediction intervals; default MADRS, CADSS, SBP, DBP, HR (those the model has). */
  readonly outputs?: readonly string[];
  /**
   * Outputs among `outputs` that are transient effects of a dose (peaks): computed only on each scenario's fine grid
   * around its planned doses, where their peaks are. Default CADSS, SBP, DBP, HR. The others (MADRS) are on the
   * common grid.
   */
  readonly peakOutputs?: readonly string[];
  /** Booster due: the latest time at which the probability of having stayed in response is still ≥ this. Default 0.9. */
  readonly keepLevel?: number;
  /** Grid spacing from the origin to the end of the horizon, hours (the time resolution of relapse). Default 6. */
  readonly stepH?: number;
  /** Grid spacing before the origin (the record's period; plus every time the record has a rating), hours. Default 24. */
  readonly pastStepH?: number;
  /**
   * How the posterior draws are made (docs/forecasting.md, "Posterior draws"): 'auto' (default) shares solutions of
   * the dynamics between draws (`groups` values of the random effects that reach the dynamics, stratified, each with
   * draws/groups conditional draws of the others) when the model has one or two such effects, at least one that
   * reaches outputs only, and Laplace draws; else 'independent' (the fit's draws, one solution each). A number: that
   * many groups (sharing forced when possible).
   */
  readonly groups?: 'auto' | 'independent' | number;
  /** Solver; default the model's simulation settings (forecasts need no finite differences). */
  readonly solver?: Partial<SolverSpec>;
  readonly baseline: Baseline;
  /** Percentile of the predicted peaks reported as `upper` (limits). Default 0.95. */
  readonly peakQuantile?: number;
}

export interface Band5 {
  readonly name: string;
  readonly unit: string;
  /** 'common': on the forecast's timesH; 'peak': on the scenario's fine grid around its planned doses (peakTimesH). */
  readonly grid: 'common' | 'peak';
  /** Grid of this band (hours since time zero). */
  readonly timesH: readonly number[];
  /** Percentiles of a future observation (posterior draws + residual error) at each grid time. */
  readonly p05: readonly number[];
  readonly p25: readonly number[];
  readonly median: readonly number[];
  readonly p75: readonly number[];
  readonly p95: readonly number[];
  /** Individual prediction at the MAP. */
  readonly ipred: readonly number[];
}

export interface Spread {
  readonly p05: number;
  readonly median: number;
  readonly p95: number;
}

export interface PeakForecast {
  readonly output: string;
  readonly unit: string;
  /** Each draw's largest value after the start of the first planned dose (no residual error). */
  readonly peak: Spread;
  /** The peakQuantile-th percentile of the peak (the value limits are judged on). */
  readonly upper: { readonly p: number; readonly value: number };
  /** Fraction of draws whose peak is above `threshold` (when given). */
  readonly above?: { readonly threshold: number; readonly fraction: number };
}

export interface RelapseForecast {
  /** Probability of responding at the origin. */
  readonly respondingNow: number;
  /** Probability of responding at the end of the horizon. */
  readonly respondingAtEnd: number;
  /** Probability of relapsing (losing response) within the horizon, among draws responding at the origin. */
  readonly relapseWithin: number;
  /** Percentiles of the time to relapse from the origin over all draws (0 = not responding at the origin; Infinity = still responding at the end of the horizon). */
  readonly timeToRelapseH: Spread & { readonly p10: number; readonly p25: number; readonly p75: number };
  /** Mean time in response over the horizon (hours) and as a fraction of the horizon. */
  readonly expectedHoursInResponse: number;
  readonly fractionInResponse: number;
  /** The 5th and 95th percentile of each draw's fraction of the horizon in response. */
  readonly fractionInResponseSpread: Spread;
  /** Probability of responding at each grid time (for plots). */
  readonly probability: readonly number[];
  /** The latent MADRS at the origin over the draws (no rating error): how well the record fixes today's state. */
  readonly madrsAtOrigin: Spread;
}

export interface BoosterDue {
  /** The keep level used. */
  readonly level: number;
  /** Hours since time zero; null when not due within the horizon. */
  readonly timeH: number | null;
  readonly fromOriginH: number | null;
  readonly text: string;
}

export interface ScenarioForecast {
  readonly label: string;
  readonly doses: readonly PlannedDose[];
  readonly covariateChanges: readonly RecordCovariateChange[];
  readonly bands: readonly Band5[];
  readonly relapse?: RelapseForecast;
  readonly booster?: BoosterDue;
  readonly peaks: readonly PeakForecast[];
  /** Fine grid of this scenario's peak outputs (every 5 min from the start to 3 h after the end of each planned dose). */
  readonly peakTimesH: readonly number[];
  /** Per draw: time to relapse from the origin (hours; 0 = not responding at the origin, Infinity = not within the horizon). */
  readonly relapseTimesH?: Float64Array;
  readonly fractionInResponseByDraw?: Float64Array;
}

/** How the posterior draws of a forecast were made (docs/forecasting.md, "Posterior draws"). */
export interface ForecastSampling {
  /** 'shared': `groups` values of the dynamic random effects, `perGroup` draws each; 'independent': one solution per draw. */
  readonly method: 'shared' | 'independent';
  readonly groups: number;
  readonly perGroup: number;
  /** Random effects that reach the dynamics (those shared within a group). */
  readonly dynamicEtas: readonly string[];
  /** Solutions of the dynamics per scenario (groups + 1 for the MAP). */
  readonly solutionsPerScenario: number;
  readonly why: string;
}

export interface PlanForecast {
  readonly originH: number;
  readonly horizonH: number;
  readonly endH: number;
  readonly draws: number;
  readonly baseline: Baseline;
  readonly responseLevel: number;
  /** The common grid (MADRS bands, probability of response): every pastStepH before the origin and the record's rating times, every stepH after. */
  readonly timesH: readonly number[];
  readonly scenarios: readonly ScenarioForecast[];
  readonly sampling: ForecastSampling;
}

const DEFAULT_OUTPUTS = ['MADRS', 'CADSS', 'SBP', 'DBP', 'HR'];
const DEFAULT_PEAK_OUTPUTS = ['CADSS', 'SBP', 'DBP', 'HR'];
/** Fine grid around planned doses: every 5 min from the start to 3 h after the end of each. */
const PEAK_STEP_H = 5 / 60;
const PEAK_WINDOW_H = 3;
/** Default draws per group of the shared sampling, and the fewest groups. */
const DRAWS_PER_GROUP = 40;
const MIN_GROUPS = 10;

/** The MADRS baseline of the record: BASE_MADRS if given, else its last MADRS rating at or before the first dose. */
export function recordBaseline(model: CompiledModelWithRandom, fit: PatientFit): Baseline {
  const record = fit.design.record;
  const given = record.covariates.BASE_MADRS;
  const firstDose = record.doses[0]?.timeH ?? Infinity;
  const pre = record.observations.filter((o) => o.type.output === 'MADRS' && !o.missing && !o.blq && o.timeH <= firstDose).pop();
  if (given !== undefined) {
    const note = pre !== undefined && pre.value !== given ? ` (the record's pre-treatment rating ${pre.where} is ${pre.value}; the model's value at time 0 is BASE_MADRS, so BASE_MADRS is used)` : '';
    return { value: given, from: 'covariate', text: `BASE_MADRS ${given} points (record covariates)${note}` };
  }
  if (pre !== undefined) return { value: pre.value, from: 'rating', text: `MADRS ${pre.value} points, ${pre.where} (the last rating at or before the first dose)` };
  const cov = model.spec.covariates?.BASE_MADRS as { default?: number } | undefined;
  const value = cov?.default ?? Number.NaN;
  return { value, from: 'model default', text: `BASE_MADRS ${value} points: the model's default (the record gives neither BASE_MADRS nor a rating before the first dose)` };
}

/** Quantile p of sorted values (type 7); Infinity-safe. */
function q7(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  const x = p * (n - 1);
  const lo = Math.floor(x);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  if (x === lo || a === b) return a;
  if (!Number.isFinite(b)) return b;
  return a + (x - lo) * (b - a);
}

function spread(values: Float64Array): Spread {
  const s = Float64Array.from(values).sort();
  return { p05: q7(s, 0.05), median: q7(s, 0.5), p95: q7(s, 0.95) };
}

const roundH = (t: number): number => Math.round(t * 1e6) / 1e6;

/**
 * The common grid of a forecast: every `pastStepH` from 0 to the origin and the given times before it (the
 * record's rating times), then the origin and every `stepH` after it to the end (origin-aligned, so that whole days
 * from now are on the grid), and the end.
 */
export function forecastGridH(originH: number, endH: number, stepH = 6, pastStepH = 24, pastTimesH: readonly number[] = []): number[] {
  const set = new Set<number>();
  for (let k = 0; k * pastStepH < originH; k++) set.add(roundH(k * pastStepH));
  for (const t of pastTimesH) if (t >= 0 && t < originH) set.add(roundH(t));
  for (let k = 0; originH + k * stepH < endH; k++) set.add(roundH(originH + k * stepH));
  set.add(roundH(endH));
  return [...set].sort((a, b) => a - b);
}

/** The fine grid of planned doses: every 5 min from the start of each to 3 h after its end (within the horizon). */
export function peakGridH(planned: readonly PlannedDose[], endH: number, stepH = PEAK_STEP_H, windowH = PEAK_WINDOW_H): number[] {
  const set = new Set<number>();
  for (const d of planned) {
    const to = Math.min(endH, d.timeH + d.durationH + windowH);
    for (let k = 0; d.timeH + k * stepH <= to + 1e-9; k++) set.add(roundH(d.timeH + k * stepH));
  }
  return [...set].sort((a, b) => a - b);
}

/** Sub-records of one subject (the rows given, in order): for evaluating outputs on part of a simulated grid. */
function subjectRows(s: SubjectRecords, rows: readonly number[]): SubjectRecords {
  const pick = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(rows.length);
    rows.forEach((r, i) => (out[i] = a[r] as number));
    return out;
  };
  return {
    id: s.id,
    n: rows.length,
    time: pick(s.time),
    evid: pick(s.evid),
    amt: pick(s.amt),
    rate: pick(s.rate),
    dur: pick(s.dur),
    cmt: pick(s.cmt),
    ii: pick(s.ii),
    addl: pick(s.addl),
    ss: pick(s.ss),
    mdv: pick(s.mdv),
    columns: new Map([...s.columns].map(([k, v]) => [k, pick(v)])),
    sourceRow: pick(s.sourceRow),
  };
}

/**
 * How the draws of a forecast are made: the shared design (dynamic effects stratified in groups, conditional draws
 * of the output-only effects within each) when it is cheaper and its Monte Carlo error is no worse than independent
 * draws', else the fit's independent draws.
 */
export function forecastSampling(model: CompiledModelWithRandom, fit: PatientFit, draws: number, groups: PlanForecastOptions['groups'] = 'auto'): ForecastSampling {
  const names = fit.objective.names;
  const dynamicInputs = modelDependencies(model).dynamicInputs;
  const dynamicEtas = names.filter((x) => dynamicInputs.has(x));
  const nd = dynamicEtas.length;
  const independent = (why: string): ForecastSampling => ({ method: 'independent', groups: draws, perGroup: 1, dynamicEtas, solutionsPerScenario: draws + 1, why });
  if (groups === 'independent') return independent('independent draws requested');
  if (fit.result.uncertainty.method !== 'laplace') return independent('SIR draws are resampled, not normal: each is simulated');
  if (nd === names.length) return independent('every random effect reaches the dynamics: nothing to share');
  if (typeof groups !== 'number' && nd > 2) return independent(`${nd} random effects reach the dynamics: stratified groups would not keep the Monte Carlo error of independent draws`);
  const g = nd === 0 ? 1 : typeof groups === 'number' ? Math.max(1, Math.min(draws, Math.round(groups))) : Math.min(draws, Math.max(MIN_GROUPS, Math.round(draws / DRAWS_PER_GROUP)));
  const perGroup = Math.ceil(draws / g);
  return {
    method: 'shared',
    groups: g,
    perGroup,
    dynamicEtas,
    solutionsPerScenario: g + 1,
    why: nd === 0 ? 'no random effect reaches the dynamics: one solution serves every draw' : `${dynamicEtas.join(', ')} ${nd === 1 ? 'reaches' : 'reach'} the dynamics: ${g} stratified values, ${perGroup} conditional draws of the other effects each`,
  };
}

/** Hours in response (y ≤ level) on [from, to] of a piecewise-linear curve. */
function hoursBelow(t: readonly number[], y: Float64Array, level: number, from: number, to: number): number {
  let total = 0;
  for (let i = 0; i + 1 < t.length; i++) {
    const a = t[i] as number;
    const b = t[i + 1] as number;
    if (b <= from || a >= to) continue;
    const ya = y[i] as number;
    const yb = y[i + 1] as number;
    const inA = ya <= level;
    const inB = yb <= level;
    if (inA && inB) total += b - a;
    else if (inA !== inB) {
      const c = a + ((level - ya) / (yb - ya)) * (b - a);
      total += inA ? c - a : b - c;
    }
  }
  return total;
}

/**
 * Latent curves of outputs on parts of one subject's grid for every row of `values` (row 0: the MAP, then the
 * draws): one solution of the dynamics per representative row (`repOf[r] === r`), the outputs of the other rows
 * re-evaluated from their representative's states (equal to a simulation of their own when they differ from it
 * only in output-only random effects). Per set: output → per row, the values on the set's rows.
 */
export function simulateCurves(
  model: CompiledModelWithRandom,
  dataset: Dataset,
  subject: SubjectRecords,
  names: readonly string[],
  values: Float64Array,
  repOf: Int32Array,
  sets: readonly { readonly rows: readonly number[]; readonly outputs: readonly string[] }[],
  solver: Partial<SolverSpec> | undefined,
): Map<string, Float64Array[]>[] {
  const n = names.length;
  const count = repOf.length;
  const reps: number[] = [];
  const repIndex = new Int32Array(count).fill(-1);
  for (let r = 0; r < count; r++) {
    if (repOf[r] === r) {
      repIndex[r] = reps.length;
      reps.push(r);
    }
  }
  const shared = reps.length < count;
  const repValues = new Float64Array(reps.length * n);
  reps.forEach((r, i) => repValues.set(values.subarray(r * n, r * n + n), i * n));
  const sim = simulate(model, { ...dataset, subjects: reps.map(() => subject) }, { subjectInputs: { names, values: repValues }, ...(shared ? { includeStates: true } : {}), ...(solver !== undefined ? { solver } : {}) });
  const rowsPer = subject.n;
  const nOut = model.outputNames.length;
  const nCmt = model.compartments.length;
  return sets.map(({ rows, outputs }) => {
    const m = rows.length;
    // One matrix per output (row r of `values` at r·m), handed out as views: no allocation per draw.
    const matrices = outputs.map(() => new Float64Array(count * m));
    const views = matrices.map((mat) => Array.from({ length: count }, (_, r) => mat.subarray(r * m, (r + 1) * m)));
    const ks = outputs.map((o) => model.outputNames.indexOf(o));
    for (const r of reps) {
      const base = (repIndex[r] as number) * rowsPer;
      ks.forEach((k, j) => {
        const col = sim.values[k] as Float64Array;
        const arr = (views[j] as Float64Array[])[r] as Float64Array;
        for (let g = 0; g < m; g++) arr[g] = col[base + (rows[g] as number)] as number;
      });
    }
    if (shared && outputs.length > 0 && m > 0) {
      const evaluator = new OutputEvaluator(model, { ...dataset, subjects: [subjectRows(subject, rows)] }, { subjectInputNames: names, outputs });
      const unused = new Float64Array(0);
      const out: Float64Array[] = model.outputNames.map(() => unused);
      const states = Array.from({ length: nCmt }, () => new Float64Array(m));
      let loaded = -1;
      for (let r = 0; r < count; r++) {
        const rep = repOf[r] as number;
        if (rep === r) continue;
        if (rep !== loaded) {
          const base = (repIndex[rep] as number) * rowsPer;
          for (let c = 0; c < nCmt; c++) {
            const col = sim.values[nOut + c] as Float64Array;
            const st = states[c] as Float64Array;
            for (let g = 0; g < m; g++) st[g] = col[base + (rows[g] as number)] as number;
          }
          loaded = rep;
        }
        ks.forEach((k, j) => (out[k] = (views[j] as Float64Array[])[r] as Float64Array));
        evaluator.evaluate(states, out, values.subarray(r * n, r * n + n));
      }
    }
    return new Map(outputs.map((o, j) => [o, views[j] as Float64Array[]]));
  });
}

/**
 * Forecast the patient under each scenario: posterior draws of the etas (Laplace or SIR; shared solutions of the
 * dynamics where the model allows, see forecastSampling) simulated from time zero through the record's doses and
 * the scenario's; prediction intervals of future observations (draws plus residual error: 5/25/50/75/95 %) on the
 * common grid, probability of response over time, time to relapse and the booster due date (latent MADRS, no
 * rating error; relapse resolved on the `stepH` grid by linear interpolation), and the peaks of CADSS, SBP, DBP and
 * HR on each scenario's 5-min grid around its planned doses. Every scenario uses the same draws (paired comparison).
 */
export function forecastPlans(model: CompiledModelWithRandom, fit: PatientFit, options: PlanForecastOptions): PlanForecast {
  const record = fit.design.record;
  const originH = options.originH ?? Math.max(0, ...record.doses.map((d) => d.timeH + d.durationH), ...record.observations.map((o) => o.timeH));
  const endH = originH + options.horizonH;
  const n = fit.objective.n;
  const names = fit.objective.names;
  const requested = Math.max(1, Math.floor(options.draws ?? 500));
  let sampling = forecastSampling(model, fit, requested, options.groups);
  if (sampling.method === 'independent') {
    const available = Math.min(requested, fit.draws.length / n);
    sampling = { ...sampling, groups: available, solutionsPerScenario: available + 1 };
  }
  const nDraws = sampling.method === 'independent' ? sampling.groups : requested;
  // Row 0: the MAP (ipred); rows 1…nDraws: the draws. repOf: the row whose solution of the dynamics a row uses.
  const values = new Float64Array((nDraws + 1) * n);
  values.set(fit.mapEta, 0);
  const repOf = new Int32Array(nDraws + 1);
  if (sampling.method === 'shared') {
    const P = sampling.perGroup;
    values.set(drawsSharingDynamics(fit, sampling.groups, P, options.seed ?? 1, { stratify: true }).subarray(0, nDraws * n), n);
    for (let d = 0; d < nDraws; d++) repOf[d + 1] = 1 + Math.floor(d / P) * P;
  } else {
    values.set(fit.draws.subarray(0, nDraws * n), n);
    for (let d = 0; d <= nDraws; d++) repOf[d] = d;
  }

  const outputs = (options.outputs ?? DEFAULT_OUTPUTS).filter((o) => model.outputNames.includes(o));
  const peakSet = new Set(options.peakOutputs ?? DEFAULT_PEAK_OUTPUTS);
  const commonOutputs = outputs.filter((o) => !peakSet.has(o));
  const peakOutputs = outputs.filter((o) => peakSet.has(o));
  const level = options.baseline.value * RESPONSE_FRACTION;
  const withRelapse = model.outputNames.includes('MADRS') && Number.isFinite(level);
  const commonNeeded = withRelapse && !commonOutputs.includes('MADRS') ? [...commonOutputs, 'MADRS'] : commonOutputs;
  const keep = options.keepLevel ?? 0.9;
  const pastRatings = record.observations.filter((o) => commonOutputs.includes(o.type.output)).map((o) => o.timeH);
  const timesH = forecastGridH(originH, endH, options.stepH ?? 6, options.pastStepH ?? 24, pastRatings);
  const m = timesH.length;
  const g0 = timesH.indexOf(roundH(originH));
  const bare = { ...record, observations: [] };
  const scenarios = options.scenarios.map((scenario, si): ScenarioForecast => {
    for (const d of scenario.doses) {
      if (d.timeH < originH - 1e-9) throw new RangeError(`${scenario.label}: a planned dose at ${(d.timeH / 24).toFixed(2)} d is before the forecast origin (${(originH / 24).toFixed(2)} d, the end of the record)`);
    }
    for (const c of scenario.covariateChanges ?? []) {
      if (c.timeH < originH - 1e-9) throw new RangeError(`${scenario.label}: a planned covariate change at ${(c.timeH / 24).toFixed(2)} d is before the forecast origin (${(originH / 24).toFixed(2)} d, the end of the record)`);
    }
    const peakTimesH = peakGridH(scenario.doses, endH);
    const design = buildDesign(model, bare, { gridH: [...timesH, ...peakTimesH], plannedDoses: scenario.doses, plannedCovariateChanges: scenario.covariateChanges ?? [] });
    const subject = design.dataset.subjects[0];
    if (subject === undefined) throw new RangeError('empty design');
    const [common, fine] = simulateCurves(model, design.dataset, subject, names, values, repOf, [
      { rows: design.gridRows.slice(0, m), outputs: commonNeeded },
      { rows: design.gridRows.slice(m), outputs: peakTimesH.length > 0 ? peakOutputs : [] },
    ], options.solver) as [Map<string, Float64Array[]>, Map<string, Float64Array[]>];
    const rng = new SubjectRandom(options.seed ?? 1, si, 11);
    const band = (name: string, curves: readonly Float64Array[], grid: 'common' | 'peak'): Band5 => {
      const times = grid === 'common' ? timesH : peakTimesH;
      const k = model.outputNames.indexOf(name);
      const residual = model.residual.get(name);
      const mm = times.length;
      const cols = [[], [], [], [], []] as number[][];
      const tmp = new Float64Array(nDraws);
      for (let g = 0; g < mm; g++) {
        if (residual === undefined) for (let d = 0; d < nDraws; d++) tmp[d] = (curves[d + 1] as Float64Array)[g] as number;
        else for (let d = 0; d < nDraws; d++) tmp[d] = observation(residual, (curves[d + 1] as Float64Array)[g] as number, rng.normal());
        tmp.sort();
        [0.05, 0.25, 0.5, 0.75, 0.95].forEach((p, j) => (cols[j] as number[]).push(q7(tmp, p)));
      }
      return { name, unit: model.outputUnits[k] ?? '', grid, timesH: times, p05: cols[0] as number[], p25: cols[1] as number[], median: cols[2] as number[], p75: cols[3] as number[], p95: cols[4] as number[], ipred: [...(curves[0] as Float64Array)] };
    };
    const bands: Band5[] = commonOutputs.map((name) => band(name, common.get(name) as Float64Array[], 'common'));
    const peaks: PeakForecast[] = [];
    for (const name of peakOutputs) {
      const curves = fine.get(name);
      if (curves === undefined) continue;
      bands.push(band(name, curves, 'peak'));
      const pk = new Float64Array(nDraws);
      for (let d = 0; d < nDraws; d++) {
        const c = curves[d + 1] as Float64Array;
        let best = -Infinity;
        for (let g = 0; g < c.length; g++) if ((c[g] as number) > best) best = c[g] as number;
        pk[d] = best;
      }
      const pq = options.peakQuantile ?? 0.95;
      peaks.push({ output: name, unit: model.outputUnits[model.outputNames.indexOf(name)] ?? '', peak: spread(pk), upper: { p: pq, value: q7(Float64Array.from(pk).sort(), pq) } });
    }
    const base = { label: scenario.label, doses: scenario.doses, covariateChanges: scenario.covariateChanges ?? [], bands, peaks, peakTimesH };
    if (!withRelapse) return base;
    const madrs = common.get('MADRS') as Float64Array[];
    const relapseTimesH = new Float64Array(nDraws);
    const fractionByDraw = new Float64Array(nDraws);
    const prob = new Float64Array(m);
    let now = 0;
    let atEnd = 0;
    let hoursIn = 0;
    const atOrigin = new Float64Array(nDraws);
    for (let d = 0; d < nDraws; d++) {
      const y = madrs[d + 1] as Float64Array;
      atOrigin[d] = y[g0] as number;
      for (let g = 0; g < m; g++) if ((y[g] as number) <= level) prob[g] = (prob[g] as number) + 1 / nDraws;
      if ((y[g0] as number) <= level) now++;
      if ((y[m - 1] as number) <= level) atEnd++;
      // Relapse: the first time at or after the origin when MADRS is above the level (no longer ≥ 50 % below baseline).
      let tr = Infinity;
      for (let g = g0; g < m; g++) {
        const v = y[g] as number;
        if (v > level) {
          if (g === g0) tr = 0;
          else {
            const a = timesH[g - 1] as number;
            const b = timesH[g] as number;
            const ya = y[g - 1] as number;
            tr = a + ((level - ya) / (v - ya)) * (b - a) - originH;
          }
          break;
        }
      }
      relapseTimesH[d] = tr;
      const h = hoursBelow(timesH, y, level, originH, endH);
      hoursIn += h;
      fractionByDraw[d] = h / options.horizonH;
    }
    const sorted = Float64Array.from(relapseTimesH).sort();
    const relapsedAmongResponders = relapseTimesH.filter((t) => t > 0 && Number.isFinite(t)).length;
    const relapse: RelapseForecast = {
      respondingNow: now / nDraws,
      respondingAtEnd: atEnd / nDraws,
      relapseWithin: now > 0 ? relapsedAmongResponders / now : Number.NaN,
      timeToRelapseH: { p05: q7(sorted, 0.05), p10: q7(sorted, 0.1), p25: q7(sorted, 0.25), median: q7(sorted, 0.5), p75: q7(sorted, 0.75), p95: q7(sorted, 0.95) },
      expectedHoursInResponse: hoursIn / nDraws,
      fractionInResponse: hoursIn / nDraws / options.horizonH,
      fractionInResponseSpread: spread(fractionByDraw),
      probability: [...prob],
      madrsAtOrigin: spread(atOrigin),
    };
    // Booster due: the (1 − keep) quantile of the time to relapse: until then at least `keep` of the draws have stayed in response.
    const due = q7(sorted, 1 - keep);
    const pct = `${Math.round(keep * 100)}%`;
    let booster: BoosterDue;
    if (due === 0) booster = { level: keep, timeH: originH, fromOriginH: 0, text: `now: the probability of responding at the origin is ${((now / nDraws) * 100).toFixed(0)}%, below ${pct}` };
    else if (!Number.isFinite(due)) booster = { level: keep, timeH: null, fromOriginH: null, text: `not within the horizon: at least ${pct} of the posterior stays in response to its end` };
    else booster = { level: keep, timeH: originH + due, fromOriginH: due, text: `by day ${((originH + due) / 24).toFixed(1)} (${(due / 24).toFixed(1)} d after the origin): until then at least ${pct} of the posterior stays in response` };
    return { ...base, relapse, relapseTimesH, fractionInResponseByDraw: fractionByDraw, booster };
  });
  return { originH, horizonH: options.horizonH, endH, draws: nDraws, baseline: options.baseline, responseLevel: level, timesH, scenarios, sampling };
}
