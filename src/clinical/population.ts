/**
 * A virtual population on one regimen (`ketasim regimen --patients N`): what the population simulation of the
 * validation engine (src/validation/run.ts, simulateScenario: N copies of the regimen's patient, each with etas
 * from sampleEtas) gives, read as a clinician would: the spread of every patient's peak (and trough), response and
 * remission of symptom scores at fixed times, time to relapse after the last dose, and the share of patients for
 * whom each threshold read-out of the safety rules applies. Pure (no I/O).
 *
 * The population metrics are those of src/validation/metrics.ts (responseRate, timeToEvent, medianTimeTo, valueAt)
 * and the relapse event is the validation metric's (levelCondition, "no longer ≥ 50 % below baseline"); the safety
 * shares evaluate each patient with the same code as the typical patient's read-outs (evaluateSafety), so a share
 * means "the read-out applies to this fraction of patients".
 *
 * Percentiles are Hyndman–Fan type 7 (linear interpolation between order statistics: R's default, numpy's
 * "linear"), whose 50 % is metrics.median.
 */

import type { GivenDose } from '../regimen/regimen.js';
import * as M from '../validation/metrics.js';
import { levelCondition } from '../validation/run.js';
import { compare, type OutputThresholdRule, type SafetyRules } from './rules.js';
import { evaluateSafety, type Readout, type ThresholdInfo } from './safety.js';
import type { CovariateValue, OutputSeries, PatientSeries } from './series.js';

/** N simulated patients on one observation grid (what simulateScenario returns). */
export interface PopulationCurves {
  /** Observation times, hours (the same for every patient). */
  readonly timesH: Float64Array;
  readonly subjects: number;
  readonly doses: readonly GivenDose[];
  readonly endH: number;
  /** One curve per patient. */
  curves(output: string): readonly Float64Array[];
  unit(output: string): string;
}

// Percentiles -----------------------------------------------------------------------------------------------------

export interface Percentiles {
  readonly p05: number;
  readonly median: number;
  readonly p95: number;
}

/** Quantile p (0…1) of values sorted ascending: type 7, linear between the order statistics around (n − 1)·p. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of no values');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return h === lo ? a : a + (h - lo) * (b - a);
}

/** 5th percentile, median and 95th percentile (type 7). */
export function percentiles(values: ArrayLike<number>): Percentiles {
  const s = Float64Array.from(values).sort();
  return { p05: quantileSorted(s, 0.05), median: quantileSorted(s, 0.5), p95: quantileSorted(s, 0.95) };
}

// Symptom scales ---------------------------------------------------------------------------------------------------

/** Response: at least this reduction from the value at time 0, in % (clinical-practice.md §2.1, every scale). */
export const RESPONSE_REDUCTION_PCT = 50;
export const RESPONSE_SOURCE =
  'clinical-practice.md §2.1: response = ">= 50% reduction" for every depression scale (MADRS, HAM-D17, QIDS-SR16, PHQ-9); ' +
  '"response = >= 50% decrease from baseline (Frank et al. 1991 MacArthur consensus framework)"';

export interface ScoreScale {
  /** Output names a model may give this scale under. */
  readonly outputs: readonly string[];
  /** The instrument, e.g. "MADRS". */
  readonly scale: string;
  /** Remission: the score at the time is below (<) or at most (≤) the value. */
  readonly remission?: { readonly op: '<' | '≤'; readonly value: number };
  /** Where the remission threshold comes from, or why there is none; `quote` is verbatim from the source file. */
  readonly source: string;
  readonly quote: string;
  /** Response is read for this scale (≥ 50 % reduction); false when the scale has no response convention. */
  readonly response: boolean;
}

/**
 * Symptom scales with their response and remission conventions, from /work/shared/literature/clinical-practice.md
 * §2.1 (the `quote` of each is a verbatim excerpt; test/cli/regimen-population.test.ts checks it). A scale with no
 * remission convention there gets none. MADRS: Hawley 2002's "< 10" is the default; the file also lists "<= 12"
 * (SUSTAIN-3, meta-analyses): copy this table to change it.
 */
