/**
 * `ketasim regimen`: simulate a regimen without writing a data set. The regimen comes from a YAML/JSON file
 * (--regimen, schema in src/regimen/regimen.ts) or from flags for one dose line ("0.5 mg/kg IV over 40 min on days
 * 0, 2, 4"). Prints the regimen as understood, peaks and the safety read-outs; writes a per-time table (--out) and
 * an HTML report (--report).
 *
 * With --patients N, also a virtual population: N copies of the patient with etas drawn from the model's random
 * effects (the validation engine's simulateScenario, seed --seed), summarised by src/clinical/population.ts; the
 * table and the report then show percentiles across patients, and the safety read-outs stay the typical patient's.
 */

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { parse as parseYaml } from 'yaml';
import { patientSeries } from '../../clinical/series.js';
import { evaluateSafety, type SafetyReport } from '../../clinical/safety.js';
import { doseRows, regimenDescription } from '../../clinical/regimen-view.js';
import { regimenSummary } from '../../clinical/summary.js';
import { regimenReport } from '../../clinical/report.js';
import { populationBands, summarizePopulation, type PopulationBands, type PopulationSummary } from '../../clinical/population.js';
import type { SafetyRules } from '../../clinical/rules.js';
import type { CompiledModel, CompiledModelWithRandom } from '../../core/model/index.js';
import { simulateScenario, type Simulated } from '../../validation/run.js';
import { simulate } from '../../core/simulate/simulate.js';
import { buildRegimen, parseRegimen, type GridOptions, type PatientRegimen, type Regimen } from '../../regimen/regimen.js';
import { parseDurationHours, RegimenError } from '../../regimen/quantity.js';
import { KetasimError } from '../../core/errors.js';
import { FileError, readText, writeText } from '../../node/files.js';
import { listLibrary, loadModelByName, resolveModel } from '../../node/library.js';
import { defaultSafetyRulesPath, loadSafetyRules } from '../../node/safety-rules.js';
import { DISCLAIMER, UsageError } from '../main.js';
import { collectAssignments, commaList, positiveInteger, positiveNumber } from '../options.js';
import { packageVersion } from '../../node/version.js';
import type { PatientSeries } from '../../clinical/series.js';

/** The clinical model used when --model is not given (if the library has it). */
export const DEFAULT_REGIMEN_MODEL = 'ketamine-depression';

export interface RegimenFlags {
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
  patients?: number;
  seed?: number;
  outSubjects?: string;
}

/** Most virtual patients (as in validation scenarios). */
export const MAX_PATIENTS = 100000;
/** Memory the population's simulated values may take (the simulation's outputs and the per-patient curves). */
const MAX_POPULATION_BYTES = 4e9;
/** Print a progress line to standard error when the population is expected to take longer than this. */
const PROGRESS_AFTER_S = 2;

