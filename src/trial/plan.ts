/**
 * A design resolved against its model: per arm, one template data set (doses as the regimen code builds them,
 * observation records at the visits and on a fine grid after each dose for peaks), the endpoints' outputs and
 * thresholds, and the inputs each virtual patient gets (random effects, covariates). Built once per process
 * (each worker builds its own) and reused for every patient.
 *
 * Weight-based doses: the template is built for 1 kg and 2 kg; a record's amount and rate are linear in the
 * weight (a + b·WT), so each patient's records are the template's with amounts scaled — no per-patient regimen
 * parsing. Observation records at a dose time come before the dose (a visit is a pre-dose assessment).
 */

import type { SubjectRecords } from '../core/data/dataset.js';
import type { CompiledModelWithRandom, ResidualSpec } from '../core/model/index.js';
import { datasetFromRows } from '../io/nmdata/index.js';
import { buildRegimen } from '../regimen/regimen.js';
import { parseDurationHours } from '../regimen/quantity.js';
import { scoreScale, RESPONSE_SOURCE, type ScoreScale } from '../clinical/population.js';
import { designVisits, thresholdsOf, TrialError, withField, type Design, type SafetyEntry, type SafetyThreshold, type Visit } from './design.js';
import { populationCovariates, type PopulationCovariate } from './population.js';

/** Observation times of a trial are rounded to multiples of 1/GRID_PER_H hours (see planArm). */
const GRID_PER_H = 2 ** 20;

export interface ArmPlan {
  readonly index: number;
  readonly name: string;
  readonly n: number;
  /** Global index of the arm's first subject (arms are numbered one after another). */
  readonly firstSubject: number;
  readonly template: SubjectRecords;
  /** Per record: amount and rate = const + perKg · WT (perKg all 0 when no dose is weight-based). */
  readonly amtConst: Float64Array;
  readonly amtPerKg: Float64Array;
  readonly rateConst: Float64Array;
  readonly ratePerKg: Float64Array;
  readonly weightBased: boolean;
  /** Record index of each visit. */
  readonly visitRows: Int32Array;
  /** Observation records (visits and the fine grid) and their times in hours. */
  readonly obsRows: Int32Array;
  readonly obsTimesH: Float64Array;
  /** Record of reading j of session s at [s · readings + j] (sessions: distinct dose start times), −1 after the end of the trial. */
  readonly readingRows: Int32Array;
  /** Their times, hours. */
  readonly readingTimesH: Float64Array;
  /** Dose occasion of each record (dose k opens occasion k; pre-dose records belong to the previous one). */
  readonly occasionOfRecord: Int32Array;
  readonly occasions: number;
  /** Start of the last dose, hours. */
  readonly lastDoseH: number;
  /** Visit at which responders are selected for relapse (−1: none). */
  readonly relapseVisit: number;
  /** Covariates fixed for the arm (co-medications and `covariates`), by name. */
  readonly fixed: Readonly<Record<string, number>>;
  /** Dose lines in words. */
  readonly regimenText: string;
}

/** One threshold on one output. */
export interface SafetyPart {
  readonly output: string;
  readonly outputIndex: number;
  readonly unit: string;
  readonly kind: 'above' | 'at_least' | 'rise_above' | 'rise_at_least';
  readonly value: number;
  /** Index among the peak outputs. */
  readonly peakIndex: number;
  /** Index among the reading outputs (plan.readings), or −1: judged on the peak. */
  readonly readingIndex: number;
}

/** A safety endpoint: the share of patients who meet at least one of its parts. */
export interface SafetyPlan {
  readonly parts: readonly SafetyPart[];
  /** "CADSS > 4", "SBP rise ≥ 40 mmHg or DBP rise ≥ 25 mmHg". */
  readonly condition: string;
  readonly source: string;
}

