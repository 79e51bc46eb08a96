/**
 * The `ketasim` command as a user runs it (the built bin/ketasim.js): exit codes 0 ok / 1 failed / 2 bad usage,
 * outputs, and errors that name the row, the column, the value and what was expected.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ketasim, root, scratch } from './helpers.js';

const { dir, file } = scratch('ketasim-cli-');

const doses = file('doses.csv', 'ID,TIME,AMT,CMT,EVID\n1,0,100,1,1\n2,0,200,1,1\n');

describe('usage', () => {
  it('--help and --version exit 0', () => {
    expect(ketasim('--help').code).toBe(0);
    expect(ketasim('simulate', '--help').stdout).toMatch(/--model/);
    expect(ketasim('--version').stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
  it('an unknown option or a missing required one exits 2', () => {
    expect(ketasim('simulate', '--model', 'advan2', '--data', doses, '--bogus').code).toBe(2);
    const r = ketasim('simulate', '--data', doses);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--model/);
  });
  it('an unknown built-in model exits 1 and lists the library', () => {
    const r = ketasim('simulate', '--model', 'advan99', '--data', doses);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no built-in model called advan99.*advan1/);
  });
});

describe('simulate', () => {
  it('writes one row per record (CSV) with ID, TIME and the outputs; --grid adds observation rows', () => {
    const r = ketasim('simulate', '--model', 'advan2', '--data', doses, '--grid', '0:24:1');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('ID,TIME,CP');
    expect(lines).toHaveLength(1 + 2 * (1 + 25));
    // ADVAN2 defaults CL 5, V 50, KA 1: CP(t) = D·KA/(V(KA−k))·(e^{−kt} − e^{−KA t}), k = 0.1
    const row = lines.find((l) => l.startsWith('1,2,'));
    const cp = Number(row?.split(',')[2]);
    const k = 0.1;
    expect(cp).toBeCloseTo(((100 * 1) / (50 * (1 - k))) * (Math.exp(-k * 2) - Math.exp(-2)), 12);
  });
  it('--param changes a parameter; --obs-only drops dose rows; --carry copies input columns; --states adds amounts', () => {
    const r = ketasim('simulate', '-m', 'advan2', '-d', doses, '-g', '1', '-p', 'CL=10', '--obs-only', '--carry', 'EVID,AMT', '--states');
    expect(r.code).toBe(0);
    const [header, first] = r.stdout.trim().split('\n');
    expect(header).toBe('ID,TIME,EVID,AMT,CP,DEPOT,CENTRAL');
    const cells = (first ?? '').split(',').map(Number);
    expect(cells[2]).toBe(0);
    expect(cells[5]).toBeCloseTo(100 * Math.exp(-1), 12); // depot amount after 1 h
    const k = 0.2; // CL 10 / V 50
    expect(cells[4]).toBeCloseTo((100 / (50 * (1 - k))) * (Math.exp(-k) - Math.exp(-1)), 12);
  });
  it('--json gives columns, units and rows', () => {
    const out = join(dir, 'out.json');
    expect(ketasim('simulate', '-m', 'advan1', '-d', doses, '--json', '--out', out, '-q').code).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { columns: string[]; units: Record<string, string>; rows: Array<Record<string, number>> };
    expect(json.columns).toEqual(['ID', 'TIME', 'CP']);
    expect(json.units.CP).toBe('mg/L');
    expect(json.rows[0]?.CP).toBeCloseTo(2, 12); // 100 mg / 50 L
  });
  it('--idata sets per-subject parameters by ID', () => {
    const idata = file('idata.csv', 'ID,V\n1,10\n2,100\n');
    const r = ketasim('simulate', '-m', 'advan1', '-d', doses, '--idata', idata);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    expect(rows[0]?.[2]).toBeCloseTo(10, 12);
    expect(rows[1]?.[2]).toBeCloseTo(2, 12);
  });
});

describe('bad input: the message names the row, the column, the value and what was expected', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a negative dose', 'ID,TIME,AMT,CMT,EVID\n1,0,-5,1,1\n', /row 2.*AMT.*-5/],
    ['TIME going backwards', 'ID,TIME,AMT,CMT,EVID\n1,5,100,1,1\n1,2,0,1,0\n', /row 3.*TIME.*2/],
    ['an unknown CMT', 'ID,TIME,AMT,CMT,EVID\n1,0,100,7,1\n', /row 2.*CMT.*7.*does not exist.*1 DEPOT, 2 CENTRAL/],
    ['SS without II', 'ID,TIME,AMT,CMT,EVID,SS\n1,0,100,1,1,1\n', /row 2.*II/],
    ['a rate of 0 with a duration', 'ID,TIME,AMT,CMT,EVID,RATE,DUR\n1,0,100,1,1,0,2\n', /row 2.*DUR.*RATE/],
    ['a non-numeric cell', 'ID,TIME,AMT,CMT,EVID\n1,0,1O0,1,1\n', /row 2.*AMT.*1O0/],
    ['RATE=-1 without a modelled rate', 'ID,TIME,AMT,CMT,EVID,RATE\n1,0,100,2,1,-1\n', /row 2.*RATE.*-1.*modelled infusion rate/],
  ];
  for (const [what, csv, message] of cases) {
    it(what, () => {
      const r = ketasim('simulate', '-m', 'advan2', '-d', file(`bad-${what.replace(/\W+/g, '-')}.csv`, csv));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    });
  }
  it('a model that needs a missing covariate names it and the columns available', () => {
    const model = file(
      'needs-wt.yaml',
      [
        'ketasim: model/1',
        'name: needs-wt',
        'version: 1.0.0',
        'title: t',
        'units: { time: h, amount: mg, volume: L }',
        'parameters:',
        '  CL: { value: 5, unit: L/h }',
        '  V_PER_KG: { value: 0.7, unit: L/kg }',
        'covariates:',
        '  WT: { unit: kg }',
        'compartments: { CENTRAL: {} }',
        'individual: |',
        '  V = V_PER_KG * WT',
        'dynamics:',
        '  closed_form: { central: CENTRAL, parameters: { CL: CL, V: V } }',
        'outputs:',
        '  CP: { value: CENTRAL / V, unit: mg/L }',
      ].join('\n'),
    );
    const r = ketasim('simulate', '-m', model, '-d', doses);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/covariate WT.*Columns: ID, TIME, AMT, CMT, EVID/);
    expect(ketasim('simulate', '-m', model, '-d', doses, '-c', 'WT=70').code).toBe(0);
  });
  it('an error in a model formula names the block, the line and suggests a fix', () => {
    const model = file('typo.yaml', readFileSync(join(root, 'models/generic/advan1.yaml'), 'utf8').replace('CENTRAL / V,', 'CENTRAL / VV,'));
    const r = ketasim('simulate', '-m', model, '-d', doses);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/outputs\.CP.*unknown symbol 'VV'.*did you mean 'V'/);
  });
  it('a model file with a missing unit names the path and the line', () => {
    const model = file('nounit.yaml', readFileSync(join(root, 'models/generic/advan1.yaml'), 'utf8').replace('unit: L/h, ', ''));
    const r = ketasim('simulate', '-m', model, '-d', doses);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/parameters\.CL\.unit: is required \(line 14\)/);
  });
});

describe('models and describe', () => {
  it('lists the library and describes a model with units and sources', () => {
    expect(ketasim('models').stdout).toMatch(/advan2\s+One-compartment model with first-order absorption/);
    const d = ketasim('describe', 'ketamine-iv-domino');
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/K10\s+26\.286\s+1\/h\s+derived\s+domino1982/);
    expect(d.stdout).toMatch(/\[navarrete2025\]/);
  });
});
