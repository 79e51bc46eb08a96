/**
 * `ketasim regimen`: simulate a regimen without writing a data set. The regimen comes from a YAML/JSON file
 * (--regimen, schema in src/regimen/regimen.ts) or from flags for one dose line ("0.5 mg/kg IV over 40 min on days
 * 0, 2, 4"). Prints the regimen as understood, peaks and the safety read-outs; writes a per-time table (--out) and
 * an HTML report (--report).
 */

import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { patientSeries } from '../../clinical/series.js';
import { evaluateSafety, type SafetyReport } from '../../clinical/safety.js';
import { doseRows, regimenDescription } from '../../clinical/regimen-view.js';
import { regimenSummary } from '../../clinical/summary.js';
import { regimenReport } from '../../clinical/report.js';
import type { CompiledModel } from '../../core/model/index.js';
import { simulate } from '../../core/simulate/simulate.js';
import { buildRegimen, parseRegimen, type GridOptions, type PatientRegimen, type Regimen } from '../../regimen/regimen.js';
import { parseDurationHours, RegimenError } from '../../regimen/quantity.js';
import { KetasimError } from '../../core/errors.js';
import { readText, writeText } from '../../node/files.js';
import { listLibrary, loadModelByName, resolveModel } from '../../node/library.js';
import { defaultSafetyRulesPath, loadSafetyRules } from '../../node/safety-rules.js';
import { DISCLAIMER, UsageError } from '../main.js';
import { collectAssignments, commaList, positiveInteger, positiveNumber } from '../options.js';
import { packageVersion } from '../version.js';
import type { PatientSeries } from '../../clinical/series.js';

/** The clinical model used when --model is not given (if the library has it). */
export const DEFAULT_REGIMEN_MODEL = 'ketamine-depression';

