/**
 * The validation shared by every way of making a data set (CSV text, rows built in code): a `RecordTable`
 * (standard columns as Float64Arrays, one value per record, NaN = missing) is checked record by record,
 * EVID/MDV are inferred when absent, and the records are split into subjects.
 * The rules are those documented in ./index.ts.
 */
import { DataError, type DataLocation } from '../../core/errors.js';
import type { Dataset, SubjectRecords, TextColumn } from '../../core/data/dataset.js';
import type { StandardColumn } from './columns.js';

/** All records of a data set before validation. The arrays are modified in place (missing values become defaults). */
export interface RecordTable {
  readonly source: string;
  /** Number of records. */
  readonly n: number;
  /** One array per standard column, length ≥ n; NaN = missing ('.', empty cell, absent key). Absent columns are all NaN or 0. */
  readonly std: Record<StandardColumn, Float64Array>;
  /** The standard columns present in the input, with their names as written (for messages). */
  readonly stdNames: ReadonlyMap<StandardColumn, string>;
  /** Line number of each record in the file, or undefined for records built in code. */
  readonly sourceRow: Int32Array | undefined;
  /** The ID of record `i` as written (called for the first record of each subject and for error messages). */
  idText(i: number): string;
  /** How to name record `i` when `sourceRow` is undefined, e.g. 'rows[3]'. */
  recordName(i: number): string;
  /** Cell `column` of record `i` as written, for error messages. Only called for columns present in the input. */
  cellText(i: number, column: StandardColumn): string;
  readonly columnNames: readonly string[];
  /** Other numeric columns, length ≥ n; NaN = missing. */
  readonly columns: ReadonlyMap<string, Float64Array>;
  readonly textColumns: readonly TextColumn[];
  readonly ignoredRows: number;
}

const INT32_MAX = 2147483647;

const EVID_EXPECTED = 'EVID must be 0 (observation), 1 (dose), 2 (other event), 3 (reset) or 4 (reset and dose)';
const SS_EXPECTED = 'SS must be 0 (no steady state), 1 (steady state, replacing the current state) or 2 (steady state added to the current state)';
const RATE_EXPECTED =
  'RATE must be > 0 (zero-order infusion at that rate), 0 (bolus), -1 (rate given by the model) or -2 (duration given by the model or by DUR)';

