/**
 * `ketasim recommend`: fit a patient's record, forecast candidate doses and booster intervals, and propose the
 * least dosing that keeps the patient in response within the clinic's limits, with the reasons in words and numbers;
 * or refuse (exit 1) naming the contraindication or the gap in the data and its source (docs/forecasting.md).
 */

import { basename } from 'node:path';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { CompiledModelWithRandom } from '../../core/model/index.js';
import { ClinicLimitsError, DEFAULT_LIMIT_SOURCES, defaultClinicLimits, parseClinicLimits, type ClinicLimits } from '../../fit/clinic-limits.js';
import { fitPatient, type PatientFit } from '../../fit/fit.js';
import { planDrug } from '../../fit/plan.js';
import { mergeLimits, recommend, type CandidateDose, type Recommendation } from '../../fit/recommend.js';
import { parseDurationHours, RegimenError } from '../../regimen/quantity.js';
import { readText, writeText } from '../../node/files.js';
import { loadModelByName } from '../../node/library.js';
import { readPatientFile } from '../../node/patient-file.js';
import { loadSafetyRules } from '../../node/safety-rules.js';
import { htmlReport, type Section } from '../../report/index.js';
import { DISCLAIMER, UsageError } from '../main.js';
import { commaList, positiveInteger } from '../options.js';
import { packageVersion } from '../../node/version.js';
import { fmt, forecastCharts, forecastJson, parseHorizon, scenarioRow, SCENARIO_COLUMNS, table, withPosteriorOptions } from './forecast.js';

interface RecommendFlags {
  model: string;
  patient: string;
  limits?: string;
  rules?: string;
  horizon: string;
  draws: number;
  doses?: string[];
  intervals?: string[];
  over?: string;
  uncertainty: 'laplace' | 'sir';
  groups?: 'auto' | 'independent' | number;
  seed?: number;
  json?: boolean;
  report?: string;
}

export function registerRecommend(program: Command): void {
  withPosteriorOptions(
    program
      .command('recommend')
      .description('Propose the next dose and booster interval for one patient within clinic limits (or refuse, with the reason)')
      .option('-m, --model <model>', 'built-in model name or model file', 'ketamine-depression')
      .requiredOption('--patient <file>', 'patient record (docs/patients.md)')
      .option('--limits <file>', 'clinic limits (YAML, ketasim: clinic-limits/1); limits it names replace the defaults')
      .option('--rules <file>', 'safety rules for contraindications (default models/ketamine/safety.rules)')
      .option('--horizon <duration>', 'forecast horizon after the end of the record', '28 d')
      .option('--draws <n>', 'posterior draws per candidate (default 200)', positiveInteger, 200)
      .option('--doses <list>', 'candidate doses, e.g. "0.5 mg/kg,0.75 mg/kg" (default by route: 0.5/0.75/1 mg/kg IV over 40 min; esketamine 56/84 mg)', commaList)
      .option('--intervals <list>', 'candidate intervals between sessions in days (default 3.5,7,10,14,21,28)', commaList)
      .option('--over <duration>', 'infusion duration of candidate IV doses (default: the record\'s, or 40 min)'),
  ).action(async (flags: RecommendFlags) => {
    const model = loadModelByName(flags.model);
    const record = readPatientFile(flags.patient);
    const horizonH = parseHorizon(flags.horizon);
    const rules = flags.rules !== undefined ? loadSafetyRules(flags.rules) : loadSafetyRules();
    const intervalsD = flags.intervals?.map((s) => {
      const x = Number(s);
      if (!(x > 0)) throw new UsageError(`--intervals: "${s}" is not a positive number of days`);
      return x;
    });
    const fit = fitPatient(model, record, { uncertainty: flags.uncertainty, draws: Math.max(flags.draws, 200), ...(flags.seed !== undefined ? { seed: flags.seed } : {}) });
    const drug = planDrug(record, model.name) === 'esketamine' ? 'esketamine' : 'ketamine';
    const limits = mergeLimits(defaultClinicLimits(drug), flags.limits !== undefined ? readLimits(flags.limits) : undefined);
    let doses: CandidateDose[] | undefined;
    if (flags.doses !== undefined) {
      const last = record.doses[record.doses.length - 1];
      const route = last?.route ?? 'iv';
      let durationH = last?.durationH ?? 0;
      if (flags.over !== undefined) {
        try {
          durationH = parseDurationHours(flags.over, '--over');
        } catch (e) {
          if (e instanceof RegimenError) throw new UsageError(e.message);
          throw e;
        }
      }
      doses = flags.doses.map((amount) => ({ amount, route, durationH }));
    }
    const t0 = performance.now();
    const rec = recommend(model, fit, { limits, rules, horizonH, draws: flags.draws, ...(doses !== undefined ? { doses } : {}), ...(intervalsD !== undefined ? { intervalsD } : {}), ...(flags.seed !== undefined ? { seed: flags.seed } : {}), ...(flags.groups !== undefined ? { groups: flags.groups } : {}) });
    const ms = performance.now() - t0;
    if (flags.json === true) process.stdout.write(`${JSON.stringify(recommendationJson(rec, ms), null, 1)}\n`);
    else process.stdout.write(formatRecommendation(fit, rec, ms));
    if (flags.report !== undefined) {
      writeText(flags.report, await recommendReport(model, fit, rec, flags.patient));
      if (flags.json !== true) process.stdout.write(`report: ${flags.report}\n`);
    }
  });
}

