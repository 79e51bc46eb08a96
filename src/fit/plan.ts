/**
 * Plans: further doses to forecast after a patient's record, as a file (YAML/JSON) or built from flags. A plan's
 * dose lines are regimen dose lines (src/regimen/regimen.ts: route, amount, over, days + at, or hours), with times
 * counted from the record's time zero (day 0 = the day of the record's first entry), like the record's own times.
 * Errors name the plan and the field. Pure.
 */

import { z } from 'zod';
import { regimenDoseSchema } from '../regimen/regimen.js';
import { parseDoseAmount, parseDurationHours, parseNumberList, RegimenError } from '../regimen/quantity.js';
import type { PlannedDose } from './design.js';
import type { PatientRecord, RecordCovariateChange } from './record.js';
import { firstSchemaIssue } from '../core/schema-issue.js';

export const planSchema = z
  .object({
    ketasim: z.literal('plan/1').optional(),
    /** Name of the plan in tables ("booster every 2 weeks"). */
    label: z.string().min(1).optional(),
    /** Further doses; an empty list is "no further dose". */
    doses: z.array(regimenDoseSchema).default([]),
    /**
     * Planned covariate changes, e.g. a benzodiazepine taper: `time` (hours from time zero, or "50 d") and the new
     * `covariates`, each holding from its time on (as a patient record's covariate_changes).
     */
    covariate_changes: z
      .array(z.object({ time: z.union([z.number(), z.string()]), covariates: z.record(z.string(), z.number()), note: z.string().optional() }).strict())
      .default([]),
  })
  .strict();
export type PlanInput = z.input<typeof planSchema>;

export interface Plan {
  readonly label: string;
  readonly doses: readonly PlannedDose[];
  readonly covariateChanges: readonly RecordCovariateChange[];
}

/** The drug of planned doses: the record's last dose's (ketamine, esketamine), or the model's. */
export function planDrug(record: PatientRecord, modelName: string): string {
  const last = [...record.doses].reverse().find((d) => d.drug === 'ketamine' || d.drug === 'esketamine');
  return last?.drug ?? (/esketamine/i.test(modelName) ? 'esketamine' : 'ketamine');
}

/** Validate a plan document and resolve its doses (mg/kg × the record's weight; times in hours from time zero). */
export function parsePlan(input: unknown, record: PatientRecord, modelName: string, source = 'plan'): Plan {
  const parsed = planSchema.safeParse(input);
  if (!parsed.success) {
    const { path, detail } = firstSchemaIssue(parsed.error);
    throw new RegimenError(detail, path === '' ? source : `${source}: ${path}`);
  }
  const drug = planDrug(record, modelName);
  const doses: PlannedDose[] = [];
  parsed.data.doses.forEach((line, i) => {
    const field = `${source}: doses[${i + 1}]`;
    const amount = parseDoseAmount(line.amount, `${field}.amount`);
    let mg: number;
    if ('mg' in amount) mg = amount.mg;
    else {
      if (record.weightKg === undefined) throw new RegimenError('a mg/kg dose needs the weight (weight_kg) in the patient record', `${field}.amount`);
      mg = amount.mgPerKg * record.weightKg;
    }
    const durationH = line.over === undefined ? 0 : parseDurationHours(line.over, `${field}.over`);
    let times: number[];
    if (line.days !== undefined) {
      const atH = line.at === undefined ? 0 : parseDurationHours(line.at, `${field}.at`);
      if (atH >= 24) throw new RegimenError(`"${String(line.at)}" is not a time of day (0 to 24 h)`, `${field}.at`);
      times = parseNumberList(line.days, `${field}.days`).map((d) => d * 24 + atH);
    } else times = parseNumberList(line.hours ?? [], `${field}.hours`);
    for (const t of times) {
      if (!(t >= 0)) throw new RegimenError(`a dose at ${t} h is before time zero`, field);
      doses.push({ timeH: t, drug, route: line.route, amountMg: mg, durationH });
    }
  });
  doses.sort((a, b) => a.timeH - b.timeH);
  let previous = -Infinity;
  const covariateChanges: RecordCovariateChange[] = parsed.data.covariate_changes.map((c, i) => {
    const field = `${source}: covariate_changes[${i + 1}]`;
    const timeH = typeof c.time === 'number' ? c.time : parseDurationHours(c.time, `${field}.time`);
    if (!(timeH >= 0) || !Number.isFinite(timeH)) throw new RegimenError(`a change at ${timeH} h is before time zero`, `${field}.time`);
    if (!(timeH > previous)) throw new RegimenError(`changes in time order, one per time (the previous is at ${previous} h)`, `${field}.time`);
    previous = timeH;
    if (Object.keys(c.covariates).length === 0) throw new RegimenError('no covariate values', `${field}.covariates`);
    for (const [name, v] of Object.entries(c.covariates)) {
      if (!Number.isFinite(v)) throw new RegimenError(`${name} is not a finite number`, `${field}.covariates.${name}`);
      if (name === 'WT') throw new RegimenError('body weight is the record\'s weight_kg (mg/kg doses are converted with it)', `${field}.covariates.WT`);
    }
    return { timeH, covariates: c.covariates, where: field };
  });
  const described = [doses.length > 0 || covariateChanges.length === 0 ? describeDoses(doses) : '', ...covariateChanges.map(describeChange)].filter((x) => x !== '').join('; ');
  return { label: parsed.data.label ?? described, doses, covariateChanges };
}

/** "BZD_DZP_MG 5 from day 50" */
export function describeChange(c: RecordCovariateChange): string {
  return `${Object.entries(c.covariates).map(([k, v]) => `${k} ${v}`).join(', ')} from day ${Number((c.timeH / 24).toFixed(2))}`;
}

/** "2 × 40 mg iv on days 42, 56" */
export function describeDoses(doses: readonly PlannedDose[]): string {
  if (doses.length === 0) return 'no further dose';
  const groups = new Map<string, number[]>();
  for (const d of doses) {
    const key = `${Number(d.amountMg.toPrecision(4))} mg ${d.route}${d.durationH > 0 ? ` over ${Math.round(d.durationH * 60)} min` : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), d.timeH / 24]);
  }
  return [...groups].map(([k, days]) => `${k} on day${days.length > 1 ? 's' : ''} ${days.map((x) => Number(x.toFixed(2))).join(', ')}`).join('; ');
}