/** Clinic readings of safety outputs at fixed times after the start of each dose (endpoints.readings). */
export interface ReadingsPlan {
  /** Reading times after the start of each dose, hours, ascending; the first is the session's baseline. */
  readonly offsetsH: readonly number[];
  readonly outputs: readonly {
    readonly output: string;
    readonly outputIndex: number;
    readonly residual: ResidualSpec | undefined;
    readonly residualSource: string;
  }[];
  readonly source: string;
}

export interface TrialPlan {
  readonly design: Design;
  readonly source: string;
  readonly model: CompiledModelWithRandom;
  readonly seed: number;
  readonly visits: readonly Visit[];
  readonly durationH: number;
  readonly hoursPerModelTime: number;
  readonly arms: readonly ArmPlan[];
  readonly totalSubjects: number;
  readonly controlArm: number;
  readonly population: readonly PopulationCovariate[];
  /** Subject-level inputs: random effects, then every covariate a patient gets (population and arms). */
  readonly inputNames: readonly string[];
  readonly covariateNames: readonly string[];
  readonly score: {
    readonly output: string;
    readonly outputIndex: number;
    readonly unit: string;
    readonly scale: ScoreScale | undefined;
    readonly responsePct: number;
    readonly responseSource: string;
    readonly remission: { readonly op: '<' | '≤'; readonly value: number } | undefined;
    readonly remissionSource: string;
    readonly residual: ResidualSpec | undefined;
    readonly residualSource: string;
  };
  /** Outputs whose peaks are read (each once), and the thresholds on them. */
  readonly peakOutputs: readonly { readonly output: string; readonly outputIndex: number; readonly unit: string }[];
  readonly safety: readonly SafetyPlan[];
  readonly readings: ReadingsPlan | undefined;
  /** Between-occasion variability: random effect and SD of its per-occasion deviation. */
  readonly occasionVariability: readonly { readonly name: string; readonly sd: number }[];
  readonly missing: 'observed' | 'locf';
  readonly relapseAssessH: number | undefined;
}

/** Default safety endpoints (those whose outputs the model has), as the sources report them; see models/ketamine/safety.rules. */
export const DEFAULT_SAFETY: readonly SafetyEntry[] = [
  { output: 'CADSS', above: 4, source: 'jnj-dissociation (Spravato: CADSS total > 4 in 61-84% vs 5-16% placebo)' },
  {
    any_of: [
      { output: 'SBP', rise_at_least: 40 },
      { output: 'DBP', rise_at_least: 25 },
    ],
    source: 'spravato-label-effects (rise >= 40 mmHg SBP and/or >= 25 mmHg DBP in 8-19% vs 1-4% placebo)',
  },
  {
    any_of: [
      { output: 'SBP', above: 180 },
      { output: 'DBP', above: 110 },
    ],
    source: 'delsant2020 (transient hypertension SBP > 180 and/or DBP > 110)',
  },
];

function outputIndex(model: CompiledModelWithRandom, output: string, field: string): number {
  const k = model.outputNames.indexOf(output);
  if (k < 0) throw new TrialError(`model ${model.name} has no output ${output} (outputs: ${model.outputNames.join(', ')})`, field);
  return k;
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(6)));
}

