/**
 * Simulation results as CSV (one row per record, as NONMEM's $TABLE) or JSON. Pure: returns strings.
 */

import type { Dataset } from '../core/data/dataset.js';
import type { SimulationResult } from '../core/simulate/simulate.js';

export interface TableOptions {
  /** Significant digits; undefined = shortest representation that round-trips (full double precision). */
  readonly digits?: number | undefined;
  /** Input columns copied to the output (e.g. EVID, AMT, DV), from the data set. */
  readonly carry?: readonly string[];
  /** Keep only rows where this predicate holds (row index). */
  readonly rowFilter?: (row: number) => boolean;
}

export function formatNumber(x: number, digits: number | undefined): string {
  if (digits === undefined) return String(x);
  if (x === 0) return '0';
  return String(Number(x.toPrecision(digits)));
}

interface CarriedColumn {
  readonly name: string;
  /** Value of the column at (subject, record). */
  readonly get: (subject: number, record: number) => string;
}

/** Columns of the input data set to copy into the output, with standard columns under their usual names. */
export function carriedColumns(dataset: Dataset, names: readonly string[]): CarriedColumn[] {
  const standard: Record<string, keyof Dataset['subjects'][number]> = {
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
  return names.map((name) => {
    const key = standard[name.toUpperCase()];
    if (key !== undefined) {
      return { name: name.toUpperCase(), get: (s, r) => String((dataset.subjects[s]?.[key] as ArrayLike<number>)[r]) };
    }
    if (!dataset.columnNames.includes(name)) {
      throw new RangeError(`--carry ${name}: the data set has no such column (columns: ${dataset.columnNames.join(', ')})`);
    }
    return {
      name,
      get: (s, r) => {
        const col = dataset.subjects[s]?.columns.get(name);
        if (col === undefined) return '';
        const v = col[r] as number;
        return Number.isNaN(v) ? '.' : String(v);
      },
    };
  });
}

export function resultToCsv(result: SimulationResult, options: TableOptions & { carried?: CarriedColumn[] } = {}): string {
  const carried = options.carried ?? [];
  const header = ['ID', 'TIME', ...carried.map((c) => c.name), ...result.outputNames];
  const lines: string[] = [header.join(',')];
  const digits = options.digits;
  for (let r = 0; r < result.rows; r++) {
    if (options.rowFilter !== undefined && !options.rowFilter(r)) continue;
    const s = result.subject[r] as number;
    const cells = [result.subjectIds[s] as string, formatNumber(result.time[r] as number, undefined)];
    for (const c of carried) cells.push(c.get(s, result.record[r] as number));
    for (const col of result.values) cells.push(formatNumber(col[r] as number, digits));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

export interface ResultJson {
  readonly ketasim: string;
  readonly model: string;
  readonly columns: readonly string[];
  readonly units: Readonly<Record<string, string>>;
  readonly rows: ReadonlyArray<Readonly<Record<string, number | string>>>;
}

export function resultToJson(result: SimulationResult, version: string, options: TableOptions & { carried?: CarriedColumn[] } = {}): ResultJson {
  const carried = options.carried ?? [];
  const digits = options.digits;
  const rows: Array<Record<string, number | string>> = [];
  for (let r = 0; r < result.rows; r++) {
    if (options.rowFilter !== undefined && !options.rowFilter(r)) continue;
    const s = result.subject[r] as number;
    const row: Record<string, number | string> = { ID: result.subjectIds[s] as string, TIME: result.time[r] as number };
    for (const c of carried) {
      const v = c.get(s, result.record[r] as number);
      row[c.name] = v === '.' || v === '' || Number.isNaN(Number(v)) ? v : Number(v);
    }
    result.outputNames.forEach((name, k) => {
      const v = (result.values[k] as Float64Array)[r] as number;
      row[name] = digits === undefined ? v : Number(v.toPrecision(digits));
    });
    rows.push(row);
  }
  const units: Record<string, string> = { TIME: 'model time unit' };
  result.outputNames.forEach((n, k) => {
    units[n] = result.outputUnits[k] ?? '';
  });
  return { ketasim: version, model: result.model, columns: ['ID', 'TIME', ...carried.map((c) => c.name), ...result.outputNames], units, rows };
}
