/**
 * The readable summary `ketasim regimen` prints: the regimen as understood, peaks, safety read-outs; with a virtual
 * population (--patients), the spread of peaks, response, remission, relapse and the share of patients for whom each
 * safety threshold applies, and the typical patient's read-outs. Pure.
 */

import { formatClock, formatDuration, formatValue, unitSuffix } from './format.js';
import type { Percentiles, PopulationSummary } from './population.js';
import type { DoseRow } from './regimen-view.js';
import { doseText } from './regimen-view.js';
import { episodeLabel, exceedanceText, triggered, type Readout, type SafetyReport } from './safety.js';
import { episodes, peakIn, type PatientSeries } from './series.js';

export interface SummaryInput {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly modelTitle: string;
  readonly description: string;
  readonly weightKg?: number;
  /** Co-medications as given (e.g. "rifampicin") and the covariate each set. */
  readonly comedications: readonly { readonly name: string; readonly covariate: string }[];
  readonly doses: readonly DoseRow[];
  readonly series: PatientSeries;
  /** Outputs to show peaks for (default: all). */
  readonly outputs?: readonly string[];
  readonly safety?: SafetyReport;
  readonly rulesLabel?: string;
  /** Observation spacing after doses and elsewhere, hours. */
  readonly fineStepH: number;
  readonly fineWindowH: number;
  readonly coarseStepH: number;
  /** A virtual population: its summary replaces the typical patient's peaks; the safety read-outs stay the typical patient's. */
  readonly population?: PopulationSummary;
}

function table(rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd(),
  );
}

const LABEL: Readonly<Record<string, string>> = {
  contraindication: 'CONTRAINDICATION',
  warning: 'WARNING',
  caution: 'CAUTION',
  info: 'NOTE',
};

/**
 * One line per dose ("dose 2: peak 194 mmHg 40 min after the start; above from 29 min to 55 min after the start
 * (resolved)"), consecutive doses with the same result on one line ("doses 1–6: …").
 */
export function episodeLines(r: Readout): string[] {
  const unit = unitSuffix(r.threshold?.unit ?? '');
  const items = (r.episodes ?? []).map((e) => ({
    label: episodeLabel(e.episode),
    doses: e.episode.doses,
    text:
      `peak ${formatValue(e.result.peak.value)}${unit} ${formatDuration(e.result.peak.timeH - e.episode.startH)} after the start; ` +
      (e.result.exceeded ? exceedanceText(e) : 'not exceeded'),
  }));
  const lines: string[] = [];
  for (let i = 0; i < items.length; ) {
    let j = i;
    while (j + 1 < items.length && items[j + 1]?.text === items[i]?.text) j++;
    const first = items[i] as (typeof items)[number];
    const last = items[j] as (typeof items)[number];
    const label = i === j ? first.label : `doses ${first.doses[0]}–${last.doses[last.doses.length - 1]}`;
    lines.push(`${label}: ${first.text}`);
    i = j + 1;
  }
  return lines;
}

function readoutLines(r: Readout): string[] {
  const lines = [`  ${LABEL[r.rule.severity]}: ${r.rule.title}`, `    ${r.finding}`];
  if (r.episodes !== undefined && r.episodes.length > 1) lines.push(...episodeLines(r).map((l) => `      ${l}`));
  if (r.rule.advice !== undefined) lines.push(`    ${r.rule.advice}`);
  lines.push(`    Source: ${r.rule.source} (${r.rule.status}): "${r.rule.text}"`);
  return lines;
}

