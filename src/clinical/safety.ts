/**
 * Safety read-outs of a simulated regimen: every enabled rule of a rules file (see rules.ts) evaluated on the
 * patient's covariates and predicted outputs. A rule whose covariate or output the model does not have is
 * reported as unavailable, with the reason; nothing is silently skipped. Pure (no I/O).
 *
 * How outputs are read (see series.ts for the exact definitions): per dosing episode (a dose to the next), the
 * peak on the observation grid and its time after the start of the dose; for a threshold, the interpolated times
 * of the first upward and the last downward crossing (= resolution; "not resolved" when the value is still above
 * the threshold when the next dose starts or follow-up ends).
 */

import { parseDurationHours } from '../regimen/quantity.js';
import { clearlyLarger, formatDuration, formatValue, unitSuffix } from './format.js';
import {
  compare,
  comparisonOf,
  unitMatches,
  type Condition,
  type FlagRule,
  type MonitoringRule,
  type OutputAtRule,
  type OutputThresholdRule,
  type PreDoseRule,
  type SafetyRule,
  type SafetyRules,
  type Severity,
} from './rules.js';
import { episodes as dosingEpisodes, exceedance, valueAt, type CovariateValue, type Episode, type Exceedance, type PatientSeries } from './series.js';

/**
 * - triggered: the rule applies (a threshold was crossed, a condition holds, a flag is set);
 * - clear: evaluated, does not apply;
 * - not_applicable: the rule's `only_if` does not hold for this patient;
 * - reported: a value read-out (output_at, monitoring), nothing to trigger;
 * - unavailable: the model lacks a covariate or output the rule needs (reason in `finding`).
 */
export type ReadoutStatus = 'triggered' | 'clear' | 'not_applicable' | 'reported' | 'unavailable';

export interface ThresholdEpisode {
  readonly episode: Episode;
  readonly result: Exceedance;
}

export interface ThresholdInfo {
  readonly output: string;
  readonly unit: string;
  readonly op: '>' | '≥';
  /** Absolute threshold in the output's unit (baseline + rise for relative rules). */
  readonly value: number;
  /** For rules relative to a baseline covariate. */
  readonly baseline?: { readonly covariate: string; readonly value: number; readonly given: boolean; readonly rise: number };
}

export interface MonitoringEpisode {
  readonly episode: Episode;
  /** Predicted end of monitoring (absolute hours), or null when a listed effect has not resolved by the next dose or the end of follow-up. */
  readonly endH: number | null;
  /** What sets the end: "minimum" or the id of the rule whose resolution is last. */
  readonly setBy: string;
}

export interface Readout {
  readonly rule: SafetyRule;
  /** The full citation of rule.source. */
  readonly citation: string;
  readonly status: ReadoutStatus;
  /** One line: what was found, or why the read-out is unavailable. */
  readonly finding: string;
  /** output_threshold: the threshold and the result after every dose. */
  readonly threshold?: ThresholdInfo;
  readonly episodes?: readonly ThresholdEpisode[];
  /** output_at: the values after every dose. */
  readonly values?: readonly { readonly episode: Episode; readonly timeH: number; readonly values: Readonly<Record<string, number>> }[];
  /** monitoring: the predicted end of monitoring after every dose. */
  readonly monitoring?: readonly MonitoringEpisode[];
}

export interface SafetyReport {
  readonly rulesName: string;
  readonly rulesVersion: string;
  readonly rulesTitle: string;
  /** One per enabled rule, in the order of the rules file. */
  readonly readouts: readonly Readout[];
}

const SEVERITY_ORDER: readonly Severity[] = ['contraindication', 'warning', 'caution', 'info'];

/** Triggered read-outs, most severe first. */
export function triggered(report: SafetyReport): Readout[] {
  return report.readouts
    .filter((r) => r.status === 'triggered')
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.rule.severity) - SEVERITY_ORDER.indexOf(b.rule.severity));
}

export function unavailable(report: SafetyReport): Readout[] {
  return report.readouts.filter((r) => r.status === 'unavailable');
}

