/**
 * `ketasim forecast`: fit a patient's record, then forecast the course under the current plan and alternatives
 * (no further dose, a booster at the due date, other boosters) with prediction intervals, time to relapse, the
 * booster due date and the expected peaks after the proposed doses (docs/forecasting.md).
 */

import { basename, extname } from 'node:path';
import { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { CompiledModelWithRandom } from '../../core/model/index.js';
import type { PlannedDose } from '../../fit/design.js';
import { fitPatient, type PatientFit } from '../../fit/fit.js';
import { forecastPlans, recordBaseline, type Band5, type PlanForecast, type ScenarioForecast, type ForecastScenario } from '../../fit/forecast.js';
import { describeChange, describeDoses, parsePlan, planDrug, type Plan } from '../../fit/plan.js';
import { RegimenError, parseDurationHours } from '../../regimen/quantity.js';
import { readText, writeText } from '../../node/files.js';
import { loadModelByName } from '../../node/library.js';
import { readPatientFile } from '../../node/patient-file.js';
import { htmlReport, lineChart, renderSvg, scatterWithLine, type Section, type Table } from '../../report/index.js';
import { DISCLAIMER, UsageError } from '../main.js';
import { commaList, positiveInteger } from '../options.js';
import { packageVersion } from '../../node/version.js';

export interface ForecastFlags {
  model: string;
  patient: string;
  plan?: string;
  dose?: string;
  route?: string;
  over?: string;
  days?: string;
  hours?: string;
  horizon: string;
  draws: number;
  keep: number;
  alternative?: string[];
  boosterDays?: string[];
  boosterDoses?: string[];
  uncertainty: 'laplace' | 'sir';
  groups?: 'auto' | 'independent' | number;
  seed?: number;
  json?: boolean;
  report?: string;
}

/** --groups: auto, independent, or a positive number of groups. */
export function groupsOption(value: string): 'auto' | 'independent' | number {
  if (value === 'auto' || value === 'independent') return value;
  const x = Number(value);
  if (!(Number.isInteger(x) && x > 0)) throw new UsageError(`--groups: expected auto, independent or a positive whole number, got "${value}"`);
  return x;
}

function probability(value: string): number {
  const x = Number(value);
  if (!(x > 0 && x < 1)) throw new UsageError(`--keep: expected a probability between 0 and 1, got "${value}"`);
  return x;
}

/** The options forecast and recommend share: posterior draws (method, groups, seed) and the outputs. */
export function withPosteriorOptions(command: Command): Command {
  return command
    .addOption(new Option('--uncertainty <method>', 'posterior draws: laplace or sir').choices(['laplace', 'sir']).default('laplace'))
    .option('--groups <n>', 'posterior draws sharing solutions of the dynamics: auto (default), independent, or a number of groups (docs/forecasting.md)', groupsOption)
    .option('--seed <n>', 'random seed (default 1)', positiveInteger)
    .option('--json', 'machine-readable result')
    .option('--report <file>', 'write an HTML report');
}

export function registerForecast(program: Command): void {
  withPosteriorOptions(
    program
      .command('forecast')
      .description("Forecast one patient's course after a fit: prediction intervals, time to relapse, booster due date, peaks for a proposed dose, alternatives")
      .option('-m, --model <model>', 'built-in model name or model file', 'ketamine-depression')
      .requiredOption('--patient <file>', 'patient record (docs/patients.md)')
      .option('--plan <file>', 'planned further doses (YAML/JSON, docs/forecasting.md); times from the record\'s time zero')
      .option('--dose <amount>', 'planned dose per session ("0.5 mg/kg", "56 mg"), instead of --plan')
      .option('--route <route>', 'route of --dose (default: the record\'s last dose\'s)')
      .option('--over <duration>', 'infusion duration of --dose ("40 min")')
      .option('--days <list>', 'days of --dose from the record\'s time zero, e.g. 42,49')
      .option('--hours <list>', 'hours of --dose from the record\'s time zero')
      .option('--horizon <duration>', 'forecast horizon after the end of the record', '28 d')
      .option('--draws <n>', 'posterior draws simulated (default 500)', positiveInteger, 500)
      .option('--keep <p>', 'booster due: latest time with at least this probability of still responding (default 0.9)', probability, 0.9)
      .option('--alternative <file>', 'another plan to compare (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
      .option('--booster-days <list>', 'alternatives: one booster (the last dose) on each of these days', commaList)
      .option('--booster-doses <list>', 'alternatives: one booster of each of these doses at the due date', (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter((s) => s !== '')]),
  ).action(async (flags: ForecastFlags) => {
    const model = loadModelByName(flags.model);
    const record = readPatientFile(flags.patient);
    const horizonH = parseHorizon(flags.horizon);
    const fit = fitPatient(model, record, { uncertainty: flags.uncertainty, draws: Math.max(flags.draws, 200), ...(flags.seed !== undefined ? { seed: flags.seed } : {}) });
    const t0 = performance.now();
    const forecast = runForecast(model, fit, flags, horizonH);
    const ms = performance.now() - t0;
    if (flags.json === true) process.stdout.write(`${JSON.stringify({ ...forecastJson(forecast), fit: { converged: fit.result.converged, objective: fit.result.objective.total, etas: fit.result.etas, warnings: fit.result.warnings }, timingsMs: { fit: fit.result.timingsMs.total, forecast: ms }, disclaimer: DISCLAIMER }, null, 1)}\n`);
    else process.stdout.write(formatForecast(model, fit, forecast, ms));
    if (flags.report !== undefined) {
      writeText(flags.report, await forecastReport(model, fit, forecast, flags.patient));
      if (flags.json !== true) process.stdout.write(`report: ${flags.report}\n`);
    }
  });
}

export function parseHorizon(text: string): number {
  try {
    const h = parseDurationHours(text, '--horizon');
    if (!(h > 0)) throw new UsageError(`--horizon: "${text}" must be longer than 0`);
    return h;
  } catch (e) {
    if (e instanceof RegimenError) throw new UsageError(e.message);
    throw e;
  }
}

function readPlanFile(path: string, fit: PatientFit, modelName: string): Plan {
  const text = readText(path, 'plan');
  const label = basename(path);
  let doc: unknown;
  try {
    doc = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new RegimenError(`not valid YAML/JSON: ${(e as Error).message}`, label);
  }
  return parsePlan(doc, fit.design.record, modelName, label);
}

function flagPlan(flags: ForecastFlags, fit: PatientFit, modelName: string): Plan | undefined {
  if (flags.dose === undefined) {
    for (const f of ['route', 'over', 'days', 'hours'] as const) if (flags[f] !== undefined) throw new UsageError(`--${f} needs --dose`);
    return undefined;
  }
  if (flags.plan !== undefined) throw new UsageError('give either --plan or --dose, not both');
  if ((flags.days === undefined) === (flags.hours === undefined)) throw new UsageError('--dose needs --days or --hours (from the record\'s time zero)');
  const last = fit.design.record.doses[fit.design.record.doses.length - 1];
  const line = { route: flags.route ?? last?.route ?? 'iv', amount: flags.dose, ...(flags.over !== undefined ? { over: flags.over } : {}), ...(flags.days !== undefined ? { days: flags.days } : { hours: flags.hours as string }) };
  try {
    return parsePlan({ doses: [line] }, fit.design.record, modelName, 'flags');
  } catch (e) {
    if (e instanceof RegimenError) throw new UsageError(e.message.replace('flags: doses[1].', '--'));
    throw e;
  }
}

export function runForecast(model: CompiledModelWithRandom, fit: PatientFit, flags: ForecastFlags, horizonH: number): PlanForecast {
  const baseline = recordBaseline(model, fit);
  const plan = flags.plan !== undefined ? readPlanFile(flags.plan, fit, model.name) : flagPlan(flags, fit, model.name);
  const first: ForecastScenario[] = [];
  if (plan !== undefined && (plan.doses.length > 0 || plan.covariateChanges.length > 0)) first.push({ label: `plan: ${plan.label}`, doses: plan.doses, covariateChanges: plan.covariateChanges });
  first.push({ label: 'no further dose', doses: [] });
  for (const path of flags.alternative ?? []) {
    const alt = readPlanFile(path, fit, model.name);
    first.push({ label: alt.label, doses: alt.doses, covariateChanges: alt.covariateChanges });
  }
  const record = fit.design.record;
  const last = [...record.doses].reverse().find((d) => d.drug === 'ketamine' || d.drug === 'esketamine');
  const drug = planDrug(record, model.name);
  const booster = (timeH: number, amountMg: number): PlannedDose[] => (last === undefined ? [] : [{ timeH, drug, route: last.route, amountMg, durationH: last.durationH }]);
  for (const d of flags.boosterDays ?? []) {
    const day = Number(d);
    if (!Number.isFinite(day)) throw new UsageError(`--booster-days: "${d}" is not a number of days`);
    first.push({ label: `booster day ${day}`, doses: booster(day * 24, last?.amountMg ?? 0) });
  }
  const common = { horizonH, baseline, draws: flags.draws, keepLevel: flags.keep, ...(flags.seed !== undefined ? { seed: flags.seed } : {}), ...(flags.groups !== undefined ? { groups: flags.groups } : {}) };
  const one = forecastPlans(model, fit, { ...common, scenarios: first });
  // Boosters at the due date of "no further dose".
  const none = one.scenarios.find((s) => s.label === 'no further dose');
  const due = none?.booster?.timeH;
  const second: ForecastScenario[] = [];
  if (due !== undefined && due !== null && last !== undefined) {
    second.push({ label: `booster at the due date (day ${(due / 24).toFixed(1)}, ${Number(last.amountMg.toPrecision(4))} mg)`, doses: booster(due, last.amountMg) });
    for (const text of flags.boosterDoses ?? []) {
      const p = parsePlan({ doses: [{ route: last.route, amount: text, hours: [due], ...(last.durationH > 0 ? { over: `${last.durationH * 60} min` } : {}) }] }, record, model.name, '--booster-doses');
      second.push({ label: `booster ${text} at the due date`, doses: p.doses });
    }
  }
  if (second.length === 0) return one;
  const two = forecastPlans(model, fit, { ...common, scenarios: second });
  // Same origin and horizon, so the same common grid (and the same draws: the same seed); checked all the same.
  if (two.timesH.length !== one.timesH.length || two.timesH.some((t, i) => t !== one.timesH[i])) return forecastPlans(model, fit, { ...common, scenarios: [...first, ...second] });
  return { ...one, scenarios: [...one.scenarios, ...two.scenarios] };
}

// Output ----------------------------------------------------------------------------------------------------------

export const fmt = (x: number, digits = 3): string => (Number.isFinite(x) ? String(Number(x.toPrecision(digits))) : x > 0 ? 'inf' : String(x));
const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '-');
export const days = (h: number, horizonH: number): string => (Number.isFinite(h) ? (h / 24).toFixed(1) : `> ${fmt(horizonH / 24)}`);

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, k) => c.padEnd(widths[k] as number)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** One row per scenario: the comparison table of the forecast and the recommendation. */
export function scenarioRow(s: ScenarioForecast, horizonH: number): Record<string, string> {
  const r = s.relapse;
  const peak = (o: string): string => {
    const p = s.peaks.find((x) => x.output === o);
    return p === undefined ? '-' : `${fmt(p.peak.median)} (${fmt(p.peak.p05)}-${fmt(p.peak.p95)})`;
  };
  return {
    scenario: s.label,
    sessions: String(s.doses.length),
    now: r === undefined ? '-' : pct(r.respondingNow),
    end: r === undefined ? '-' : pct(r.respondingAtEnd),
    daysIn: r === undefined ? '-' : `${fmt(r.expectedHoursInResponse / 24)} (${fmt((r.fractionInResponseSpread.p05 * horizonH) / 24)}-${fmt((r.fractionInResponseSpread.p95 * horizonH) / 24)})`,
    relapse: r === undefined ? '-' : `${days(r.timeToRelapseH.median, horizonH)} (${days(r.timeToRelapseH.p05, horizonH)}-${days(r.timeToRelapseH.p95, horizonH)})`,
    booster: s.booster === undefined ? '-' : s.booster.timeH === null ? 'not in horizon' : `day ${(s.booster.timeH / 24).toFixed(1)}`,
    cadss: peak('CADSS'),
    sbp: peak('SBP'),
    dbp: peak('DBP'),
  };
}

