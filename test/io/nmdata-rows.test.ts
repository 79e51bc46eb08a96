/** `datasetFromRows` (data sets built in code) and `summarizeDataset`. */
import { describe, expect, it } from 'vitest';
import { datasetFromRows, formatDatasetSummary, summarizeDataset } from '../../src/io/nmdata/index.js';
import { csv, expectDataError, plain, read } from './helpers.js';

describe('datasetFromRows', () => {
  const rows = [
    { ID: 1, TIME: 0, AMT: 100, EVID: 1, CMT: 1, II: 12, ADDL: 2, WT: 70 },
    { ID: 1, TIME: 1, DV: 5.5, WT: 70 },
    { ID: 2, TIME: 0, AMT: 50, RATE: -2, DUR: 2, EVID: 1, WT: NaN },
    { ID: 2, TIME: 3, EVID: 0, DV: 1 },
  ];

  it('gives the same data set as the equivalent CSV', () => {
    const fromRows = datasetFromRows(rows, 'design');
    const fromCsv = read(csv('ID,TIME,AMT,EVID,CMT,II,ADDL,WT,DV,RATE,DUR', '1,0,100,1,1,12,2,70,.,.,.', '1,1,.,.,.,.,.,70,5.5,.,.', '2,0,50,1,.,.,.,.,.,-2,2', '2,3,.,0,.,.,.,.,1,.,.'));
    const strip = (s: ReturnType<typeof plain>) => ({ ...s, sourceRow: undefined });
    expect(fromRows.subjects.map(plain).map(strip)).toEqual(fromCsv.subjects.map(plain).map(strip));
    expect(fromRows.columnNames).toEqual(['ID', 'TIME', 'AMT', 'EVID', 'CMT', 'II', 'ADDL', 'WT', 'DV', 'RATE', 'DUR']);
    expect(fromRows.source).toBe('design');
    expect(fromRows.textColumns).toEqual([]);
    expect([...fromRows.subjects[0]!.sourceRow]).toEqual([-1, -1]);
  });

  it('infers EVID and MDV like the CSV reader (EVID given in some rows only: missing = 0)', () => {
    const s = datasetFromRows([{ ID: 1, TIME: 0, AMT: 10 }, { ID: 1, TIME: 1 }]).subjects[0]!;
    expect([...s.evid]).toEqual([1, 0]);
    expect([...s.mdv]).toEqual([1, 0]);
  });

  it('matches standard keys case-insensitively, keeps other keys as written', () => {
    const s = datasetFromRows([{ id: 3, time: 0, amt: 5, evid: 1, Wt: 80 }]).subjects[0]!;
    expect([s.id, s.amt[0], s.evid[0]]).toEqual(['3', 5, 1]);
    expect([...s.columns.keys()]).toEqual(['Wt']);
  });

  it('skips rows with a non-zero C key and counts them', () => {
    const ds = datasetFromRows([{ C: 1, ID: 1, TIME: 5 }, { C: 0, ID: 1, TIME: 0 }, { ID: 1, TIME: 1, C: NaN }]);
    expect(ds.ignoredRows).toBe(1);
    expect([...ds.subjects[0]!.time]).toEqual([0, 1]);
    expect(ds.subjects[0]!.columns.has('C')).toBe(false);
  });

  it('validates with the same rules, naming rows[i] instead of a line', () => {
    const err = expectDataError(
      () => datasetFromRows([{ ID: 1, TIME: 0 }, { ID: 1, TIME: 1, AMT: 5, EVID: 0 }], 'trial'),
      { source: 'trial', row: undefined, column: 'AMT', value: '5', subject: '1' },
      /^AMT must be 0 or '\.' on a non-dose record \(EVID 0\).* \(rows\[1\]\)$/,
    );
    expect(err.message).toMatch(/^trial, ID 1, column AMT, value '5': /);
  });

  it('names the original index when C-flagged rows were skipped', () => {
    expectDataError(() => datasetFromRows([{ C: 1, ID: 1, TIME: 0 }, { ID: 1, TIME: -1 }]), { column: 'TIME', value: '-1' }, /must not be negative \(rows\[1\]\)$/);
  });

  it('time going backwards and non-contiguous IDs name both rows', () => {
    expectDataError(() => datasetFromRows([{ ID: 1, TIME: 2 }, { ID: 1, TIME: 1 }]), { column: 'TIME', value: '1' }, /previous record, rows\[0\], has TIME 2/);
    expectDataError(
      () => datasetFromRows([{ ID: 1, TIME: 0 }, { ID: 2, TIME: 0 }, { ID: 1, TIME: 1 }]),
      { column: 'ID', value: '1', subject: '1' },
      /appeared before \(rows\[0\] to rows\[0\]\).*\(rows\[2\]\)$/,
    );
  });

  it('a missing ID or TIME key', () => {
    expectDataError(() => datasetFromRows([{ ID: 1, TIME: 0 }, { ID: 1 }]), { column: 'TIME', value: '' }, /^TIME is missing.*\(rows\[1\]\)$/);
    expectDataError(() => datasetFromRows([{ TIME: 0 }]), { column: 'ID' }, /^required column ID is missing: no row has a key ID$/);
    expectDataError(() => datasetFromRows([]), { column: 'ID' }, /required column ID is missing/);
  });

  it('rejects NaN and infinite values in standard columns, infinite values in others', () => {
    expectDataError(() => datasetFromRows([{ ID: 1, TIME: 0, AMT: NaN }]), { column: 'AMT', value: 'NaN' }, /^AMT must be a finite number \(omit the key for the default\) \(rows\[0\]\)$/);
    expectDataError(() => datasetFromRows([{ ID: 1, TIME: Infinity }]), { column: 'TIME', value: 'Infinity' }, /TIME must be a finite number/);
    expectDataError(() => datasetFromRows([{ ID: 1, TIME: 0, WT: -Infinity }]), { column: 'WT', value: '-Infinity' }, /expected a finite number, or NaN for a missing value \(rows\[0\]\)/);
  });

  it('rejects values that are not numbers (from untyped callers)', () => {
    const bad = [{ ID: 1, TIME: '0' }] as unknown as Array<Record<string, number>>;
    expectDataError(() => datasetFromRows(bad), { column: 'TIME', value: '0' }, /TIME must be a finite number/);
  });

  it('rejects two keys for one standard column', () => {
    expectDataError(() => datasetFromRows([{ ID: 1, TIME: 0, amt: 1, AMT: 1 }]), { column: 'AMT' }, /^keys 'amt' and 'AMT' both give column AMT/);
  });

  it('a single row', () => {
    const ds = datasetFromRows([{ ID: 5, TIME: 0 }]);
    expect(ds.subjects.map((s) => s.id)).toEqual(['5']);
  });
});

