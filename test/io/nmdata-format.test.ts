/** How the reader reads text: line endings, BOM, quoting, comments, the C column, text columns, EVID/MDV inference. */
import { describe, expect, it } from 'vitest';
import { csv, plain, read } from './helpers.js';

const BASE = ['ID,TIME,AMT,EVID,DV', '1,0,100,1,.', '1,1,.,0,5.5', '2,0,50,1,.', '2,2,0,0,3'];

describe('line endings, BOM, blank lines', () => {
  const reference = read(csv(...BASE));

  it('reads the base data set', () => {
    expect(reference.subjects.map((s) => [s.id, [...s.time], [...s.amt], [...s.evid], [...s.mdv]])).toEqual([
      ['1', [0, 1], [100, 0], [1, 0], [1, 0]],
      ['2', [0, 2], [50, 0], [1, 0], [1, 0]],
    ]);
    expect([...reference.subjects[0]!.columns.get('DV')!]).toEqual([NaN, 5.5]);
    expect([...reference.subjects[1]!.sourceRow]).toEqual([4, 5]);
  });

  const variants: Array<[string, string]> = [
    ['CRLF', BASE.join('\r\n') + '\r\n'],
    ['CR only', BASE.join('\r') + '\r'],
    ['mixed LF and CRLF', BASE.slice(0, 3).join('\r\n') + '\n' + BASE.slice(3).join('\n')],
    ['no final line break', BASE.join('\n')],
    ['trailing empty lines', BASE.join('\n') + '\n\n\n'],
    ['trailing blank lines with spaces (CRLF)', BASE.join('\r\n') + '\r\n  \r\n\t\r\n'],
    ['BOM', '\uFEFF' + BASE.join('\n') + '\n'],
    ['BOM and CRLF', '\uFEFF' + BASE.join('\r\n') + '\r\n'],
    ['spaces and tabs around cells', BASE.map((l) => l.split(',').join(' ,\t ')).join('\n')],
    ['every cell quoted (R write.csv)', BASE.map((l) => l.split(',').map((c) => `"${c}"`).join(',')).join('\n')],
    ['quoted header only', [BASE[0]!.split(',').map((c) => `"${c}"`).join(','), ...BASE.slice(1)].join('\r\n')],
    ['quoted cells with spaces around the quotes', BASE.map((l) => l.split(',').map((c) => ` "${c}" `).join(',')).join('\n')],
  ];
  it.each(variants)('%s gives the same data set', (_name, text) => {
    const ds = read(text);
    expect(ds.subjects.map(plain)).toEqual(reference.subjects.map(plain));
    expect(ds.columnNames).toEqual(reference.columnNames);
  });

  it('counts blank and comment lines in the row numbers', () => {
    const ds = read(['# a data set', '', BASE[0], '# subject 1', BASE[1], '   ', BASE[2], '\t# indented comment', BASE[3], BASE[4]].join('\r\n'));
    expect(ds.subjects.map((s) => [...s.sourceRow])).toEqual([
      [5, 7],
      [9, 10],
    ]);
  });

  it('CR-only files count lines too', () => {
    const ds = read(['# x', ...BASE].join('\r'));
    expect([...ds.subjects[0]!.sourceRow]).toEqual([3, 4]);
  });
});

describe('quoted cells', () => {
  it('keep commas, doubled quotes and line breaks inside quotes, and count the lines', () => {
    const text = csv('ID,TIME,NOTE,DV', '1,0,"a, b",1', '1,1,"say ""hi""",2', '1,2,"two', 'lines",3', '1,3,plain,4');
    const ds = read(text);
    const s = ds.subjects[0]!;
    expect([...s.sourceRow]).toEqual([2, 3, 4, 6]);
    expect([...s.columns.get('DV')!]).toEqual([1, 2, 3, 4]);
    expect(ds.textColumns).toEqual([{ name: 'NOTE', firstRow: 2, firstValue: 'a, b' }]);
  });

  it('a quoted number is a number, and a quoted empty cell is missing', () => {
    const s = read(csv('ID,TIME,AMT,EVID,WT', '"1","0","100","1","70.5"', '"1","1","","0",""')).subjects[0]!;
    expect([...s.amt]).toEqual([100, 0]);
    expect([...s.columns.get('WT')!]).toEqual([70.5, NaN]);
  });

  it('a multi-line quoted record with CRLF line endings', () => {
    const s = read(['ID,TIME,NOTE', '1,0,"x\r\ny\r\nz"', '1,1,ok'].join('\r\n')).subjects[0]!;
    expect([...s.sourceRow]).toEqual([2, 5]);
  });

  it('a quote in a comment line is ignored', () => {
    const ds = read(csv('# the "new" data', 'ID,TIME', '# 5" tall', '1,0'));
    expect([...ds.subjects[0]!.sourceRow]).toEqual([4]);
  });

  it("'#' inside a quoted multi-line cell is not a comment", () => {
    const s = read(csv('ID,TIME,NOTE,DV', '1,0,"a', '# b",1', '1,1,c,2')).subjects[0]!;
    expect([...s.columns.get('DV')!]).toEqual([1, 2]);
    expect([...s.sourceRow]).toEqual([2, 4]);
  });
});