export const SCENARIO_COLUMNS: readonly [string, string][] = [
  ['scenario', 'scenario'],
  ['sessions', 'sessions'],
  ['now', 'P(resp) now'],
  ['end', 'P(resp) end'],
  ['daysIn', 'days in response (5-95%)'],
  ['relapse', 'relapse, d from now (5-95%)'],
  ['booster', 'booster due'],
  ['cadss', 'peak CADSS'],
  ['sbp', 'peak SBP mmHg'],
  ['dbp', 'peak DBP mmHg'],
];

export function definitions(f: PlanForecast): string[] {
  return [
    `Response: MADRS at most ${fmt(f.responseLevel)} points, i.e. at least 50% below the baseline ${f.baseline.text} (clinical-practice.md §2.1; as src/clinical/population.ts).`,
    'Relapse: the first time after now at which the predicted MADRS (without rating error) is no longer at least 50% below baseline; 0 if not responding now.',
    `Booster due: the latest time until which at least ${pct(f.scenarios[0]?.booster?.level ?? 0.9)} of the posterior draws have stayed in response (the ${pct(1 - (f.scenarios[0]?.booster?.level ?? 0.9))} quantile of the time to relapse).`,
    'Peaks: median (5th-95th percentile over the posterior) of the largest value after the first planned dose.',
  ];
}