interface RegimenFlags {
  model?: string;
  regimen?: string;
  dose?: string;
  route?: string;
  over?: string;
  days?: string;
  at?: string;
  hours?: string;
  weight?: number;
  covariate?: Record<string, number>;
  with?: string[];
  followUp?: string;
  param?: Record<string, number>;
  out?: string;
  json?: boolean;
  report?: string;
  outputs?: string[];
  rules?: string;
  safety?: boolean;
  step?: string;
  digits?: number;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerRegimen(program: Command): void {
  program
    .command('regimen')
    .description('simulate a dosing regimen for one patient (no data set needed): doses as understood, peaks, safety read-outs, table and HTML report')
    .option('-m, --model <model>', `built-in model name or model file (default: ${DEFAULT_REGIMEN_MODEL}, when the library has it)`)
    .option('-r, --regimen <file>', 'regimen file (YAML or JSON): weight_kg, covariates, with, doses, follow_up (see docs/regimens.md)')
    .option('--dose <amount>', 'dose per administration: "35 mg" or "0.5 mg/kg"')
    .option('--route <route>', "route, from the model's routes (e.g. iv, im, oral, intranasal)")
    .option('--over <duration>', 'infusion duration, e.g. "40 min" (omit for a bolus)')
    .option('--days <list>', 'dosing days, e.g. "0,2,4,7,9,11" or "0:28:7" (day 0 = the first day)')
    .option('--at <time>', 'time of day of the doses on --days, e.g. "9 h" (default 0 h)')
    .option('--hours <list>', 'dose times in hours from the start, instead of --days, e.g. "0,24,48"')
    .option('-w, --weight <kg>', 'body weight (kg): needed for mg/kg doses; sets the WT covariate', positiveNumber)
    .option('-c, --covariate <NAME=VALUE>', 'patient covariate, e.g. BASE_SBP=150 (repeatable)', collectAssignments)
    .option('--with <drug>', 'co-medication: sets the model covariate of that name to 1, e.g. rifampicin (repeatable)', collect)
    .option('--follow-up <duration>', 'follow-up after the last dose (default "7 d")')
    .option('-p, --param <NAME=VALUE>', 'set a model parameter (repeatable)', collectAssignments)
    .option('-o, --out <file>', 'write the per-time table: TIME_H, TIME_D and the outputs (CSV, or JSON with --json)')
    .option('--json', 'JSON instead of CSV for --out (without --out: everything as JSON on standard output)')
    .option('--outputs <names>', 'outputs in the table, e.g. CP,CE,SBP (default: all)', commaList)
    .option('--report <file>', 'write an HTML report with plots, the safety read-outs and the regimen')
    .option('--rules <file>', 'safety rules file (default: models/ketamine/safety.rules)')
    .option('--no-safety', 'no safety read-outs')
    .option('--step <duration>', 'observation spacing in the 6 h after each dose (default "5 min"; hourly otherwise)')
    .option('--digits <n>', 'significant digits in the table (default 6)', positiveInteger)
    .addHelpText(
      'after',
      `
Examples:
  ketasim regimen --dose "0.5 mg/kg" --route iv --over "40 min" --days 0,2,4,7,9,11 --weight 70 --out conc.csv --report report.html
  ketasim regimen -m ketamine-racemic --dose "25 mg" --route oral --hours 0 --with rifampicin
  ketasim regimen --regimen plan.yaml -c BASE_SBP=150 --report report.html

${DISCLAIMER}`,
    )
    .action((flags: RegimenFlags) => runRegimen(flags));
}

const DOSE_FLAGS = ['dose', 'route', 'over', 'days', 'at', 'hours'] as const;

function chooseModel(flags: RegimenFlags): string {
  if (flags.model !== undefined) return flags.model;
  if (listLibrary().some((e) => e.name === DEFAULT_REGIMEN_MODEL)) return DEFAULT_REGIMEN_MODEL;
  throw new UsageError(`--model: required (the default model ${DEFAULT_REGIMEN_MODEL} is not in the library; see \`ketasim models\`)`);
}

/** The regimen document from the file or the flags, and which top-level fields came from flags. */
function regimenInput(flags: RegimenFlags, model: CompiledModel): { input: Record<string, unknown>; fromFlags: Set<string>; fileWith: number } {
  const doseFlags = DOSE_FLAGS.filter((f) => flags[f] !== undefined);
  let input: Record<string, unknown>;
  const fromFlags = new Set<string>();
  if (flags.regimen !== undefined) {
    if (doseFlags.length > 0) {
      throw new UsageError(`--${doseFlags[0]}: give the doses either in the regimen file (--regimen) or with --dose/--route/..., not both`);
    }
    const text = readText(flags.regimen, 'regimen file');
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw new RegimenError(`not valid YAML or JSON: ${(e as Error).message}`, flags.regimen);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new RegimenError('expected a mapping with doses (and weight_kg, covariates, with, follow_up)', flags.regimen);
    }
    input = { ...(doc as Record<string, unknown>) };
  } else {
    if (flags.dose === undefined) {
      throw new UsageError('--dose: give the regimen with --regimen FILE or with --dose, --route, --over, --days (see ketasim regimen --help)');
    }
    if (flags.route === undefined) {
      const routes = [...model.routes.keys()];
      throw new UsageError(`--route: required with --dose (model ${model.name}: ${routes.length > 0 ? `routes ${routes.join(', ')}` : `compartments ${model.compartments.join(', ')}`})`);
    }
    const line: Record<string, unknown> = { route: flags.route, amount: flags.dose };
    if (flags.over !== undefined) line.over = flags.over;
    if (flags.at !== undefined) line.at = flags.at;
    if (flags.hours !== undefined) line.hours = flags.hours;
    if (flags.days !== undefined || flags.hours === undefined) line.days = flags.days ?? '0';
    input = { doses: [line] };
    for (const k of ['doses']) fromFlags.add(k);
  }
  const fileWith = Array.isArray(input.with) ? input.with.length : 0;
  if (flags.weight !== undefined) {
    input.weight_kg = flags.weight;
    fromFlags.add('weight_kg');
  }
  if (flags.covariate !== undefined) {
    const prior = typeof input.covariates === 'object' && input.covariates !== null ? (input.covariates as Record<string, unknown>) : {};
    input.covariates = { ...prior, ...flags.covariate };
    for (const name of Object.keys(flags.covariate)) fromFlags.add(`covariates.${name}`);
  }
  if (flags.with !== undefined) {
    input.with = [...(Array.isArray(input.with) ? (input.with as unknown[]) : []), ...flags.with];
    fromFlags.add('with');
  }
  if (flags.followUp !== undefined) {
    input.follow_up = flags.followUp;
    fromFlags.add('follow_up');
  }
  return { input, fromFlags, fileWith };
}

const LINE_FLAG: Readonly<Record<string, string>> = { route: '--route', amount: '--dose', over: '--over', days: '--days', at: '--at', hours: '--hours' };