export const SCORE_SCALES: readonly ScoreScale[] = [
  {
    outputs: ['MADRS'],
    scale: 'MADRS',
    remission: { op: '<', value: 10 },
    response: true,
    source: 'clinical-practice.md §2.1 (remission < 10: Hawley 2002; the file also lists <= 12: SUSTAIN-3, meta-analyses)',
    quote: 'Response >= 50% reduction; remission MADRS < 10 (Hawley 2002) or <= 12 (esketamine SUSTAIN-3; meta-analysis definitions)',
  },
  {
    outputs: ['HAMD17', 'HAMD'],
    scale: 'HAM-D17',
    remission: { op: '≤', value: 7 },
    response: true,
    source: 'clinical-practice.md §2.1',
    quote: 'Remission <= 7; response >= 50% reduction',
  },
  {
    outputs: ['QIDS_SR', 'QIDS'],
    scale: 'QIDS-SR16',
    remission: { op: '≤', value: 5 },
    response: true,
    source: 'clinical-practice.md §2.1 (derived there: the "none" band)',
    quote: 'Response >= 50% reduction; remission <= 5 (= "none" band; derived)',
  },
  {
    outputs: ['PHQ9'],
    scale: 'PHQ-9',
    remission: { op: '<', value: 5 },
    response: true,
    source: 'ORKA-1 and the SUSTAIN-3 table, via clinical-practice.md §2.1',
    quote: 'Response >= 50% reduction; remission < 5 (ORKA-1; SUSTAIN-3 table)',
  },
  {
    outputs: ['ANXIETY'],
    scale: "anxiety (% of the patient's own baseline, any instrument)",
    response: true,
    source: 'no remission threshold: a relative scale, and clinical-practice.md §2.1 gives none for anxiety (on GAD-7)',
    quote: 'Not standardised; PHQ-style >= 50% used in real-world KAP reports',
  },
  {
    outputs: ['GAD7'],
    scale: 'GAD-7',
    response: true,
    source: 'no remission threshold: clinical-practice.md §2.1 on GAD-7',
    quote: 'Not standardised; PHQ-style >= 50% used in real-world KAP reports',
  },
];

/** The scale of an output, if it is a symptom score the table knows. */
export function scoreScale(output: string): ScoreScale | undefined {
  return SCORE_SCALES.find((s) => s.outputs.includes(output));
}

// Summary -----------------------------------------------------------------------------------------------------------

export interface OutputSpread {
  readonly output: string;
  readonly unit: string;
  /** Each patient's largest value on the observation grid. */
  readonly peak: Percentiles;
  /** Each patient's smallest value; only for outputs that fall below their first value in at least one patient. */
  readonly trough?: Percentiles;
}

export interface ScoreTime {
  /** "24 h after the start of the first dose", "end of follow-up". */
  readonly label: string;
  readonly timeH: number;
  /** Fractions of patients (0…1). */
  readonly response: number;
  readonly remission?: number;
}

export interface Relapse {
  /** Start of the last dose (times to relapse are counted from it), hours. */
  readonly lastDoseH: number;
  /** When responders are selected (24 h after the start of the last dose), hours. */
  readonly assessedH: number;
  readonly responders: number;
  /** Relapsed before the end of follow-up. */
  readonly events: number;
  /** Still responding at the end of follow-up (censored there). */
  readonly censored: number;
  /** End of follow-up, hours. */
  readonly endH: number;
  /** Kaplan–Meier median time to relapse, hours from the start of the last dose; NaN when not reached. */
  readonly medianH: number;
}

export interface ScoreOutcome {
  readonly output: string;
  readonly unit: string;
  readonly scale: ScoreScale;
  readonly times: readonly ScoreTime[];
  /** Undefined when follow-up ends less than 24 h after the start of the last dose. */
  readonly relapse?: Relapse;
}