export function formatForecast(model: CompiledModelWithRandom, fit: PatientFit, f: PlanForecast, ms: number): string {
  const r = fit.result;
  const out: string[] = [];
  out.push(`Forecast for patient ${r.patient}, model ${model.name}: fit ${r.converged ? 'converged' : 'DID NOT CONVERGE'} (${r.observations.length} observations, ${r.timingsMs.total.toFixed(0)} ms); ${f.draws} posterior draws (${r.uncertainty.method}; ${samplingText(f)}), ${ms.toFixed(0)} ms`);
  out.push(`Now (end of the record): day ${(f.originH / 24).toFixed(2)}; horizon ${fmt(f.horizonH / 24)} d, to day ${(f.endH / 24).toFixed(1)}`);
  out.push(...definitions(f).map((d) => `  ${d}`));
  out.push('');
  out.push(...table(SCENARIO_COLUMNS.map(([, l]) => l), f.scenarios.map((s) => SCENARIO_COLUMNS.map(([k]) => scenarioRow(s, f.horizonH)[k] ?? ''))));
  out.push('');
  for (const s of f.scenarios) {
    if (s.doses.length > 0 || s.covariateChanges.length > 0) out.push(`  ${s.label}: ${[s.doses.length > 0 ? describeDoses(s.doses) : '', ...s.covariateChanges.map(describeChange)].filter((x) => x !== '').join('; ')}`);
  }
  const main = f.scenarios[0];
  if (main?.booster !== undefined) out.push(`Booster due (${main.label}): ${main.booster.text}`);
  if (main !== undefined) {
    out.push('');
    out.push(`Prediction intervals of a future rating (${main.label}; posterior draws plus rating error): median [25-75%] (5-95%)`);
    const at = [0, 7, 14, 21, 28, 42, 56].map((d) => f.originH + d * 24).filter((t) => t <= f.endH + 1e-9);
    // Bands on the common grid (MADRS); the peak outputs (CADSS, blood pressure) are in the table above.
    const rows = main.bands
      .filter((b) => b.grid === 'common')
      .flatMap((b) =>
        at.map((t) => {
          let g = 0;
          for (let i = 0; i < b.timesH.length; i++) if (Math.abs((b.timesH[i] as number) - t) < Math.abs((b.timesH[g] as number) - t)) g = i;
          return [b.name, `day ${((b.timesH[g] as number) / 24).toFixed(1)}`, fmt(b.median[g] as number), `${fmt(b.p25[g] as number)}-${fmt(b.p75[g] as number)}`, `${fmt(b.p05[g] as number)}-${fmt(b.p95[g] as number)}`];
        }),
      );
    out.push(...table(['output', 'time', 'median', '25-75%', '5-95%'], rows));
  }
  if (r.warnings.length > 0) {
    out.push('');
    out.push('Warnings:');
    for (const w of r.warnings) out.push(`  ${w}`);
  }
  if (f.baseline.from === 'model default') out.push(`  baseline: ${f.baseline.text}`);
  out.push('');
  out.push(DISCLAIMER);
  return `${out.join('\n')}\n`;
}

