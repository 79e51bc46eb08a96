/**
 * Simulation results as CSV (one row per record, as NONMEM's $TABLE) or JSON. Pure: returns strings.
 */

import type { SubjectRecords } from '../core/data/dataset.js';
import { forEachRow, type SimulationResult } from '../core/simulate/simulate.js';

export interface TableOptions {
  /** Significant digits; undefined = shortest representation that round-trips (full double precision). */
  readonly digits?: number | undefined;
  /** Input columns copied to the output (e.g. EVID, AMT, DV), from the simulated data set. */
  readonly carry?: readonly string[];
  /** Keep only the records for which this holds. */
  readonly recordFilter?: (subject: SubjectRecords, record: number) => boolean;
}

export function formatNumber(x: number, digits: number | undefined): string {
  if (digits === undefined || x === 0) return String(x);
  return String(Number(x.toPrecision(digits)));
}

const STANDARD: Readonly<Record<string, keyof SubjectRecords>> = {
  EVID: 'evid',
  AMT: 'amt',
  RATE: 'rate',
  DUR: 'dur',
  CMT: 'cmt',
  II: 'ii',
  ADDL: 'addl',
  SS: 'ss',
  MDV: 'mdv',
};

interface CarriedColumn {
  readonly name: string;
  /** Value of the column at a record: a number, or NaN for a missing cell. */
  readonly get: (subject: SubjectRecords, record: number) => number;
}

/** Input columns to copy into the output, standard ones under their usual (upper-case) names. */
function carriedColumns(result: SimulationResult, names: readonly string[]): CarriedColumn[] {
  const { dataset } = result;
  return names.map((name) => {
    const key = STANDARD[name.toUpperCase()];
    if (key !== undefined) return { name: name.toUpperCase(), get: (s, r) => (s[key] as ArrayLike<number>)[r] as number };
    if (!dataset.columnNames.includes(name)) {
      throw new RangeError(`--carry ${name}: the data set has no such column (columns: ${dataset.columnNames.join(', ')})`);
    }
    if (dataset.textColumns.some((c) => c.name === name)) throw new RangeError(`--carry ${name}: the column is not numeric`);
    return { name, get: (s, r) => (s.columns.get(name) as Float64Array)[r] as number };
  });
}

function visitRows(result: SimulationResult, options: TableOptions, visit: (subject: SubjectRecords, record: number, row: number) => void): void {
  const subjects = result.dataset.subjects;
  const filter = options.recordFilter;
  forEachRow(result, (s, record, row) => {
    const subject = subjects[s] as SubjectRecords;
    if (filter === undefined || filter(subject, record)) visit(subject, record, row);
  });
}

export function resultToCsv(result: SimulationResult, options: TableOptions = {}): string {
  const carried = carriedColumns(result, options.carry ?? []);
  const lines: string[] = [['ID', 'TIME', ...carried.map((c) => c.name), ...result.outputNames].join(',')];
  const digits = options.digits;
  visitRows(result, options, (subject, record, row) => {
    const cells = [subject.id, String(subject.time[record])];
    for (const c of carried) {
      const v = c.get(subject, record);
      cells.push(Number.isNaN(v) ? '.' : String(v));
    }
    for (const col of result.values) cells.push(formatNumber(col[row] as number, digits));
    lines.push(cells.join(','));
  });
  return `${lines.join('\n')}\n`;
}

export interface ResultJson {
  readonly ketasim: string;
  readonly model: string;
  readonly columns: readonly string[];
  readonly units: Readonly<Record<string, string>>;
  readonly rows: ReadonlyArray<Readonly<Record<string, number | string | null>>>;
}

/** JSON form: `rows` is an array of objects keyed by column name; missing carried cells are null. */
export function resultToJson(result: SimulationResult, version: string, options: TableOptions = {}): ResultJson {
  const carried = carriedColumns(result, options.carry ?? []);
  const digits = options.digits;
  const rows: Array<Record<string, number | string | null>> = [];
  visitRows(result, options, (subject, record, row) => {
    const out: Record<string, number | string | null> = { ID: subject.id, TIME: subject.time[record] as number };
    for (const c of carried) {
      const v = c.get(subject, record);
      out[c.name] = Number.isNaN(v) ? null : v;
    }
    result.outputNames.forEach((name, k) => {
      const v = (result.values[k] as Float64Array)[row] as number;
      out[name] = digits === undefined ? v : Number(v.toPrecision(digits));
    });
    rows.push(out);
  });
  const units: Record<string, string> = {};
  result.outputNames.forEach((n, k) => {
    units[n] = result.outputUnits[k] ?? '';
  });
  return { ketasim: version, model: result.model, columns: ['ID', 'TIME', ...carried.map((c) => c.name), ...result.outputNames], units, rows };
}
