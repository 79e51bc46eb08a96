/**
 * Running validation targets: the target's scenario (a regimen, parameter overrides, optionally a virtual
 * population) is simulated, the metric reads the published quantity off the simulation, and the result is put
 * beside the published value with its error, tolerance and status.
 *
 * Pure (no Node imports): models come from a loader the caller passes (the CLI: the library on disk).
 *
 * Populations: N copies of the regimen's subject (IDs 1..N) simulated in one call, each with its own etas from
 * sampleEtas(model.randomEffects, seed, N) as subject inputs. Simulations are cached by scenario, so targets
 * that read several metrics off one scenario (Cmax and AUC; numerator and denominator of a ratio that share a
 * scenario) simulate it once.
 */

import { withObservationGrid } from '../core/data/augment.js';
import type { Dataset } from '../core/data/dataset.js';
import { KetasimError } from '../core/errors.js';
import type { CompiledModelWithRandom } from '../core/model/index.js';
import { sampleEtas } from '../core/random/index.js';
import { simulate } from '../core/simulate/simulate.js';
import { buildRegimen, type GivenDose, type GridOptions } from '../regimen/regimen.js';
import * as M from './metrics.js';
import type { Condition, Metric, Published, SimpleMetric, Target, Tolerance, ValidationFile } from './schema.js';
import { resolveScenario, mergeScenario, type ResolvedScenario } from './scenario.js';
import { errorOf, toleranceText, uncertaintyPosition, withinTolerance, type ErrorMeasure } from './tolerance.js';

/** A target that cannot be run (shown on its row; the other targets still run). */
export class TargetError extends KetasimError {}

/**
 * Loads the model a validation file names: `name` as written in the file (a library model name, or a path,
 * which the CLI resolves relative to the file), `file` the validation file's name.
 */
export type ModelLoader = (name: string, file: string) => CompiledModelWithRandom;

/**
 * pass: within tolerance. fail: outside it. known-miss: outside it, and the file says so (`expected_miss`).
 * unexpected-pass: marked `expected_miss` but within tolerance (the mark is stale: a failure until removed).
 * error: the target could not be run (message says why).
 */
export type Status = 'pass' | 'fail' | 'known-miss' | 'unexpected-pass' | 'error';

/** A simulated curve kept for plots (typical subject or population mean). */
export interface CurveData {
  readonly output: string;
  readonly unit: string;
  readonly timesH: readonly number[];
  readonly values: readonly number[];
  readonly doses: readonly GivenDose[];
}

export interface TargetResult {
  readonly file: string;
  readonly model: string;
  readonly modelVersion: string;
  readonly id: string;
  readonly description: string;
  readonly use: 'calibration' | 'check';
  readonly source: string;
  readonly citation: string;
  readonly note?: string;
  readonly expectedMiss: boolean;
  readonly metric: Metric;
  /** The metric in words, e.g. "Cmax of CNK (0–24 h)". */
  readonly metricText: string;
  /** Unit of the predicted and published values. */
  readonly unit: string;
  readonly published: Published;
  /** NaN when the target could not be run, or a median time was not reached. */
  readonly predicted: number;
  /** Extra numbers: SD of a population metric, subjects, censoring, numerator and denominator of a ratio. */
  readonly details: Readonly<Record<string, number | string>>;
  readonly error: ErrorMeasure;
  readonly tolerance: Tolerance;
  readonly toleranceText: string;
  readonly withinTolerance: boolean;
  /** Where the prediction lies relative to the published uncertainty ("in CI", "+1.3 SD"; '' if none given). */
  readonly uncertainty: string;
  readonly status: Status;
  /** Why a target could not be run (status error). */
  readonly message?: string;
  /** The simulated curve of a concentration target (when RunOptions.curves). */
  readonly curve?: CurveData;
}

export interface RunOptions {
  /** Keep the simulated curve of curve metrics on concentration outputs (for the report). */
  readonly curves?: boolean;
  /** Only targets whose id matches (exact, or a pattern with * wildcards). */
  readonly target?: string;
}

/** Runs targets; one instance caches models and simulations across files and targets. */
export class Validator {
  private readonly models = new Map<string, CompiledModelWithRandom>();
  private readonly simulations = new Map<string, Simulated>();
  private readonly plans = new Map<string, { times: Set<number>; fine: boolean }>();

  constructor(private readonly loadModel: ModelLoader) {}

