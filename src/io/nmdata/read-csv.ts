/** `readNonmemCsv`: CSV text → RecordTable → validated Dataset. The rules are documented in ./index.ts. */
import { DataError } from '../../core/errors.js';
import type { Dataset, TextColumn } from '../../core/data/dataset.js';
import { buildDataset, type RecordTable } from './build.js';
import { STANDARD_COLUMNS, isCommentColumn, isCommentFlag, standardColumn, type StandardColumn } from './columns.js';
import { CELLS, CsvScanner, END, isBlank, splitPlainLine, stripBom } from './csv.js';
import { badNumberHint, isMissingCell, parseNumberInto, parseStrictNumber } from './number.js';

export interface ReadNonmemCsvOptions {
  /** File name or other label used in error messages and kept as `Dataset.source`. */
  readonly source: string;
}

/**
 * Read a NONMEM-style data set from CSV text. Pure: no file access, runs in browsers too.
 * Throws a `DataError` (with source, row, ID, column and value) for the first problem found.
 */
export function readNonmemCsv(text: string, options: ReadNonmemCsvOptions): Dataset {
  const body = stripBom(text);
  const reader = new CsvTableReader(options.source, body);
  reader.readAll(new CsvScanner(body, options.source));
  return buildDataset(reader.finish());
}

const STD = 0;
const COMMENT = 1;
const OTHER = 2;
const DOT = 46;
const COMMA = ',';

interface OtherColumn {
  readonly name: string;
  values: Float64Array;
  text: TextColumn | undefined;
}

/** Accumulates records into typed arrays, without a string per cell for quote-free lines. */
class CsvTableReader {
  private hasHeader = false;
  private header: string[] = [];
  private headerLine = 0;
  private kinds = new Uint8Array(0);
  private stdOf: Array<StandardColumn | undefined> = [];
  private others: Array<OtherColumn | undefined> = [];
  private readonly stdNames = new Map<StandardColumn, string>();
  private std = {} as Record<StandardColumn, Float64Array>;
  /** Per header column: the array its values go to (a standard column, another column, or a dummy). */
  private targets: Float64Array[] = [];
  private commentIndex = -1;
  private idIndex = -1;
  private capacity = 0;
  private sourceRow = new Int32Array(0);
  private n = 0;
  private ignoredRows = 0;
  /** ID as written where the ID changes from the previous record. */
  private readonly idAt = new Map<number, string>();
  // The record being read (for error messages and the ID text).
  private line = 0;
  private lineStart = 0;
  private lineEnd = 0;
  private cells: string[] | undefined;
  private idStart = 0;
  private idEnd = 0;
  private idSrc = '';

  constructor(
    private readonly source: string,
    private readonly text: string,
  ) {}

  readAll(scanner: CsvScanner): void {
    let kind = scanner.next();
    if (kind === END) return;
    this.setHeader(scanner.currentCells(kind), scanner.line);
    for (kind = scanner.next(); kind !== END; kind = scanner.next()) {
      if (kind === CELLS) this.pushCells(scanner.cells, scanner.line);
      else this.pushLine(scanner.start, scanner.end, scanner.line);
    }
  }

  private setHeader(cells: string[], line: number): void {
    this.hasHeader = true;
    this.header = cells.slice();
    this.headerLine = line;
    const ncol = cells.length;
    this.kinds = new Uint8Array(ncol);
    checkHeader(this.header, line, this.source, this.text);
    this.capacity = estimateRecords(this.text);
    for (const c of STANDARD_COLUMNS) this.std[c] = new Float64Array(this.capacity); // absent columns stay 0
    this.sourceRow = new Int32Array(this.capacity);
    this.header.forEach((name, k) => {
      const s = standardColumn(name);
      this.stdOf.push(s);
      this.others.push(undefined);
      if (s !== undefined) {
        this.kinds[k] = STD;
        this.stdNames.set(s, name);
        if (s === 'ID') this.idIndex = k;
      } else if (isCommentColumn(name)) {
        this.kinds[k] = COMMENT;
        this.commentIndex = k;
      } else {
        this.kinds[k] = OTHER;
        this.others[k] = { name, values: new Float64Array(this.capacity), text: undefined };
      }
    });
    this.retarget();
  }

  /** A record of the plain path: the line text[start, end). */
  private pushLine(start: number, end: number, line: number): void {
    const text = this.text;
    this.line = line;
    this.lineStart = start;
    this.lineEnd = end;
    this.cells = undefined;
    if (this.commentIndex >= 0 && this.flaggedByComment(start, end)) {
      this.ignoredRows++;
      return;
    }
    if (this.n === this.capacity) this.grow();
    const ncol = this.kinds.length;
    let pos = start;
    let k = 0;
    while (true) {
      let comma = text.indexOf(COMMA, pos);
      if (comma < 0 || comma > end) comma = end;
      if (k >= ncol) this.wrongCellCount();
      this.store(k, text, pos, comma);
      k++;
      if (comma === end) break;
      pos = comma + 1;
    }
    if (k !== ncol) this.wrongCellCount();
    this.endRecord();
  }