export function planTrial(design: Design, model: CompiledModelWithRandom, source = 'design', seedOverride?: number): TrialPlan {
  const seed = seedOverride ?? design.seed;
  const { visits, durationH } = designVisits(design, source);
  const units = model.spec.units;
  const hpm = withField(`${source}: model ${model.name} units.time`, () => parseDurationHours(`1 ${units.time}`, 'units.time'));
  const population = populationCovariates(design, model.covariateNames, source);

  // Score ------------------------------------------------------------------------------------------------------
  const ep = design.endpoints;
  const scoreOutput = ep.score ?? model.outputNames.find((o) => scoreScale(o)?.remission !== undefined) ?? model.outputNames.find((o) => scoreScale(o) !== undefined);
  if (scoreOutput === undefined) throw new TrialError(`model ${model.name} has no symptom-score output the endpoints know; name one with endpoints.score`, `${source}: endpoints.score`);
  const scoreIdx = outputIndex(model, scoreOutput, `${source}: endpoints.score`);
  const scale = scoreScale(scoreOutput);
  const remission = ep.remission !== undefined ? (ep.remission.below !== undefined ? { op: '<' as const, value: ep.remission.below } : { op: '≤' as const, value: ep.remission.at_most as number }) : scale?.remission;
  const entries: readonly SafetyEntry[] = ep.safety ?? DEFAULT_SAFETY.filter((e) => thresholdsOf(e).every((t) => model.outputNames.includes(t.output)));
  const thresholds = entries.flatMap(thresholdsOf);
  const readingOutputNames = ep.readings === undefined ? [] : (ep.readings.outputs ?? [...new Set(thresholds.map((t) => t.output))]);
  for (const name of Object.keys(design.residual)) {
    if (name !== scoreOutput && !readingOutputNames.includes(name)) {
      throw new TrialError(`residual error applies to the score output (${scoreOutput}) read at visits and to outputs read at endpoints.readings; peaks are model predictions`, `${source}: residual.${name}`);
    }
  }
  const { residual, residualSource } = measurementError(design, model, scoreOutput, source);

  // Safety -----------------------------------------------------------------------------------------------------
  const peakOutputs: { output: string; outputIndex: number; unit: string }[] = [];
  const part = (t: SafetyThreshold, field: string): SafetyPart & { condition: string } => {
    const k = outputIndex(model, t.output, `${field}.output`);
    let p = peakOutputs.findIndex((o) => o.output === t.output);
    if (p < 0) {
      p = peakOutputs.length;
      peakOutputs.push({ output: t.output, outputIndex: k, unit: model.outputUnits[k] ?? '' });
    }
    const kind = t.above !== undefined ? 'above' : t.at_least !== undefined ? 'at_least' : t.rise_above !== undefined ? 'rise_above' : 'rise_at_least';
    const value = (t.above ?? t.at_least ?? t.rise_above ?? t.rise_at_least) as number;
    const unit = model.outputUnits[k] ?? '';
    const u = unit === '' || unit === '1' || /^(score|points?)$/i.test(unit) ? '' : ` ${unit}`;
    const op = kind === 'above' || kind === 'rise_above' ? '>' : '≥';
    const readingIndex = readingOutputNames.indexOf(t.output);
    const condition = `${t.output}${kind.startsWith('rise') ? ' rise' : ''} ${op} ${fmt(value)}${u}${readingIndex >= 0 ? ' (readings)' : ''}`;
    return { output: t.output, outputIndex: k, unit, kind, value, peakIndex: p, readingIndex, condition };
  };
  const safety: SafetyPlan[] = entries.map((e, i) => {
    const field = `${source}: endpoints.safety[${i + 1}]`;
    const parts = 'any_of' in e ? e.any_of.map((t, j) => part(t, `${field}.any_of[${j + 1}]`)) : [part(e, field)];
    const sources = 'any_of' in e ? [e.source, ...e.any_of.map((t) => t.source)] : [e.source];
    return { parts, condition: parts.map((p) => p.condition).join(' or '), source: sources.find((x) => x !== undefined) ?? 'design' };
  });
  const readings = planReadings(design, model, readingOutputNames, thresholds, source);

  // Between-occasion variability ---------------------------------------------------------------------------------
  const occasionVariability = Object.entries(design.occasion_variability).map(([name, sd]) => {
    if (!model.etaNames.includes(name)) throw new TrialError(`model ${model.name} has no random effect ${name} (random effects: ${model.etaNames.join(', ') || 'none'})`, `${source}: occasion_variability.${name}`);
    return { name, sd };
  });

  // Arms ---------------------------------------------------------------------------------------------------------
  const peaks = design.endpoints.peaks;
  const windowH = withField(`${source}: endpoints.peaks.window`, () => parseDurationHours(peaks.window, 'window'));
  const stepH = withField(`${source}: endpoints.peaks.step`, () => parseDurationHours(peaks.step, 'step'));
  if (!(stepH > 0)) throw new TrialError('the step must be positive', `${source}: endpoints.peaks.step`);
  const relapseAssessH = ep.relapse === false ? undefined : withField(`${source}: endpoints.relapse.assess_after_last_dose`, () => parseDurationHours((ep.relapse as { assess_after_last_dose: string | number }).assess_after_last_dose, 'assess_after_last_dose'));
  let first = 0;
  const covariateSet = new Set(population.map((c) => c.name));
  const arms = design.arms.map((arm, a) => {
    const plan = planArm(model, arm, a, first, visits, durationH, hpm, windowH, stepH, relapseAssessH, readings?.offsetsH ?? [], `${source}: arms[${a + 1}]`);
    for (const name of Object.keys(plan.fixed)) covariateSet.add(name);
    first += arm.n;
    return plan;
  });
  const covariateNames = [...covariateSet].filter((c) => model.covariateNames.includes(c));
  if (arms.some((a) => a.weightBased) && !population.some((c) => c.name === 'WT')) {
    throw new TrialError('mg/kg doses need body weights: give population.covariates.WT (or keep the default population)', `${source}: population`);
  }
  const control = design.control === undefined ? arms.length - 1 : arms.findIndex((a) => a.name === design.control);
  return {
    design,
    source,
    model,
    seed,
    visits,
    durationH,
    hoursPerModelTime: hpm,
    arms,
    totalSubjects: first,
    controlArm: control,
    population,
    inputNames: [...model.etaNames, ...covariateNames],
    covariateNames,
    score: {
      output: scoreOutput,
      outputIndex: scoreIdx,
      unit: model.outputUnits[scoreIdx] ?? '',
      scale,
      responsePct: ep.response_pct,
      responseSource: ep.response_pct === 50 ? RESPONSE_SOURCE : 'design',
      remission,
      remissionSource: ep.remission !== undefined ? 'design' : (scale?.source ?? 'none'),
      residual,
      residualSource,
    },
    peakOutputs,
    safety,
    readings,
    occasionVariability,
    missing: design.dropout?.missing ?? 'observed',
    relapseAssessH,
  };
}