  model(name: string, file: string): CompiledModelWithRandom {
    const key = isModelPath(name) ? `${file}\u0000${name}` : name;
    let m = this.models.get(key);
    if (m === undefined) {
      m = this.loadModel(name, file);
      this.models.set(key, m);
    }
    return m;
  }

  /** Every target of the file (or those matching options.target). Model load errors throw. */
  runFile(file: ValidationFile, options: RunOptions = {}): TargetResult[] {
    const model = this.model(file.model, file.source);
    const match = options.target === undefined ? () => true : idMatcher(options.target);
    const targets = file.targets.filter((t) => match(t.id));
    this.plan(file, targets, model);
    return targets.map((t) => this.runTarget(file, t, model, options));
  }

  /**
   * Targets that share a scenario share one simulation: collect, per scenario, every time the targets' metrics
   * read and whether any needs the fine grid, before simulating (a target whose scenario cannot be read is
   * left to report its own error).
   */
  private plan(file: ValidationFile, targets: readonly Target[], model: CompiledModelWithRandom): void {
    for (const target of targets) {
      let parts: { scenario: ResolvedScenario; metric: SimpleMetric }[];
      try {
        parts = targetParts(file, target);
      } catch {
        continue;
      }
      for (const { scenario, metric } of parts) {
        const key = scenarioKey(model, scenario);
        const plan = this.plans.get(key) ?? { times: new Set<number>(), fine: false };
        for (const t of metricTimes(metric)) plan.times.add(t);
        plan.fine ||= needsFineGrid(metric);
        this.plans.set(key, plan);
      }
    }
  }

  runTarget(file: ValidationFile, target: Target, model: CompiledModelWithRandom = this.model(file.model, file.source), options: RunOptions = {}): TargetResult {
    const base = {
      file: file.source,
      model: file.model,
      modelVersion: model.spec.version,
      id: target.id,
      description: target.description,
      use: target.use,
      source: target.source,
      citation: file.references[target.source] ?? '',
      note: target.note,
      expectedMiss: target.expected_miss === true,
      metric: target.metric,
      metricText: metricText(target.metric),
      published: target.published,
      tolerance: target.tolerance,
    };
    let evaluated: Evaluated;
    try {
      evaluated = this.evaluateTarget(file, target, model, options);
    } catch (e) {
      if (!(e instanceof KetasimError || e instanceof RangeError)) throw e;
      return {
        ...base,
        toleranceText: toleranceText(target.tolerance),
        unit: '',
        predicted: Number.NaN,
        details: {},
        error: { absolute: Number.NaN, relative: Number.NaN },
        withinTolerance: false,
        uncertainty: '',
        status: 'error',
        message: e.message,
      };
    }
    const within = withinTolerance(evaluated.value, target.published, target.tolerance);
    const status: Status = target.expected_miss === true ? (within ? 'unexpected-pass' : 'known-miss') : within ? 'pass' : 'fail';
    return {
      ...base,
      toleranceText: toleranceText(target.tolerance, evaluated.unit),
      unit: evaluated.unit,
      predicted: evaluated.value,
      details: evaluated.details,
      error: errorOf(evaluated.value, target.published.value),
      withinTolerance: within,
      uncertainty: uncertaintyPosition(evaluated.value, target.published),
      status,
      ...(evaluated.curve !== undefined ? { curve: evaluated.curve } : {}),
    };
  }

  private evaluateTarget(file: ValidationFile, target: Target, model: CompiledModelWithRandom, options: RunOptions): Evaluated {
    const parts = targetParts(file, target);
    if (target.metric.type === 'ratio') {
      const [num, den] = parts.map((p) => this.evaluateSimple(model, p.scenario, p.metric, false)) as [Evaluated, Evaluated];
      if (den.value === 0) throw new TargetError('the denominator of the ratio is 0');
      return {
        value: num.value / den.value,
        unit: num.unit === den.unit ? 'ratio' : `${num.unit}/(${den.unit})`,
        details: { numerator: num.value, denominator: den.value },
      };
    }
    if (target.metric.type === 'effect_size') {
      const [treated, control] = parts.map((p) => this.evaluateSimple(model, p.scenario, p.metric, false)) as [Evaluated, Evaluated];
      const sdT = Number(treated.details?.sd);
      const sdC = Number(control.details?.sd);
      const pooled = Math.sqrt((sdT * sdT + sdC * sdC) / 2);
      if (!(pooled > 0)) throw new TargetError('the changes have no spread (SD 0): an effect size needs a population with variability');
      return {
        value: (treated.value - control.value) / pooled,
        unit: 'SD',
        details: { treatment_mean_change: treated.value, control_mean_change: control.value, pooled_sd: pooled },
      };
    }
    const [only] = parts as [{ scenario: ResolvedScenario; metric: SimpleMetric }];
    return this.evaluateSimple(model, only.scenario, only.metric, options.curves === true);
  }

