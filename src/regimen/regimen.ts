/**
 * Regimens as clinicians write them — "0.5 mg/kg IV over 40 min on days 0, 2, 4, 7, 9, 11" — turned into a
 * NONMEM-style data set for one patient, using the model's `routes` (a route may deliver one dose into several
 * compartments, as NONMEM data sets code dual absorption) and dose controls (a compartment whose dose control
 * models the duration or rate gets RATE -2 or -1).
 *
 * Pure (no I/O): the CLI reads the regimen file; the browser can build a regimen from a form.
 */

import { z } from 'zod';
import type { Dataset } from '../core/data/dataset.js';
import type { CompiledModel } from '../core/model/index.js';
import { datasetFromRows } from '../io/nmdata/index.js';
import { hoursPerTimeUnit, parseDoseAmount, parseDurationHours, parseNumberList, RegimenError, type DoseAmount } from './quantity.js';

const numberList = z.union([z.number(), z.string(), z.array(z.number())]);

/** One line of a regimen: the same dose by one route at several times. */
export const regimenDoseSchema = z
  .object({
    /** Route name from the model's `routes` block (iv, im, oral, intranasal…) or a compartment name. */
    route: z.string().min(1),
    /** "35 mg" or "0.5 mg/kg". */
    amount: z.union([z.string(), z.number()]),
    /** Infusion duration ("40 min"): a zero-order dose. Omit for a bolus or a modelled duration. */
    over: z.union([z.string(), z.number()]).optional(),
    /** Days of dosing (0 = first day), e.g. [0, 2, 4] or "0,2,4"; the dose is given at `at` on each day. */
    days: numberList.optional(),
    /** Time of day of the doses given by `days` ("9 h"; default 0 h = the start of day 0). */
    at: z.union([z.string(), z.number()]).optional(),
    /** Dose times in hours from the start, instead of `days`. */
    hours: numberList.optional(),
  })
  .strict()
  .refine((d) => (d.days === undefined) !== (d.hours === undefined), { message: 'give either days or hours (not both)' });

export const regimenSchema = z
  .object({
    /** Body weight (kg): needed for mg/kg doses; also sets the model's WT covariate when it has one. */
    weight_kg: z.number().positive().optional(),
    /** Model covariates (name: value), e.g. { SEX: 1, BASE_MADRS: 32 }. */
    covariates: z.record(z.string(), z.number()).default({}),
    /** Co-medications by name: each sets the model covariate of that name (upper case) to 1, e.g. [rifampicin]. */
    with: z.array(z.string()).default([]),
    doses: z.array(regimenDoseSchema).min(1, 'a regimen has at least one dose'),
    /** How long to follow the patient after the last dose ("7 d"). */
    follow_up: z.union([z.string(), z.number()]).default('7 d'),
  })
  .strict();

export type RegimenInput = z.input<typeof regimenSchema>;
export type Regimen = z.output<typeof regimenSchema>;

/** A dose as given to the patient (before it is split between compartments). */
export interface GivenDose {
  readonly route: string;
  /** Start, hours from time 0. */
  readonly timeH: number;
  readonly amountMg: number;
  /** Zero-order duration in hours; 0 for a bolus or a modelled duration. */
  readonly durationH: number;
}

export interface PatientRegimen {
  /** The data set (one subject, ID 1) in the model's time unit, with observation records on `grid`. */
  readonly dataset: Dataset;
  readonly doses: readonly GivenDose[];
  /** Covariate values set on every record (weight, named covariates, co-medications). */
  readonly covariates: Readonly<Record<string, number>>;
  /** Observation times, hours. */
  readonly gridH: readonly number[];
  /** End of follow-up, hours. */
  readonly endH: number;
  /** Hours per model time unit. */
  readonly hoursPerModelTime: number;
}

export interface GridOptions {
  /** Spacing of observations in the hours after each dose (default 5 min). */
  readonly fineStepH?: number;
  /** How long after the end of each dose the fine spacing lasts (default 6 h). */
  readonly fineWindowH?: number;
  /** Spacing elsewhere (default 1 h). */
  readonly coarseStepH?: number;
}

/** Validate a regimen (as read from YAML/JSON or built in code); errors name the field. */
export function parseRegimen(input: unknown, source = 'regimen'): Regimen {
  const parsed = regimenSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    const detail = issue?.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : (issue?.message ?? 'invalid');
    throw new RegimenError(detail, path === '' ? source : `${source}: ${path}`);
  }
  return parsed.data;
}

/** The compartments (0-based) a dose by `route` goes into: the model's route, or a compartment of that name. */
export function routeCompartments(model: CompiledModel, route: string, field: string): readonly number[] {
  const targets = model.routes.get(route);
  if (targets !== undefined) return targets;
  const c = model.compartments.indexOf(route);
  if (c >= 0 && model.dosable[c] === true) return [c];
  const known = [...model.routes.keys()];
  throw new RegimenError(
    `route "${route}" is not defined by model ${model.name} (${known.length > 0 ? `routes: ${known.join(', ')}` : 'the model has no routes block; give a compartment name'})`,
    field,
  );
}

function amountMg(amount: DoseAmount, weightKg: number | undefined, field: string): number {
  if ('mg' in amount) return amount.mg;
  if (weightKg === undefined) throw new RegimenError('a mg/kg dose needs the body weight (weight_kg)', field);
  return amount.mgPerKg * weightKg;
}