/** Evaluate every enabled rule on one simulated patient. */
export function evaluateSafety(patient: PatientSeries, rules: SafetyRules): SafetyReport {
  const eps = dosingEpisodes(patient.doses, patient.endH);
  const done = new Map<string, Readout>();
  const readouts: Readout[] = [];
  // Threshold rules first: monitoring rules use their results.
  const order = rules.rules.filter((r) => r.enabled);
  for (const rule of [...order.filter((r) => r.kind !== 'monitoring'), ...order.filter((r) => r.kind === 'monitoring')]) {
    const citation = rules.sources[rule.source] ?? rule.source;
    const base = { rule, citation };
    let readout: Readout;
    switch (rule.kind) {
      case 'pre_dose':
        readout = { ...base, ...preDose(rule, patient.covariates) };
        break;
      case 'flag':
        readout = { ...base, ...flag(rule, patient.covariates) };
        break;
      case 'output_threshold':
        readout = { ...base, ...outputThreshold(rule, patient, eps) };
        break;
      case 'output_at':
        readout = { ...base, ...outputAt(rule, patient, eps) };
        break;
      case 'monitoring':
        readout = { ...base, ...monitoring(rule, eps, done, rules) };
        break;
    }
    done.set(rule.id, readout);
  }
  for (const rule of order) readouts.push(done.get(rule.id) as Readout);
  return { rulesName: rules.name, rulesVersion: rules.version, rulesTitle: rules.title, readouts };
}

type Evaluated = Omit<Readout, 'rule' | 'citation'>;

const NEGATE = { '>': '≤', '≥': '<', '<': '≥', '≤': '>' } as const;

function covariateText(name: string, c: CovariateValue): string {
  return `${name} ${formatValue(c.value)}${unitSuffix(c.unit)}`;
}

function defaultsNote(used: readonly [string, CovariateValue][]): string {
  const defaults = used.filter(([, c]) => !c.given).map(([n]) => n);
  return defaults.length === 0 ? '' : ` (${defaults.join(', ')}: model default${defaults.length > 1 ? 's' : ''}, not given)`;
}

/** A condition's covariate, or why it cannot be evaluated. */
function lookup(c: Condition, covariates: ReadonlyMap<string, CovariateValue>): CovariateValue | string {
  const value = covariates.get(c.covariate);
  if (value === undefined) return `the model has no covariate ${c.covariate}`;
  if (!unitMatches(c.unit, value.unit)) return `covariate ${c.covariate} is in ${value.unit}, the rule in ${String(c.unit)}`;
  return value;
}

function preDose(rule: PreDoseRule, covariates: ReadonlyMap<string, CovariateValue>): Evaluated {
  const gates: [string, CovariateValue][] = [];
  for (const c of rule.only_if) {
    const v = lookup(c, covariates);
    if (typeof v === 'string') return { status: 'unavailable', finding: `needs ${c.covariate}: ${v}` };
    gates.push([c.covariate, v]);
    const [op, x] = comparisonOf(c);
    if (!compare(v.value, op, x)) {
      return { status: 'not_applicable', finding: `applies only when ${c.covariate} ${op} ${x}; ${covariateText(c.covariate, v)}${defaultsNote(gates)}` };
    }
  }
  const absent: string[] = [];
  const mismatched: string[] = [];
  const holds: string[] = [];
  const fails: string[] = [];
  const used: [string, CovariateValue][] = [];
  for (const c of rule.any) {
    const v = lookup(c, covariates);
    if (typeof v === 'string') {
      if (covariates.has(c.covariate)) mismatched.push(v);
      else if (!absent.includes(c.covariate)) absent.push(c.covariate);
      continue;
    }
    used.push([c.covariate, v]);
    const [op, x] = comparisonOf(c);
    if (compare(v.value, op, x)) holds.push(`${covariateText(c.covariate, v)} ${op} ${x}`);
    else fails.push(`${covariateText(c.covariate, v)} ${NEGATE[op]} ${x}`);
  }
  const missing = [...(absent.length > 0 ? [`the model has no covariate ${absent.join(' or ')}`] : []), ...mismatched];
  if (used.length === 0) return { status: 'unavailable', finding: missing.join('; ') };
  const gap = missing.length > 0 ? `; not checked: ${missing.join('; ')}` : '';
  if (holds.length > 0) return { status: 'triggered', finding: `${holds.join('; ')}${defaultsNote(used)}${gap}` };
  return { status: 'clear', finding: `${fails.join('; ')}${defaultsNote(used)}${gap}` };
}

