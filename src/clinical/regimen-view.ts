/** The regimen as understood, for people: one row per dose (mg/kg converted to mg) and a one-line description. Pure. */

import type { GivenDose, PatientRegimen, Regimen } from '../regimen/regimen.js';
import { parseDoseAmount, parseDurationHours } from '../regimen/quantity.js';
import { formatDuration, formatValue } from './format.js';

export interface DoseRow {
  /** 1-based, in time order. */
  readonly number: number;
  readonly timeH: number;
  readonly route: string;
  readonly amountMg: number;
  /** 0 for a bolus or a dose whose duration the model sets. */
  readonly durationH: number;
  /** mg/h for zero-order infusions. */
  readonly rateMgPerH?: number;
  /** The amount as written, e.g. "0.5 mg/kg × 70 kg" or "35 mg". */
  readonly givenAs: string;
}

function sameDose(line: Regimen['doses'][number], d: GivenDose, weightKg: number | undefined): boolean {
  if (line.route !== d.route) return false;
  const amount = parseDoseAmount(line.amount, 'amount');
  const mg = 'mg' in amount ? amount.mg : amount.mgPerKg * (weightKg ?? Number.NaN);
  const over = line.over === undefined ? 0 : parseDurationHours(line.over, 'over');
  return Math.abs(mg - d.amountMg) <= 1e-9 * Math.max(1, mg) && Math.abs(over - d.durationH) <= 1e-12;
}

/** Every dose given, in time order, with the regimen line it comes from. */
export function doseRows(regimen: Regimen, patient: PatientRegimen): DoseRow[] {
  return patient.doses.map((d, i) => {
    const line = regimen.doses.find((l) => sameDose(l, d, regimen.weight_kg));
    let givenAs = `${formatValue(d.amountMg)} mg`;
    if (line !== undefined) {
      const amount = parseDoseAmount(line.amount, 'amount');
      givenAs = 'mgPerKg' in amount ? `${String(line.amount).trim()} × ${formatValue(regimen.weight_kg as number)} kg` : String(line.amount).trim();
    }
    return {
      number: i + 1,
      timeH: d.timeH,
      route: d.route,
      amountMg: d.amountMg,
      durationH: d.durationH,
      ...(d.durationH > 0 ? { rateMgPerH: d.amountMg / d.durationH } : {}),
      givenAs,
    };
  });
}

/** "35 mg iv over 40 min" */
export function doseText(row: DoseRow): string {
  const over = row.durationH > 0 ? ` over ${formatDuration(row.durationH)} (${formatValue(row.rateMgPerH as number)} mg/h)` : '';
  return `${formatValue(row.amountMg)} mg ${row.route}${over}`;
}

function listText(value: string | number | readonly number[]): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value.split(/[,\s]+/).filter((s) => s !== '').join(', ');
  return value.join(', ');
}

/** "0.5 mg/kg iv over 40 min on days 0, 2, 4; 56 mg intranasal at 1, 25 h" */
export function regimenDescription(regimen: Regimen): string {
  return regimen.doses
    .map((l) => {
      const over = l.over === undefined ? '' : ` over ${String(l.over)}`;
      let when: string;
      if (l.days !== undefined) {
        const days = listText(l.days);
        const plural = /[,:]/.test(days);
        when = ` on day${plural ? 's' : ''} ${days}${l.at === undefined ? '' : ` at ${String(l.at)}`}`;
      } else {
        when = ` at ${listText(l.hours ?? [])} h`;
      }
      return `${String(l.amount)} ${l.route}${over}${when}`;
    })
    .join('; ');
}