describe('summarizeDataset', () => {
  it('counts subjects, records, dose records, ADDL doses, observations and ignored rows', () => {
    const ds = read(csv('C,ID,TIME,AMT,EVID,II,ADDL,MDV', '.,1,0,100,1,12,3,1', '.,1,1,.,0,.,.,0', '.,1,2,.,0,.,.,1', 'C,1,3,.,0,.,.,0', '.,2,0,10,4,.,.,1', '.,2,1,.,2,.,.,1', '.,2,2,.,3,.,.,1'));
    expect(summarizeDataset(ds)).toEqual({ subjects: 2, records: 6, doses: 2, additionalDoses: 3, observations: 2, ignoredRows: 1 });
    expect(formatDatasetSummary(ds)).toBe('test.csv: 2 subjects, 6 records (2 doses + 3 by ADDL, 2 observations), 1 row ignored (C column)');
  });

  it('singular and empty', () => {
    expect(formatDatasetSummary(read(csv('ID,TIME,AMT', '1,0,5')))).toBe('test.csv: 1 subject, 1 record (1 dose, 0 observations)');
    expect(summarizeDataset(read('ID,TIME\n'))).toEqual({ subjects: 0, records: 0, doses: 0, additionalDoses: 0, observations: 0, ignoredRows: 0 });
  });
});