function flag(rule: FlagRule, covariates: ReadonlyMap<string, CovariateValue>): Evaluated {
  const present = rule.covariates.flatMap((n) => {
    const c = covariates.get(n);
    return c === undefined ? [] : [[n, c] as [string, CovariateValue]];
  });
  if (present.length === 0) {
    return { status: 'unavailable', finding: `the model has no covariate ${rule.covariates.join(' or ')}` };
  }
  const set = present.filter(([, c]) => c.value !== 0);
  if (set.length > 0) return { status: 'triggered', finding: set.map(([n, c]) => `${n} = ${formatValue(c.value)}`).join(', ') };
  return { status: 'clear', finding: `${present.map(([n, c]) => `${n} = ${formatValue(c.value)}`).join(', ')}${defaultsNote(present)}` };
}

/** "dose 3", "doses 3+4" */
export function episodeLabel(e: Episode): string {
  return e.doses.length === 1 ? `dose ${e.doses[0]}` : `doses ${e.doses.join('+')}`;
}

function outputThreshold(rule: OutputThresholdRule, patient: PatientSeries, eps: readonly Episode[]): Evaluated {
  const series = patient.outputs.get(rule.output);
  if (series === undefined) return { status: 'unavailable', finding: `the model has no output ${rule.output}` };
  if (!unitMatches(rule.unit, series.unit)) {
    return { status: 'unavailable', finding: `output ${rule.output} is in ${series.unit}, the rule in ${String(rule.unit)}` };
  }
  const op = rule.above !== undefined ? '>' : '≥';
  const x = (rule.above ?? rule.at_least) as number;
  let threshold: ThresholdInfo;
  if (rule.relative_to !== undefined) {
    const b = patient.covariates.get(rule.relative_to);
    if (b === undefined) return { status: 'unavailable', finding: `needs the baseline ${rule.relative_to}, which the model does not have` };
    threshold = { output: rule.output, unit: series.unit, op, value: b.value + x, baseline: { covariate: rule.relative_to, value: b.value, given: b.given, rise: x } };
  } else {
    threshold = { output: rule.output, unit: series.unit, op, value: x };
  }
  const results = eps.flatMap((episode) => {
    const result = exceedance(patient.timesH, series.values, episode, threshold.value, op === '≥');
    return result === undefined ? [] : [{ episode, result }];
  });
  if (results.length === 0) return { status: 'unavailable', finding: 'no predictions after the doses', threshold, episodes: results };
  const unit = unitSuffix(series.unit);
  const limit = `${rule.output} ${op} ${formatValue(threshold.value)}${unit}${
    threshold.baseline === undefined
      ? ''
      : ` (rise ${op} ${formatValue(x)} above ${threshold.baseline.covariate} ${formatValue(threshold.baseline.value)}${threshold.baseline.given ? '' : ', model default'})`
  }`;
  const worst = results.reduce((a, b) => (clearlyLarger(b.result.peak.value, a.result.peak.value) ? b : a));
  const peakText = (t: ThresholdEpisode): string =>
    `peak ${formatValue(t.result.peak.value)}${unit} ${formatDuration(t.result.peak.timeH - t.episode.startH)} after the start of ${episodeLabel(t.episode)}`;
  const over = results.filter((r) => r.result.exceeded);
  if (over.length === 0) {
    return { status: 'clear', finding: `never ${limit}; highest ${peakText(worst)}`, threshold, episodes: results };
  }
  const w = over.reduce((a, b) => (clearlyLarger(b.result.peak.value, a.result.peak.value) ? b : a));
  const after = results.length === 1 ? 'after the dose' : over.length === results.length ? `after every dose (${results.length})` : `after ${over.length} of ${results.length} doses (${over.map((o) => episodeLabel(o.episode).replace(/^doses? /, '')).join(', ')})`;
  return {
    status: 'triggered',
    finding: `${limit} ${after}; highest ${peakText(w)}, ${exceedanceText(w)}`,
    threshold,
    episodes: results,
  };
}

/** "above from 29 min to 55 min after the start" / "… not resolved before dose 4". */
export function exceedanceText(t: ThresholdEpisode): string {
  const r = t.result;
  if (!r.exceeded) return 'not exceeded';
  const from = formatDuration((r.aboveFromH as number) - t.episode.startH);
  if (r.resolvedH === null || r.resolvedH === undefined) {
    return `above from ${from} after the start, not resolved before ${t.episode.endsWithDose ? 'the next dose' : 'the end of follow-up'}`;
  }
  return `above from ${from} to ${formatDuration(r.resolvedH - t.episode.startH)} after the start (resolved)`;
}