/** The command-line flag a regimen field came from, if it came from one. */
function flagOf(field: string, fromFlags: ReadonlySet<string>, fileWith: number): string | undefined {
  const f = field.replace(/^regimen: /, '');
  if (fromFlags.has('doses')) {
    const m = /^doses(?:\.0|\[1\])(?:\.(\w+))?/.exec(f);
    if (m !== null) return m[1] === undefined ? '--days/--hours' : (LINE_FLAG[m[1]] ?? `--${m[1]}`);
  }
  if (f === 'weight_kg' && fromFlags.has('weight_kg')) return '--weight';
  if (f === 'follow_up' && fromFlags.has('follow_up')) return '--follow-up';
  const cov = /^covariates\.(\w+)/.exec(f);
  if (cov !== null && fromFlags.has(`covariates.${cov[1]}`)) return `-c ${cov[1]}`;
  const w = /^with(?:\.(\d+)|\[(\d+)\])/.exec(f);
  if (w !== null && fromFlags.has('with')) {
    const index = w[1] !== undefined ? Number(w[1]) : Number(w[2]) - 1;
    if (index >= fileWith) return '--with';
  }
  return undefined;
}

/** Regimen errors in values given by flags are usage errors naming the flag; errors in a file name the file and field. */
function asUserError(e: unknown, flags: RegimenFlags, fromFlags: ReadonlySet<string>, fileWith: number): unknown {
  if (!(e instanceof RegimenError)) return e;
  const detail = e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message;
  const flag = flagOf(e.field, fromFlags, fileWith);
  if (flag !== undefined) return new UsageError(`${flag}: ${detail.replace(/\(weight_kg\)/g, '(--weight)')}`);
  if (flags.regimen !== undefined && !e.field.startsWith(flags.regimen)) {
    return new RegimenError(detail, `${flags.regimen}: ${e.field.replace(/^regimen: /, '')}`);
  }
  return e;
}

function checkNames(model: CompiledModel, flags: RegimenFlags): void {
  for (const name of Object.keys(flags.param ?? {})) {
    if (!model.parameterNames.includes(name)) {
      throw new UsageError(`-p ${name}: model ${model.name} has no parameter ${name} (parameters: ${model.parameterNames.join(', ') || 'none'})`);
    }
  }
  for (const name of flags.outputs ?? []) {
    if (!model.outputNames.includes(name)) {
      throw new UsageError(`--outputs: model ${model.name} has no output ${name} (outputs: ${model.outputNames.join(', ')})`);
    }
  }
}

async function runRegimen(flags: RegimenFlags): Promise<void> {
  const modelName = chooseModel(flags);
  const model = loadModelByName(modelName);
  checkNames(model, flags);
  const grid: GridOptions = {};
  if (flags.step !== undefined) {
    const step = parseStep(flags.step);
    Object.assign(grid, { fineStepH: step });
  }
  const { input, fromFlags, fileWith } = regimenInput(flags, model);
  let regimen: Regimen;
  let patient: PatientRegimen;
  try {
    regimen = parseRegimen(input, flags.regimen ?? 'regimen');
    patient = buildRegimen(model, regimen, grid);
  } catch (e) {
    throw asUserError(e, flags, fromFlags, fileWith);
  }
  const result = simulate(model, patient.dataset, { parameters: flags.param ?? {} });
  const series = patientSeries(model, result, patient);
  const rulesLabel = flags.rules ?? 'models/ketamine/safety.rules';
  const safety: SafetyReport | undefined = flags.safety === false ? undefined : evaluateSafety(series, loadSafetyRules(flags.rules ?? defaultSafetyRulesPath));
  const doses = doseRows(regimen, patient);
  const description = regimenDescription(regimen);
  const modelFile = resolveModel(modelName).label;
  const outputs = flags.outputs ?? [...model.outputNames];

  if (flags.out !== undefined) {
    writeText(flags.out, flags.json === true ? jsonText(model, series, outputs, doses, safety, flags.digits) : csvText(series, outputs, flags.digits ?? 6));
  }
  if (flags.report !== undefined) {
    const html = await regimenReport({
      title: `Regimen: ${description}`,
      subtitle: `${model.spec.title} (${model.name} ${model.spec.version})${regimen.weight_kg !== undefined ? `, ${regimen.weight_kg} kg` : ''}`,
      disclaimer: DISCLAIMER,
      model: { name: model.name, version: model.spec.version, title: model.spec.title, file: modelFile },
      series,
      doses,
      ...(safety !== undefined ? { safety, rulesLabel } : {}),
      provenance: { ketasim: packageVersion(), Command: `ketasim ${process.argv.slice(2).join(' ')}` },
    });
    writeText(flags.report, html);
  }
  if (flags.json === true && flags.out === undefined) {
    process.stdout.write(jsonText(model, series, outputs, doses, safety, flags.digits));
    return;
  }
  const summary = regimenSummary({
    modelName: model.name,
    modelVersion: model.spec.version,
    modelTitle: model.spec.title,
    description,
    ...(regimen.weight_kg !== undefined ? { weightKg: regimen.weight_kg } : {}),
    comedications: regimen.with.map((name) => ({ name, covariate: name.trim().toUpperCase().replace(/[^A-Z0-9_]/g, '') })),
    doses,
    series,
    ...(flags.outputs !== undefined ? { outputs: flags.outputs } : {}),
    ...(safety !== undefined ? { safety, rulesLabel } : {}),
    fineStepH: grid.fineStepH ?? 5 / 60,
    fineWindowH: 6,
    coarseStepH: 1,
  });
  const written = [flags.out, flags.report].filter((f): f is string => f !== undefined);
  process.stdout.write(`${summary}\n${written.length > 0 ? `\nWrote ${written.join(' and ')}.\n` : ''}\n${DISCLAIMER}\n`);
}

