/**
 * A patient's record: demographics and covariates, every dose, observations over time and co-medications, as
 * a JSON document (schema below) or a CSV file in NONMEM layout (parsePatientCsv). Both end as the same checked
 * PatientRecord; every problem is an error naming the record (JSON path, or CSV row) and the field. Nothing is
 * dropped or clamped: a missing observation must be marked missing, a value below the limit of quantification
 * must be marked BLQ. Pure (no I/O): src/node/patient-file.ts reads files. Format: docs/patients.md.
 */

import { z } from 'zod';
import { KetasimError } from '../core/errors.js';
import { forEachCsvRecord } from '../io/nmdata/csv.js';
import { parseDurationHours, RegimenError } from '../regimen/quantity.js';
import { firstSchemaIssue } from '../core/schema-issue.js';

/** A problem in a patient record: the file, the record (CSV row or JSON path) and the field. */
export class PatientRecordError extends KetasimError {
  constructor(
    readonly detail: string,
    readonly where: { readonly source?: string; readonly field?: string; readonly row?: number; readonly value?: string } = {},
  ) {
    const parts: string[] = [];
    if (where.source !== undefined) parts.push(where.source);
    if (where.row !== undefined) parts.push(`row ${where.row}`);
    if (where.field !== undefined) parts.push(where.field);
    if (where.value !== undefined) parts.push(`value '${where.value}'`);
    super(parts.length > 0 ? `${parts.join(', ')}: ${detail}` : detail);
  }
}

/** An observation type: the model output it is compared with, its units (factor to the canonical unit) and range. */
export interface ObservationType {
  readonly name: string;
  /** Model output compared with it (when the model has it). */
  readonly output: string;
  /** The unit the model output uses. */
  readonly unit: string;
  /** Accepted units → factor converting a value in that unit to `unit`. */
  readonly units: Readonly<Record<string, number>>;
  /** Plausible range in `unit`: values outside are errors (a MADRS of 70, a blood pressure of 0). */
  readonly range: readonly [number, number];
  readonly description: string;
  /** Where the range comes from. */
  readonly rangeSource: string;
}

const MW_KETAMINE = 237.73;
const MW_NORKETAMINE = 223.7;
const concentration = (mw: number): Record<string, number> => ({
  'ng/mL': 1, 'ng/ml': 1, 'ug/L': 1, 'µg/L': 1, 'mcg/L': 1, 'mg/L': 1000, 'ug/mL': 1000, 'µg/mL': 1000,
  'nmol/L': mw / 1000, 'nM': mw / 1000, 'umol/L': mw, 'µmol/L': mw, 'uM': mw, 'µM': mw,
});

/** Observation types a record may hold (names are matched case-insensitively, "PHQ-9" = "PHQ9"). */
export const OBSERVATION_TYPES: readonly ObservationType[] = [
  { name: 'MADRS', output: 'MADRS', unit: 'points', units: { points: 1 }, range: [0, 60], description: 'MADRS total score', rangeSource: '10 items scored 0-6 (clinical-practice.md §2.1)' },
  { name: 'PHQ9', output: 'PHQ9', unit: 'points', units: { points: 1 }, range: [0, 27], description: 'PHQ-9 total score', rangeSource: '9 items scored 0-3 (clinical-practice.md §2.1)' },
  { name: 'ANXIETY', output: 'ANXIETY', unit: '%', units: { '%': 1 }, range: [0, 500], description: "anxiety in % of the patient's own pre-treatment score", rangeSource: 'relative scale; above 5x baseline is taken as an entry error' },
  { name: 'CADSS', output: 'CADSS', unit: 'points', units: { points: 1 }, range: [0, 92], description: 'CADSS total score (23-item form)', rangeSource: '23 items scored 0-4 (the form most ketamine papers cite; clinical-practice.md §2.1)' },
  { name: 'SBP', output: 'SBP', unit: 'mmHg', units: { mmHg: 1, 'mm[Hg]': 1, kPa: 7.50062 }, range: [50, 300], description: 'systolic blood pressure', rangeSource: 'physiological limits of a measurement in a conscious adult; 0 or less than 50 mmHg is an entry error' },
  { name: 'DBP', output: 'DBP', unit: 'mmHg', units: { mmHg: 1, 'mm[Hg]': 1, kPa: 7.50062 }, range: [20, 200], description: 'diastolic blood pressure', rangeSource: 'physiological limits of a measurement in a conscious adult' },
  { name: 'HR', output: 'HR', unit: 'beats/min', units: { 'beats/min': 1, bpm: 1, '/min': 1 }, range: [20, 250], description: 'heart rate', rangeSource: 'physiological limits of a measurement in a conscious adult' },
  { name: 'CP', output: 'CP', unit: 'ng/mL', units: concentration(MW_KETAMINE), range: [0, 1e5], description: 'plasma ketamine (S + R)', rangeSource: 'above anaesthetic concentrations (~2000 ng/mL) by 50x: an entry error' },
  { name: 'CNK', output: 'CNK', unit: 'ng/mL', units: concentration(MW_NORKETAMINE), range: [0, 1e5], description: 'plasma norketamine', rangeSource: 'as CP' },
];

