/**
 * Property tests: (1) a valid random data set written to CSV in any of the accepted spellings reads back to the same
 * numbers, and equals `datasetFromRows` of the same rows; (2) the CSV tokenizer agrees with csv-parse (the reference
 * implementation) and with the cells that were written, on random quoted text.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachCsvRecord } from '../../src/io/nmdata/csv.js';
import { parseNumberInto, parseStrictNumber } from '../../src/io/nmdata/number.js';
import { datasetFromRows } from '../../src/io/nmdata/index.js';
import { plain, read } from './helpers.js';

type Row = Record<string, number>;

const nz = (v: number): number => (v === 0 ? 0 : v); // no -0: CSV writers print it as 0
const positive = fc.double({ min: 1e-6, max: 1e6, noNaN: true }).map(nz);
const nonNegative = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e4, noNaN: true }).map(nz), fc.integer({ min: 0, max: 1000 }));

/** One valid record (without ID and TIME). */
const record: fc.Arbitrary<Row> = fc.oneof(
  // observation
  fc.record({ EVID: fc.constant(0), CMT: fc.integer({ min: 0, max: 5 }) }),
  // other event or reset
  fc.record({ EVID: fc.constantFrom(2, 3), CMT: fc.constant(0) }),
  // bolus or infusion dose, maybe repeated, maybe at steady state
  fc
    .record({
      EVID: fc.constantFrom(1, 4),
      AMT: positive,
      CMT: fc.integer({ min: 0, max: 5 }),
      rate: fc.oneof(fc.constant(0), fc.constant(-1), fc.constant(-2), positive),
      DUR: fc.oneof(fc.constant(0), positive),
      II: fc.oneof(fc.constant(0), positive),
      ADDL: fc.integer({ min: 0, max: 20 }),
      SS: fc.constantFrom(0, 1, 2),
    })
    .map(({ rate, DUR, II, ADDL, SS, ...r }) => ({
      ...r,
      RATE: rate,
      DUR: rate === -2 ? DUR : 0,
      II,
      ADDL: II > 0 ? ADDL : 0,
      SS: II > 0 ? SS : 0,
    })),
  // steady-state constant infusion
  fc.record({ EVID: fc.constant(1), AMT: fc.constant(0), RATE: positive, SS: fc.constant(1), II: fc.constant(0), CMT: fc.integer({ min: 0, max: 5 }) }),
);

const covariates = fc.record({
  WT: fc.oneof(fc.constant(NaN), fc.double({ noNaN: true, noDefaultInfinity: true }).map(nz)),
  DV: fc.oneof(fc.constant(NaN), fc.double({ min: -1e300, max: 1e300, noNaN: true }).map(nz)),
});

const subject = fc.array(fc.tuple(record, fc.oneof(fc.constant(0), nonNegative), covariates), { minLength: 1, maxLength: 8 });

/** Rows of a valid data set: unique contiguous IDs, times non-decreasing within each subject. */
const dataset: fc.Arbitrary<Row[]> = fc
  .uniqueArray(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 6 })
  .chain((ids) => fc.tuple(fc.constant(ids), fc.tuple(...ids.map(() => subject))))
  .map(([ids, subjects]) =>
    subjects.flatMap((records, k) => {
      let time = 0;
      return records.map(([r, dt, cov]) => {
        time = r.EVID === 3 || r.EVID === 4 ? dt : time + dt; // time may restart at a reset
        return { ID: ids[k] as number, TIME: time, ...r, MDV: r.EVID === 0 ? 0 : 1, ...cov };
      });
    }),
  );

const COLUMNS = ['ID', 'TIME', 'EVID', 'AMT', 'RATE', 'DUR', 'CMT', 'II', 'ADDL', 'SS', 'MDV', 'WT', 'DV'];
const STANDARD = new Set(COLUMNS.slice(0, 11));

/** How to write the file: per-cell choices are drawn from `seed` so that shrinking stays meaningful. */
const style = fc.record({
  eol: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  upper: fc.array(fc.boolean(), { minLength: COLUMNS.length, maxLength: COLUMNS.length }),
  comments: fc.boolean(),
  finalEol: fc.boolean(),
  seed: fc.integer(),
});

type Style = typeof style extends fc.Arbitrary<infer T> ? T : never;

