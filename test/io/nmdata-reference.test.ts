import { describe, expect, it } from 'vitest';
import { formatDatasetSummary, summarizeDataset } from '../../src/io/nmdata/index.js';
import { nmtestsData, read } from './helpers.js';

describe('the nmtests dosing data set (mrgsolve/nmtests)', () => {
  const text = nmtestsData();
  const ds = read(text, 'dosing-data.csv');
  const byId = new Map(ds.subjects.map((s) => [s.id, s]));

  it('has 16 subjects and 2117 records, in file order', () => {
    expect(ds.subjects.map((s) => s.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '10', '12', '14', '16', '17', '20', '22', '26', '28']);
    expect(ds.subjects.reduce((k, s) => k + s.n, 0)).toBe(2117);
    expect(summarizeDataset(ds)).toEqual({ subjects: 16, records: 2117, doses: 20, additionalDoses: 62, observations: 2096, ignoredRows: 0 });
    expect(formatDatasetSummary(ds)).toBe('dosing-data.csv: 16 subjects, 2117 records (20 doses + 62 by ADDL, 2096 observations)');
    expect(ds.source).toBe('dosing-data.csv');
    expect(ds.ignoredRows).toBe(0);
  });

  it('keeps the header as written and the other columns (LAGT ... DV) as numbers', () => {
    expect(ds.columnNames).toEqual(['C', 'ID', 'time', 'evid', 'amt', 'cmt', 'ss', 'ii', 'addl', 'rate', 'LAGT', 'MODE', 'DUR2', 'RAT2', 'BIOAV', 'DV']);
    expect(ds.textColumns).toEqual([]);
    for (const s of ds.subjects) expect([...s.columns.keys()]).toEqual(['LAGT', 'MODE', 'DUR2', 'RAT2', 'BIOAV', 'DV']);
    const s2 = byId.get('2')!;
    expect(s2.columns.get('LAGT')![0]).toBe(12.13);
    expect(s2.columns.get('BIOAV')![0]).toBe(2.23);
    const s5 = byId.get('5')!;
    expect(s5.columns.get('MODE')![0]).toBe(2);
    expect(s5.columns.get('DUR2')![0]).toBe(48);
  });

  it("reads '.' in DV as NaN (missing)", () => {
    for (const s of ds.subjects) expect([...s.columns.get('DV')!].every(Number.isNaN)).toBe(true);
  });

  it('reads the dose records with their NONMEM items', () => {
    const s1 = byId.get('1')!;
    expect(s1.n).toBe(132);
    expect([s1.time[0], s1.evid[0], s1.amt[0], s1.cmt[0], s1.ii[0], s1.addl[0], s1.rate[0], s1.ss[0], s1.mdv[0]]).toEqual([0, 1, 100, 1, 24, 3, 0, 0, 1]);
    expect([s1.time[1], s1.evid[1], s1.amt[1], s1.cmt[1], s1.mdv[1]]).toEqual([0, 0, 0, 2, 0]);
    expect(byId.get('6')!.rate[0]).toBe(8.33333333333333);
    expect(byId.get('5')!.rate[0]).toBe(-2);
    const s20 = byId.get('20')!;
    const reset = [...s20.evid].indexOf(4);
    expect([s20.time[reset], s20.amt[reset], s20.ii[reset], s20.addl[reset]]).toEqual([50, 120, 12, 3]);
    const s28 = byId.get('28')!;
    expect([...s28.ss].filter((v) => v !== 0)).toEqual([1, 2]);
    expect([...byId.get('26')!.evid].filter((e) => e !== 0)).toEqual([1, 3, 1]);
  });

  it('gives each record its line number (header = line 1)', () => {
    expect([...ds.subjects[0]!.sourceRow.slice(0, 3)]).toEqual([2, 3, 4]);
    const last = ds.subjects[15]!;
    expect(last.sourceRow[last.n - 1]).toBe(2118);
    const lines = text.split(/\r?\n/); // the file has CRLF line endings
    // Spot-check that sourceRow points at the right line.
    const s17 = byId.get('17')!;
    const dose2 = [...s17.evid].lastIndexOf(1);
    expect(lines[s17.sourceRow[dose2]! - 1]).toBe('.,17,13,1,50,1,0,24,2,24,0,0,2,10,1,.');
  });

  it('uses typed arrays of the declared kinds', () => {
    const s = ds.subjects[0]!;
    expect(s.time).toBeInstanceOf(Float64Array);
    expect(s.evid).toBeInstanceOf(Uint8Array);
    expect(s.cmt).toBeInstanceOf(Int32Array);
    expect(s.addl).toBeInstanceOf(Int32Array);
    expect(s.ss).toBeInstanceOf(Uint8Array);
    expect(s.mdv).toBeInstanceOf(Uint8Array);
    expect(s.sourceRow).toBeInstanceOf(Int32Array);
    expect(s.columns.get('DV')).toBeInstanceOf(Float64Array);
    for (const a of [s.time, s.evid, s.amt, s.rate, s.dur, s.cmt, s.ii, s.addl, s.ss, s.mdv, s.sourceRow]) expect(a.length).toBe(s.n);
  });
});