export function observationType(name: string): ObservationType | undefined {
  const key = name.trim().toUpperCase().replace(/[-_\s]/g, '');
  return OBSERVATION_TYPES.find((t) => t.name === key);
}

/** Drugs a dose may be: ketamine and esketamine go by their route; midazolam and saline are control sessions. */
export const DRUGS = ['ketamine', 'esketamine', 'midazolam', 'saline'] as const;
export type Drug = (typeof DRUGS)[number];

const MASS_MG: Readonly<Record<string, number>> = { mg: 1, g: 1000, ug: 1e-3, 'µg': 1e-3, mcg: 1e-3 };

const time = z.union([z.number(), z.string()]);

const doseInput = z
  .object({
    time,
    drug: z.string().default('ketamine'),
    route: z.string({ error: 'a dose needs a route (iv, im, sc, oral, sublingual, intranasal…)' }).min(1),
    amount: z.number({ error: 'a dose needs an amount (a number; its unit in `unit`)' }),
    unit: z.string({ error: 'a dose needs a unit (mg, mg/kg, ug)' }).min(1),
    /** Infusion duration: a number of hours or text ("40 min"). Omit for a bolus. */
    duration: z.union([z.number(), z.string()]).optional(),
    note: z.string().optional(),
  })
  .strict();

const observationInput = z
  .object({
    time,
    type: z.string({ error: 'an observation needs a type (MADRS, PHQ9, ANXIETY, CADSS, SBP, DBP, HR, CP, CNK)' }).min(1),
    /** The value; null when missing (then `missing: true`) or below the limit of quantification (`blq: true`). */
    value: z.number().nullable(),
    unit: z.string({ error: 'an observation needs a unit' }).min(1),
    blq: z.boolean().default(false),
    lloq: z.number().positive().optional(),
    missing: z.boolean().default(false),
    note: z.string().optional(),
  })
  .strict();

/** Covariate values that hold from `time` on (a dose at that time already sees them). */
const covariateChange = z
  .object({
    time,
    covariates: z.record(z.string(), z.number()),
    note: z.string().optional(),
  })
  .strict();

const comedication = z.union([
  z.string().min(1).transform((name) => ({ name, dose: undefined as string | undefined })),
  z.object({ name: z.string().min(1), dose: z.string().optional() }).strict(),
]);

export const patientRecordSchema = z
  .object({
    ketasim: z.literal('patient/1', { error: 'the first key must be `ketasim: patient/1` (the record format version)' }),
    id: z.union([z.string().min(1), z.number()]).transform(String),
    /** Time zero as an ISO date-time, needed when times are written as date-times. */
    start: z.string().optional(),
    weight_kg: z.number().positive().max(400).optional(),
    sex: z.enum(['female', 'male']).optional(),
    age_y: z.number().min(0).max(120).optional(),
    /** Model covariates by name (e.g. BASE_MADRS, BASE_SBP, BZD_DZP_MG). */
    covariates: z.record(z.string(), z.number()).default({}),
    /** Later covariate values (a co-medication started, a new resting blood pressure), in time order. */
    covariate_changes: z.array(covariateChange).default([]),
    comedications: z.array(comedication).default([]),
    doses: z.array(doseInput).default([]),
    observations: z.array(observationInput).default([]),
  })
  .strict();