export interface SafetyShare {
  /** Rule id, or the ids of the rules combined ("sbp-rise-40+dbp-rise-25"). */
  readonly id: string;
  readonly rules: readonly string[];
  readonly title: string;
  /** The threshold as evaluated, e.g. "CADSS > 4", "SBP ≥ 165 mmHg (BASE_SBP 125 + 40)". */
  readonly condition: string;
  /** Patients for whom the read-out applies after at least one dose. */
  readonly patients: number;
  readonly share: number;
  /** Source key(s) and their authority, the citation and what the source says. */
  readonly source: string;
  readonly status: string;
  readonly citation: string;
  readonly text: string;
}

export interface PopulationSafety {
  readonly rulesName: string;
  readonly rulesVersion: string;
  readonly shares: readonly SafetyShare[];
  /** Threshold rules that cannot be evaluated with this model, and why. */
  readonly unavailable: readonly { readonly id: string; readonly title: string; readonly finding: string }[];
}

export interface PopulationSummary {
  readonly patients: number;
  readonly seed: number;
  /** Names of the random effects sampled (model Ω). */
  readonly randomEffects: readonly string[];
  readonly outputs: readonly OutputSpread[];
  readonly scores: readonly ScoreOutcome[];
  readonly safety?: PopulationSafety;
}

export interface PopulationSummaryOptions {
  readonly seed: number;
  readonly randomEffects: readonly string[];
  /** Outputs whose peaks (and troughs) to summarise. */
  readonly outputs: readonly string[];
  /** Every output of the model (symptom scores are looked for among them). */
  readonly modelOutputs: readonly string[];
  /** The covariates every patient has (the regimen's and the model's defaults): safety baselines. */
  readonly covariates: ReadonlyMap<string, CovariateValue>;
  readonly rules?: SafetyRules;
}

export function summarizePopulation(pop: PopulationCurves, options: PopulationSummaryOptions): PopulationSummary {
  return {
    patients: pop.subjects,
    seed: options.seed,
    randomEffects: options.randomEffects,
    outputs: options.outputs.map((o) => outputSpread(pop, o)),
    scores: options.modelOutputs.flatMap((o) => {
      const scale = scoreScale(o);
      return scale === undefined ? [] : [scoreOutcome(pop, o, scale)];
    }),
    ...(options.rules !== undefined ? { safety: populationSafety(pop, options.covariates, options.rules) } : {}),
  };
}

function outputSpread(pop: PopulationCurves, output: string): OutputSpread {
  const t = pop.timesH;
  const curves = pop.curves(output);
  const peaks = new Float64Array(curves.length);
  const troughs = new Float64Array(curves.length);
  let falls = false;
  curves.forEach((y, s) => {
    peaks[s] = M.cmax(t, y);
    let low = y[0] as number;
    for (let i = 1; i < y.length; i++) if ((y[i] as number) < low) low = y[i] as number;
    troughs[s] = low;
    const first = y[0] as number;
    if (low < first - 1e-6 * Math.max(1, Math.abs(first))) falls = true;
  });
  return { output, unit: pop.unit(output), peak: percentiles(peaks), ...(falls ? { trough: percentiles(troughs) } : {}) };
}

/** The times response and remission are read: 24 h after the start of the first and of the last dose, end of follow-up. */
export function scoreTimes(doses: readonly GivenDose[], endH: number): { label: string; timeH: number }[] {
  const starts = [...new Set(doses.map((d) => d.timeH))].sort((a, b) => a - b);
  const first = starts[0] ?? 0;
  const last = starts[starts.length - 1] ?? 0;
  const out: { label: string; timeH: number }[] = [];
  const tol = 1e-9 * Math.max(1, endH);
  if (starts.length === 1) {
    if (first + 24 <= endH + tol) out.push({ label: '24 h after the start of the dose', timeH: first + 24 });
  } else {
    if (first + 24 <= endH + tol) out.push({ label: '24 h after the start of the first dose', timeH: first + 24 });
    if (last + 24 <= endH + tol) out.push({ label: '24 h after the start of the last dose', timeH: last + 24 });
  }
  out.push({ label: 'end of follow-up', timeH: endH });
  return out;
}