export function regimenSummary(input: SummaryInput): string {
  const s = input.series;
  const lines: string[] = [];
  lines.push(`ketasim regimen: ${input.modelTitle} (${input.modelName} ${input.modelVersion})`);
  lines.push(`Regimen: ${input.description}`);
  const given = [...s.covariates.entries()].filter(([, c]) => c.given);
  const patient: string[] = [];
  if (input.weightKg !== undefined) patient.push(`weight ${formatValue(input.weightKg)} kg`);
  const covs = given.filter(([n]) => !(n === 'WT' && input.weightKg !== undefined) && !input.comedications.some((c) => c.covariate === n));
  if (covs.length > 0) patient.push(`covariates ${covs.map(([n, c]) => `${n} = ${formatValue(c.value)}${unitSuffix(c.unit)}`).join(', ')}`);
  if (input.comedications.length > 0) patient.push(`co-medication ${input.comedications.map((c) => `${c.name} (${c.covariate} = 1)`).join(', ')}`);
  const defaults = [...s.covariates.entries()].filter(([, c]) => !c.given).map(([n]) => n);
  if (defaults.length > 0) patient.push(`model defaults for ${defaults.join(', ')}`);
  lines.push(`Patient: ${patient.length > 0 ? patient.join('; ') : 'model defaults'}`);
  lines.push('');
  lines.push(`Doses as understood (${input.doses.length}):`);
  lines.push(
    ...table(
      [['#', 'start', 'dose', 'given as'], ...input.doses.map((d) => [String(d.number), formatClock(d.timeH), doseText(d), d.givenAs])],
      new Set([0]),
    ).map((l) => `  ${l}`),
  );
  const lastEnd = Math.max(...input.doses.map((d) => d.timeH + d.durationH));
  lines.push(
    `Follow-up to ${formatClock(s.endH)} (${formatDuration(s.endH - lastEnd)} after the last dose); ${s.timesH.length} time points ` +
      `(every ${formatDuration(input.fineStepH)} for ${formatDuration(input.fineWindowH)} after each dose, every ${formatDuration(input.coarseStepH)} otherwise).`,
  );
  if (input.population !== undefined) lines.push('', ...populationLines(input.population, input.rulesLabel));
  else lines.push('', 'Predicted peaks:', ...peakLines(input));
  if (input.safety !== undefined) {
    const report = input.safety;
    lines.push('');
    const whose = input.population !== undefined ? ' for the typical patient (random effects 0)' : '';
    lines.push(`Safety read-outs${whose} (${report.rulesName} ${report.rulesVersion}${input.rulesLabel ? `, ${input.rulesLabel}` : ''}):`);
    const hits = triggered(report);
    if (hits.length === 0) lines.push('  No rule applies.');
    for (const r of hits) lines.push(...readoutLines(r));
    const reported = report.readouts.filter((r) => r.status === 'reported');
    if (reported.length > 0) {
      lines.push('  Predicted:');
      for (const r of reported) lines.push(`    ${r.rule.title}: ${r.finding} [${r.rule.source}]`);
    }
    const clear = report.readouts.filter((r) => r.status === 'clear' || r.status === 'not_applicable');
    if (clear.length > 0) {
      lines.push('  Checked, not applying:');
      for (const r of clear) lines.push(`    ${r.rule.title}: ${r.finding} [${r.rule.source}]`);
    }
    const missing = report.readouts.filter((r) => r.status === 'unavailable');
    if (missing.length > 0) {
      lines.push('  Unavailable with this model:');
      for (const r of missing) lines.push(`    ${r.rule.title}: ${r.finding}`);
    }
  }
  return lines.join('\n');
}

/** The typical patient's peak of every output, its time and the dose it follows, and the lowest value of outputs that fall. */
function peakLines(input: SummaryInput): string[] {
  const s = input.series;
  const eps = episodes(s.doses, s.endH);
  const names = input.outputs ?? [...s.outputs.keys()];
  const peakRows = names.flatMap((name) => {
    const o = s.outputs.get(name);
    if (o === undefined) return [];
    const p = peakIn(s.timesH, o.values);
    if (p === undefined) return [];
    const e = [...eps].reverse().find((x) => x.startH <= p.timeH + 1e-9);
    const after = e === undefined ? 'before the first dose' : `${formatDuration(p.timeH - e.startH)} after the start of ${episodeLabel(e)}`;
    // Scores and states that fall (e.g. MADRS): also the lowest value, when below the first one.
    const low = peakIn(s.timesH, o.values.map((v) => -v));
    const start = o.values[0] as number;
    const lowest = low !== undefined && -low.value < start - 1e-6 * Math.max(1, Math.abs(start)) ? `${formatValue(-low.value)} at ${formatClock(low.timeH)}` : '';
    return [[name, o.unit, formatValue(p.value), formatClock(p.timeH), after, lowest]];
  });
  return table([['output', 'unit', 'peak', 'at', '', 'lowest (if below the first value)'], ...peakRows], new Set([2])).map((l) => `  ${l}`);
}