export type PatientRecordInput = z.input<typeof patientRecordSchema>;

export interface RecordDose {
  readonly index: number;
  readonly timeH: number;
  readonly drug: Drug;
  readonly route: string;
  /** Amount as written, and its unit (mg, mg/kg or a mass unit). */
  readonly amount: number;
  readonly unit: string;
  /** mg (mg/kg doses times weight_kg). */
  readonly amountMg: number;
  /** Infusion duration in hours (0 = bolus). */
  readonly durationH: number;
  readonly where: string;
}

export interface RecordObservation {
  readonly index: number;
  readonly timeH: number;
  readonly type: ObservationType;
  /** Value in the type's unit; NaN when missing or BLQ. */
  readonly value: number;
  /** Value and unit as written. */
  readonly written: { readonly value: number | null; readonly unit: string };
  readonly blq: boolean;
  /** Lower limit of quantification in the type's unit (BLQ records). */
  readonly lloq: number | undefined;
  readonly missing: boolean;
  readonly where: string;
}

export interface RecordCovariateChange {
  readonly timeH: number;
  readonly covariates: Readonly<Record<string, number>>;
  readonly where: string;
}

export interface PatientRecord {
  readonly source: string;
  readonly id: string;
  readonly weightKg: number | undefined;
  readonly sex: 'female' | 'male' | undefined;
  readonly ageY: number | undefined;
  /** Covariate values at time zero. */
  readonly covariates: Readonly<Record<string, number>>;
  /** Later values, in time order: each holds from its time on (doses at that time included). */
  readonly covariateChanges: readonly RecordCovariateChange[];
  readonly comedications: readonly { readonly name: string; readonly dose: string | undefined }[];
  readonly doses: readonly RecordDose[];
  readonly observations: readonly RecordObservation[];
}

/** Where each record came from, for error messages (CSV rows); JSON records are named by their path. */
interface Locator {
  readonly source: string;
  readonly doseRow?: readonly number[];
  readonly observationRow?: readonly number[];
}

function fail(loc: Locator, field: string, detail: string, value?: unknown): never {
  const m = /^(doses|observations)\[(\d+)\]/.exec(field);
  let row: number | undefined;
  if (m !== null) {
    const rows = m[1] === 'doses' ? loc.doseRow : loc.observationRow;
    row = rows?.[Number(m[2]) - 1];
  }
  throw new PatientRecordError(detail, {
    source: loc.source,
    field,
    ...(row !== undefined ? { row } : {}),
    ...(value !== undefined && value !== null ? { value: String(value) } : {}),
  });
}

/** Check and normalise a record (the parsed JSON or the CSV's rows). */
export function parsePatientRecord(input: unknown, source = 'patient'): PatientRecord {
  return checkRecord(input, { source });
}