  /** A record with quotes, already split into cells. */
  private pushCells(cells: string[], line: number): void {
    this.line = line;
    this.cells = cells;
    const c = this.commentIndex;
    if (c >= 0 && c < cells.length && isCommentFlag(cells[c] as string)) {
      this.ignoredRows++;
      return;
    }
    if (this.n === this.capacity) this.grow();
    if (cells.length !== this.kinds.length) this.wrongCellCount();
    for (let k = 0; k < cells.length; k++) {
      const cell = cells[k] as string;
      this.store(k, cell, 0, cell.length);
    }
    this.endRecord();
  }

  finish(): RecordTable {
    if (!this.hasHeader) {
      throw new DataError('the data set is empty: expected a header row with column names (ID, TIME, AMT, ...) and records', {
        source: this.source,
      });
    }
    const n = this.n;
    const fit = <T extends Float64Array | Int32Array>(a: T): T => (a.length - n > n / 4 ? (a.slice(0, n) as T) : (a.subarray(0, n) as T));
    const std = {} as Record<StandardColumn, Float64Array>;
    for (const c of STANDARD_COLUMNS) std[c] = fit(this.std[c]);
    const columns = new Map<string, Float64Array>();
    const textColumns: TextColumn[] = [];
    for (const col of this.others) {
      if (col === undefined) continue;
      if (col.text !== undefined) textColumns.push(col.text);
      else columns.set(col.name, fit(col.values));
    }
    const stdIndex = new Map<StandardColumn, number>();
    this.stdOf.forEach((s, k) => {
      if (s !== undefined) stdIndex.set(s, k);
    });
    return new CsvRecordTable(this.source, this.text, n, std, this.stdNames, fit(this.sourceRow), this.idAt, this.idIndex, stdIndex, this.header, columns, textColumns, this.ignoredRows);
  }

  /** Store cell k of the current record, src[s, e) (untrimmed). */
  private store(k: number, src: string, s: number, e: number): void {
    while (s < e && isBlank(src.charCodeAt(s))) s++;
    while (e > s && isBlank(src.charCodeAt(e - 1))) e--;
    const kind = this.kinds[k];
    if (kind === COMMENT) return;
    const missing = s === e || (e - s === 1 && src.charCodeAt(s) === DOT);
    if (kind === STD) {
      const out = this.targets[k] as Float64Array;
      if (missing) out[this.n] = NaN;
      else if (!parseNumberInto(src, s, e, out, this.n)) this.notANumber(k, src.slice(s, e));
      if (k === this.idIndex) {
        this.idSrc = src;
        this.idStart = s;
        this.idEnd = e;
      }
    } else {
      const col = this.others[k] as OtherColumn;
      if (col.text !== undefined) return;
      if (missing) col.values[this.n] = NaN;
      else if (!parseNumberInto(src, s, e, col.values, this.n)) {
        col.text = { name: col.name, firstRow: this.line, firstValue: src.slice(s, e) };
      }
    }
  }

  private endRecord(): void {
    const n = this.n;
    const ids = this.std.ID;
    if (n === 0 || ids[n] !== ids[n - 1]) this.idAt.set(n, this.idSrc.slice(this.idStart, this.idEnd));
    this.sourceRow[n] = this.line;
    this.n = n + 1;
  }

  private flaggedByComment(start: number, end: number): boolean {
    const text = this.text;
    let s = start;
    for (let k = 0; k < this.commentIndex; k++) {
      const comma = text.indexOf(COMMA, s);
      if (comma < 0 || comma >= end) return false; // too few cells: reported as such
      s = comma + 1;
    }
    let e = text.indexOf(COMMA, s);
    if (e < 0 || e > end) e = end;
    while (s < e && isBlank(text.charCodeAt(s))) s++;
    while (e > s && isBlank(text.charCodeAt(e - 1))) e--;
    return isCommentFlag(text.slice(s, e));
  }

  private currentCells(): string[] {
    return this.cells ?? splitPlainLine(this.text, this.lineStart, this.lineEnd);
  }

  private wrongCellCount(): never {
    const cells = this.currentCells();
    const allEmpty = cells.every((c) => c.length === 0);
    throw new DataError(
      `expected ${this.kinds.length} cells as in the header (row ${this.headerLine}), found ${cells.length}` +
        (allEmpty ? ' (the row is empty: only separators)' : ''),
      { source: this.source, row: this.line },
    );
  }

  private notANumber(k: number, cell: string): never {
    const s = this.stdOf[k] as StandardColumn;
    const id = this.idIndex >= 0 ? this.currentCells()[this.idIndex] : undefined;
    const missing = s === 'ID' || s === 'TIME' ? 'must be given' : "'.' or an empty cell means 0";
    throw new DataError(`${s} must be a number (decimal or scientific notation such as 12, 0.5, 1e-3; ${missing})${badNumberHint(cell)}`, {
      source: this.source,
      row: this.line,
      ...(s !== 'ID' && id !== undefined && !isMissingCell(id) ? { subject: id } : {}),
      column: this.header[k] as string,
      value: cell,
    });
  }