/** How the draws were made, in words. */
export function samplingText(f: PlanForecast): string {
  const s = f.sampling;
  return s.method === 'shared' ? `${s.groups} groups of ${s.perGroup} sharing ${s.dynamicEtas.length === 0 ? 'one solution' : `${s.dynamicEtas.join(', ')}`}` : 'independent';
}

/** JSON without the per-draw arrays. */
export function forecastJson(f: PlanForecast): Record<string, unknown> {
  const num = (x: number): number | string => (Number.isFinite(x) ? x : x > 0 ? 'Infinity' : 'NaN');
  return {
    originH: f.originH,
    horizonH: f.horizonH,
    draws: f.draws,
    baseline: f.baseline,
    responseLevel: f.responseLevel,
    sampling: f.sampling,
    timesH: f.timesH,
    // Prediction bands for the first scenario only (the plan, or no further dose): the others differ after their doses.
    scenarios: f.scenarios.map((s, i) => ({
      label: s.label,
      doses: s.doses,
      covariate_changes: s.covariateChanges.map((c) => ({ time_h: c.timeH, covariates: c.covariates })),
      relapse: s.relapse === undefined ? undefined : { ...s.relapse, probability: undefined, timeToRelapseH: Object.fromEntries(Object.entries(s.relapse.timeToRelapseH).map(([k, v]) => [k, num(v)])) },
      booster: s.booster,
      peaks: s.peaks,
      ...(i === 0 ? { bands: s.bands } : {}),
    })),
  };
}