  private evaluateSimple(model: CompiledModelWithRandom, scenario: ResolvedScenario, metric: SimpleMetric, keepCurve: boolean): Evaluated {
    if (!model.outputNames.includes(metric.output)) {
      throw new TargetError(`model ${model.name} has no output ${metric.output} (outputs: ${model.outputNames.join(', ')})`);
    }
    const sim = this.simulation(model, scenario, metricTimes(metric), needsFineGrid(metric));
    const result = evaluateMetric(metric, sim);
    if (keepCurve && isCurveMetric(metric) && M.mgPerLiter(sim.unit(metric.output)) !== undefined) {
      return {
        ...result,
        curve: { output: metric.output, unit: sim.unit(metric.output), timesH: Array.from(sim.timesH), values: Array.from(sim.typical(metric.output)), doses: sim.doses },
      };
    }
    return result;
  }

  private simulation(model: CompiledModelWithRandom, scenario: ResolvedScenario, timesH: readonly number[], fine: boolean): Simulated {
    const plan = this.plans.get(scenarioKey(model, scenario));
    const times = [...new Set([...timesH, ...(plan?.times ?? [])])].sort((a, b) => a - b);
    const grid = gridOptions(scenario, fine || (plan?.fine ?? false));
    const key = JSON.stringify([scenarioKey(model, scenario), grid, times]);
    let sim = this.simulations.get(key);
    if (sim === undefined) {
      sim = simulateScenario(model, scenario, times, grid);
      this.simulations.set(key, sim);
    }
    return sim;
  }
}

function scenarioKey(model: CompiledModelWithRandom, scenario: ResolvedScenario): string {
  return JSON.stringify([model.name, model.spec.version, scenario]);
}

/** The scenario and metric of a target, or of each side of a ratio (its scenario merged over the target's). */
export function targetParts(file: ValidationFile, target: Target): { scenario: ResolvedScenario; metric: SimpleMetric }[] {
  const path = `target ${target.id}`;
  const metric = target.metric;
  if (metric.type === 'effect_size') {
    const change: SimpleMetric = { type: 'mean_change', output: metric.output, at_h: metric.at_h, ...(metric.baseline_h !== undefined ? { baseline_h: metric.baseline_h } : {}) };
    return (['treatment', 'control'] as const).map((arm) => {
      const p = metric[arm];
      const raw = p.scenario === undefined ? target.scenario : mergeScenario(target.scenario, p.scenario);
      return { scenario: resolveScenario(raw, file.source, `${path}.metric.${arm}.scenario`), metric: change };
    });
  }
  if (metric.type !== 'ratio') return [{ scenario: resolveScenario(target.scenario, file.source, `${path}.scenario`), metric }];
  return (['numerator', 'denominator'] as const).map((side) => {
    const p = metric[side];
    const raw = p.scenario === undefined ? target.scenario : mergeScenario(target.scenario, p.scenario);
    return { scenario: resolveScenario(raw, file.source, `${path}.metric.${side}.scenario`), metric: p.metric };
  });
}

/** A model named by a file path (ends in .yaml / .yml, or contains a slash) rather than a library name. */
export function isModelPath(name: string): boolean {
  return /\.ya?ml$/i.test(name) || name.includes('/') || name.includes('\\');
}

/** `*` matches any characters; anything else literally. */
export function idMatcher(pattern: string): (id: string) => boolean {
  if (!pattern.includes('*')) return (id) => id === pattern;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (id) => re.test(id);
}

interface Evaluated {
  readonly value: number;
  readonly unit: string;
  readonly details: Record<string, number | string>;
  readonly curve?: CurveData;
}

// Simulation ---------------------------------------------------------------------------------------------------

/** A simulated scenario: observation times (hours) and, per output, one curve per subject. */
export interface Simulated {
  readonly timesH: Float64Array;
  readonly subjects: number;
  readonly population: boolean;
  readonly doses: readonly GivenDose[];
  readonly endH: number;
  /** One curve per subject (observation records only). */
  curves(output: string): readonly Float64Array[];
  /** The typical subject's curve, or the population's mean curve. */
  typical(output: string): Float64Array;
  unit(output: string): string;
}