/** Validate `table` and build the columnar data set. Throws a DataError naming the first problem found. */
export function buildDataset(table: RecordTable): Dataset {
  const { n, std, stdNames, sourceRow, source } = table;
  const { ID, TIME, AMT, RATE, DUR, CMT, EVID, II, ADDL, SS, MDV } = std;
  const hasEvid = stdNames.has('EVID');
  const hasMdv = stdNames.has('MDV');

  const evidOut = new Uint8Array(n);
  const mdvOut = new Uint8Array(n);
  const ssOut = new Uint8Array(n);
  const cmtOut = new Int32Array(n);
  const addlOut = new Int32Array(n);

  let subjectId: string | undefined;
  const where = (i: number): string => (sourceRow !== undefined ? `row ${sourceRow[i]}` : table.recordName(i));
  const value = (i: number, column: StandardColumn): string =>
    stdNames.has(column) ? table.cellText(i, column) : String(std[column][i]);
  /** Throw for record i; `subject` null = no subject (the ID itself is missing). */
  const fail = (i: number, column: StandardColumn | undefined, detail: string, subject: string | null | undefined = subjectId): never => {
    const loc: DataLocation = {
      source,
      ...(sourceRow !== undefined ? { row: sourceRow[i] } : {}),
      ...(subject !== undefined && subject !== null ? { subject } : {}),
      ...(column !== undefined ? { column: stdNames.get(column) ?? column, value: value(i, column) } : {}),
    };
    throw new DataError(sourceRow !== undefined ? detail : `${detail} (${table.recordName(i)})`, loc);
  };
  /** Why EVID is what it is, when it was inferred: appended to messages about dose/non-dose records. */
  const evidNote = (i: number): string => {
    if (hasEvid) return '';
    const e = evidOut[i];
    const why = e === 1 ? 'AMT is not 0' : e === 2 ? 'AMT is 0 and MDV is 1' : 'AMT is 0 and MDV is 0';
    return ` (the data set has no EVID column, so EVID was inferred as ${e} because ${why}; add an EVID column to say which records are doses)`;
  };

  const starts: number[] = [];
  const seen = new Map<number, { first: number; last: number }>();
  let current: { first: number; last: number } | undefined;

  for (let i = 0; i < n; i++) {
    // --- ID and subject blocks ---------------------------------------------------------------------------
    const id = ID[i] as number;
    if (Number.isNaN(id)) fail(i, 'ID', 'ID is missing: every record needs a subject ID', null);
    if (i === 0 || id !== ID[i - 1]) {
      if (current !== undefined) current.last = i - 1;
      const earlier = seen.get(id);
      if (earlier !== undefined) {
        fail(
          i,
          'ID',
          `the records of ID ${table.idText(earlier.first)} are not contiguous: they appeared before (${where(earlier.first)} to ${where(earlier.last)}) and appear again after other subjects. ` +
            'NONMEM would silently start a new individual with the same ID; ketasim refuses. Sort the records by ID, or give the second block its own ID',
          table.idText(i),
        );
      }
      subjectId = table.idText(i);
      current = { first: i, last: i };
      seen.set(id, current);
      starts.push(i);
    }

    // --- TIME ----------------------------------------------------------------------------------------------
    const t = TIME[i] as number;
    if (Number.isNaN(t)) fail(i, 'TIME', "TIME is missing: every record needs a time ('.' and empty cells are not allowed in TIME)");
    if (t < 0) fail(i, 'TIME', 'TIME must not be negative');

    // --- single-column values (missing = 0) ----------------------------------------------------------------
    let amt = AMT[i] as number;
    if (Number.isNaN(amt)) AMT[i] = amt = 0;
    let rate = RATE[i] as number;
    if (Number.isNaN(rate)) RATE[i] = rate = 0;
    let dur = DUR[i] as number;
    if (Number.isNaN(dur)) DUR[i] = dur = 0;
    let ii = II[i] as number;
    if (Number.isNaN(ii)) II[i] = ii = 0;
    let ss = SS[i] as number;
    if (Number.isNaN(ss)) ss = 0;
    let addl = ADDL[i] as number;
    if (Number.isNaN(addl)) addl = 0;
    let cmt = CMT[i] as number;
    if (Number.isNaN(cmt)) cmt = 0;

    let mdv = MDV[i] as number;
    if (hasMdv) {
      if (Number.isNaN(mdv)) mdv = 0;
      if (mdv !== 0 && mdv !== 1) fail(i, 'MDV', 'MDV must be 0 (observation used) or 1 (missing dependent variable)');
    }
    let evid = EVID[i] as number;
    if (hasEvid) {
      if (Number.isNaN(evid)) evid = 0;
      if (!(evid === 0 || evid === 1 || evid === 2 || evid === 3 || evid === 4)) fail(i, 'EVID', EVID_EXPECTED);
    } else {
      evid = amt !== 0 ? 1 : hasMdv && mdv === 1 ? 2 : 0;
    }
    if (!hasMdv) mdv = evid !== 0 ? 1 : 0;
    evidOut[i] = EVID[i] = evid;
    mdvOut[i] = MDV[i] = mdv;

    if (!(ss === 0 || ss === 1 || ss === 2)) fail(i, 'SS', SS_EXPECTED);
    ssOut[i] = SS[i] = ss;
    if (!Number.isInteger(addl) || addl < 0) fail(i, 'ADDL', 'ADDL (number of additional doses) must be a non-negative integer');
    if (addl > INT32_MAX) fail(i, 'ADDL', `ADDL must be at most ${INT32_MAX}`);
    addlOut[i] = ADDL[i] = addl;
    if (!Number.isInteger(cmt) || cmt < 0) fail(i, 'CMT', 'CMT must be a non-negative integer (compartment number, 1-based; 0 = default compartment)');
    if (cmt > INT32_MAX) fail(i, 'CMT', `CMT must be at most ${INT32_MAX}`);
    cmtOut[i] = CMT[i] = cmt;
    if (ii < 0) fail(i, 'II', 'II (interdose interval) must not be negative');
    if (dur < 0) fail(i, 'DUR', 'DUR (infusion duration) must not be negative');
    if (!(rate > 0 || rate === 0 || rate === -1 || rate === -2)) fail(i, 'RATE', RATE_EXPECTED);

    // --- dose and non-dose records ----------------------------------------------------------------------------
    if (evid === 1 || evid === 4) {
      if (amt < 0) fail(i, 'AMT', `dose amount AMT must not be negative${evidNote(i)}`);
      if (amt === 0 && rate >= 0 && !(ss === 1 && ii === 0 && rate > 0)) {
        fail(
          i,
          'AMT',
          `dose with zero amount: a dose record (EVID ${evid}) needs AMT > 0, except a steady-state constant infusion (SS=1, II=0, RATE > 0, AMT=0)`,
        );
      }
      if (dur > 0) {
        if (rate === 0) fail(i, 'RATE', `RATE is 0 (bolus) but DUR is ${value(i, 'DUR')}: set RATE=-2 to infuse the dose over DUR`);
        if (rate > 0) fail(i, 'DUR', `both RATE (${value(i, 'RATE')}) and DUR are given: give either a rate (RATE > 0, DUR=0) or a duration (RATE=-2, DUR > 0)`);
        if (rate === -1) fail(i, 'DUR', 'DUR is only used with RATE=-2 (duration given); with RATE=-1 the model gives the rate: set DUR to 0 or RATE to -2');
      }
      if (ss !== 0 && ii === 0) {
        if (ss === 2) fail(i, 'II', 'steady state added to the current state (SS=2) needs an interdose interval II > 0');
        if (rate === 0) fail(i, 'II', 'steady state (SS=1) of a bolus dose (RATE=0) needs an interdose interval II > 0');
        if (rate === -2) {
          fail(i, 'II', 'steady state (SS=1) of an infusion with a given duration (RATE=-2) needs an interdose interval II > 0; a constant infusion (II=0) needs RATE > 0 or RATE=-1');
        }
        if (amt !== 0) {
          fail(
            i,
            'AMT',
            'with SS=1 and II=0 this record is a steady-state constant infusion at RATE, which must have AMT=0; for repeated doses of AMT give an interdose interval II > 0',
          );
        }
      }
      if (addl > 0 && ii === 0) fail(i, 'II', `ADDL=${value(i, 'ADDL')} additional doses need an interdose interval II > 0`);
    } else {
      const what = `on a non-dose record (EVID ${evid}): only dose records (EVID 1 or 4) may set it`;
      if (amt !== 0) fail(i, 'AMT', `AMT must be 0 or '.' ${what}${evidNote(i)}`);
      if (rate !== 0) fail(i, 'RATE', `RATE must be 0 or '.' ${what}${evidNote(i)}`);
      if (dur !== 0) fail(i, 'DUR', `DUR must be 0 or '.' ${what}${evidNote(i)}`);
      if (ii !== 0) fail(i, 'II', `II must be 0 or '.' ${what}${evidNote(i)}`);
      if (addl !== 0) fail(i, 'ADDL', `ADDL must be 0 or '.' ${what}${evidNote(i)}`);
      if (ss !== 0) fail(i, 'SS', `SS must be 0 or '.' ${what}${evidNote(i)}`);
    }

    // --- time order within the subject ----------------------------------------------------------------------------
    if (current !== undefined && i > current.first && t < (TIME[i - 1] as number) && evid !== 3 && evid !== 4) {
      fail(
        i,
        'TIME',
        `TIME goes backwards within the subject (the previous record, ${where(i - 1)}, has TIME ${value(i - 1, 'TIME')}): ` +
          'sort the records of each subject by time; time may only restart at a reset record (EVID 3 or 4)',
      );
    }
  }

  // --- split into subjects -------------------------------------------------------------------------------------
  const rows = sourceRow ?? new Int32Array(n).fill(-1);
  const subjects: SubjectRecords[] = [];
  for (let k = 0; k < starts.length; k++) {
    const a = starts[k] as number;
    const b = k + 1 < starts.length ? (starts[k + 1] as number) : n;
    const columns = new Map<string, Float64Array>();
    for (const [name, col] of table.columns) columns.set(name, col.subarray(a, b));
    subjects.push({
      id: table.idText(a),
      n: b - a,
      time: TIME.subarray(a, b),
      evid: evidOut.subarray(a, b),
      amt: AMT.subarray(a, b),
      rate: RATE.subarray(a, b),
      dur: DUR.subarray(a, b),
      cmt: cmtOut.subarray(a, b),
      ii: II.subarray(a, b),
      addl: addlOut.subarray(a, b),
      ss: ssOut.subarray(a, b),
      mdv: mdvOut.subarray(a, b),
      columns,
      sourceRow: rows.subarray(a, b),
    });
  }
  return {
    source,
    subjects,
    columnNames: table.columnNames,
    textColumns: table.textColumns,
    ignoredRows: table.ignoredRows,
  };
}