/** "45.2% (226/500)" */
export function shareText(share: number, patients: number, of: number): string {
  return `${(100 * share).toFixed(1)}% (${patients}/${of})`;
}

function spreadText(p: Percentiles): [string, string] {
  return [formatValue(p.median), `${formatValue(p.p05)} – ${formatValue(p.p95)}`];
}

/** The population summary: spread of peaks and troughs, response, remission and relapse, safety shares. */
export function populationLines(p: PopulationSummary, rulesLabel?: string): string[] {
  const lines: string[] = [];
  const n = p.patients;
  lines.push(
    `Virtual population: ${n} patients (seed ${p.seed}); random effects ${p.randomEffects.join(', ')} drawn from the model's between-subject variability; ` +
      'the same regimen and covariates for all.',
  );
  lines.push('');
  lines.push("Peaks across patients (median and 5th–95th percentile of each patient's peak; lowest value for outputs that fall):");
  const rows = p.outputs.map((o) => [o.output, o.unit, ...spreadText(o.peak), ...(o.trough !== undefined ? spreadText(o.trough) : ['', ''])]);
  lines.push(...table([['output', 'unit', 'peak', '5th – 95th', 'lowest', '5th – 95th'], ...rows], new Set([2, 3, 4, 5])).map((l) => `  ${l}`));
  for (const score of p.scores) {
    const scale = score.scale;
    const remission = scale.remission;
    lines.push('');
    const name = scale.scale === score.output ? score.output : `${score.output} (${scale.scale})`;
    lines.push(`${name}: response = at least 50% below the value at time 0${remission !== undefined ? `; remission = ${score.output} ${remission.op} ${remission.value}` : ''}.`);
    lines.push(`  Conventions: ${scale.source}: "${scale.quote}"`);
    const timeRows = score.times.map((t) => [
      t.label,
      formatClock(t.timeH),
      shareText(t.response, Math.round(t.response * n), n),
      ...(remission !== undefined ? [t.remission === undefined ? '' : shareText(t.remission, Math.round(t.remission * n), n)] : []),
    ]);
    lines.push(...table([['when', 'at', 'response', ...(remission !== undefined ? ['remission'] : [])], ...timeRows], new Set([2, 3])).map((l) => `  ${l}`));
    if (score.relapse === undefined) {
      lines.push('  Relapse: not read (follow-up ends less than 24 h after the start of the last dose).');
    } else {
      const r = score.relapse;
      const among = `among the ${r.responders} patients responding 24 h after the start of the last dose`;
      if (r.responders === 0) lines.push(`  Relapse: no patient responds 24 h after the start of the last dose.`);
      else {
        const median = Number.isNaN(r.medianH)
          ? `not reached (fewer than half relapsed by the end of follow-up, ${formatDuration(r.endH - r.lastDoseH)} after the start of the last dose)`
          : `${formatDuration(r.medianH)} after the start of the last dose`;
        lines.push(`  Median time to relapse (no longer at least 50% below the value at time 0) ${among}: ${median}.`);
        lines.push(`    Kaplan–Meier, censored at the end of follow-up: ${r.events} relapsed, ${r.censored} still responding at the end.`);
      }
    }
  }
  if (p.safety !== undefined) {
    const sf = p.safety;
    lines.push('');
    lines.push(`Safety thresholds across patients: share of patients above the threshold after at least one dose (${sf.rulesName} ${sf.rulesVersion}${rulesLabel ? `, ${rulesLabel}` : ''}):`);
    if (sf.shares.length === 0) lines.push('  No threshold rule can be evaluated with this model.');
    else {
      const rows = sf.shares.map((x) => [shareText(x.share, x.patients, n), x.condition, `${x.source} (${x.status})`]);
      lines.push(...table([['patients', 'threshold', 'source'], ...rows], new Set([0])).map((l) => `  ${l}`));
    }
    for (const u of sf.unavailable) lines.push(`  Unavailable with this model: ${u.title}: ${u.finding}`);
  }
  return lines;
}