/**
 * Observation grid (hours). Metrics that need peaks or areas (cmax, tmax, auc, clearance, fraction_above): every
 * 1 min (typical subject) or 5 min (population) for 6 h after each dose, every 15 min (typical) or 30 min
 * (population) elsewhere. Other metrics read values at their own times (always added to the grid): every 15 min
 * (typical subject) or 1 h (population).
 * `grid_step_h` sets one step everywhere; fine_step_h, fine_window_h and coarse_step_h set the parts.
 */
export function gridOptions(scenario: ResolvedScenario, fine: boolean): GridOptions {
  const g = scenario.grid;
  const population = scenario.population !== undefined;
  const coarse = g.coarse_step_h ?? g.grid_step_h ?? (population ? (fine ? 0.5 : 1) : 0.25);
  const fineStep = g.fine_step_h ?? g.grid_step_h ?? (fine ? (population ? 5 / 60 : 1 / 60) : coarse);
  const window = g.fine_window_h ?? (g.grid_step_h !== undefined || !fine ? 0 : 6);
  return { fineStepH: fineStep, coarseStepH: coarse, fineWindowH: window };
}

export function simulateScenario(model: CompiledModelWithRandom, scenario: ResolvedScenario, extraTimesH: readonly number[], grid: GridOptions): Simulated {
  const built = buildRegimen(model, scenario.regimen, grid);
  const hpm = built.hoursPerModelTime;
  const tol = 1e-6;
  for (const t of extraTimesH) {
    if (t > built.endH + tol) {
      throw new TargetError(`time ${t} h is after the end of follow-up (${round(built.endH)} h): lengthen follow_up`);
    }
  }
  const onGrid = new Set(built.gridH.map((t) => Math.round(t / tol)));
  const added = [...new Set(extraTimesH.filter((t) => !onGrid.has(Math.round(t / tol))))];
  const template = built.dataset.subjects[0];
  if (template === undefined) throw new TargetError('the regimen gave no subject');
  const subject = added.length > 0 ? withObservationGrid(template, added.map((t) => t / hpm)) : template;
  const n = scenario.population?.subjects ?? 1;
  const dataset: Dataset = {
    ...built.dataset,
    source: 'validation scenario',
    subjects: n === 1 ? [subject] : Array.from({ length: n }, (_, i) => ({ ...subject, id: String(i + 1) })),
  };
  const etas = scenario.population !== undefined && model.randomEffects.names.length > 0 ? sampleEtas(model.randomEffects, scenario.population.seed, n) : undefined;
  const result = simulate(model, dataset, { parameters: scenario.parameters, ...(etas !== undefined ? { subjectInputs: etas } : {}) });

  const obs: number[] = [];
  for (let i = 0; i < subject.n; i++) if (subject.evid[i] === 0) obs.push(i);
  const timesH = Float64Array.from(obs, (i) => (subject.time[i] as number) * hpm);
  const curveCache = new Map<string, Float64Array[]>();
  const meanCache = new Map<string, Float64Array>();
  const column = (output: string): number => {
    const k = result.outputNames.indexOf(output);
    if (k < 0) throw new TargetError(`model ${model.name} has no output ${output} (outputs: ${model.outputNames.join(', ')})`);
    return k;
  };
  const curves = (output: string): Float64Array[] => {
    let c = curveCache.get(output);
    if (c === undefined) {
      const values = result.values[column(output)] as Float64Array;
      c = Array.from({ length: n }, (_, s) => {
        const offset = result.subjectOffsets[s] as number;
        return Float64Array.from(obs, (i) => values[offset + i] as number);
      });
      curveCache.set(output, c);
    }
    return c;
  };
  return {
    timesH,
    subjects: n,
    population: scenario.population !== undefined,
    doses: built.doses,
    endH: built.endH,
    curves,
    typical(output) {
      let m = meanCache.get(output);
      if (m === undefined) {
        const c = curves(output);
        m = c.length === 1 ? (c[0] as Float64Array) : M.meanCurve(c);
        meanCache.set(output, m);
      }
      return m;
    },
    unit: (output) => result.outputUnits[column(output)] ?? '',
  };
}

// Metrics on a simulation ---------------------------------------------------------------------------------------