function checkRecord(input: unknown, loc: Locator): PatientRecord {
  const parsed = patientRecordSchema.safeParse(input);
  if (!parsed.success) {
    const { path: field, detail } = firstSchemaIssue(parsed.error);
    fail(loc, field === '' ? 'record' : field, detail);
  }
  const r = parsed.data;
  const origin = r.start === undefined ? undefined : Date.parse(r.start);
  if (origin !== undefined && !Number.isFinite(origin)) fail(loc, 'start', `"${r.start}" is not an ISO date-time (e.g. 2026-03-02T09:00)`);
  const timeH = (value: number | string, field: string): number => {
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || value < 0) fail(loc, field, `time ${value} h: expected hours from time zero (≥ 0)`, value);
      return value;
    }
    if (/^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
      if (origin === undefined) fail(loc, field, 'a date-time needs the record\'s `start` (time zero)', value);
      const t = Date.parse(value);
      if (!Number.isFinite(t)) fail(loc, field, 'not an ISO date-time (e.g. 2026-03-02T09:00)', value);
      const h = (t - origin) / 3.6e6;
      if (h < 0) fail(loc, field, `before the record's start (${r.start})`, value);
      return h;
    }
    try {
      return parseDurationHours(value, field);
    } catch (e) {
      if (e instanceof RegimenError) fail(loc, field, `${e.message.replace(`${field}: `, '')}; times are hours (a number), a duration since time zero ("2 d") or an ISO date-time`, value);
      throw e;
    }
  };
  for (const [name, v] of Object.entries(r.covariates)) {
    if (!Number.isFinite(v)) fail(loc, `covariates.${name}`, 'not a finite number', v);
  }
  let previousChange = -Infinity;
  const covariateChanges: RecordCovariateChange[] = r.covariate_changes.map((c, i) => {
    const field = `covariate_changes[${i + 1}]`;
    const t = timeH(c.time, `${field}.time`);
    if (!(t > previousChange)) fail(loc, `${field}.time`, `a change at ${t} h must come after the previous change (${previousChange} h): changes in time order, one per time`, c.time);
    previousChange = t;
    if (Object.keys(c.covariates).length === 0) fail(loc, `${field}.covariates`, 'no covariate values');
    for (const [name, v] of Object.entries(c.covariates)) {
      if (!Number.isFinite(v)) fail(loc, `${field}.covariates.${name}`, 'not a finite number', v);
      if (name === 'WT') fail(loc, `${field}.covariates.WT`, 'body weight is weight_kg, one value per record (mg/kg doses are converted with it)', v);
    }
    return { timeH: t, covariates: c.covariates, where: field };
  });

  let previous = -Infinity;
  const doses: RecordDose[] = r.doses.map((d, i) => {
    const field = `doses[${i + 1}]`;
    const t = timeH(d.time, `${field}.time`);
    if (t < previous) fail(loc, `${field}.time`, `dose at ${t} h comes before the previous dose (${previous} h): doses must be in time order`, d.time);
    previous = t;
    const drug = d.drug.trim().toLowerCase();
    if (!(DRUGS as readonly string[]).includes(drug)) fail(loc, `${field}.drug`, `unknown drug (expected ${DRUGS.join(', ')})`, d.drug);
    if (!Number.isFinite(d.amount) || d.amount <= 0) fail(loc, `${field}.amount`, 'a dose amount must be positive', d.amount);
    const u = d.unit.trim();
    const perKg = /\/\s*kg$/i.test(u);
    const massUnit = perKg ? u.replace(/\/\s*kg$/i, '').trim() : u;
    const factor = MASS_MG[massUnit.toLowerCase()] ?? MASS_MG[massUnit];
    if (factor === undefined) fail(loc, `${field}.unit`, 'unknown dose unit (expected mg, mg/kg, g, ug, ug/kg)', d.unit);
    if (perKg && r.weight_kg === undefined) fail(loc, `${field}.unit`, 'a per-kg dose needs the body weight (weight_kg)', d.unit);
    const amountMg = d.amount * factor * (perKg ? (r.weight_kg as number) : 1);
    let durationH = 0;
    if (d.duration !== undefined) {
      if (typeof d.duration === 'number') durationH = d.duration;
      else {
        try {
          durationH = parseDurationHours(d.duration, `${field}.duration`);
        } catch (e) {
          if (e instanceof RegimenError) fail(loc, `${field}.duration`, e.message.replace(`${field}.duration: `, ''), d.duration);
          throw e;
        }
      }
      if (!Number.isFinite(durationH) || durationH < 0) fail(loc, `${field}.duration`, 'a duration must be ≥ 0 hours', d.duration);
    }
    if (d.route.trim() === '') fail(loc, `${field}.route`, 'a dose needs a route');
    return { index: i, timeH: t, drug: drug as Drug, route: d.route.trim().toLowerCase(), amount: d.amount, unit: u, amountMg, durationH, where: field };
  });

  previous = -Infinity;
  const observations: RecordObservation[] = r.observations.map((o, i) => {
    const field = `observations[${i + 1}]`;
    const t = timeH(o.time, `${field}.time`);
    if (t < previous) fail(loc, `${field}.time`, `observation at ${t} h comes before the previous observation (${previous} h): observations must be in time order`, o.time);
    previous = t;
    const type = observationType(o.type);
    if (type === undefined) fail(loc, `${field}.type`, `unknown observation type (expected ${OBSERVATION_TYPES.map((x) => x.name).join(', ')})`, o.type);
    const factor = type.units[o.unit.trim()];
    if (factor === undefined) fail(loc, `${field}.unit`, `unit of ${type.name} must be one of ${Object.keys(type.units).join(', ')}`, o.unit);
    const flags = [o.blq ? 'blq' : '', o.missing ? 'missing' : ''].filter((s) => s !== '');
    if (flags.length > 1) fail(loc, field, 'an observation cannot be both BLQ and missing');
    let lloq: number | undefined;
    if (o.blq) {
      if (o.value !== null) fail(loc, `${field}.value`, 'a BLQ observation has no value (write null) and gives its limit in lloq', o.value);
      if (o.lloq === undefined) fail(loc, `${field}.lloq`, 'a BLQ observation needs its lower limit of quantification (lloq, in the observation unit)');
      lloq = o.lloq * factor;
    } else if (o.missing) {
      if (o.value !== null) fail(loc, `${field}.value`, 'a missing observation has no value (write null)', o.value);
    } else {
      if (o.value === null) fail(loc, `${field}.value`, 'no value: give one, or mark the observation missing (missing: true) or below the limit of quantification (blq: true, lloq)');
      if (!Number.isFinite(o.value)) fail(loc, `${field}.value`, 'not a finite number', o.value);
      const v = o.value * factor;
      if (v < type.range[0] || v > type.range[1]) {
        fail(loc, `${field}.value`, `${type.name} ${o.value} ${o.unit} is outside its range ${type.range[0]}-${type.range[1]} ${type.unit} (${type.rangeSource})`, o.value);
      }
      if (o.lloq !== undefined) {
        lloq = o.lloq * factor;
        if (v < lloq) fail(loc, `${field}.value`, `value below its lloq ${o.lloq}: mark it blq (value null) instead`, o.value);
      }
    }
    return {
      index: i,
      timeH: t,
      type,
      value: o.blq || o.missing || o.value === null ? Number.NaN : o.value * factor,
      written: { value: o.value, unit: o.unit },
      blq: o.blq,
      lloq,
      missing: o.missing,
      where: field,
    };
  });

  return {
    source: loc.source,
    id: r.id,
    weightKg: r.weight_kg,
    sex: r.sex,
    ageY: r.age_y,
    covariates: r.covariates,
    covariateChanges,
    comedications: r.comedications.map((c) => ({ name: c.name, dose: c.dose })),
    doses,
    observations,
  };
}