function planArm(
  model: CompiledModelWithRandom,
  arm: Design['arms'][number],
  index: number,
  firstSubject: number,
  visits: readonly Visit[],
  durationH: number,
  hpm: number,
  windowH: number,
  stepH: number,
  relapseAssessH: number | undefined,
  readingOffsetsH: readonly number[],
  field: string,
): ArmPlan {
  const build = (weight: number): ReturnType<typeof buildRegimen> =>
    withField(field, () => buildRegimen(model, { weight_kg: weight, covariates: arm.covariates, with: arm.with, doses: arm.doses, follow_up: '0 h' }));
  const b1 = build(1);
  const b2 = build(2);
  const fixed: Record<string, number> = { ...b1.covariates };
  delete fixed.WT;
  if ('WT' in arm.covariates) throw new TrialError('body weight comes from the population (population.covariates.WT), not from an arm', `${field}.covariates.WT`);
  const s1 = b1.dataset.subjects[0] as SubjectRecords;
  const s2 = b2.dataset.subjects[0] as SubjectRecords;
  for (const d of b1.doses) {
    if (d.timeH > durationH + 1e-9) throw new TrialError(`a dose at ${fmt(d.timeH)} h is after the end of the trial (${fmt(durationH)} h)`, `${field}.doses`);
  }
  const doseStarts = [...new Set(b1.doses.map((d) => d.timeH))].sort((x, y) => x - y);
  // Observation times: visits and the fine grid after each dose.
  // Times are multiples of 2^-20 h (3.4 ms), and so is the grid step: every step between grid points is then the
  // same number, exactly, and the closed-form PK computes its transition once per patient instead of once for
  // every rounding variant of "5 min" (a quarter of the simulation time in a daily-visit trial).
  const obs = new Set<number>();
  const key = (t: number): number => Math.round(t * GRID_PER_H) / GRID_PER_H;
  const step = Math.max(1, Math.round(stepH * GRID_PER_H)) / GRID_PER_H;
  for (const v of visits) obs.add(key(v.timeH));
  for (const d of b1.doses) {
    const stop = Math.min(durationH, d.timeH + d.durationH + windowH);
    const start = key(d.timeH);
    let nearEnd = false;
    const end = d.timeH + d.durationH;
    for (let k = 0; start + k * step <= stop + 1e-9; k++) {
      const t = start + k * step;
      obs.add(t);
      if (Math.abs(t - end) < 1 / 60) nearEnd = true;
    }
    // the end of an infusion, unless a grid point is within a minute of it (the infusion's end is an event of
    // its own: an observation a few ms from it would only add a step)
    if (end <= durationH && !nearEnd) obs.add(key(end));
  }
  const readingTimes = doseStarts.flatMap((d) => readingOffsetsH.map((o) => key(d + o)));
  for (const t of readingTimes) if (t <= durationH + 1e-9) obs.add(t);
  type Row = { TIME: number; EVID: number; AMT: number; CMT: number; RATE: number; a2: number; r2: number; h: number };
  const rows: Row[] = [];
  for (let i = 0; i < s1.n; i++) {
    if (s1.evid[i] !== 1) continue;
    rows.push({ TIME: s1.time[i] as number, EVID: 1, AMT: s1.amt[i] as number, CMT: s1.cmt[i] as number, RATE: s1.rate[i] as number, a2: s2.amt[i] as number, r2: s2.rate[i] as number, h: (s1.time[i] as number) * hpm });
  }
  for (const t of obs) rows.push({ TIME: t / hpm, EVID: 0, AMT: 0, CMT: 0, RATE: 0, a2: 0, r2: 0, h: t });
  // Observations before doses at equal times (pre-dose assessments); stable otherwise.
  rows.sort((x, y) => x.h - y.h || x.EVID - y.EVID);
  const ds = datasetFromRows(
    rows.map((r) => ({ ID: 1, TIME: r.TIME, EVID: r.EVID, AMT: r.AMT, CMT: r.CMT, RATE: r.RATE })),
    `arm ${arm.name}`,
  );
  const template = ds.subjects[0] as SubjectRecords;
  const n = template.n;
  const amtConst = new Float64Array(n);
  const amtPerKg = new Float64Array(n);
  const rateConst = new Float64Array(n);
  const ratePerKg = new Float64Array(n);
  let weightBased = false;
  rows.forEach((r, i) => {
    const ka = r.a2 - r.AMT;
    amtPerKg[i] = ka;
    amtConst[i] = r.AMT - ka;
    const kr = r.RATE > 0 ? r.r2 - r.RATE : 0;
    ratePerKg[i] = kr;
    rateConst[i] = r.RATE - kr;
    if (ka !== 0) weightBased = true;
  });
  const visitRows = new Int32Array(visits.length);
  const obsRows: number[] = [];
  const obsTimes: number[] = [];
  rows.forEach((r, i) => {
    if (r.EVID === 0) {
      obsRows.push(i);
      obsTimes.push(r.h);
    }
  });
  visits.forEach((v, k) => {
    const i = rows.findIndex((r) => r.EVID === 0 && key(r.h) === key(v.timeH));
    visitRows[k] = i;
  });
  const rowAt = new Map<number, number>();
  rows.forEach((r, i) => {
    if (r.EVID === 0 && !rowAt.has(key(r.h))) rowAt.set(key(r.h), i);
  });
  const readingRows = Int32Array.from(readingTimes, (t) => (t <= durationH + 1e-9 ? (rowAt.get(t) as number) : -1));
  const occasionOfRecord = new Int32Array(n);
  rows.forEach((r, i) => {
    let occ = 0;
    for (let k = 0; k < doseStarts.length; k++) {
      const s = doseStarts[k] as number;
      if (r.EVID === 1 ? key(s) <= key(r.h) : key(s) < key(r.h)) occ = k;
    }
    occasionOfRecord[i] = occ;
  });
  const lastDoseH = doseStarts[doseStarts.length - 1] ?? 0;
  let relapseVisit = -1;
  if (relapseAssessH !== undefined) relapseVisit = visits.findIndex((v) => v.timeH >= lastDoseH + relapseAssessH - 1e-9);
  const regimenText = arm.doses
    .map((d) => [d.route, String(d.amount), d.over !== undefined ? `over ${String(d.over)}` : '', d.days !== undefined ? `days ${String(d.days)}` : `hours ${String(d.hours)}`].filter((x) => x !== '').join(' '))
    .join(' + ')
    .concat(arm.with.length > 0 ? ` with ${arm.with.join(', ')}` : '');
  return {
    index,
    name: arm.name,
    n: arm.n,
    firstSubject,
    template,
    amtConst,
    amtPerKg,
    rateConst,
    ratePerKg,
    weightBased,
    visitRows,
    readingRows,
    readingTimesH: Float64Array.from(readingTimes),
    obsRows: Int32Array.from(obsRows),
    obsTimesH: Float64Array.from(obsTimes),
    occasionOfRecord,
    occasions: Math.max(1, doseStarts.length),
    lastDoseH,
    relapseVisit,
    fixed,
    regimenText,
  };
}