/** The patient's data set for a regimen: dose records per route compartment plus an observation grid. */
export function buildRegimen(model: CompiledModel, regimen: Regimen, grid: GridOptions = {}): PatientRegimen {
  if (model.spec.units.amount.toLowerCase() !== 'mg') {
    throw new RegimenError(`model ${model.name} doses in ${model.spec.units.amount}; regimens are in mg`, 'units.amount');
  }
  const perModelTime = hoursPerTimeUnit(model.spec.units.time);
  const covariates = regimenCovariates(model, regimen);
  const doses: GivenDose[] = [];
  const rows: Record<string, number>[] = [];
  regimen.doses.forEach((line, i) => {
    const field = `doses[${i + 1}]`;
    const targets = routeCompartments(model, line.route, `${field}.route`);
    const mg = amountMg(parseDoseAmount(line.amount, `${field}.amount`), regimen.weight_kg, `${field}.amount`);
    const durationH = line.over === undefined ? 0 : parseDurationHours(line.over, `${field}.over`);
    const times = doseTimesH(line, field);
    for (const c of targets) {
      const control = model.spec.dose[model.compartments[c] as string];
      const modelled = control?.duration !== undefined ? -2 : control?.rate !== undefined ? -1 : 0;
      if (modelled !== 0 && durationH > 0) {
        throw new RegimenError(`the model sets the ${modelled === -2 ? 'duration' : 'rate'} of doses into ${model.compartments[c]}; remove "over"`, `${field}.over`);
      }
      for (const t of times) {
        const rate = durationH > 0 ? mg / (durationH / perModelTime) : modelled;
        rows.push({ ID: 1, TIME: t / perModelTime, EVID: 1, AMT: mg, CMT: c + 1, RATE: rate, ...covariates });
      }
    }
    for (const t of times) doses.push({ route: line.route, timeH: t, amountMg: mg, durationH });
  });
  doses.sort((a, b) => a.timeH - b.timeH);
  const lastH = Math.max(...doses.map((d) => d.timeH + d.durationH));
  const endH = lastH + parseDurationHours(regimen.follow_up, 'follow_up');
  const gridH = observationGridH(doses, endH, grid);
  for (const t of gridH) rows.push({ ID: 1, TIME: t / perModelTime, EVID: 0, AMT: 0, CMT: 0, RATE: 0, ...covariates });
  // Doses before observations at equal times (a dose at t is given, then observed).
  rows.sort((a, b) => (a.TIME as number) - (b.TIME as number) || (b.EVID as number) - (a.EVID as number));
  return { dataset: datasetFromRows(rows, 'regimen'), doses, covariates, gridH, endH, hoursPerModelTime: perModelTime };
}

function doseTimesH(line: Regimen['doses'][number], field: string): number[] {
  let times: number[];
  if (line.days !== undefined) {
    const atH = line.at === undefined ? 0 : parseDurationHours(line.at, `${field}.at`);
    if (atH >= 24) throw new RegimenError(`"${String(line.at)}" is not a time of day (0 to 24 h)`, `${field}.at`);
    times = parseNumberList(line.days, `${field}.days`).map((d) => d * 24 + atH);
  } else {
    times = parseNumberList(line.hours ?? [], `${field}.hours`);
  }
  times.forEach((t, k) => {
    if (t < 0) throw new RegimenError(`dose ${k + 1} is at a negative time (${t} h)`, field);
  });
  if (new Set(times).size !== times.length) throw new RegimenError('the same dose time is listed twice', field);
  return times.sort((a, b) => a - b);
}

/** Covariates from weight, named covariates and co-medications; names the model does not know are errors. */
function regimenCovariates(model: CompiledModel, regimen: Regimen): Record<string, number> {
  const out: Record<string, number> = {};
  const known = new Set(model.covariateNames);
  if (regimen.weight_kg !== undefined && known.has('WT')) out.WT = regimen.weight_kg;
  for (const [name, value] of Object.entries(regimen.covariates)) {
    if (!known.has(name)) throw new RegimenError(`model ${model.name} has no covariate ${name} (covariates: ${model.covariateNames.join(', ') || 'none'})`, `covariates.${name}`);
    if (!Number.isFinite(value)) throw new RegimenError(`${value} is not a number`, `covariates.${name}`);
    if (name === 'WT' && regimen.weight_kg !== undefined && value !== regimen.weight_kg) {
      throw new RegimenError(`WT ${value} contradicts weight_kg ${regimen.weight_kg}`, 'covariates.WT');
    }
    out[name] = value;
  }
  regimen.with.forEach((drug, i) => {
    const name = drug.trim().toUpperCase().replace(/[^A-Z0-9_]/g, '');
    if (!known.has(name)) {
      throw new RegimenError(`model ${model.name} has no co-medication "${drug}" (its covariates: ${model.covariateNames.join(', ') || 'none'})`, `with[${i + 1}]`);
    }
    out[name] = 1;
  });
  return out;
}

/** Observation times: fine after each dose (onset, peak and early decline), coarse elsewhere, and the end. */
export function observationGridH(doses: readonly GivenDose[], endH: number, options: GridOptions = {}): number[] {
  const fine = options.fineStepH ?? 5 / 60;
  const window = options.fineWindowH ?? 6;
  const coarse = options.coarseStepH ?? 1;
  const times = new Set<number>();
  const add = (t: number): void => {
    if (t >= 0 && t <= endH) times.add(Math.round(t * 1e6) / 1e6);
  };
  for (let k = 0; k * coarse <= endH; k++) add(k * coarse);
  for (const d of doses) {
    const stop = d.timeH + d.durationH + window;
    for (let k = 0; d.timeH + k * fine <= stop; k++) add(d.timeH + k * fine);
    add(d.timeH + d.durationH);
  }
  add(endH);
  return [...times].sort((a, b) => a - b);
}