function scoreOutcome(pop: PopulationCurves, output: string, scale: ScoreScale): ScoreOutcome {
  const t = pop.timesH;
  const curves = pop.curves(output);
  const remission = scale.remission;
  const times = scoreTimes(pop.doses, pop.endH).map(({ label, timeH }) => ({
    label,
    timeH,
    response: M.responseRate(t, curves, timeH, 0, RESPONSE_REDUCTION_PCT),
    // metrics.remissionRate reads "≤ threshold"; the scales' conventions are "<" or "≤", so the comparison is the table's.
    ...(remission !== undefined ? { remission: curves.filter((y) => compare(M.valueAt(t, y, timeH), remission.op, remission.value)).length / curves.length } : {}),
  }));
  const starts = pop.doses.map((d) => d.timeH);
  const lastDoseH = Math.max(...starts);
  const assessedH = lastDoseH + 24;
  let relapse: Relapse | undefined;
  if (assessedH <= pop.endH + 1e-9 * Math.max(1, pop.endH)) {
    // Responders as the response rate counts them; relapse = the validation metric's event "no longer ≥ 50 % below
    // baseline", searched from the assessment (when each is known to respond) to the end of follow-up (censored).
    const responders = curves.filter((y) => M.responseRate(t, [y], assessedH, 0, RESPONSE_REDUCTION_PCT) === 1);
    const event = { reduction_below_pct: RESPONSE_REDUCTION_PCT };
    const times = responders.map((y) => {
      const after = M.timeToEvent(t, y, levelCondition(t, y, event, 0), assessedH, pop.endH);
      return after === undefined ? undefined : after + (assessedH - lastDoseH);
    });
    const med = responders.length > 0 ? M.medianTimeTo(times) : { median: Number.NaN, events: 0, censored: 0 };
    relapse = { lastDoseH, assessedH, responders: responders.length, events: med.events, censored: med.censored, endH: pop.endH, medianH: med.median };
  }
  return { output, unit: pop.unit(output), scale, times, ...(relapse !== undefined ? { relapse } : {}) };
}

