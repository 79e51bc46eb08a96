/**
 * A patient record laid out for a model: the one-subject data set (dose records through the model's routes,
 * one observation record per observation time, covariates from demographics, covariates and co-medications), and
 * for each observation the data-set row, the model output, its residual error and how it enters the likelihood.
 * Observations the model cannot use are listed with the reason (never dropped silently). Pure.
 */

import type { Dataset } from '../core/data/dataset.js';
import type { CompiledModel, ResidualSpec } from '../core/model/index.js';
import { datasetFromRows } from '../io/nmdata/index.js';
import { routeCompartments } from '../regimen/regimen.js';
import { hoursPerTimeUnit, RegimenError } from '../regimen/quantity.js';
import { PatientRecordError, type PatientRecord, type RecordCovariateChange, type RecordObservation } from './record.js';

/** How an observation enters the likelihood. */
export type Censoring = 'none' | 'below' | 'above';

export interface FitObservation {
  readonly record: RecordObservation;
  /** Row of the observation in the data set (one subject: row = record index). */
  readonly row: number;
  /** Index of the compared output in the model's outputs. */
  readonly output: number;
  readonly residual: ResidualSpec;
  /** 'below': BLQ (M3, bound = LLOQ) or at the scale's lower end; 'above': at its upper end. */
  readonly censoring: Censoring;
  /** The observed value, or the censoring bound (model units). */
  readonly value: number;
}

export interface UnusedObservation {
  readonly record: RecordObservation;
  readonly reason: string;
}

/** A dose given or planned, in hours (as the record's doses). */
export interface PlannedDose {
  readonly timeH: number;
  readonly drug: string;
  readonly route: string;
  readonly amountMg: number;
  readonly durationH: number;
}

export interface DesignOptions {
  /** Residual errors by output name, replacing the model's (`--residual` in the CLI, tests). */
  readonly residual?: Readonly<Record<string, ResidualSpec>>;
  /** Further doses (a plan to forecast), after the record's. */
  readonly plannedDoses?: readonly PlannedDose[];
  /** Planned covariate changes (a plan to forecast, e.g. a benzodiazepine taper), after the record's. */
  readonly plannedCovariateChanges?: readonly RecordCovariateChange[];
  /** Extra observation times (hours) for predictions (forecast grids). */
  readonly gridH?: readonly number[];
}

export interface PatientDesign {
  readonly record: PatientRecord;
  readonly dataset: Dataset;
  readonly hoursPerModelTime: number;
  /** Covariate values in effect at the end of the record (and for planned doses): time zero's with every change applied. */
  readonly covariates: Readonly<Record<string, number>>;
  /** Covariate values at time zero (a covariate first set by a change: the model's default). */
  readonly initialCovariates: Readonly<Record<string, number>>;
  readonly observations: readonly FitObservation[];
  readonly unused: readonly UnusedObservation[];
  /** Things in the record the model does not use (covariates, co-medications), said aloud. */
  readonly warnings: readonly string[];
  /** Data-set row of each grid time (gridH order). */
  readonly gridRows: readonly number[];
  /** Every dose (record, then planned), in time order. */
  readonly doses: readonly PlannedDose[];
}

export function patientCovariates(model: CompiledModel, record: PatientRecord, warnings: string[]): Record<string, number> {
  const known = new Set(model.covariateNames);
  const out: Record<string, number> = {};
  if (record.weightKg !== undefined) {
    if (known.has('WT')) out.WT = record.weightKg;
  }
  if (record.sex !== undefined) {
    if (known.has('SEX')) out.SEX = record.sex === 'female' ? 1 : 0;
    else warnings.push(`sex is not a covariate of model ${model.name}`);
  }
  if (record.ageY !== undefined) {
    if (known.has('AGE')) out.AGE = record.ageY;
    else warnings.push(`age is not a covariate of model ${model.name}`);
  }
  for (const [name, value] of Object.entries(record.covariates)) {
    if (!known.has(name)) {
      throw new PatientRecordError(`model ${model.name} has no covariate ${name} (its covariates: ${model.covariateNames.join(', ') || 'none'})`, { source: record.source, field: `covariates.${name}` });
    }
    if (name === 'WT' && record.weightKg !== undefined && value !== record.weightKg) {
      throw new PatientRecordError(`WT ${value} contradicts weight_kg ${record.weightKg}`, { source: record.source, field: 'covariates.WT' });
    }
    out[name] = value;
  }
  record.comedications.forEach((c) => {
    const name = c.name.trim().toUpperCase().replace(/[^A-Z0-9_]/g, '');
    if (known.has(name)) out[name] = 1;
    else warnings.push(`co-medication ${c.name}: model ${model.name} has no interaction for it (not used)`);
  });
  return out;
}