const CURVE_METRICS = new Set(['cmax', 'tmax', 'auc', 'value', 'change', 'percent_change', 'clearance']);

type CurveMetric = Extract<SimpleMetric, { type: 'cmax' | 'tmax' | 'auc' | 'value' | 'change' | 'percent_change' | 'clearance' }>;

function isCurveMetric(m: SimpleMetric): m is CurveMetric {
  return CURVE_METRICS.has(m.type);
}

/** Metrics that need the fine grid (peaks, areas); the others read values at given times. */
export function needsFineGrid(m: SimpleMetric): boolean {
  return m.type === 'cmax' || m.type === 'tmax' || m.type === 'auc' || m.type === 'clearance' || m.type === 'fraction_above';
}

/** Times (hours) the metric reads, added to the observation grid. */
export function metricTimes(m: SimpleMetric): number[] {
  const out: number[] = [];
  const add = (...t: (number | undefined)[]): void => {
    for (const x of t) if (x !== undefined) out.push(x);
  };
  switch (m.type) {
    case 'cmax':
    case 'tmax':
    case 'auc':
      add(m.from_h, m.to_h);
      break;
    case 'value':
      add(m.at_h);
      break;
    case 'change':
    case 'percent_change':
    case 'mean_change':
    case 'response_rate':
      add(m.at_h, m.baseline_h ?? 0);
      break;
    case 'remission_rate':
      add(m.at_h);
      break;
    case 'fraction_above':
      add(m.from_h, m.to_h, m.from_baseline === true ? (m.baseline_h ?? 0) : undefined);
      break;
    case 'median_time_to':
      add(m.reference_h, m.to_h, m.among?.at_h, m.baseline_h ?? 0);
      break;
    case 'clearance':
      break;
  }
  return out;
}

const HOURS_PER = { min: 1 / 60, h: 1, d: 24 } as const;

/** The value of a simple metric on a simulated scenario, its unit and details. */
export function evaluateMetric(metric: SimpleMetric, sim: Simulated): Evaluated {
  const t = sim.timesH;
  const unit = sim.unit(metric.output);
  if (isCurveMetric(metric)) {
    const f = curveFunction(metric, sim);
    const aggregate = metric.aggregate ?? 'mean_curve';
    const out = { unit: curveUnit(metric, unit) };
    if (!sim.population || aggregate === 'mean_curve') {
      return { ...out, value: f(sim.typical(metric.output)), details: sim.population ? { subjects: sim.subjects, aggregate: 'mean curve' } : {} };
    }
    const values = sim.curves(metric.output).map(f);
    const stats = M.meanSd(values);
    const value = aggregate === 'mean' ? stats.mean : aggregate === 'median' ? M.median(values) : M.geometricMean(values);
    return { ...out, value, details: { subjects: sim.subjects, aggregate, sd: stats.sd } };
  }
  const curves = sim.curves(metric.output);
  switch (metric.type) {
    case 'mean_change': {
      const changes = curves.map((y) => M.change(t, y, metric.at_h, metric.baseline_h ?? 0));
      const s = M.meanSd(changes);
      return { value: s.mean, unit, details: { sd: s.sd, subjects: s.n } };
    }
    case 'response_rate':
      return { value: M.responseRate(t, curves, metric.at_h, metric.baseline_h ?? 0, metric.reduction_pct ?? 50), unit: 'fraction', details: { subjects: curves.length } };
    case 'remission_rate':
      return { value: M.remissionRate(t, curves, metric.at_h, metric.threshold), unit: 'fraction', details: { subjects: curves.length } };
    case 'fraction_above':
      return {
        value: M.fractionAbove(t, curves, metric.threshold, metric.from_h, metric.to_h, metric.from_baseline === true ? (metric.baseline_h ?? 0) : undefined),
        unit: 'fraction',
        details: { subjects: curves.length },
      };
    case 'median_time_to': {
      const baseline = metric.baseline_h ?? 0;
      const among = metric.among;
      const selected = among === undefined ? curves : curves.filter((y) => conditionHoldsAt(t, y, among.condition, among.at_h, baseline));
      const scale = HOURS_PER[metric.time_unit ?? 'h'];
      if (selected.length === 0) {
        return { value: Number.NaN, unit: metric.time_unit ?? 'h', details: { subjects: curves.length, selected: 0, note: 'no subject meets the `among` condition' } };
      }
      const times = selected.map((y) => M.timeToEvent(t, y, levelCondition(t, y, metric.event, baseline), metric.reference_h, metric.to_h));
      const med = M.medianTimeTo(times);
      return {
        value: med.median / scale,
        unit: metric.time_unit ?? 'h',
        details: { subjects: curves.length, selected: med.subjects, events: med.events, censored: med.censored, ...(Number.isNaN(med.median) ? { note: 'median not reached' } : {}) },
      };
    }
  }
}