function outputAt(rule: OutputAtRule, patient: PatientSeries, eps: readonly Episode[]): Evaluated {
  const afterH = parseDurationHours(rule.after, `rule ${rule.id}: after`);
  const present = rule.outputs.filter((o) => patient.outputs.has(o));
  const missing = rule.outputs.filter((o) => !patient.outputs.has(o));
  if (present.length === 0) return { status: 'unavailable', finding: `the model has no output ${rule.outputs.join(' or ')}` };
  const values = eps
    .filter((e) => e.startH + afterH <= e.endH + 1e-9)
    .map((episode) => {
      const t = episode.startH + afterH;
      const v: Record<string, number> = {};
      for (const o of present) {
        const s = patient.outputs.get(o) as { values: Float64Array };
        v[o] = valueAt(patient.timesH, s.values, t);
      }
      return { episode, timeH: t, values: v };
    });
  if (values.length === 0) return { status: 'unavailable', finding: `no predictions ${rule.after} after a dose`, values };
  const text = (v: Readonly<Record<string, number>>): string =>
    present
      .map((o) => {
        const unit = patient.outputs.get(o)?.unit ?? '';
        return `${o} ${formatValue(v[o] as number)}${unitSuffix(unit)}`;
      })
      .join(', ');
  const first = values[0] as (typeof values)[number];
  let finding = `${text(first.values)} ${rule.after} after the start of ${episodeLabel(first.episode)}`;
  if (values.length > 1) {
    const key = present[0] as string;
    const hi = values.reduce((a, b) => (clearlyLarger(b.values[key] as number, a.values[key] as number) ? b : a));
    finding += `; highest ${key} ${formatValue(hi.values[key] as number)}${unitSuffix(patient.outputs.get(key)?.unit ?? '')} (${episodeLabel(hi.episode)})`;
  }
  if (missing.length > 0) finding += `; the model has no output ${missing.join(', ')}`;
  return { status: 'reported', finding, values };
}

function monitoring(rule: MonitoringRule, eps: readonly Episode[], done: ReadonlyMap<string, Readout>, rules: SafetyRules): Evaluated {
  const minH = parseDurationHours(rule.at_least, `rule ${rule.id}: at_least`);
  const refs = rule.until_resolved.map((id) => done.get(id)).filter((r): r is Readout => r !== undefined);
  const usable = refs.filter((r) => r.episodes !== undefined && r.status !== 'unavailable');
  const notUsable = rule.until_resolved.filter((id) => !usable.some((r) => r.rule.id === id));
  const result: MonitoringEpisode[] = eps.map((episode) => {
    let endH: number | null = episode.startH + minH;
    let setBy = 'minimum';
    for (const r of usable) {
      const e = r.episodes?.find((x) => x.episode.startH === episode.startH);
      if (e === undefined || !e.result.exceeded) continue;
      if (e.result.resolvedH === null || e.result.resolvedH === undefined) {
        endH = null;
        setBy = r.rule.id;
        break;
      }
      if (endH !== null && e.result.resolvedH > endH) {
        endH = e.result.resolvedH;
        setBy = r.rule.id;
      }
    }
    return { episode, endH, setBy };
  });
  const title = (id: string): string => rules.rules.find((r) => r.id === id)?.title ?? id;
  const longer = result.filter((m) => m.setBy !== 'minimum');
  let finding: string;
  if (longer.length === 0) {
    finding = `${formatDuration(minH)} after the start of every dose (the minimum)`;
  } else {
    const w = longer.reduce((a, b) => (a.endH === null ? a : b.endH === null ? b : b.endH - b.episode.startH > a.endH - a.episode.startH ? b : a));
    const span = w.endH === null ? `until after the ${w.episode.endsWithDose ? 'next dose' : 'end of follow-up'}` : formatDuration(w.endH - w.episode.startH);
    finding = `longer than the minimum ${formatDuration(minH)} after ${longer.length} of ${result.length} doses: up to ${span} after the start of ${episodeLabel(w.episode)} (until: ${title(w.setBy)})`;
  }
  if (notUsable.length > 0) finding += `; not predicted (unavailable): ${notUsable.map(title).join(', ')}`;
  return { status: longer.length > 0 ? 'triggered' : 'reported', finding, monitoring: result };
}