/** Standard columns of the CSV form; every other numeric column is a covariate (it may change over the rows). */
const CSV_COLUMNS = ['ID', 'TIME', 'EVID', 'MDV', 'AMT', 'UNIT', 'AMTU', 'ROUTE', 'DRUG', 'RATE', 'DUR', 'DV', 'DVID', 'DVU', 'BLQ', 'LLOQ', 'COMED', 'WT', 'SEX', 'AGE', 'C'] as const;

/**
 * A record as CSV in NONMEM layout, one row per dose or observation, time in hours:
 * ID, TIME, EVID (1 dose, 0 observation), AMT with AMTU (mg, mg/kg, ug), ROUTE, DRUG (default ketamine), RATE
 * (mg/h) or DUR (h); DV with DVID (the observation type) and DVU (its unit), MDV 1 = missing, BLQ 1 with LLOQ;
 * WT (kg), SEX (0 male, 1 female), AGE (y) (one value each), other covariate columns (a value that changes holds
 * from its row's time on: `covariate_changes`), COMED (co-medication names
 * separated by ';'). Lines starting with '#' are comments.
 */
export function parsePatientCsv(text: string, source = 'patient.csv'): PatientRecord {
  let header: string[] | undefined;
  const rows: { cells: string[]; line: number }[] = [];
  forEachCsvRecord(text, source, (cells, line) => {
    if (header === undefined) header = cells.map((c) => c.trim());
    else rows.push({ cells, line });
  });
  if (header === undefined) throw new PatientRecordError('empty file: expected a header line (ID,TIME,EVID,AMT,…)', { source });
  const cols = header;
  const upper = cols.map((c) => c.toUpperCase());
  for (const required of ['TIME', 'EVID']) {
    if (!upper.includes(required)) throw new PatientRecordError(`required column ${required} is missing`, { source, field: `column ${required}` });
  }
  const col = (name: string): number => upper.indexOf(name);
  const cell = (r: { cells: string[] }, name: string): string | undefined => {
    const k = col(name);
    if (k < 0) return undefined;
    const v = (r.cells[k] ?? '').trim();
    return v === '' || v === '.' ? undefined : v;
  };
  const num = (r: { cells: string[]; line: number }, name: string): number | undefined => {
    const v = cell(r, name);
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x)) throw new PatientRecordError('not a number', { source, row: r.line, field: `column ${name}`, value: v });
    return x;
  };
  const constant = new Map<string, { value: number; line: number }>();
  const setConstant = (name: string, value: number | undefined, line: number): void => {
    if (value === undefined) return;
    const prev = constant.get(name);
    if (prev !== undefined && prev.value !== value) {
      throw new PatientRecordError(`${name} changes from ${prev.value} (row ${prev.line}) to ${value}: ${name === 'WT' ? 'body weight' : name === 'SEX' ? 'sex' : 'age'} is one value per record`, { source, row: line, field: `column ${name}`, value: String(value) });
    }
    if (prev === undefined) constant.set(name, { value, line });
  };
  // Other covariate columns may change: the first value holds from time zero, a new value from its row's time on.
  const current = new Map<string, number>();
  const changes: { time: number; covariates: Record<string, number> }[] = [];
  const setCovariate = (name: string, value: number | undefined, t: number, line: number): void => {
    if (value === undefined) return;
    const prev = current.get(name);
    current.set(name, value);
    if (prev === undefined) {
      setConstant(name, value, line);
      return;
    }
    if (prev === value) return;
    let change = changes[changes.length - 1];
    if (change === undefined || change.time !== t) {
      change = { time: t, covariates: {} };
      changes.push(change);
    }
    change.covariates[name] = value;
  };
  const covariateColumns = cols.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c.toUpperCase()));
  const doses: Record<string, unknown>[] = [];
  const observations: Record<string, unknown>[] = [];
  const doseRow: number[] = [];
  const observationRow: number[] = [];
  const comeds = new Set<string>();
  let id: string | undefined;
  let lastTime = -Infinity;
  for (const r of rows) {
    if ((num(r, 'C') ?? 0) !== 0) continue;
    const rowId = cell(r, 'ID') ?? '1';
    if (id !== undefined && rowId !== id) throw new PatientRecordError(`a patient file holds one patient; ID changes from ${id} to ${rowId}`, { source, row: r.line, field: 'column ID', value: rowId });
    id = rowId;
    const t = num(r, 'TIME');
    if (t === undefined) throw new PatientRecordError('TIME is missing', { source, row: r.line, field: 'column TIME' });
    if (t < lastTime) throw new PatientRecordError(`TIME ${t} h is before the previous row's ${lastTime} h: rows must be in time order`, { source, row: r.line, field: 'column TIME', value: String(t) });
    lastTime = t;
    const evid = num(r, 'EVID') ?? 0;
    setConstant('WT', num(r, 'WT'), r.line);
    setConstant('SEX', num(r, 'SEX'), r.line);
    setConstant('AGE', num(r, 'AGE'), r.line);
    for (const c of covariateColumns) setCovariate(c, num(r, c.toUpperCase()), t, r.line);
    for (const name of (cell(r, 'COMED') ?? '').split(';').map((s) => s.trim()).filter((s) => s !== '')) comeds.add(name);
    if (evid === 1) {
      const amt = num(r, 'AMT');
      const rate = num(r, 'RATE');
      let dur = num(r, 'DUR');
      if (rate !== undefined && rate > 0) {
        if (amt === undefined) throw new PatientRecordError('a dose needs an amount', { source, row: r.line, field: 'column AMT' });
        if (dur !== undefined && Math.abs(dur - amt / rate) > 1e-9 * dur) throw new PatientRecordError(`RATE ${rate} and DUR ${dur} disagree (AMT/RATE = ${amt / rate} h)`, { source, row: r.line, field: 'column RATE' });
        const unit = cell(r, 'AMTU') ?? cell(r, 'UNIT');
        if (unit !== undefined && /\/\s*kg/i.test(unit)) throw new PatientRecordError('RATE needs an absolute amount (mg); with mg/kg give DUR', { source, row: r.line, field: 'column RATE' });
        dur = amt / rate;
      }
      doses.push({
        time: t,
        ...(cell(r, 'DRUG') !== undefined ? { drug: cell(r, 'DRUG') } : {}),
        route: cell(r, 'ROUTE'),
        amount: amt,
        unit: cell(r, 'AMTU') ?? cell(r, 'UNIT'),
        ...(dur !== undefined ? { duration: dur } : {}),
      });
      doseRow.push(r.line);
    } else if (evid === 0) {
      const mdv = num(r, 'MDV') ?? 0;
      const blq = (num(r, 'BLQ') ?? 0) !== 0;
      const dv = num(r, 'DV');
      const lloq = num(r, 'LLOQ');
      observations.push({
        time: t,
        type: cell(r, 'DVID'),
        value: mdv !== 0 || blq ? null : (dv ?? null),
        unit: cell(r, 'DVU') ?? cell(r, 'UNIT'),
        ...(blq ? { blq: true } : {}),
        ...(mdv !== 0 && !blq ? { missing: true } : {}),
        ...(lloq !== undefined ? { lloq } : {}),
      });
      observationRow.push(r.line);
      if (mdv !== 0 && dv !== undefined && !blq) {
        throw new PatientRecordError('MDV 1 (missing) with a DV value: remove the value or set MDV 0', { source, row: r.line, field: 'column DV', value: String(dv) });
      }
    } else {
      throw new PatientRecordError('EVID must be 1 (dose) or 0 (observation) in a patient record', { source, row: r.line, field: 'column EVID', value: String(evid) });
    }
  }
  const covariates: Record<string, number> = {};
  for (const c of covariateColumns) {
    const v = constant.get(c);
    if (v !== undefined) covariates[c] = v.value;
  }
  const sex = constant.get('SEX')?.value;
  if (sex !== undefined && sex !== 0 && sex !== 1) throw new PatientRecordError('SEX must be 0 (male) or 1 (female)', { source, row: constant.get('SEX')?.line as number, field: 'column SEX', value: String(sex) });
  // Fields the CSV does not have are left out (undefined), so the schema's own message names them.
  const strip = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const input = {
    ketasim: 'patient/1',
    id: id ?? '1',
    ...(constant.get('WT') !== undefined ? { weight_kg: constant.get('WT')?.value } : {}),
    ...(sex !== undefined ? { sex: sex === 1 ? 'female' : 'male' } : {}),
    ...(constant.get('AGE') !== undefined ? { age_y: constant.get('AGE')?.value } : {}),
    covariates,
    covariate_changes: changes,
    comedications: [...comeds],
    doses: doses.map(strip),
    observations: observations.map(strip),
  };
  return checkRecord(input, { source, doseRow, observationRow });
}