  private grow(): void {
    const cap = Math.max(16, this.capacity * 2);
    const widen = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    for (const c of STANDARD_COLUMNS) this.std[c] = widen(this.std[c]);
    for (const col of this.others) if (col !== undefined) col.values = widen(col.values);
    const rows = new Int32Array(cap);
    rows.set(this.sourceRow);
    this.sourceRow = rows;
    this.capacity = cap;
    this.retarget();
  }

  private retarget(): void {
    const dummy = new Float64Array(0);
    this.targets = this.header.map((_, k) => {
      const s = this.stdOf[k];
      if (s !== undefined) return this.std[s];
      return this.others[k]?.values ?? dummy;
    });
  }
}

/** The records read from a file, with the cells as written looked up again in the text for error messages. */
class CsvRecordTable implements RecordTable {
  constructor(
    readonly source: string,
    private readonly text: string,
    readonly n: number,
    readonly std: Record<StandardColumn, Float64Array>,
    readonly stdNames: ReadonlyMap<StandardColumn, string>,
    readonly sourceRow: Int32Array,
    private readonly idAt: ReadonlyMap<number, string>,
    private readonly idIndex: number,
    private readonly stdIndex: ReadonlyMap<StandardColumn, number>,
    readonly columnNames: readonly string[],
    readonly columns: ReadonlyMap<string, Float64Array>,
    readonly textColumns: readonly TextColumn[],
    readonly ignoredRows: number,
  ) {}

  recordName(i: number): string {
    return `row ${this.sourceRow[i]}`;
  }

  idText(i: number): string {
    return this.idAt.get(i) ?? cellAt(this.text, this.source, this.sourceRow[i] as number, this.idIndex);
  }

  cellText(i: number, column: StandardColumn): string {
    return cellAt(this.text, this.source, this.sourceRow[i] as number, this.stdIndex.get(column) ?? -1);
  }
}

/** A guess of the number of records, from the average length of the first lines (arrays grow if it is short). */
function estimateRecords(text: string): number {
  const sample = Math.min(text.length, 1 << 16);
  let lines = 1;
  for (let at = text.indexOf('\n'); at >= 0 && at < sample; at = text.indexOf('\n', at + 1)) lines++;
  if (sample === text.length) return lines;
  return Math.ceil((text.length / sample) * lines * 1.05) + 16;
}

/** Cell `index` of the record starting on `line`, as written (re-reads the text: only used for error messages). */
function cellAt(text: string, source: string, line: number, index: number): string {
  const scanner = new CsvScanner(text, source);
  for (let kind = scanner.next(); kind !== END; kind = scanner.next()) {
    if (scanner.line === line) return scanner.currentCells(kind)[index] ?? '';
    if (scanner.line > line) break;
  }
  return '';
}

function checkHeader(header: string[], line: number, source: string, text: string): void {
  if (header.every((h) => !Number.isNaN(parseStrictNumber(h)) || h === '.')) {
    throw new DataError(
      `the first row looks like data, not a header: expected column names such as ID,TIME,AMT,EVID,DV (found '${header.join(',')}')${commentedHeaderHint(text)}`,
      { source, row: line },
    );
  }
  const seen = new Map<string, number>();
  const found = new Set<string>();
  header.forEach((name, k) => {
    if (name.length === 0) throw new DataError(`column ${k + 1} of the header has no name`, { source, row: line });
    const s = standardColumn(name);
    const key = s ?? (isCommentColumn(name) ? 'C' : name);
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw new DataError(
        `column '${name}' appears twice (also column ${prev + 1}, '${header[prev]}')` +
          (s !== undefined || key === 'C' ? '; standard column names are matched case-insensitively' : ''),
        { source, row: line, column: name },
      );
    }
    seen.set(key, k);
    if (s !== undefined) found.add(s);
  });
  for (const required of ['ID', 'TIME'] as const) {
    if (!found.has(required)) {
      throw new DataError(`required column ${required} is missing from the header (columns: ${header.join(', ')})${commentedHeaderHint(text)}`, {
        source,
        row: line,
        column: required,
      });
    }
  }
}

/** If the header itself was commented out ('#ID,TIME,...', a common NONMEM habit), say so. */
function commentedHeaderHint(text: string): string {
  const lines = text.split(/\r\n|\r|\n/, 1000);
  const at = lines.findIndex((l) => l.trim().length > 0);
  const first = lines[at]?.trim();
  if (first === undefined || !first.startsWith('#')) return '';
  const names = first
    .slice(1)
    .split(',')
    .map((s) => s.trim().replace(/^"|"$/g, '').toUpperCase());
  if (names.includes('ID') && names.includes('TIME')) {
    return `; the header seems to be commented out (line ${at + 1} starts with '#', and lines starting with '#' are skipped): remove the '#'`;
  }
  return '';
}