function seedNumber(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(x) || x < 0) throw new InvalidArgumentError(`expected an integer from 0 to 2^53 - 1, got "${value}"`);
  return x;
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
    .option('--patients <n>', "a virtual population of N patients (etas from the model's random effects) instead of only the typical patient", positiveInteger)
    .option('--seed <s>', 'random seed of the virtual population (default 1)', seedNumber)
    .option('--out-subjects <file>', "with --patients: every patient's rows (ID, TIME_H, outputs) as CSV")
    .addHelpText(
      'after',
      `
Examples:
  ketasim regimen --dose "0.5 mg/kg" --route iv --over "40 min" --days 0,2,4,7,9,11 --weight 70 --out conc.csv --report report.html
  ketasim regimen -m ketamine-racemic --dose "25 mg" --route oral --hours 0 --with rifampicin
  ketasim regimen --regimen plan.yaml -c BASE_SBP=150 --report report.html
  ketasim regimen --dose "0.5 mg/kg" --route iv --over "40 min" --days 0,2,4,7,9,11 --weight 70 --follow-up "28 d" --patients 500 --report population.html

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

export async function runRegimen(flags: RegimenFlags): Promise<void> {
  checkPopulationFlags(flags);
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
  const parameters = flags.param ?? {};
  const started = performance.now();
  const result = simulate(model, patient.dataset, { parameters });
  const typicalMs = performance.now() - started;
  const series = patientSeries(model, result, patient);
  const rulesLabel = flags.rules ?? 'models/ketamine/safety.rules';
  const rules: SafetyRules | undefined = flags.safety === false ? undefined : loadSafetyRules(flags.rules ?? defaultSafetyRulesPath);
  const safety: SafetyReport | undefined = rules === undefined ? undefined : evaluateSafety(series, rules);
  const doses = doseRows(regimen, patient);
  const description = regimenDescription(regimen);
  const modelFile = resolveModel(modelName).label;
  const outputs = flags.outputs ?? [...model.outputNames];

  let population: Population | undefined;
  if (flags.patients !== undefined) {
    const seed = flags.seed ?? 1;
    const sim = simulatePopulation(model, regimen, patient, grid, parameters, flags.patients, seed, typicalMs);
    const summary = summarizePopulation(sim, {
      seed,
      randomEffects: model.randomEffects.names,
      outputs,
      modelOutputs: model.outputNames,
      covariates: series.covariates,
      ...(rules !== undefined ? { rules } : {}),
    });
    const wanted = new Set<string>([...(flags.out !== undefined || flags.json === true ? outputs : []), ...(flags.report !== undefined ? model.outputNames : [])]);
    population = { sim, summary, bands: populationBands(sim, [...wanted]) };
  }

  if (flags.out !== undefined) {
    const table = population === undefined ? typicalTable(series, outputs) : percentileTable(population.bands, outputs);
    writeText(flags.out, flags.json === true ? jsonText(model, series, table, doses, safety, flags.digits, population?.summary) : csvText(table, flags.digits ?? 6));
  }
  if (flags.outSubjects !== undefined && population !== undefined) writeSubjects(flags.outSubjects, population.sim, outputs, flags.digits ?? 6);
  if (flags.report !== undefined) {
    const html = await regimenReport({
      title: `Regimen: ${description}`,
      subtitle:
        `${model.spec.title} (${model.name} ${model.spec.version})${regimen.weight_kg !== undefined ? `, ${regimen.weight_kg} kg` : ''}` +
        (population !== undefined ? `; ${population.summary.patients} virtual patients (seed ${population.summary.seed})` : ''),
      disclaimer: DISCLAIMER,
      model: { name: model.name, version: model.spec.version, title: model.spec.title, file: modelFile },
      series,
      doses,
      ...(safety !== undefined ? { safety, rulesLabel } : {}),
      ...(population !== undefined ? { population: { summary: population.summary, bands: population.bands } } : {}),
      provenance: { ketasim: packageVersion(), Command: `ketasim ${process.argv.slice(2).join(' ')}` },
    });
    writeText(flags.report, html);
  }
  if (flags.json === true && flags.out === undefined) {
    const table = population === undefined ? typicalTable(series, outputs) : percentileTable(population.bands, outputs);
    process.stdout.write(jsonText(model, series, table, doses, safety, flags.digits, population?.summary));
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
    ...(population !== undefined ? { population: population.summary } : {}),
    fineStepH: grid.fineStepH ?? 5 / 60,
    fineWindowH: 6,
    coarseStepH: 1,
  });
  const written = [flags.out, flags.outSubjects, flags.report].filter((f): f is string => f !== undefined);
  process.stdout.write(`${summary}\n${written.length > 0 ? `\nWrote ${written.join(', ').replace(/, ([^,]*)$/, ' and $1')}.\n` : ''}\n${DISCLAIMER}\n`);
}

interface Population {
  readonly sim: Simulated;
  readonly summary: PopulationSummary;
  readonly bands: PopulationBands;
}

function checkPopulationFlags(flags: RegimenFlags): void {
  if (flags.patients === undefined) {
    if (flags.seed !== undefined) throw new UsageError('--seed: only with --patients N (the seed of the virtual population)');
    if (flags.outSubjects !== undefined) throw new UsageError("--out-subjects: only with --patients N (every virtual patient's rows)");
    return;
  }
  if (flags.patients > MAX_PATIENTS) throw new UsageError(`--patients: at most ${MAX_PATIENTS}, got ${flags.patients}`);
}

/**
 * N patients with the regimen's covariates and etas from the model's random effects (seed), on the typical patient's
 * grid plus the times response is read at (24 h after the start of the first and the last dose), so that those are
 * values, not interpolations.
 */
function simulatePopulation(
  model: CompiledModelWithRandom,
  regimen: Regimen,
  patient: PatientRegimen,
  grid: GridOptions,
  parameters: Readonly<Record<string, number>>,
  n: number,
  seed: number,
  typicalMs: number,
): Simulated {
  if (model.randomEffects.names.length === 0) {
    throw new UsageError(`--patients: model ${model.name} has no random effects (between-subject variability): every patient would be the typical patient`);
  }
  const starts = patient.doses.map((d) => d.timeH);
  const extra = [Math.min(...starts) + 24, Math.max(...starts) + 24].filter((t) => t <= patient.endH);
  const points = patient.gridH.length + extra.length;
  const bytes = n * points * model.outputNames.length * 8 * 2;
  if (bytes > MAX_POPULATION_BYTES) {
    throw new UsageError(
      `--patients: ${n} patients × ${points} time points × ${model.outputNames.length} outputs need about ${(bytes / 1e9).toFixed(1)} GB of memory ` +
        `(limit ${MAX_POPULATION_BYTES / 1e9} GB); use fewer patients, a shorter --follow-up or a coarser --step`,
    );
  }
  const scenario = (subjects: number): Parameters<typeof simulateScenario>[1] => ({ regimen, parameters, population: { subjects, seed }, grid: {} });
  // The typical patient's time includes compiling the model and a per-simulation overhead: when it suggests a long
  // run, time a pilot of 10 patients (already compiled) for the estimate.
  let estimateS = (n * typicalMs) / 1000;
  if (estimateS > PROGRESS_AFTER_S && n > 20) {
    const t0 = performance.now();
    simulateScenario(model, scenario(10), extra, grid);
    estimateS = (n * (performance.now() - t0)) / 10 / 1000;
  }
  const progress = estimateS > PROGRESS_AFTER_S;
  if (progress) process.stderr.write(`ketasim regimen: simulating ${n} virtual patients (about ${Math.ceil(estimateS)} s)...\n`);
  const t0 = performance.now();
  const sim = simulateScenario(model, scenario(n), extra, grid);
  if (progress) process.stderr.write(`ketasim regimen: ${n} patients simulated in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return sim;
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

/** A per-time table: times in hours and named columns. */
interface TimeTable {
  readonly timesH: Float64Array;
  readonly columns: readonly { readonly name: string; readonly unit: string; readonly values: ArrayLike<number> }[];
}

function typicalTable(series: PatientSeries, outputs: readonly string[]): TimeTable {
  return {
    timesH: series.timesH,
    columns: outputs.map((o) => ({ name: o, unit: series.outputs.get(o)?.unit ?? '', values: series.outputs.get(o)?.values as Float64Array })),
  };
}

/** OUTPUT_p05, OUTPUT_median, OUTPUT_p95 for every output. */
function percentileTable(bands: PopulationBands, outputs: readonly string[]): TimeTable {
  return {
    timesH: bands.timesH,
    columns: outputs.flatMap((o) => {
      const b = bands.outputs.get(o);
      if (b === undefined) return [];
      return [
        { name: `${o}_p05`, unit: b.unit, values: b.p05 },
        { name: `${o}_median`, unit: b.unit, values: b.median },
        { name: `${o}_p95`, unit: b.unit, values: b.p95 },
      ];
    }),
  };
}

function csvText(table: TimeTable, digits: number): string {
  const lines = [['TIME_H', 'TIME_D', ...table.columns.map((c) => c.name)].join(',')];
  table.timesH.forEach((t, i) => {
    lines.push([fmt(t, 12), fmt(t / 24, 12), ...table.columns.map((c) => fmt(c.values[i] as number, digits))].join(','));
  });
  return `${lines.join('\n')}\n`;
}

/** Every patient's rows (ID, TIME_H, outputs), written patient by patient (the file can be large). */
function writeSubjects(path: string, sim: Simulated, outputs: readonly string[], digits: number): void {
  let fd: number | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, 'w');
    writeSync(fd, `${['ID', 'TIME_H', ...outputs].join(',')}\n`);
    const curves = outputs.map((o) => sim.curves(o));
    const times = Array.from(sim.timesH, (t) => fmt(t, 12));
    for (let s = 0; s < sim.subjects; s++) {
      const cols = curves.map((c) => c[s] as Float64Array);
      const lines = times.map((t, i) => [String(s + 1), t, ...cols.map((c) => fmt(c[i] as number, digits))].join(','));
      writeSync(fd, `${lines.join('\n')}\n`);
    }
  } catch (e) {
    throw new FileError(`cannot write ${path}: ${(e as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function jsonText(
  model: CompiledModel,
  series: PatientSeries,
  table: TimeTable,
  doses: ReturnType<typeof doseRows>,
  safety: SafetyReport | undefined,
  digits: number | undefined,
  population?: PopulationSummary,
): string {
  const units: Record<string, string> = { TIME_H: 'h', TIME_D: 'd' };
  for (const c of table.columns) units[c.name] = c.unit;
  const rows = Array.from(table.timesH, (t, i) => {
    const row: Record<string, number> = { TIME_H: t, TIME_D: t / 24 };
    for (const c of table.columns) row[c.name] = Number(fmt(c.values[i] as number, digits));
    return row;
  });
  const doc = {
    model: { name: model.name, version: model.spec.version },
    ketasim: packageVersion(),
    disclaimer: DISCLAIMER,
    doses: doses.map((d) => ({ number: d.number, time_h: d.timeH, route: d.route, amount_mg: d.amountMg, duration_h: d.durationH, given_as: d.givenAs })),
    covariates: Object.fromEntries([...series.covariates.entries()].map(([n, c]) => [n, { value: c.value, unit: c.unit, given: c.given }])),
    ...(population !== undefined ? { population: populationJson(population) } : {}),
    safety:
      safety === undefined
        ? null
        : {
            ...(population !== undefined ? { patient: 'typical (random effects 0)' } : {}),
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
    columns: ['TIME_H', 'TIME_D', ...table.columns.map((c) => c.name)],
    units,
    rows,
  };
  return `${JSON.stringify(doc, null, 1)}\n`;
}

/** NaN (a median not reached) as null. */
function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function populationJson(p: PopulationSummary): Record<string, unknown> {
  return {
    patients: p.patients,
    seed: p.seed,
    random_effects: p.randomEffects,
    percentiles: 'type 7 (linear between order statistics), of every patient',
    outputs: Object.fromEntries(p.outputs.map((o) => [o.output, { unit: o.unit, peak: o.peak, ...(o.trough !== undefined ? { trough: o.trough } : {}) }])),
    scores: p.scores.map((x) => ({
      output: x.output,
      unit: x.unit,
      scale: x.scale.scale,
      response: { reduction_at_least_pct: 50, from: 'the value at time 0' },
      remission: x.scale.remission === undefined ? null : { op: x.scale.remission.op, value: x.scale.remission.value },
      source: x.scale.source,
      source_text: x.scale.quote,
      times: x.times.map((t) => ({ label: t.label, time_h: t.timeH, response_rate: t.response, ...(t.remission !== undefined ? { remission_rate: t.remission } : {}) })),
      relapse:
        x.relapse === undefined
          ? null
          : {
              last_dose_h: x.relapse.lastDoseH,
              responders_at_h: x.relapse.assessedH,
              responders: x.relapse.responders,
              events: x.relapse.events,
              censored: x.relapse.censored,
              end_h: x.relapse.endH,
              median_h: num(x.relapse.medianH),
            },
    })),
    safety:
      p.safety === undefined
        ? null
        : {
            rules: { name: p.safety.rulesName, version: p.safety.rulesVersion },
            shares: p.safety.shares.map((x) => ({
              id: x.id,
              rules: x.rules,
              title: x.title,
              condition: x.condition,
              patients: x.patients,
              share: x.share,
              source: x.source,
              status: x.status,
              citation: x.citation,
              source_text: x.text,
            })),
            unavailable: p.safety.unavailable,
          },
  };
}