export async function forecastCharts(fit: PatientFit, f: PlanForecast): Promise<string[]> {
  const main = f.scenarios[0];
  if (main === undefined) return [];
  const charts: string[] = [];
  const X = { label: 'Time', unit: 'd' };
  for (const b of main.bands) {
    if (b.timesH.length === 0) continue;
    if (b.grid === 'peak') {
      charts.push(await peakChart(b, main));
      continue;
    }
    const obs = fit.result.observations.filter((o) => o.type === b.name);
    charts.push(
      await renderSvg(
        scatterWithLine({
          title: `${b.name}: observed and forecast (${main.label})`,
          subtitle: 'bands: 50% and 90% prediction intervals of a rating (posterior draws plus rating error); line: median',
          x: X,
          y: { label: b.name, unit: b.unit },
          observed: obs.length > 0 ? [{ name: 'observed', points: obs.map((o) => ({ x: o.timeH / 24, y: o.observed })) }] : [],
          fitted: [{ name: 'median', points: b.timesH.map((t, i) => ({ x: t / 24, y: b.median[i] as number })) }],
          bands: [
            { name: '90% PI', points: b.timesH.map((t, i) => ({ x: t / 24, lower: b.p05[i] as number, upper: b.p95[i] as number })) },
            { name: '50% PI', points: b.timesH.map((t, i) => ({ x: t / 24, lower: b.p25[i] as number, upper: b.p75[i] as number })) },
          ],
          ...(b.name === 'MADRS' ? { referenceLines: [{ y: f.responseLevel, label: 'response (50% below baseline)' }] } : {}),
        }),
      ),
    );
  }
  const g0 = f.timesH.findIndex((t) => t >= f.originH - 1e-9);
  const withRelapse = f.scenarios.filter((s) => s.relapse !== undefined);
  if (withRelapse.length > 0) {
    charts.push(
      await renderSvg(
        lineChart({
          title: 'Probability of being in response',
          subtitle: 'share of posterior draws with MADRS at least 50% below baseline',
          x: X,
          y: { label: 'probability', unit: '1' },
          series: withRelapse.map((s) => ({ name: s.label, points: f.timesH.slice(g0).map((t, i) => ({ x: t / 24, y: s.relapse?.probability[g0 + i] as number })) })),
        }),
      ),
    );
  }
  return charts;
}