function curveUnit(m: CurveMetric, unit: string): string {
  switch (m.type) {
    case 'tmax':
      return m.time_unit ?? 'h';
    case 'auc':
      return aucUnit(unit);
    case 'percent_change':
      return '%';
    case 'clearance':
      return 'L/h';
    default:
      return unit;
  }
}

/** ng/mL → ng·h/mL (time inserted into the numerator); other units get ·h appended. */
export function aucUnit(unit: string): string {
  const k = unit.indexOf('/');
  return k > 0 ? `${unit.slice(0, k)}·h${unit.slice(k)}` : `${unit}·h`;
}

function curveFunction(m: CurveMetric, sim: Simulated): (y: Float64Array) => number {
  const t = sim.timesH;
  switch (m.type) {
    case 'cmax':
      return (y) => M.cmax(t, y, m.from_h, m.to_h);
    case 'tmax': {
      const scale = HOURS_PER[m.time_unit ?? 'h'];
      return (y) => M.tmax(t, y, m.from_h, m.to_h) / scale;
    }
    case 'auc':
      return m.extrapolate === true ? (y) => M.aucToInfinity(t, y, m.from_h).auc : (y) => M.auc(t, y, m.from_h, m.to_h);
    case 'value':
      return (y) => M.valueAt(t, y, m.at_h);
    case 'change':
      return (y) => M.change(t, y, m.at_h, m.baseline_h ?? 0);
    case 'percent_change':
      return (y) => M.percentChange(t, y, m.at_h, m.baseline_h ?? 0);
    case 'clearance': {
      const perL = M.mgPerLiter(sim.unit(m.output));
      if (perL === undefined) throw new TargetError(`clearance needs a concentration output (ng/mL, mg/L…); ${m.output} is in ${sim.unit(m.output)}`);
      const dose = sim.doses.reduce((s, d) => s + d.amountMg, 0);
      return (y) => M.clearance(t, y, dose, perL).clearance;
    }
  }
}

/** A condition as a level on the value for this subject (reductions are relative to the value at `baseline`). */
export function levelCondition(t: M.Values, y: M.Values, c: Condition, baseline: number): M.LevelCondition {
  if (c.above !== undefined) return { direction: 'above', level: c.above };
  if (c.below !== undefined) return { direction: 'below', level: c.below };
  const base = M.valueAt(t, y, baseline);
  if (c.reduction_at_least_pct !== undefined) return { direction: 'below', level: base * (1 - c.reduction_at_least_pct / 100), inclusive: true };
  return { direction: 'above', level: base * (1 - (c.reduction_below_pct as number) / 100) };
}

function conditionHoldsAt(t: M.Values, y: M.Values, c: Condition, at: number, baseline: number): boolean {
  return M.holds(M.valueAt(t, y, at), levelCondition(t, y, c, baseline));
}

// Text -----------------------------------------------------------------------------------------------------------

function window(from?: number, to?: number): string {
  if (from === undefined && to === undefined) return '';
  return ` (${round(from ?? 0)}–${to === undefined ? 'end' : round(to)} h)`;
}

function conditionText(c: Condition): string {
  if (c.above !== undefined) return `> ${c.above}`;
  if (c.below !== undefined) return `< ${c.below}`;
  if (c.reduction_at_least_pct !== undefined) return `≥ ${c.reduction_at_least_pct}% below baseline`;
  return `< ${c.reduction_below_pct}% below baseline`;
}