function parseStep(text: string): number {
  try {
    const h = parseDurationHours(text, '--step');
    if (!(h > 0)) throw new RegimenError('must be positive', '--step');
    return h;
  } catch (e) {
    if (e instanceof KetasimError) throw new UsageError(e.message);
    throw e;
  }
}

function fmt(x: number, digits: number | undefined): string {
  if (digits === undefined || x === 0 || !Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(digits)));
}

function csvText(series: PatientSeries, outputs: readonly string[], digits: number): string {
  const cols = outputs.map((o) => series.outputs.get(o)?.values as Float64Array);
  const lines = [['TIME_H', 'TIME_D', ...outputs].join(',')];
  series.timesH.forEach((t, i) => {
    lines.push([fmt(t, 12), fmt(t / 24, 12), ...cols.map((c) => fmt(c[i] as number, digits))].join(','));
  });
  return `${lines.join('\n')}\n`;
}

function jsonText(
  model: CompiledModel,
  series: PatientSeries,
  outputs: readonly string[],
  doses: ReturnType<typeof doseRows>,
  safety: SafetyReport | undefined,
  digits: number | undefined,
): string {
  const units: Record<string, string> = { TIME_H: 'h', TIME_D: 'd' };
  for (const o of outputs) units[o] = series.outputs.get(o)?.unit ?? '';
  const rows = Array.from(series.timesH, (t, i) => {
    const row: Record<string, number> = { TIME_H: t, TIME_D: t / 24 };
    for (const o of outputs) row[o] = Number(fmt(series.outputs.get(o)?.values[i] as number, digits));
    return row;
  });
  const doc = {
    model: { name: model.name, version: model.spec.version },
    ketasim: packageVersion(),
    disclaimer: DISCLAIMER,
    doses: doses.map((d) => ({ number: d.number, time_h: d.timeH, route: d.route, amount_mg: d.amountMg, duration_h: d.durationH, given_as: d.givenAs })),
    covariates: Object.fromEntries([...series.covariates.entries()].map(([n, c]) => [n, { value: c.value, unit: c.unit, given: c.given }])),
    safety:
      safety === undefined
        ? null
        : {
            rules: { name: safety.rulesName, version: safety.rulesVersion },
            readouts: safety.readouts.map((r) => ({
              id: r.rule.id,
              title: r.rule.title,
              severity: r.rule.severity,
              status: r.status,
              finding: r.finding,
              source: r.rule.source,
              citation: r.citation,
              source_text: r.rule.text,
              ...(r.threshold !== undefined ? { threshold: r.threshold } : {}),
              ...(r.episodes !== undefined
                ? {
                    per_dose: r.episodes.map((e) => ({
                      doses: e.episode.doses,
                      start_h: e.episode.startH,
                      peak: e.result.peak.value,
                      peak_time_h: e.result.peak.timeH,
                      exceeded: e.result.exceeded,
                      above_from_h: e.result.aboveFromH ?? null,
                      resolved_h: e.result.resolvedH ?? null,
                      hours_above: e.result.hoursAbove,
                    })),
                  }
                : {}),
              ...(r.monitoring !== undefined ? { per_dose: r.monitoring.map((m) => ({ doses: m.episode.doses, start_h: m.episode.startH, monitor_until_h: m.endH, set_by: m.setBy })) } : {}),
              ...(r.values !== undefined ? { per_dose: r.values.map((v) => ({ doses: v.episode.doses, time_h: v.timeH, values: v.values })) } : {}),
            })),
          },
    columns: ['TIME_H', 'TIME_D', ...outputs],
    units,
    rows,
  };
  return `${JSON.stringify(doc, null, 1)}\n`;
}