function readLimits(path: string): ClinicLimits {
  const label = basename(path);
  let doc: unknown;
  try {
    doc = parseYaml(readText(path, 'clinic limits'));
  } catch (e) {
    throw new ClinicLimitsError(`not valid YAML: ${(e as Error).message}`, label);
  }
  return parseClinicLimits(doc, label, DEFAULT_LIMIT_SOURCES);
}

function recommendationJson(r: Recommendation, ms: number): unknown {
  const f = forecastJson(r.forecast);
  return {
    patient: r.patient,
    model: r.model,
    recommended: { label: r.chosen.label, doses: r.chosen.doses, benefit: r.chosen.benefit, checks: r.chosen.checks },
    explanation: r.explanation,
    cautions: r.cautions,
    baseline: r.baseline,
    originH: r.originH,
    horizonH: r.horizonH,
    draws: r.draws,
    limits: r.limits,
    candidates: r.candidates.map((c) => ({ label: c.label, sessions: c.sessions, totalMg: c.totalMg, benefit: c.benefit, meetsTarget: c.meetsTarget, feasible: c.feasible, checks: c.checks, respondingAtEnd: c.forecast.relapse?.respondingAtEnd, peaks: c.forecast.peaks })),
    forecast: f,
    timingsMs: { recommend: ms },
    disclaimer: DISCLAIMER,
  };
}

function formatRecommendation(fit: PatientFit, r: Recommendation, ms: number): string {
  const out: string[] = [];
  out.push(`Recommendation for patient ${r.patient}, model ${r.model} (fit ${fit.result.converged ? 'converged' : 'did not converge'}, ${fit.result.timingsMs.total.toFixed(0)} ms; ${r.candidates.length} candidates x ${r.draws} posterior draws, ${ms.toFixed(0)} ms)`);
  out.push(`Now: day ${(r.originH / 24).toFixed(2)}; horizon ${fmt(r.horizonH / 24)} d. Baseline: ${r.baseline.text}.`);
  out.push(`Limits: ${r.limits.name}; peaks judged at the ${Math.round(r.limits.quantile * 100)}th percentile of the posterior; target ${Math.round(r.limits.target_fraction_in_response * 100)}% of the horizon in response.`);
  out.push('');
  out.push(...r.explanation);
  if (r.cautions.length > 0) {
    out.push('');
    out.push('Cautions from the safety rules (not contraindications):');
    for (const c of r.cautions) out.push(`  ${c}`);
  }
  out.push('');
  out.push('Limits for the recommended plan:');
  for (const c of r.chosen.checks) out.push(`  ${c.ok ? 'ok  ' : c.enforced ? 'FAIL' : 'note'} ${c.text} [${c.source}${c.enforced ? '' : ', reported only'}]`);
  out.push('');
  out.push('Candidates (benefit = expected fraction of the horizon in response; * = recommended; x = breaks an enforced limit):');
  const rows = r.candidates.map((c) => {
    const row = scenarioRow(c.forecast, r.horizonH);
    return [c === r.chosen ? '*' : c.feasible ? '' : 'x', c.label, String(c.sessions), `${fmt(c.totalMg)} mg`, `${(100 * c.benefit).toFixed(0)}%`, row.end ?? '', row.cadss ?? '', row.sbp ?? '', c.checks.filter((k) => !k.ok && k.enforced).map((k) => k.limit).join(', ')];
  });
  out.push(...table(['', 'candidate', 'sessions', 'total', 'benefit', 'P(resp) end', 'peak CADSS', 'peak SBP', 'breaks'], rows));
  out.push('');
  out.push('Limit sources:');
  for (const [name, l] of Object.entries(r.limits.limits)) if (l !== undefined) out.push(`  ${name}: ${l.source}${l.status !== undefined ? ` (${l.status})` : ''}${l.text !== undefined ? `: "${l.text}"` : ''}`);
  out.push('');
  out.push(DISCLAIMER);
  return `${out.join('\n')}\n`;
}