/** A metric in words, e.g. "Cmax of CNK", "AUC 0–8 h of CNK", "Cmax of CNK / Cmax of CP". */
export function metricText(m: Metric): string {
  const agg = (x: { aggregate?: string }): string => (x.aggregate !== undefined && x.aggregate !== 'mean_curve' ? ` (${x.aggregate.replace('_', ' ')} of subjects)` : '');
  switch (m.type) {
    case 'effect_size':
      return `effect size (d) of the mean change of ${m.output} ${round(m.baseline_h ?? 0)}→${round(m.at_h)} h: [${scenarioText(m.treatment.scenario ?? {})}] vs [${scenarioText(m.control.scenario ?? {})}]`;
    case 'ratio': {
      const side = (p: { metric: SimpleMetric; scenario?: unknown }): string => `${metricText(p.metric)}${p.scenario !== undefined ? ` [${scenarioText(p.scenario)}]` : ''}`;
      return `${side(m.numerator)} / ${side(m.denominator)}`;
    }
    case 'cmax':
      return `Cmax of ${m.output}${window(m.from_h, m.to_h)}${agg(m)}`;
    case 'tmax':
      return `Tmax of ${m.output}${window(m.from_h, m.to_h)}${agg(m)}`;
    case 'auc':
      return `AUC of ${m.output} ${m.extrapolate === true ? `${round(m.from_h ?? 0)}–∞ h` : `${round(m.from_h ?? 0)}–${m.to_h === undefined ? 'end' : round(m.to_h)} h`}${agg(m)}`;
    case 'value':
      return `${m.output} at ${round(m.at_h)} h${agg(m)}`;
    case 'change':
      return `change of ${m.output} ${round(m.baseline_h ?? 0)}→${round(m.at_h)} h${agg(m)}`;
    case 'percent_change':
      return `% change of ${m.output} ${round(m.baseline_h ?? 0)}→${round(m.at_h)} h${agg(m)}`;
    case 'clearance':
      return `dose / AUC0–∞ of ${m.output}${agg(m)}`;
    case 'mean_change':
      return `mean change of ${m.output} ${round(m.baseline_h ?? 0)}→${round(m.at_h)} h`;
    case 'response_rate':
      return `fraction with ≥ ${m.reduction_pct ?? 50}% reduction of ${m.output} at ${round(m.at_h)} h`;
    case 'remission_rate':
      return `fraction with ${m.output} ≤ ${m.threshold} at ${round(m.at_h)} h`;
    case 'fraction_above':
      return `fraction with peak ${m.from_baseline === true ? 'rise of ' : ''}${m.output} > ${m.threshold}${window(m.from_h, m.to_h)}`;
    case 'median_time_to':
      return `median time from ${round(m.reference_h)} h to ${m.output} ${conditionText(m.event)}${m.among !== undefined ? ` among subjects with ${m.output} ${conditionText(m.among.condition)} at ${round(m.among.at_h)} h` : ''}`;
  }
}

/** A scenario override in words: "with clarithromycin", "iv 84 mg over 40 min at 0 h", "CL = 20". */
function scenarioText(s: unknown): string {
  return Object.entries(s as Record<string, unknown>)
    .map(([k, v]) => {
      if (k === 'with' && Array.isArray(v)) return `with ${v.join(', ')}`;
      if (k === 'doses' && Array.isArray(v)) {
        return (v as Record<string, unknown>[])
          .map((d) => [d.route, d.amount, d.over !== undefined ? `over ${String(d.over)}` : '', d.days !== undefined ? `days ${String(d.days)}` : '', d.hours !== undefined ? `at ${String(d.hours)} h` : ''].filter((x) => x !== '' && x !== undefined).map(String).join(' '))
          .join(' + ');
      }
      if ((k === 'parameters' || k === 'covariates') && v !== null && typeof v === 'object') {
        return Object.entries(v as Record<string, unknown>).map(([n, x]) => `${n} = ${String(x)}`).join(', ');
      }
      return `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`;
    })
    .join('; ');
}

function round(x: number): string {
  return String(Number(x.toPrecision(4)));
}

// Summary ----------------------------------------------------------------------------------------------------

export interface Summary {
  readonly total: number;
  readonly byUse: Readonly<Record<'calibration' | 'check', Readonly<Record<Status, number>>>>;
  /** Targets that make the run fail: fail, unexpected-pass, error. */
  readonly failures: number;
}

export function summarize(results: readonly TargetResult[]): Summary {
  const empty = (): Record<Status, number> => ({ pass: 0, fail: 0, 'known-miss': 0, 'unexpected-pass': 0, error: 0 });
  const byUse = { calibration: empty(), check: empty() };
  for (const r of results) byUse[r.use][r.status] += 1;
  const failures = results.filter((r) => r.status === 'fail' || r.status === 'unexpected-pass' || r.status === 'error').length;
  return { total: results.length, byUse, failures };
}