function rng(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function writeCell(v: number, column: string, r: () => number): string {
  let s: string;
  if (Number.isNaN(v)) s = r() < 0.5 ? '.' : '';
  else if (v === 0 && STANDARD.has(column) && column !== 'ID' && column !== 'TIME') s = ['0', '.', '', '0.0', '0e0'][Math.floor(r() * 5)]!;
  else {
    const u = r();
    s = u < 0.6 ? String(v) : u < 0.8 ? v.toExponential() : u < 0.9 ? v.toExponential().toUpperCase() : v > 0 ? `+${v}` : String(v);
  }
  const w = r();
  if (w < 0.1) return `"${s}"`;
  if (w < 0.2) return ` ${s}\t`;
  return s;
}

/** The CSV text and the line number of each record. */
function writeCsv(rows: Row[], st: Style): { text: string; lines: number[] } {
  const r = rng(st.seed);
  const out: string[] = [];
  const lines: number[] = [];
  if (st.comments) out.push('# written by the property test', '');
  // Standard columns in any case; others are kept as written, so they must be written as the rows name them.
  out.push(COLUMNS.map((c, k) => (st.upper[k] || !STANDARD.has(c) ? c : c.toLowerCase())).join(','));
  for (const row of rows) {
    if (st.comments && r() < 0.2) out.push(r() < 0.5 ? '' : '# a comment, with "quotes"');
    lines.push(out.length + 1);
    out.push(COLUMNS.map((c) => writeCell(row[c] ?? 0, c, r)).join(','));
  }
  const text = (st.bom ? '\uFEFF' : '') + out.join(st.eol) + (st.finalEol ? st.eol : '');
  return { text, lines };
}

describe('round trip: rows → CSV → Dataset', () => {
  it('reads back the same numbers as datasetFromRows of the same rows', () => {
    fc.assert(
      fc.property(dataset, style, (rows, st) => {
        const { text, lines } = writeCsv(rows, st);
        const fromCsv = read(text, 'prop.csv');
        const fromRows = datasetFromRows(rows, 'prop.csv');
        // The ID is kept as written ('3.5E+5'), so compare it as a number.
        const numbers = (s: Parameters<typeof plain>[0]) => ({ ...plain(s), id: Number(s.id), sourceRow: undefined });
        expect(fromCsv.subjects.map(numbers)).toEqual(fromRows.subjects.map(numbers));
        expect(fromCsv.subjects.flatMap((s) => [...s.sourceRow])).toEqual(lines);
        expect(fromCsv.columnNames.map((c) => c.toUpperCase())).toEqual(COLUMNS);
        expect(fromCsv.textColumns).toEqual([]);
        // And against the rows themselves (not only the other reader).
        const flat = fromCsv.subjects.flatMap((s) =>
          Array.from({ length: s.n }, (_, i) => ({
            ID: Number(s.id),
            TIME: s.time[i],
            EVID: s.evid[i],
            AMT: s.amt[i],
            RATE: s.rate[i],
            DUR: s.dur[i],
            CMT: s.cmt[i],
            II: s.ii[i],
            ADDL: s.addl[i],
            SS: s.ss[i],
            MDV: s.mdv[i],
            WT: s.columns.get('WT')![i],
            DV: s.columns.get('DV')![i],
          })),
        );
        expect(flat).toEqual(rows.map((row) => Object.fromEntries(COLUMNS.map((c) => [c, row[c] ?? 0]))));
      }),
      { numRuns: 300 },
    );
  });
});

describe('CSV tokenizer', () => {
  const cellText = fc.string({ unit: fc.constantFrom('a', 'Z', '1', '.', ',', '"', '\n', '\r\n', ' ', '\t', '#', 'é', '€'), maxLength: 6 });
  const table = fc.integer({ min: 2, max: 5 }).chain((ncol) => fc.array(fc.array(cellText, { minLength: ncol, maxLength: ncol }), { minLength: 1, maxLength: 8 }));

  const needsQuotes = (s: string, first: boolean) => /[",\r\n]|^[ \t]|[ \t]$/.test(s) || (first && s.startsWith('#'));

  it('reads back the cells written, with the line each record starts on, like csv-parse', () => {
    fc.assert(
      fc.property(table, fc.constantFrom('\n', '\r\n'), fc.integer(), (rows, eol, seed) => {
        const r = rng(seed);
        const lines = rows.map((cells) => cells.map((c, k) => (needsQuotes(c, k === 0) || r() < 0.2 ? `"${c.replace(/"/g, '""')}"` : c)).join(','));
        const text = lines.join(eol) + eol;
        const expectedLines: number[] = [];
        let line = 1;
        for (const l of lines) {
          expectedLines.push(line);
          line += l.split('\n').length; // the line breaks inside quoted cells, and the one ending the record
        }
        const got: string[][] = [];
        const gotLines: number[] = [];
        forEachCsvRecord(text, 'prop', (cells, at) => {
          got.push([...cells]);
          gotLines.push(at);
        });
        expect(got).toEqual(rows);
        expect(gotLines).toEqual(expectedLines);
        const reference = parse(text, { relax_column_count: true, trim: true }) as string[][];
        expect(got).toEqual(reference);
      }),
      { numRuns: 500 },
    );
  });
});

describe('number parsing', () => {
  const GRAMMAR = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  const decimal = fc
    .tuple(
      fc.constantFrom('', '+', '-'),
      fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), minLength: 0, maxLength: 20 }),
      fc.option(fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), maxLength: 20 })),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 400 }))),
    )
    .map(([sign, int, frac, exp]) => `${sign}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `${exp[0]}${exp[1]}${exp[2]}`}`);

  it('a decimal cell reads exactly as Number() reads it (in place, without a string per cell)', () => {
    fc.assert(
      fc.property(decimal, fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), (s, before, after) => {
        const expected = GRAMMAR.test(s) && Number.isFinite(Number(s)) ? Number(s) : NaN;
        expect(parseStrictNumber(s)).toBe(expected);
        const out = new Float64Array(1).fill(-123);
        const ok = parseNumberInto(before + s + after, before.length, before.length + s.length, out, 0);
        expect(ok).toBe(!Number.isNaN(expected));
        expect(out[0]).toBe(ok ? expected : -123);
      }),
      { numRuns: 3000 },
    );
  });

  it('any other text is not a number', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), (s) => {
        const expected = GRAMMAR.test(s) && Number.isFinite(Number(s)) ? Number(s) : NaN;
        expect(parseStrictNumber(s)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