/** "CADSS > 4", "SBP ≥ 165 mmHg (BASE_SBP 125 + 40)" */
export function thresholdText(t: ThresholdInfo): string {
  const unit = t.unit === '' || t.unit === '1' || /^(score|points?)$/i.test(t.unit) ? '' : ` ${t.unit}`;
  const base = t.baseline === undefined ? '' : ` (${t.baseline.covariate} ${fmt(t.baseline.value)} + ${fmt(t.baseline.rise)}${t.baseline.given ? '' : ', model default'})`;
  return `${t.output} ${t.op} ${fmt(t.value)}${unit}${base}`;
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/**
 * Share of patients for whom each enabled output-threshold rule applies (after at least one dose), evaluated on each
 * patient exactly as the typical patient's read-out; and, when the rules have several thresholds relative to a
 * baseline (the label's "≥ 40 mmHg SBP and/or ≥ 25 mmHg DBP"), the share for whom any of them applies.
 */
export function populationSafety(pop: PopulationCurves, covariates: ReadonlyMap<string, CovariateValue>, rules: SafetyRules): PopulationSafety {
  const thresholdRules = rules.rules.filter((r): r is OutputThresholdRule => r.enabled && r.kind === 'output_threshold');
  const subset: SafetyRules = { ...rules, rules: thresholdRules };
  const names = [...new Set(thresholdRules.map((r) => r.output))];
  const hits = new Map<string, number>(thresholdRules.map((r) => [r.id, 0]));
  let first: readonly Readout[] = [];
  const relativeIds = new Set<string>();
  let anyRelative = 0;
  for (let s = 0; s < pop.subjects; s++) {
    const outputs = new Map<string, OutputSeries>();
    for (const name of names) {
      const curve = curveOf(pop, name, s);
      if (curve !== undefined) outputs.set(name, { name, unit: pop.unit(name), values: curve });
    }
    const patient: PatientSeries = { timesH: pop.timesH, outputs, covariates, doses: pop.doses, endH: pop.endH };
    const report = evaluateSafety(patient, subset);
    if (s === 0) {
      first = report.readouts;
      for (const r of first) if (r.status !== 'unavailable' && r.rule.kind === 'output_threshold' && r.rule.relative_to !== undefined) relativeIds.add(r.rule.id);
    }
    let relative = false;
    for (const r of report.readouts) {
      if (r.status !== 'triggered') continue;
      hits.set(r.rule.id, (hits.get(r.rule.id) ?? 0) + 1);
      if (relativeIds.has(r.rule.id)) relative = true;
    }
    if (relative) anyRelative++;
  }
  const n = pop.subjects;
  const shares: SafetyShare[] = [];
  const unavailable: PopulationSafety['unavailable'][number][] = [];
  for (const r of first) {
    if (r.status === 'unavailable' || r.threshold === undefined) {
      unavailable.push({ id: r.rule.id, title: r.rule.title, finding: r.finding });
      continue;
    }
    const k = hits.get(r.rule.id) ?? 0;
    shares.push({
      id: r.rule.id,
      rules: [r.rule.id],
      title: r.rule.title,
      condition: thresholdText(r.threshold),
      patients: k,
      share: k / n,
      source: r.rule.source,
      status: r.rule.status,
      citation: r.citation,
      text: r.rule.text,
    });
  }
  const relative = first.filter((r) => relativeIds.has(r.rule.id));
  if (relative.length > 1) {
    const sources = [...new Set(relative.map((r) => r.rule.source))];
    shares.push({
      id: relative.map((r) => r.rule.id).join('+'),
      rules: relative.map((r) => r.rule.id),
      title: `Any of: ${relative.map((r) => r.rule.title).join('; ')}`,
      condition: relative.map((r) => riseText(r.threshold as ThresholdInfo)).join(' or '),
      patients: anyRelative,
      share: anyRelative / n,
      source: sources.join(', '),
      status: [...new Set(relative.map((r) => r.rule.status))].join(', '),
      citation: [...new Set(relative.map((r) => r.citation))].join(' '),
      text: [...new Set(relative.map((r) => r.rule.text))].sort((a, b) => b.length - a.length)[0] as string,
    });
  }
  return { rulesName: rules.name, rulesVersion: rules.version, shares, unavailable };
}

/** "SBP rise ≥ 40 mmHg" */
function riseText(t: ThresholdInfo): string {
  return t.baseline === undefined ? thresholdText(t) : `${t.output} rise ${t.op} ${fmt(t.baseline.rise)} ${t.unit}`;
}

function curveOf(pop: PopulationCurves, output: string, s: number): Float64Array | undefined {
  try {
    return pop.curves(output)[s];
  } catch {
    return undefined; // the model has no such output: the read-out is unavailable
  }
}

// Per-time percentiles --------------------------------------------------------------------------------------------

export interface OutputBand {
  readonly unit: string;
  readonly p05: Float64Array;
  readonly p25: Float64Array;
  readonly median: Float64Array;
  readonly p75: Float64Array;
  readonly p95: Float64Array;
}

export interface PopulationBands {
  readonly timesH: Float64Array;
  readonly outputs: ReadonlyMap<string, OutputBand>;
}

/** 5th, 25th, 50th, 75th and 95th percentiles across patients at every observation time. */
export function populationBands(pop: PopulationCurves, outputs: readonly string[]): PopulationBands {
  const t = pop.timesH;
  const bands = new Map<string, OutputBand>();
  const column = new Float64Array(pop.subjects);
  for (const o of outputs) {
    const curves = pop.curves(o);
    const [p05, p25, median, p75, p95] = [0, 0, 0, 0, 0].map(() => new Float64Array(t.length)) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    for (let i = 0; i < t.length; i++) {
      for (let s = 0; s < curves.length; s++) column[s] = (curves[s] as Float64Array)[i] as number;
      column.sort();
      p05[i] = quantileSorted(column, 0.05);
      p25[i] = quantileSorted(column, 0.25);
      median[i] = quantileSorted(column, 0.5);
      p75[i] = quantileSorted(column, 0.75);
      p95[i] = quantileSorted(column, 0.95);
    }
    bands.set(o, { unit: pop.unit(o), p05, p25, median, p75, p95 });
  }
  return { timesH: t, outputs: bands };
}