describe('the C comment column', () => {
  it("skips rows whose C is not '.', empty or 0, and counts them", () => {
    const ds = read(csv('C,ID,TIME,AMT,EVID', '.,1,0,100,1', 'C,1,0.5,.,0', ',1,1,.,0', '0,1,2,.,0', '1,1,3,.,0', 'x,1,4,.,0', '#not-a-comment-here,1,5,.,0'));
    expect(ds.ignoredRows).toBe(3);
    expect([...ds.subjects[0]!.time]).toEqual([0, 1, 2]);
    expect([...ds.subjects[0]!.sourceRow]).toEqual([2, 4, 5]);
  });

  it('is matched case-insensitively, may be anywhere, and is not a model column', () => {
    const ds = read(csv('ID,TIME,DV,c', '1,0,1,.', '1,1,2,skip me', '1,2,3,'));
    expect(ds.ignoredRows).toBe(1);
    expect([...ds.subjects[0]!.columns.keys()]).toEqual(['DV']);
    expect(ds.columnNames).toEqual(['ID', 'TIME', 'DV', 'c']);
    expect(ds.textColumns).toEqual([]);
  });

  it('a flagged row may have the wrong number of cells', () => {
    const ds = read(csv('C,ID,TIME', 'C this row is a note, with commas, and more', '.,1,0'));
    expect(ds.ignoredRows).toBe(1);
    expect(ds.subjects[0]!.n).toBe(1);
  });

  it('C quoted', () => {
    const ds = read(csv('C,ID,TIME', '"C",1,0', '".",1,1'));
    expect(ds.ignoredRows).toBe(1);
    expect([...ds.subjects[0]!.time]).toEqual([1]);
  });

  it('without a C column nothing is skipped: a row starting with C is an error', () => {
    expect(() => read(csv('ID,TIME', 'C,0'))).toThrow(/ID must be a number/);
  });
});

describe('other columns', () => {
  it('numeric columns become Float64Arrays with NaN for missing cells', () => {
    const s = read(csv('ID,TIME,WT,DV,LAGT', '1,0,70,.,0.5', '1,1,,1e-3,+2', '1,2,71.5,-0,.5')).subjects[0]!;
    expect([...s.columns.get('WT')!]).toEqual([70, NaN, 71.5]);
    expect([...s.columns.get('DV')!]).toEqual([NaN, 0.001, -0]);
    expect([...s.columns.get('LAGT')!]).toEqual([0.5, 2, 0.5]);
  });

  it('a column with a non-numeric cell is a text column, with its first bad row and value', () => {
    const ds = read(csv('ID,TIME,DRUG,WT,FLAG', '1,0,.,70,1', '1,1,ketamine,71,NaN', '1,2,esketamine,72,Inf'));
    expect(ds.textColumns).toEqual([
      { name: 'DRUG', firstRow: 3, firstValue: 'ketamine' },
      { name: 'FLAG', firstRow: 3, firstValue: 'NaN' },
    ]);
    expect([...ds.subjects[0]!.columns.keys()]).toEqual(['WT']);
    expect(ds.columnNames).toEqual(['ID', 'TIME', 'DRUG', 'WT', 'FLAG']);
  });

  it('text columns are reported per data set, across subjects', () => {
    const ds = read(csv('ID,TIME,SEX', '1,0,0', '2,0,1', '3,0,M'));
    expect(ds.textColumns).toEqual([{ name: 'SEX', firstRow: 4, firstValue: 'M' }]);
    expect(ds.subjects.every((s) => !s.columns.has('SEX'))).toBe(true);
  });

  it('columns of one subject are views of its records only', () => {
    const ds = read(csv('ID,TIME,DV', '1,0,1', '1,1,2', '2,0,3'));
    expect([...ds.subjects[1]!.columns.get('DV')!]).toEqual([3]);
  });
});

