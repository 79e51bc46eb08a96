/**
 * Every validation rule of the data-set reader: the error names the source, line (header = line 1), ID, column and
 * value as written, and says what was expected. Also the near misses that must NOT be errors.
 */
import { describe, expect, it } from 'vitest';
import type { DataLocation } from '../../src/core/errors.js';
import { csv, expectDataError, read } from './helpers.js';

const H = 'ID,TIME,EVID,AMT,RATE,II,ADDL,SS,CMT,DV';

interface Case {
  readonly name: string;
  readonly lines: readonly string[];
  readonly at: DataLocation;
  readonly detail: RegExp;
}

/** Header H, a valid observation of ID 1 at line 2, then the record under test at line 3. */
function one(record: string): string[] {
  return [H, '1,0,0,.,.,.,.,.,1,5', record];
}

const cases: Case[] = [
  // --- numbers in standard columns ---
  { name: 'trailing garbage', lines: one('1,1,1,12abc,0,0,0,0,1,.'), at: { row: 3, column: 'AMT', value: '12abc', subject: '1' }, detail: /^AMT must be a number \(decimal or scientific notation/ },
  { name: 'NaN', lines: one('1,NaN,0,.,.,.,.,.,1,.'), at: { row: 3, column: 'TIME', value: 'NaN', subject: '1' }, detail: /TIME must be a number.*must be given.*for a missing value write '\.'/ },
  { name: 'Inf', lines: one('1,1,1,10,Inf,0,0,0,1,.'), at: { row: 3, column: 'RATE', value: 'Inf', subject: '1' }, detail: /RATE must be a number.*infinite values are not allowed/ },
  { name: '-Infinity', lines: one('1,1,1,10,-Infinity,0,0,0,1,.'), at: { row: 3, column: 'RATE', value: '-Infinity' }, detail: /infinite values are not allowed/ },
  { name: 'hexadecimal', lines: one('1,1,1,0x10,0,0,0,0,1,.'), at: { row: 3, column: 'AMT', value: '0x10' }, detail: /hexadecimal/ },
  { name: 'decimal comma', lines: one('1,1,1,"1,5",0,0,0,0,1,.'), at: { row: 3, column: 'AMT', value: '1,5' }, detail: /decimal separator: write 1\.5/ },
  { name: 'overflow', lines: one('1,1e999,0,.,.,.,.,.,1,.'), at: { row: 3, column: 'TIME', value: '1e999' }, detail: /too large/ },
  { name: 'two dots', lines: one('1,1.2.3,0,.,.,.,.,.,1,.'), at: { row: 3, column: 'TIME', value: '1.2.3' }, detail: /TIME must be a number/ },
  { name: 'bare exponent', lines: one('1,1e,0,.,.,.,.,.,1,.'), at: { row: 3, column: 'TIME', value: '1e' }, detail: /TIME must be a number/ },
  { name: 'text ID', lines: one('P1,1,0,.,.,.,.,.,1,.'), at: { row: 3, column: 'ID', value: 'P1', subject: undefined }, detail: /^ID must be a number/ },
  // --- ID and TIME ---
  { name: 'ID missing (.)', lines: one('.,1,0,.,.,.,.,.,1,.'), at: { row: 3, column: 'ID', value: '.', subject: undefined }, detail: /^ID is missing/ },
  { name: 'ID missing (empty)', lines: one(',1,0,.,.,.,.,.,1,.'), at: { row: 3, column: 'ID', value: '' }, detail: /^ID is missing/ },
  { name: 'TIME missing (.)', lines: one('1,.,0,.,.,.,.,.,1,.'), at: { row: 3, column: 'TIME', value: '.', subject: '1' }, detail: /^TIME is missing/ },
  { name: 'TIME missing (empty)', lines: one('1,,0,.,.,.,.,.,1,.'), at: { row: 3, column: 'TIME', value: '' }, detail: /^TIME is missing/ },
  { name: 'TIME negative', lines: [H, '1,-0.5,0,.,.,.,.,.,1,.'], at: { row: 2, column: 'TIME', value: '-0.5', subject: '1' }, detail: /^TIME must not be negative/ },
  // --- value domains ---
  { name: 'EVID 5', lines: one('1,1,5,.,.,.,.,.,1,.'), at: { row: 3, column: 'EVID', value: '5', subject: '1' }, detail: /^EVID must be 0 \(observation\), 1 \(dose\)/ },
  { name: 'EVID 1.5', lines: one('1,1,1.5,.,.,.,.,.,1,.'), at: { row: 3, column: 'EVID', value: '1.5' }, detail: /^EVID must be 0/ },
  { name: 'EVID -1', lines: one('1,1,-1,.,.,.,.,.,1,.'), at: { row: 3, column: 'EVID', value: '-1' }, detail: /^EVID must be 0/ },
  { name: 'SS 3', lines: one('1,1,1,10,0,12,0,3,1,.'), at: { row: 3, column: 'SS', value: '3' }, detail: /^SS must be 0 .*1 .*2/ },
  { name: 'ADDL negative', lines: one('1,1,1,10,0,12,-1,0,1,.'), at: { row: 3, column: 'ADDL', value: '-1' }, detail: /^ADDL .* must be a non-negative integer/ },
  { name: 'ADDL fractional', lines: one('1,1,1,10,0,12,1.5,0,1,.'), at: { row: 3, column: 'ADDL', value: '1.5' }, detail: /non-negative integer/ },
  { name: 'ADDL too large', lines: one('1,1,1,10,0,12,3e9,0,1,.'), at: { row: 3, column: 'ADDL', value: '3e9' }, detail: /at most 2147483647/ },
  { name: 'CMT negative', lines: one('1,1,0,.,.,.,.,.,-2,.'), at: { row: 3, column: 'CMT', value: '-2' }, detail: /^CMT must be a non-negative integer/ },
  { name: 'CMT fractional', lines: one('1,1,0,.,.,.,.,.,1.5,.'), at: { row: 3, column: 'CMT', value: '1.5' }, detail: /^CMT must be a non-negative integer/ },
  { name: 'II negative', lines: one('1,1,1,10,0,-12,0,0,1,.'), at: { row: 3, column: 'II', value: '-12' }, detail: /^II .* must not be negative/ },
  { name: 'RATE -3', lines: one('1,1,1,10,-3,0,0,0,1,.'), at: { row: 3, column: 'RATE', value: '-3' }, detail: /^RATE must be > 0 .*0 \(bolus\), -1 .*-2/ },
  { name: 'RATE -0.5', lines: one('1,1,1,10,-0.5,0,0,0,1,.'), at: { row: 3, column: 'RATE', value: '-0.5' }, detail: /^RATE must be > 0/ },
  // --- dose records ---
  { name: 'negative dose', lines: one('1,1,1,-10,0,0,0,0,1,.'), at: { row: 3, column: 'AMT', value: '-10', subject: '1' }, detail: /^dose amount AMT must not be negative$/ },
  { name: 'zero dose', lines: one('1,1,1,0,0,0,0,0,1,.'), at: { row: 3, column: 'AMT', value: '0' }, detail: /^dose with zero amount: .*EVID 1.*AMT > 0.*SS=1, II=0, RATE > 0/ },
  { name: "zero dose ('.')", lines: one('1,1,4,.,.,.,.,.,1,.'), at: { row: 3, column: 'AMT', value: '.' }, detail: /^dose with zero amount: a dose record \(EVID 4\)/ },
  { name: 'zero-amount infusion without SS', lines: one('1,1,1,0,10,0,0,0,1,.'), at: { row: 3, column: 'AMT', value: '0' }, detail: /^dose with zero amount/ },
  { name: 'zero-amount SS infusion with II', lines: one('1,1,1,0,10,12,0,1,1,.'), at: { row: 3, column: 'AMT', value: '0' }, detail: /^dose with zero amount/ },
  { name: 'SS=1 bolus without II', lines: one('1,1,1,10,0,0,0,1,1,.'), at: { row: 3, column: 'II', value: '0' }, detail: /^steady state \(SS=1\) of a bolus dose \(RATE=0\) needs an interdose interval II > 0/ },
  { name: "SS=1 bolus with II '.'", lines: one('1,1,1,10,.,.,.,1,1,.'), at: { row: 3, column: 'II', value: '.' }, detail: /steady state \(SS=1\) of a bolus/ },
  { name: 'SS=1, RATE=-2 without II', lines: one('1,1,1,10,-2,0,0,1,1,.'), at: { row: 3, column: 'II', value: '0' }, detail: /RATE=-2.*needs an interdose interval II > 0/ },
  { name: 'SS=2 without II', lines: one('1,1,1,10,0,0,0,2,1,.'), at: { row: 3, column: 'II', value: '0' }, detail: /^steady state added to the current state \(SS=2\) needs an interdose interval II > 0/ },
  { name: 'SS=2 constant infusion', lines: one('1,1,1,0,10,0,0,2,1,.'), at: { row: 3, column: 'AMT', value: '0' }, detail: /^dose with zero amount/ },
  { name: 'SS=2 infusion without II', lines: one('1,1,1,100,10,0,0,2,1,.'), at: { row: 3, column: 'II', value: '0' }, detail: /SS=2/ },
  { name: 'SS=1, II=0 infusion with an amount', lines: one('1,1,1,100,10,0,0,1,1,.'), at: { row: 3, column: 'AMT', value: '100' }, detail: /steady-state constant infusion at RATE, which must have AMT=0/ },
  { name: 'ADDL without II', lines: one('1,1,1,10,0,0,3,0,1,.'), at: { row: 3, column: 'II', value: '0' }, detail: /^ADDL=3 additional doses need an interdose interval II > 0/ },
  { name: 'ADDL=1 without II', lines: one('1,1,1,10,0,.,1,0,1,.'), at: { row: 3, column: 'II', value: '.' }, detail: /^ADDL=1 additional doses need/ },
  // --- non-dose records ---
  { name: 'observation with AMT', lines: one('1,1,0,5,.,.,.,.,1,.'), at: { row: 3, column: 'AMT', value: '5', subject: '1' }, detail: /^AMT must be 0 or '\.' on a non-dose record \(EVID 0\): only dose records \(EVID 1 or 4\)/ },
  { name: 'observation with RATE', lines: one('1,1,0,.,10,.,.,.,1,.'), at: { row: 3, column: 'RATE', value: '10' }, detail: /^RATE must be 0 or '\.' on a non-dose record \(EVID 0\)/ },
  { name: 'observation with II', lines: one('1,1,0,.,.,24,.,.,1,.'), at: { row: 3, column: 'II', value: '24' }, detail: /^II must be 0 or '\.' on a non-dose record/ },
  { name: 'observation with ADDL', lines: one('1,1,0,.,.,.,2,.,1,.'), at: { row: 3, column: 'ADDL', value: '2' }, detail: /^ADDL must be 0 or '\.' on a non-dose record/ },
  { name: 'observation with SS', lines: one('1,1,0,.,.,.,.,1,1,.'), at: { row: 3, column: 'SS', value: '1' }, detail: /^SS must be 0 or '\.' on a non-dose record/ },
  { name: 'EVID 2 with AMT', lines: one('1,1,2,5,.,.,.,.,1,.'), at: { row: 3, column: 'AMT', value: '5' }, detail: /non-dose record \(EVID 2\)/ },
  { name: 'EVID 3 with AMT', lines: one('1,1,3,5,.,.,.,.,1,.'), at: { row: 3, column: 'AMT', value: '5' }, detail: /non-dose record \(EVID 3\)/ },
  { name: 'EVID 3 with negative RATE', lines: one('1,1,3,.,-1,.,.,.,1,.'), at: { row: 3, column: 'RATE', value: '-1' }, detail: /non-dose record \(EVID 3\)/ },
  // --- order ---
  {
    name: 'time going backwards',
    lines: [H, '1,0,1,100,0,0,0,0,1,.', '1,2,0,.,.,.,.,.,1,.', '1,1.5,0,.,.,.,.,.,1,.'],
    at: { row: 4, column: 'TIME', value: '1.5', subject: '1' },
    detail: /^TIME goes backwards within the subject \(the previous record, row 3, has TIME 2\).*EVID 3 or 4/,
  },
  {
    name: 'time going backwards at a dose',
    lines: [H, '7,0,0,.,.,.,.,.,1,.', '7,5,0,.,.,.,.,.,1,.', '7,1,1,100,.,.,.,.,1,.'],
    at: { row: 4, column: 'TIME', value: '1', subject: '7' },
    detail: /TIME goes backwards/,
  },
  {
    name: 'non-contiguous ID',
    lines: [H, '1,0,1,100,0,0,0,0,1,.', '1,1,0,.,.,.,.,.,1,.', '2,0,0,.,.,.,.,.,1,.', '1,2,0,.,.,.,.,.,1,.'],
    at: { row: 5, column: 'ID', value: '1', subject: '1' },
    detail: /^the records of ID 1 are not contiguous: they appeared before \(row 2 to row 3\).*NONMEM would silently start a new individual/,
  },
  {
    name: 'non-contiguous ID written differently',
    lines: [H, '1,0,0,.,.,.,.,.,1,.', '2,0,0,.,.,.,.,.,1,.', '1.0,2,0,.,.,.,.,.,1,.'],
    at: { row: 4, column: 'ID', value: '1.0', subject: '1.0' },
    detail: /^the records of ID 1 are not contiguous: they appeared before \(row 2 to row 2\)/,
  },
];

describe('data-set errors', () => {
  it.each(cases)('$name', ({ lines, at, detail }) => {
    expectDataError(() => read(csv(...lines), 'data.csv'), { source: 'data.csv', ...at }, detail);
  });

  it('reports the ID as written and a row counted in file lines (comments and blank lines included)', () => {
    const text = csv('# study 1', '', 'ID,TIME,AMT,EVID', '# dosing', '007,0,100,1', '', '007,1,-5,0');
    expectDataError(() => read(text), { row: 7, column: 'AMT', value: '-5', subject: '007' }, /^AMT must be 0 or '\.' on a non-dose record \(EVID 0\)/);
  });

  it('uses the header spelling in the column field', () => {
    expectDataError(() => read(csv('id,time,amt,evid', '1,0,-1,1')), { row: 2, column: 'amt', value: '-1' }, /AMT must not be negative/);
  });
});

describe('data-set errors: DUR and RATE', () => {
  const D = 'ID,TIME,EVID,AMT,RATE,DUR';
  it('a duration with RATE=0 suggests RATE=-2', () => {
    expectDataError(() => read(csv(D, '1,0,1,100,0,2')), { row: 2, column: 'RATE', value: '0' }, /^RATE is 0 \(bolus\) but DUR is 2: set RATE=-2/);
  });
  it('a duration with RATE missing also suggests RATE=-2', () => {
    expectDataError(() => read(csv(D, '1,0,1,100,.,2')), { row: 2, column: 'RATE', value: '.' }, /set RATE=-2/);
  });
  it('both RATE > 0 and DUR > 0', () => {
    expectDataError(() => read(csv(D, '1,0,1,100,10,2')), { row: 2, column: 'DUR', value: '2' }, /^both RATE \(10\) and DUR are given/);
  });
  it('DUR with RATE=-1', () => {
    expectDataError(() => read(csv(D, '1,0,1,100,-1,2')), { row: 2, column: 'DUR', value: '2' }, /^DUR is only used with RATE=-2/);
  });
  it('negative DUR', () => {
    expectDataError(() => read(csv(D, '1,0,1,100,-2,-2')), { row: 2, column: 'DUR', value: '-2' }, /^DUR .* must not be negative/);
  });
  it('DUR on an observation', () => {
    expectDataError(() => read(csv(D, '1,0,0,.,.,2')), { row: 2, column: 'DUR', value: '2' }, /^DUR must be 0 or '\.' on a non-dose record/);
  });
  it('RATE=-2 with DUR is fine', () => {
    const ds = read(csv(D, '1,0,1,100,-2,2'));
    expect([ds.subjects[0]!.rate[0], ds.subjects[0]!.dur[0]]).toEqual([-2, 2]);
  });
});

describe('data-set errors: MDV', () => {
  it('MDV must be 0 or 1', () => {
    expectDataError(() => read(csv('ID,TIME,MDV', '1,0,0', '1,1,2')), { row: 3, column: 'MDV', value: '2', subject: '1' }, /^MDV must be 0 .* or 1/);
  });
  it('MDV 0.5', () => {
    expectDataError(() => read(csv('ID,TIME,EVID,MDV', '1,0,0,0.5')), { row: 2, column: 'MDV', value: '0.5' }, /^MDV must be 0/);
  });
});

describe('data-set errors: inferred EVID', () => {
  it('says when EVID was inferred', () => {
    const err = expectDataError(
      () => read(csv('ID,TIME,AMT,RATE,MDV', '1,0,0,10,1')),
      { row: 2, column: 'RATE', value: '10' },
      /^RATE must be 0 or '\.' on a non-dose record \(EVID 2\).*no EVID column, so EVID was inferred as 2 because AMT is 0 and MDV is 1; add an EVID column/,
    );
    expect(err.message).toBe(`test.csv, row 2, ID 1, column RATE, value '10': ${err.detail}`);
  });
  it('a negative amount makes a dose record, which is then rejected', () => {
    expectDataError(() => read(csv('ID,TIME,AMT', '1,0,-5')), { row: 2, column: 'AMT', value: '-5' }, /^dose amount AMT must not be negative \(the data set has no EVID column, so EVID was inferred as 1 because AMT is not 0/);
  });
  it('names the inferred EVID column when it is the problem', () => {
    expectDataError(() => read(csv('ID,TIME,AMT,SS', '1,0,0,1')), { row: 2, column: 'SS', value: '1' }, /no EVID column, so EVID was inferred as 0 because AMT is 0 and MDV is 0/);
  });
});

describe('data-set errors: the file as a whole', () => {
  it('empty text', () => {
    expectDataError(() => read(''), { source: 'test.csv', row: undefined }, /^the data set is empty: expected a header row/);
  });
  it('only blank lines and comments', () => {
    expectDataError(() => read('\n  \n# nothing\n'), { source: 'test.csv' }, /the data set is empty/);
  });
  it('a header without records is an empty (valid) data set', () => {
    const ds = read('ID,TIME,AMT\n');
    expect(ds.subjects).toEqual([]);
    expect(ds.columnNames).toEqual(['ID', 'TIME', 'AMT']);
  });
  it('no ID column', () => {
    expectDataError(() => read(csv('SUBJ,TIME', '1,0')), { row: 1, column: 'ID' }, /^required column ID is missing from the header \(columns: SUBJ, TIME\)$/);
  });
  it('no TIME column (header on line 3)', () => {
    expectDataError(() => read(csv('', '# x', 'ID,TAD', '1,0')), { row: 3, column: 'TIME' }, /^required column TIME is missing/);
  });
  it('a commented-out header gets a hint', () => {
    expectDataError(() => read(csv('#ID,TIME,AMT', '1,0,100')), { row: 2, column: undefined }, /looks like data.*header seems to be commented out \(line 1 starts with '#'/);
    expectDataError(() => read(csv('', '# ID, TIME, AMT', 'x,0,100')), { row: 3, column: 'ID' }, /^required column ID is missing.*header seems to be commented out \(line 2 starts with '#'/);
  });
  it('a header that looks like data', () => {
    expectDataError(() => read(csv('1,0,100', '1,1,.')), { row: 1 }, /^the first row looks like data, not a header/);
  });
  it('duplicate standard column, case-insensitively', () => {
    expectDataError(() => read(csv('ID,TIME,AMT,amt', '1,0,1,1')), { row: 1, column: 'amt' }, /^column 'amt' appears twice \(also column 3, 'AMT'\); standard column names are matched case-insensitively/);
  });
  it('duplicate other column', () => {
    expectDataError(() => read(csv('ID,TIME,WT,WT', '1,0,70,70')), { row: 1, column: 'WT' }, /^column 'WT' appears twice \(also column 3, 'WT'\)$/);
  });
  it('WT and wt are different columns', () => {
    const ds = read(csv('ID,TIME,WT,wt', '1,0,70,71'));
    expect([...ds.subjects[0]!.columns.entries()].map(([k, v]) => [k, v[0]])).toEqual([
      ['WT', 70],
      ['wt', 71],
    ]);
  });
  it('two comment columns', () => {
    expectDataError(() => read(csv('C,ID,TIME,c', '.,1,0,.')), { row: 1, column: 'c' }, /appears twice/);
  });
  it('a header cell without a name', () => {
    expectDataError(() => read(csv('ID,TIME,,DV', '1,0,1,2')), { row: 1 }, /^column 3 of the header has no name/);
  });
  it('too few cells', () => {
    expectDataError(() => read(csv('ID,TIME,AMT', '1,0,1', '1,1')), { row: 3, column: undefined }, /^expected 3 cells as in the header \(row 1\), found 2$/);
  });
  it('too many cells (a trailing comma)', () => {
    expectDataError(() => read(csv('ID,TIME,AMT', '1,0,1,')), { row: 2 }, /^expected 3 cells as in the header \(row 1\), found 4$/);
  });
  it('an empty row of separators', () => {
    expectDataError(() => read(csv('ID,TIME,AMT', '1,0,1', ',,,')), { row: 3 }, /found 4 \(the row is empty: only separators\)/);
  });
  it('a row of empty cells with the right count is a missing ID', () => {
    expectDataError(() => read(csv('ID,TIME,AMT', '1,0,1', ',,')), { row: 3, column: 'ID', value: '' }, /^ID is missing/);
  });
  it('too few cells in a quoted record', () => {
    expectDataError(() => read(csv('ID,TIME,NOTE', '1,0,"a, b"', '1,1')), { row: 3 }, /expected 3 cells/);
  });
});

describe('data-set errors: CSV quoting', () => {
  it('a quote that is never closed', () => {
    expectDataError(() => read(csv('ID,TIME,NOTE', '1,0,ok', '1,1,"oops', '1,2,x')), { row: 3 }, /^cannot read the record as CSV: the quote that opens cell 3 is never closed/);
  });
  it('text after a closing quote', () => {
    expectDataError(() => read(csv('ID,TIME,NOTE', '1,0,"a"b')), { row: 2 }, /unexpected text after the closing quote of cell 3/);
  });
  it('a quote inside an unquoted cell', () => {
    expectDataError(() => read(csv('ID,TIME,NOTE', '1,0,5" tall')), { row: 2 }, /a quote inside unquoted cell 3/);
  });
});

describe('near misses that are not errors', () => {
  const ok = (...lines: string[]) => read(csv(...lines));
  it("AMT 0 or '.' and RATE '.' on observations", () => {
    const ds = ok(H, '1,0,0,0,0,0,0,0,1,.', '1,1,0,.,.,.,.,.,1,.', '1,2,2,0,.,.,.,.,1,.');
    expect([...ds.subjects[0]!.amt]).toEqual([0, 0, 0]);
  });
  it('steady-state constant infusion (SS=1, II=0, AMT=0, RATE > 0)', () => {
    const s = ok(H, '1,0,1,0,10,0,0,1,1,.').subjects[0]!;
    expect([s.evid[0], s.amt[0], s.rate[0], s.ss[0], s.ii[0]]).toEqual([1, 0, 10, 1, 0]);
  });
  it('steady-state constant infusion with a modelled rate (RATE=-1, AMT=0)', () => {
    expect(ok(H, '1,0,1,0,-1,0,0,1,1,.').subjects[0]!.rate[0]).toBe(-1);
  });
  it('zero amount with a modelled rate or duration (RATE -1 or -2) is accepted', () => {
    expect(ok(H, '1,0,1,0,-2,24,0,0,1,.').subjects[0]!.n).toBe(1);
  });
  it('II > 0 without ADDL or SS (pointless but allowed)', () => {
    expect(ok(H, '1,0,1,100,0,24,0,0,1,.').subjects[0]!.ii[0]).toBe(24);
  });
  it('steady state with II, bolus and infusion, SS=1 and SS=2', () => {
    const s = ok(H, '1,0,1,100,0,12,2,1,1,.', '1,6,1,50,10,12,0,2,1,.').subjects[0]!;
    expect([...s.ss]).toEqual([1, 2]);
  });
  it('time restarts at EVID 3 and EVID 4 and continues from there', () => {
    const s = ok(H, '1,0,1,100,0,0,0,0,1,.', '1,10,0,.,.,.,.,.,1,.', '1,5,3,.,.,.,.,.,1,.', '1,6,0,.,.,.,.,.,1,.', '1,0,4,50,0,0,0,0,1,.', '1,1,0,.,.,.,.,.,1,.').subjects[0]!;
    expect([...s.time]).toEqual([0, 10, 5, 6, 0, 1]);
    expect([...s.evid]).toEqual([1, 0, 3, 0, 4, 0]);
  });
  it('equal times', () => {
    expect(ok(H, '1,0,1,100,0,0,0,0,1,.', '1,0,0,.,.,.,.,.,1,.').subjects[0]!.n).toBe(2);
  });
  it('a new subject may start at an earlier time', () => {
    const ds = ok(H, '1,0,0,.,.,.,.,.,1,.', '1,24,0,.,.,.,.,.,1,.', '2,0,0,.,.,.,.,.,1,.');
    expect(ds.subjects.map((s) => s.id)).toEqual(['1', '2']);
  });
  it('CMT 0 (default compartment)', () => {
    expect(ok(H, '1,0,1,100,0,0,0,0,0,.').subjects[0]!.cmt[0]).toBe(0);
  });
  it('problems in rows flagged by the C column are not reported', () => {
    const ds = ok('C,ID,TIME,AMT,EVID', 'C,1,abc,-1,9', '.,1,0,100,1', 'x,', '1,2,-5,xyz,.');
    expect(ds.ignoredRows).toBe(3);
    expect(ds.subjects[0]!.n).toBe(1);
  });
});