/** Residual (measurement) error of an output: the design's `residual` entry, else the model's residual block, else none. */
function measurementError(design: Design, model: CompiledModelWithRandom, output: string, source: string): { residual: ResidualSpec | undefined; residualSource: string } {
  const declared = design.residual[output];
  if (declared !== undefined && declared !== 'none' && declared.additive === undefined && declared.proportional === undefined && declared.exponential === undefined) {
    throw new TrialError('give additive, proportional (or both) or exponential', `${source}: residual.${output}`);
  }
  const modelResidual = model.spec.residual[output];
  const residual = declared === 'none' ? undefined : declared !== undefined ? (declared as ResidualSpec) : modelResidual;
  const residualSource =
    declared === 'none' ? 'none (design)' : declared !== undefined ? 'design' : modelResidual !== undefined ? `model ${model.name} residual block` : 'none (the model has no residual error on this output)';
  return { residual, residualSource };
}

function planReadings(design: Design, model: CompiledModelWithRandom, outputs: readonly string[], thresholds: readonly SafetyThreshold[], source: string): ReadingsPlan | undefined {
  const spec = design.endpoints.readings;
  if (spec === undefined) return undefined;
  const field = `${source}: endpoints.readings`;
  const offsetsH = spec.times.map((t, i) => withField(`${field}.times[${i + 1}]`, () => parseDurationHours(t, 'time')));
  offsetsH.forEach((t, i) => {
    if (i > 0 && !(t > (offsetsH[i - 1] as number))) throw new TrialError('reading times must increase (the first is the session\'s baseline reading)', `${field}.times[${i + 1}]`);
  });
  const rise = thresholds.find((t) => outputs.includes(t.output) && (t.rise_above !== undefined || t.rise_at_least !== undefined));
  if (rise !== undefined && offsetsH.length < 2) {
    throw new TrialError(`a rise threshold on ${rise.output} needs at least two reading times (the first is the session's baseline)`, `${field}.times`);
  }
  return {
    offsetsH,
    outputs: outputs.map((output, i) => {
      const k = outputIndex(model, output, `${field}.outputs[${i + 1}]`);
      if (!thresholds.some((t) => t.output === output)) throw new TrialError(`no safety threshold is on ${output}: readings decide thresholds only`, `${field}.outputs[${i + 1}]`);
      return { output, outputIndex: k, ...measurementError(design, model, output, source) };
    }),
    source: spec.source ?? 'design',
  };
}