async function recommendReport(model: CompiledModelWithRandom, fit: PatientFit, r: Recommendation, patientPath: string): Promise<string> {
  const chosenIndex = r.candidates.indexOf(r.chosen);
  const reordered = { ...r.forecast, scenarios: [r.forecast.scenarios[chosenIndex] ?? r.chosen.forecast, r.forecast.scenarios[0] ?? r.chosen.forecast].filter((s, i, a) => a.indexOf(s) === i) };
  const sections: Section[] = [
    { heading: 'Recommendation', text: [...r.explanation, ...(r.cautions.length > 0 ? ['', 'Cautions: ' + r.cautions.join(' ')] : [])].join('\n\n') },
    {
      heading: 'Candidates',
      tables: [
        {
          caption: 'Candidates (the same posterior draws in every row)',
          columns: [{ key: 'mark', label: '' }, { key: 'label', label: 'candidate' }, { key: 'sessions', label: 'sessions' }, { key: 'total', label: 'total', unit: 'mg' }, { key: 'benefit', label: 'benefit (fraction in response)' }, ...SCENARIO_COLUMNS.filter(([k]) => k !== 'scenario' && k !== 'sessions').map(([key, label]) => ({ key, label })), { key: 'breaks', label: 'breaks' }],
          rows: r.candidates.map((c) => ({ mark: c === r.chosen ? 'recommended' : c.feasible ? '' : 'excluded', label: c.label, sessions: c.sessions, total: c.totalMg, benefit: c.benefit, ...scenarioRow(c.forecast, r.horizonH), breaks: c.checks.filter((k) => !k.ok && k.enforced).map((k) => k.text).join('; ') })),
        },
        {
          caption: 'Limits',
          columns: [{ key: 'name', label: 'limit' }, { key: 'value', label: 'value' }, { key: 'enforce', label: 'enforced' }, { key: 'source', label: 'source' }, { key: 'text', label: 'what the source says' }],
          rows: Object.entries(r.limits.limits).filter(([, l]) => l !== undefined).map(([name, l]) => ({ name, value: JSON.stringify(Object.fromEntries(Object.entries(l as object).filter(([k]) => ['above', 'at_least'].includes(k)))), enforce: l?.enforce === false ? 'no' : 'yes', source: `${l?.source ?? ''}: ${r.limits.sources[l?.source ?? ''] ?? ''}`, text: l?.text ?? '' })),
        },
      ],
    },
    { heading: 'Forecast: recommended plan and no further dose', charts: await forecastCharts(fit, reordered) },
  ];
  return htmlReport({
    title: `Recommendation: patient ${r.patient}`,
    subtitle: `model ${model.name}`,
    disclaimer: DISCLAIMER,
    sections,
    provenance: { Model: `${model.name} ${model.spec.version}`, Patient: patientPath, ketasim: packageVersion() },
  });
}