describe('numbers', () => {
  it.each([
    ['12', 12],
    ['+12', 12],
    ['-0.5', -0.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['2.5e+2', 250],
    ['0.1', 0.1],
    ['123456789012345', 123456789012345],
    ['1234567890123456789', 1234567890123456800], // rounded as Number() rounds it
    ['0.30000000000000004', 0.30000000000000004],
    ['8.33333333333333', 8.33333333333333],
    ['007', 7],
  ])('%s reads as %d', (cell, value) => {
    const s = read(csv('ID,TIME,AMT,EVID,II,DV', `1,0,10,1,${value >= 0 ? cell : '.'},${cell}`)).subjects[0]!;
    expect(s.columns.get('DV')![0]).toBe(value);
    if (value >= 0) expect(s.ii[0]).toBe(value);
  });

  it('-0 in standard columns', () => {
    expect(read(csv('ID,TIME', '1,-0')).subjects[0]!.time[0]).toBe(-0);
  });
});

describe('standard columns', () => {
  it('are matched case-insensitively and default to 0', () => {
    const s = read(csv('id,Time,aMt,Evid,cmt', '1,0,100,1,2')).subjects[0]!;
    expect([s.amt[0], s.evid[0], s.cmt[0], s.rate[0], s.dur[0], s.ii[0], s.addl[0], s.ss[0], s.mdv[0]]).toEqual([100, 1, 2, 0, 0, 0, 0, 0, 1]);
  });

  it("'.' and empty cells are 0", () => {
    const s = read(csv('ID,TIME,AMT,RATE,DUR,CMT,EVID,II,ADDL,SS,MDV', '1,0,.,,.,,.,,.,,.')).subjects[0]!;
    expect(plain(s)).toMatchObject({ amt: [0], rate: [0], dur: [0], cmt: [0], evid: [0], ii: [0], addl: [0], ss: [0], mdv: [0] });
  });

  it('the ID is kept as written (first record of the subject)', () => {
    const ds = read(csv('ID,TIME', '01,0', '1.0,1', '2e0,0'));
    expect(ds.subjects.map((s) => [s.id, s.n])).toEqual([
      ['01', 2],
      ['2e0', 1],
    ]);
  });
});

describe('EVID and MDV inference', () => {
  it('no EVID, no MDV: EVID 1 where AMT ≠ 0, else 0; MDV 1 for EVID ≠ 0', () => {
    const s = read(csv('ID,TIME,AMT', '1,0,100', '1,1,.', '1,2,0', '1,3,5')).subjects[0]!;
    expect([...s.evid]).toEqual([1, 0, 0, 1]);
    expect([...s.mdv]).toEqual([1, 0, 0, 1]);
  });

  it('no EVID, MDV given: EVID 2 where AMT = 0 and MDV = 1', () => {
    const s = read(csv('ID,TIME,AMT,MDV', '1,0,100,1', '1,1,.,1', '1,2,.,0', '1,3,.,.')).subjects[0]!;
    expect([...s.evid]).toEqual([1, 2, 0, 0]);
    expect([...s.mdv]).toEqual([1, 1, 0, 0]);
  });

  it('no AMT either: all observations', () => {
    const s = read(csv('ID,TIME,DV', '1,0,1', '1,1,2')).subjects[0]!;
    expect([...s.evid]).toEqual([0, 0]);
    expect([...s.mdv]).toEqual([0, 0]);
  });

  it('EVID given, no MDV: MDV 1 where EVID ≠ 0', () => {
    const s = read(csv('ID,TIME,AMT,EVID', '1,0,100,1', '1,1,.,0', '1,2,.,2', '1,3,.,3', '1,0,10,4')).subjects[0]!;
    expect([...s.mdv]).toEqual([1, 0, 1, 1, 1]);
  });

  it('EVID and MDV given: kept as given', () => {
    const s = read(csv('ID,TIME,AMT,EVID,MDV', '1,0,100,1,0', '1,1,.,0,1')).subjects[0]!;
    expect([...s.evid]).toEqual([1, 0]);
    expect([...s.mdv]).toEqual([0, 1]);
  });

  it('EVID given but AMT ≠ 0 on EVID 0 is not re-inferred: it is an error', () => {
    expect(() => read(csv('ID,TIME,AMT,EVID', '1,0,100,0'))).toThrow(/non-dose record \(EVID 0\)/);
  });
});