/** A peak output's band around the first planned dose (5-min grid; later doses of the plan look alike). */
async function peakChart(b: Band5, s: ScenarioForecast): Promise<string> {
  const first = Math.min(...s.doses.map((d) => d.timeH));
  const window = s.doses.filter((d) => d.timeH === first).reduce((to, d) => Math.max(to, d.timeH + d.durationH), first) + 3 + 1e-9;
  const idx = b.timesH.flatMap((t, i) => (t <= window ? [i] : []));
  const X = { label: `Time after the planned dose on day ${(first / 24).toFixed(1)}`, unit: 'h' };
  return renderSvg(
    scatterWithLine({
      title: `${b.name} after the planned dose (${s.label})`,
      subtitle: 'bands: 50% and 90% prediction intervals of a measurement (posterior draws plus residual error); line: median',
      x: X,
      y: { label: b.name, unit: b.unit },
      observed: [],
      fitted: [{ name: 'median', points: idx.map((i) => ({ x: (b.timesH[i] as number) - first, y: b.median[i] as number })) }],
      bands: [
        { name: '90% PI', points: idx.map((i) => ({ x: (b.timesH[i] as number) - first, lower: b.p05[i] as number, upper: b.p95[i] as number })) },
        { name: '50% PI', points: idx.map((i) => ({ x: (b.timesH[i] as number) - first, lower: b.p25[i] as number, upper: b.p75[i] as number })) },
      ],
    }),
  );
}

export function scenarioTable(f: PlanForecast): Table {
  return {
    caption: 'Plans compared (the same posterior draws in every row)',
    columns: SCENARIO_COLUMNS.map(([key, label]) => ({ key, label })),
    rows: f.scenarios.map((s) => scenarioRow(s, f.horizonH)),
    note: definitions(f).join(' '),
  };
}

async function forecastReport(model: CompiledModelWithRandom, fit: PatientFit, f: PlanForecast, patientPath: string): Promise<string> {
  const sections: Section[] = [
    { heading: 'Plans compared', text: `Now: day ${(f.originH / 24).toFixed(2)} (end of the record); horizon ${fmt(f.horizonH / 24)} days; ${f.draws} posterior draws (${fit.result.uncertainty.method}; ${samplingText(f)}).`, tables: [scenarioTable(f)] },
    { heading: 'Forecast', charts: await forecastCharts(fit, f) },
  ];
  return htmlReport({
    title: `Forecast: patient ${fit.result.patient}`,
    subtitle: `model ${model.name}`,
    disclaimer: DISCLAIMER,
    sections,
    provenance: { Model: `${model.name} ${model.spec.version}`, Patient: patientPath, ketasim: packageVersion() },
  });
}