function modelDrugCheck(model: CompiledModel, drug: string, field: string, source: string): void {
  const esk = /esketamine/i.test(model.name);
  if (drug === 'esketamine' && !esk) throw new PatientRecordError(`an esketamine dose, but model ${model.name} is for racemic ketamine (use esketamine-depression)`, { source, field });
  if (drug === 'ketamine' && esk) throw new PatientRecordError(`a racemic ketamine dose, but model ${model.name} is for esketamine`, { source, field });
}

/** The route by which a dose enters the model: ketamine by its route, control sessions by the drug's name. */
function doseRoute(drug: string, route: string): string {
  return drug === 'midazolam' || drug === 'saline' ? drug : route;
}

export function buildDesign(model: CompiledModel, record: PatientRecord, options: DesignOptions = {}): PatientDesign {
  if (model.spec.units.amount.toLowerCase() !== 'mg') {
    throw new PatientRecordError(`model ${model.name} doses in ${model.spec.units.amount}; patient records are in mg`, { source: record.source });
  }
  const perModelTime = hoursPerTimeUnit(model.spec.units.time);
  const warnings: string[] = [];
  const initial = patientCovariates(model, record, warnings);
  const known = new Set(model.covariateNames);
  // The record's changes, then the plan's (stable: at equal times the plan's values win).
  const changes = [...record.covariateChanges, ...(options.plannedCovariateChanges ?? [])].sort((a, b) => a.timeH - b.timeH);
  for (const c of changes) {
    for (const name of Object.keys(c.covariates)) {
      const field = `${c.where}.covariates.${name}`;
      if (!known.has(name)) throw new PatientRecordError(`model ${model.name} has no covariate ${name} (its covariates: ${model.covariateNames.join(', ') || 'none'})`, { source: record.source, field });
      if (initial[name] !== undefined) continue;
      // Before its first change a covariate has the model's default (e.g. no benzodiazepine), or must be given.
      const fallback = (model.spec.covariates?.[name] as { default?: number } | undefined)?.default;
      if (fallback === undefined) throw new PatientRecordError(`${name} has no value before this change and model ${model.name} no default: give it in covariates`, { source: record.source, field });
      initial[name] = fallback;
    }
  }
  /** Covariates in effect at time tH: changes at tH included (inclusive) or not. */
  const covariatesAt = (tH: number, inclusive: boolean): Record<string, number> => {
    const out = { ...initial };
    for (const c of changes) if (inclusive ? c.timeH <= tH : c.timeH < tH) Object.assign(out, c.covariates);
    return out;
  };
  const covariates = covariatesAt(Infinity, true);
  type Row = Record<string, number> & { TIME: number; EVID: number };
  const rows: { row: Row; key: number }[] = [];
  // A change at T holds from T on. Data-set values govern the interval that ends at their record (NONMEM's next
  // observation carried backward), so a record at T carries the values before T (EVID 2, sorted first at T) and
  // every record after it, doses at T included, the new ones.
  for (const c of changes) {
    rows.push({ row: { ID: 1, TIME: c.timeH / perModelTime, EVID: 2, AMT: 0, CMT: 0, RATE: 0, ...covariatesAt(c.timeH, false) }, key: -1 });
  }

  const doses: PlannedDose[] = [...record.doses.map((d) => ({ timeH: d.timeH, drug: d.drug, route: d.route, amountMg: d.amountMg, durationH: d.durationH })), ...(options.plannedDoses ?? [])];
  doses.forEach((d, i) => {
    const field = i < record.doses.length ? `doses[${i + 1}]` : `planned dose ${i - record.doses.length + 1}`;
    modelDrugCheck(model, d.drug, `${field}.drug`, record.source);
    let targets: readonly number[];
    try {
      targets = routeCompartments(model, doseRoute(d.drug, d.route), `${field}.route`);
    } catch (e) {
      if (e instanceof RegimenError) throw new PatientRecordError(e.message.replace(`${field}.route: `, ''), { source: record.source, field: `${field}.route`, value: d.route });
      throw e;
    }
    for (const c of targets) {
      const control = model.spec.dose[model.compartments[c] as string];
      const modelled = control?.duration !== undefined ? -2 : control?.rate !== undefined ? -1 : 0;
      if (modelled !== 0 && d.durationH > 0) {
        throw new PatientRecordError(`model ${model.name} sets the ${modelled === -2 ? 'duration' : 'rate'} of doses into ${model.compartments[c]}; give no duration`, { source: record.source, field: `${field}.duration` });
      }
      const rate = d.durationH > 0 ? d.amountMg / (d.durationH / perModelTime) : modelled;
      rows.push({ row: { ID: 1, TIME: d.timeH / perModelTime, EVID: 1, AMT: d.amountMg, CMT: c + 1, RATE: rate, ...covariatesAt(d.timeH, true) }, key: -1 });
    }
  });
  // One observation record per distinct time (observations and grid share them).
  const timeKey = new Map<number, number>();
  const obsTime = (h: number): number => {
    let k = timeKey.get(h);
    if (k === undefined) {
      k = timeKey.size;
      timeKey.set(h, k);
      rows.push({ row: { ID: 1, TIME: h / perModelTime, EVID: 0, AMT: 0, CMT: 0, RATE: 0, ...covariatesAt(h, true) }, key: k });
    }
    return k;
  };
  const obsKeys = record.observations.map((o) => obsTime(o.timeH));
  const gridKeys = (options.gridH ?? []).map((h) => obsTime(h));
  if (rows.length === 0) throw new PatientRecordError('the record has no doses and no observations', { source: record.source });
  // At equal times: covariate changes (EVID 2), then doses (a dose at t is given, then observed), then
  // observations; stable otherwise.
  const order = rows.map((r, i) => ({ ...r, i }));
  order.sort((a, b) => a.row.TIME - b.row.TIME || b.row.EVID - a.row.EVID || a.i - b.i);
  const rowOfKey = new Map<number, number>();
  order.forEach((r, i) => {
    if (r.key >= 0) rowOfKey.set(r.key, i);
  });
  const dataset = datasetFromRows(order.map((r) => r.row), record.source);

  const observations: FitObservation[] = [];
  const unused: UnusedObservation[] = [];
  record.observations.forEach((o, i) => {
    const output = model.outputNames.indexOf(o.type.output);
    if (output < 0) {
      unused.push({ record: o, reason: `model ${model.name} has no output ${o.type.output}` });
      return;
    }
    const unit = model.outputUnits[output] ?? '';
    if (unit !== '' && unit !== o.type.unit) {
      unused.push({ record: o, reason: `model output ${o.type.output} is in ${unit}, the record type in ${o.type.unit}` });
      return;
    }
    const residual = options.residual?.[o.type.output] ?? model.residual.get(o.type.output);
    if (residual === undefined) {
      unused.push({ record: o, reason: `model ${model.name} gives no residual error for ${o.type.output} (no likelihood)` });
      return;
    }
    if (o.missing) {
      unused.push({ record: o, reason: 'missing value (marked missing in the record)' });
      return;
    }
    const row = rowOfKey.get(obsKeys[i] as number) as number;
    if (o.blq) {
      observations.push({ record: o, row, output, residual, censoring: 'below', value: o.lloq as number });
      return;
    }
    const range = residual.range;
    if (residual.exponential !== undefined && !(o.value > 0)) {
      throw new PatientRecordError(`${o.type.name} ${o.value} with log-normal residual error: a value of 0 must be marked BLQ with its lloq`, { source: record.source, field: `${o.where}.value` });
    }
    if (range !== undefined && o.value <= range[0]) observations.push({ record: o, row, output, residual, censoring: 'below', value: range[0] });
    else if (range !== undefined && o.value >= range[1]) observations.push({ record: o, row, output, residual, censoring: 'above', value: range[1] });
    else observations.push({ record: o, row, output, residual, censoring: 'none', value: o.value });
  });
  doses.sort((a, b) => a.timeH - b.timeH);
  return {
    record,
    dataset,
    hoursPerModelTime: perModelTime,
    covariates,
    initialCovariates: initial,
    observations,
    unused,
    warnings,
    gridRows: gridKeys.map((k) => rowOfKey.get(k) as number),
    doses,
  };
}
