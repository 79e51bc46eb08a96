/** `datasetFromRows`: build a data set in code (tests, benchmarks, trial designs) with the same validation as the CSV reader. */
import { DataError } from '../../core/errors.js';
import type { Dataset } from '../../core/data/dataset.js';
import { buildDataset, type RecordTable } from './build.js';
import { STANDARD_COLUMNS, isCommentColumn, standardColumn, type StandardColumn } from './columns.js';

/**
 * Build a data set from one object per record, e.g. `{ ID: 1, TIME: 0, AMT: 100, EVID: 1 }`.
 * Keys are the column names (standard ones matched case-insensitively). A key that is absent from a row, or
 * `undefined`, is a missing cell ('.' in a file): 0 for standard columns (ID and TIME are required), NaN for others.
 * NaN is accepted (as missing) only in non-standard columns; infinite values are rejected everywhere.
 * A comment key `C` with a value other than 0/NaN skips the row, as in files. Errors name the row as `rows[i]`.
 */
export function datasetFromRows(rows: ReadonlyArray<Readonly<Record<string, number | undefined>>>, source = 'rows'): Dataset {
  // Columns in order of first appearance.
  const order = new Map<string, number>();
  for (const row of rows) {
    for (const key of Object.keys(row)) if (!order.has(key)) order.set(key, order.size);
  }
  const columnNames = [...order.keys()];
  const stdNames = new Map<StandardColumn, string>();
  const stdKeys: Array<[string, StandardColumn]> = [];
  const otherKeys: string[] = [];
  let commentKey: string | undefined;
  for (const key of columnNames) {
    const s = standardColumn(key);
    if (s !== undefined) {
      const prev = stdNames.get(s);
      if (prev !== undefined) {
        throw new DataError(`keys '${prev}' and '${key}' both give column ${s}; standard column names are matched case-insensitively`, {
          source,
          column: key,
        });
      }
      stdNames.set(s, key);
      stdKeys.push([key, s]);
    } else if (isCommentColumn(key)) {
      if (commentKey !== undefined) {
        throw new DataError(`keys '${commentKey}' and '${key}' both give the comment column C`, { source, column: key });
      }
      commentKey = key;
    } else {
      otherKeys.push(key);
    }
  }
  for (const required of ['ID', 'TIME'] as const) {
    if (!stdNames.has(required)) {
      throw new DataError(`required column ${required} is missing: no row has a key ${required}`, { source, column: required });
    }
  }

  const kept: number[] = [];
  let ignoredRows = 0;
  rows.forEach((row, r) => {
    const c = commentKey !== undefined ? row[commentKey] : undefined;
    if (c !== undefined && !Number.isNaN(c) && c !== 0) ignoredRows++;
    else kept.push(r);
  });
  const n = kept.length;
  const std = {} as Record<StandardColumn, Float64Array>;
  for (const s of STANDARD_COLUMNS) std[s] = new Float64Array(n);
  const columns = new Map<string, Float64Array>();
  for (const key of otherKeys) columns.set(key, new Float64Array(n));

  const bad = (r: number, key: string, v: unknown, expected: string): never => {
    throw new DataError(`${expected} (rows[${r}])`, { source, column: key, value: String(v) });
  };
  for (let i = 0; i < n; i++) {
    const r = kept[i] as number;
    const row = rows[r] as Row;
    for (const [key, s] of stdKeys) {
      const v: unknown = row[key];
      if (v === undefined) std[s][i] = NaN;
      else if (typeof v !== 'number' || !Number.isFinite(v)) bad(r, key, v, `${s} must be a finite number (omit the key for the default)`);
      else std[s][i] = v;
    }
    for (const key of otherKeys) {
      const v: unknown = row[key];
      const col = columns.get(key) as Float64Array;
      if (v === undefined) col[i] = NaN;
      else if (typeof v !== 'number' || v === Infinity || v === -Infinity) bad(r, key, v, 'expected a finite number, or NaN for a missing value');
      else col[i] = v;
    }
  }

  return buildDataset(new RowsRecordTable(source, rows, kept, std, stdNames, columnNames, columns, ignoredRows));
}

type Row = Readonly<Record<string, number | undefined>>;

class RowsRecordTable implements RecordTable {
  readonly n: number;
  readonly sourceRow = undefined;
  readonly textColumns = [];
  constructor(
    readonly source: string,
    private readonly rows: ReadonlyArray<Row>,
    private readonly kept: readonly number[],
    readonly std: Record<StandardColumn, Float64Array>,
    readonly stdNames: ReadonlyMap<StandardColumn, string>,
    readonly columnNames: readonly string[],
    readonly columns: ReadonlyMap<string, Float64Array>,
    readonly ignoredRows: number,
  ) {
    this.n = kept.length;
  }

  recordName(i: number): string {
    return `rows[${this.kept[i]}]`;
  }

  idText(i: number): string {
    return String(this.std.ID[i]);
  }

  cellText(i: number, column: StandardColumn): string {
    const v = (this.rows[this.kept[i] as number] as Row)[this.stdNames.get(column) ?? column];
    return v === undefined ? '' : String(v);
  }
}
