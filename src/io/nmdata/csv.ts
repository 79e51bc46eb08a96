/**
 * CSV tokenizer for NONMEM-style data sets, hand-written (see below for why not `csv-parse`).
 *
 * - Strips a byte-order mark; accepts LF, CRLF and CR line endings (even mixed LF/CRLF).
 * - Skips blank lines and lines whose first non-blank character is '#'.
 * - Splits on commas and trims spaces and tabs around each cell.
 * - RFC 4180 quoting: a cell may be enclosed in double quotes, with `""` for a quote inside it; a quoted cell may
 *   contain commas and line breaks. Spaces around the quotes are ignored, the inside of the quotes is kept as is.
 * - Reports for each record the 1-based line on which it starts.
 *
 * Lines without a quote (nearly all lines of nearly all data sets) are handed to the reader as offsets into the
 * text, so that it can parse numbers in place without making a string per cell; lines with a quote are split here
 * into cells. Why not `csv-parse/sync`: measured on a 3-million-record file (139 MB) it takes ~45 s (vs ~2.5 s
 * for the whole read here), its line numbers drift on files with mixed LF/CRLF line endings, and its Node entry
 * point needs Node's `Buffer`, which a browser does not have. It is used in the tests as the reference tokenizer.
 */
import { DataError } from '../../core/errors.js';

/** A record as cells; return `false` to stop reading. */
export type RecordVisitor = (cells: string[], line: number) => boolean | void;

/** What `CsvScanner.next()` found. */
export const END = 0;
/** A quote-free record: `start`, `end` are the offsets of its line in the text (without the line break). */
export const LINE = 1;
/** A record with quotes, split into `cells`. */
export const CELLS = 2;

const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const HASH = 35;
const QUOTE = 34;
const COMMA = 44;

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

/** The trimmed cells of the quote-free line text[start, end). */
export function splitPlainLine(text: string, start: number, end: number): string[] {
  const cells = text.slice(start, end).split(',');
  for (let k = 0; k < cells.length; k++) cells[k] = trimBlank(cells[k] as string);
  return cells;
}

/**
 * Pull-style scanner over the records of a text (BOM already stripped): `next()` returns END, LINE or CELLS and
 * sets the fields. Pull rather than callbacks keeps the reader's loop monomorphic and fast when many files are read
 * in one process (fresh callbacks per file make V8 re-optimize the scanner into slower code).
 */
export class CsvScanner {
  /** The 1-based line on which the current record starts. */
  line = 0;
  start = 0;
  end = 0;
  cells: string[] = [];
  private pos = 0;
  private nextLine = 1;
  private nextQuote: number;
  private readonly crOnly: boolean;
  private readonly eol: string;

  constructor(
    readonly text: string,
    private readonly source: string,
  ) {
    // Old Mac files end lines with CR only; otherwise LF, with an optional CR before it.
    this.crOnly = !text.includes('\n') && text.includes('\r');
    this.eol = this.crOnly ? '\r' : '\n';
    this.nextQuote = text.indexOf('"');
  }

  next(): number {
    const text = this.text;
    const len = text.length;
    let start = this.pos;
    while (start < len) {
      const line = this.nextLine++;
      let end = text.indexOf(this.eol, start);
      if (end < 0) end = len;
      const next = end + 1;
      if (end > start && text.charCodeAt(end - 1) === CR) end--;
      let first = start;
      while (first < end && isBlank(text.charCodeAt(first))) first++;
      if (first < end && text.charCodeAt(first) !== HASH) {
        this.line = line;
        if (this.nextQuote >= 0 && this.nextQuote < start) this.nextQuote = text.indexOf('"', start);
        if (this.nextQuote >= 0 && this.nextQuote < end) {
          const record = readQuotedRecord(text, start, this.crOnly, this.source, line);
          this.pos = record.next;
          this.nextLine += record.extraLines;
          this.cells = record.cells;
          return CELLS;
        }
        this.pos = next;
        this.start = start;
        this.end = end;
        return LINE;
      }
      start = next;
    }
    this.pos = len;
    return END;
  }

  /** The cells of the current record (split on demand for a LINE record). */
  currentCells(kind: number): string[] {
    return kind === CELLS ? this.cells : splitPlainLine(this.text, this.start, this.end);
  }
}

/** Visit every record of `text` as cells (BOM stripped here). */
export function forEachCsvRecord(text: string, source: string, visit: RecordVisitor): void {
  const scanner = new CsvScanner(stripBom(text), source);
  for (let kind = scanner.next(); kind !== END; kind = scanner.next()) {
    if (visit(scanner.currentCells(kind), scanner.line) === false) return;
  }
}

/** Trim spaces, tabs and CRs (only those) from both ends. */
export function trimBlank(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isBlank(s.charCodeAt(a))) a++;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Read the record starting at `p` (a line start) that has a quote somewhere. */
function readQuotedRecord(
  text: string,
  p: number,
  crOnly: boolean,
  source: string,
  line: number,
): { cells: string[]; next: number; extraLines: number } {
  const len = text.length;
  const EOL = crOnly ? CR : LF;
  const cells: string[] = [];
  let extraLines = 0;
  const fail = (detail: string): never => {
    throw new DataError(`cannot read the record as CSV: ${detail}`, { source, row: line });
  };
  while (true) {
    // One cell; p is at its start.
    while (p < len && isBlank(text.charCodeAt(p)) && text.charCodeAt(p) !== EOL) p++;
    if (text.charCodeAt(p) === QUOTE) {
      const opened = cells.length + 1;
      let q = p + 1;
      let value = '';
      let segment = q;
      while (true) {
        const close = text.indexOf('"', q);
        if (close < 0) fail(`the quote that opens cell ${opened} is never closed`);
        if (text.charCodeAt(close + 1) === QUOTE) {
          value += text.slice(segment, close + 1);
          q = segment = close + 2;
        } else {
          value += text.slice(segment, close);
          q = close + 1;
          break;
        }
      }
      for (let k = p; k < q; k++) if (text.charCodeAt(k) === EOL) extraLines++;
      cells.push(value);
      p = q;
      while (p < len && isBlank(text.charCodeAt(p)) && text.charCodeAt(p) !== EOL) p++;
      const c = text.charCodeAt(p);
      if (p < len && c !== COMMA && c !== EOL) {
        fail(`unexpected text after the closing quote of cell ${opened}: a quoted cell must end at a comma or at the end of the line`);
      }
    } else {
      let q = p;
      while (q < len) {
        const c = text.charCodeAt(q);
        if (c === COMMA || c === EOL) break;
        if (c === QUOTE) fail(`a quote inside unquoted cell ${cells.length + 1}: quote the whole cell, and write a quote inside it as ""`);
        q++;
      }
      cells.push(trimBlank(text.slice(p, q)));
      p = q;
    }
    if (p >= len) return { cells, next: len, extraLines };
    if (text.charCodeAt(p) === COMMA) p++;
    else return { cells, next: p + 1, extraLines }; // at the end of the line
  }
}
