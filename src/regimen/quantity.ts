/**
 * Quantities with units as people write them in regimens: "35 mg", "0.5 mg/kg", "40 min", "2 d". Parsed into
 * numbers in the unit the caller asks for; anything else is an error that quotes the text and says what was
 * expected (no silent defaults).
 */

import { KetasimError } from '../core/errors.js';

/** An error in a regimen: `field` names where (e.g. `doses[1].amount`). */
export class RegimenError extends KetasimError {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'RegimenError';
  }
}

const NUMBER = String.raw`([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)`;

/** Hours per unit of time. */
const HOURS: Readonly<Record<string, number>> = {
  s: 1 / 3600, sec: 1 / 3600,
  min: 1 / 60, mins: 1 / 60, minute: 1 / 60, minutes: 1 / 60,
  h: 1, hr: 1, hrs: 1, hour: 1, hours: 1,
  d: 24, day: 24, days: 24,
  w: 168, wk: 168, week: 168, weeks: 168,
};

/** Hours per unit of a model's time unit (models state `units.time`). */
export function hoursPerTimeUnit(unit: string, field = 'units.time'): number {
  const h = HOURS[unit.trim().toLowerCase()];
  if (h === undefined) throw new RegimenError(`unknown time unit "${unit}" (expected one of ${Object.keys(HOURS).join(', ')})`, field);
  return h;
}

/** A duration ("40 min", "1.5 h", "3 d"; a plain number is rejected: the unit must be said) in hours. */
export function parseDurationHours(text: string | number, field: string): number {
  if (typeof text === 'number') throw new RegimenError(`${text} has no unit (write e.g. "${text} min" or "${text} h")`, field);
  const m = new RegExp(`^\\s*${NUMBER}\\s*([A-Za-z]+)\\s*$`).exec(text);
  if (m === null) throw new RegimenError(`"${text}" is not a duration (expected a number and a unit, e.g. "40 min", "2 h", "3 d")`, field);
  const hours = HOURS[(m[2] as string).toLowerCase()];
  if (hours === undefined) throw new RegimenError(`"${text}": unknown time unit "${m[2]}" (expected min, h, d or w)`, field);
  const value = Number(m[1]);
  if (!(value >= 0)) throw new RegimenError(`"${text}" is negative`, field);
  return value * hours;
}

/** A dose amount: either absolute (mg) or per body weight (mg/kg). */
export type DoseAmount = { readonly mg: number } | { readonly mgPerKg: number };

const MASS_MG: Readonly<Record<string, number>> = { mg: 1, g: 1000, ug: 1e-3, 'µg': 1e-3, mcg: 1e-3 };

/** "35 mg", "0.5 mg/kg", "250 ug/kg" → DoseAmount. */
export function parseDoseAmount(text: string | number, field: string): DoseAmount {
  if (typeof text === 'number') throw new RegimenError(`${text} has no unit (write e.g. "${text} mg" or "${text} mg/kg")`, field);
  const m = new RegExp(`^\\s*${NUMBER}\\s*([A-Za-zµ]+)\\s*(/\\s*kg)?\\s*$`).exec(text);
  const perMg = m === null ? undefined : MASS_MG[(m[2] as string).toLowerCase()];
  if (m === null || perMg === undefined) throw new RegimenError(`"${text}" is not a dose (expected e.g. "35 mg" or "0.5 mg/kg")`, field);
  const value = Number(m[1]) * perMg;
  if (!(value > 0)) throw new RegimenError(`"${text}": a dose must be positive`, field);
  return m[3] !== undefined ? { mgPerKg: value } : { mg: value };
}

/** A list of numbers: an array, or text "0,2,4" / "0 2 4" / "0:28:7" (start:end:step, inclusive). */
export function parseNumberList(value: string | number | readonly number[], field: string): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) {
    return value.map((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RegimenError(`item ${i + 1} (${String(v)}) is not a number`, field);
      return v;
    });
  }
  const out: number[] = [];
  for (const part of (value as string).split(/[,\s]+/).filter((p) => p !== '')) {
    const range = part.split(':');
    if (range.length === 3) {
      const [a, b, s] = range.map(Number) as [number, number, number];
      if (![a, b, s].every(Number.isFinite) || s <= 0 || b < a) throw new RegimenError(`"${part}" is not a range start:end:step with step > 0 and end ≥ start`, field);
      const n = Math.floor((b - a) / s + 1e-9);
      for (let k = 0; k <= n; k++) out.push(a + k * s);
    } else {
      const v = Number(part);
      if (range.length !== 1 || part.trim() === '' || !Number.isFinite(v)) throw new RegimenError(`"${part}" is not a number`, field);
      out.push(v);
    }
  }
  if (out.length === 0) throw new RegimenError('is empty', field);
  return out;
}
