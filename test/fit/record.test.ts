/** Patient records: JSON and CSV forms read the same; bad records get an error naming the record and the field. */
import { describe, expect, it } from 'vitest';
import { buildDesign } from '../../src/fit/design.js';
import { parsePatientCsv, parsePatientRecord } from '../../src/fit/record.js';
import { loadModelByName } from '../../src/node/library.js';
import { examplePatient, pkModel } from './helpers.js';

const base = {
  ketasim: 'patient/1',
  id: 'T1',
  weight_kg: 70,
  doses: [{ time: 0, route: 'iv', amount: 0.5, unit: 'mg/kg', duration: '40 min' }],
  observations: [
    { time: 24, type: 'MADRS', value: 20, unit: 'points' },
    { time: 25, type: 'SBP', value: 130, unit: 'mmHg' },
  ],
};
const withObs = (o: Record<string, unknown>) => ({ ...base, observations: [...base.observations, o] });
const errorOf = (input: unknown): string => {
  try {
    parsePatientRecord(input, 'p.json');
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('JSON records', () => {
  it('reads a good record: mg/kg doses in mg, times with units in hours', () => {
    const r = parsePatientRecord({ ...base, doses: [...base.doses, { time: '2 d', route: 'iv', amount: 35, unit: 'mg', duration: 0.6667 }] });
    expect(r.doses.map((d) => [d.timeH, d.amountMg, d.durationH])).toEqual([[0, 35, 40 / 60], [48, 35, 0.6667]]);
    expect(r.observations[0]?.type.name).toBe('MADRS');
  });

  it.each([
    ['a dose without route', { ...base, doses: [{ time: 0, amount: 35, unit: 'mg' }] }, /p\.json, doses\[1\]\.route: a dose needs a route/],
    ['a dose without amount', { ...base, doses: [{ time: 0, route: 'iv', unit: 'mg' }] }, /doses\[1\]\.amount: a dose needs an amount/],
    ['a dose without unit', { ...base, doses: [{ time: 0, route: 'iv', amount: 35 }] }, /doses\[1\]\.unit: a dose needs a unit/],
    ['a mg/kg dose without weight', { ...base, weight_kg: undefined, doses: [{ time: 0, route: 'iv', amount: 0.5, unit: 'mg/kg' }] }, /doses\[1\]\.unit.*needs the body weight/],
    ['MADRS 70', withObs({ time: 30, type: 'MADRS', value: 70, unit: 'points' }), /observations\[3\]\.value, value '70': MADRS 70 points is outside its range 0-60/],
    ['a blood pressure of 0', withObs({ time: 30, type: 'SBP', value: 0, unit: 'mmHg' }), /observations\[3\]\.value, value '0': SBP 0 mmHg is outside its range 50-300/],
    ['an observation without unit', withObs({ time: 30, type: 'CADSS', value: 3 }), /observations\[3\]\.unit: an observation needs a unit/],
    ['a wrong unit', withObs({ time: 30, type: 'HR', value: 80, unit: 'mmHg' }), /observations\[3\]\.unit, value 'mmHg': unit of HR must be one of/],
    ['an unknown observation type', withObs({ time: 30, type: 'HAMD', value: 12, unit: 'points' }), /observations\[3\]\.type, value 'HAMD': unknown observation type/],
    ['observations out of time order', withObs({ time: 3, type: 'MADRS', value: 25, unit: 'points' }), /observations\[3\]\.time, value '3': observation at 3 h comes before the previous observation \(25 h\)/],
    ['doses out of time order', { ...base, doses: [{ time: 48, route: 'iv', amount: 35, unit: 'mg' }, { time: 0, route: 'iv', amount: 35, unit: 'mg' }] }, /doses\[2\]\.time.*doses must be in time order/],
    ['a value that is silently missing', withObs({ time: 30, type: 'CP', value: null, unit: 'ng/mL' }), /observations\[3\]\.value: no value: give one, or mark the observation missing/],
    ['BLQ without its limit', withObs({ time: 30, type: 'CP', value: null, unit: 'ng/mL', blq: true }), /observations\[3\]\.lloq: a BLQ observation needs its lower limit/],
    ['a value below its LLOQ not marked BLQ', withObs({ time: 30, type: 'CP', value: 2, lloq: 5, unit: 'ng/mL' }), /mark it blq/],
    ['an unknown drug', { ...base, doses: [{ time: 0, drug: 'propofol', route: 'iv', amount: 35, unit: 'mg' }] }, /doses\[1\]\.drug, value 'propofol': unknown drug/],
    ['an unknown key', { ...base, height: 170 }, /unknown key\(s\) height/],
    ['a date-time without start', withObs({ time: '2026-03-02T10:00', type: 'MADRS', value: 20, unit: 'points' }), /needs the record's `start`/],
  ])('rejects %s', (_what, input, message) => {
    expect(errorOf(input)).toMatch(message);
  });

  it('reads date-times relative to start and converts units (kPa, nmol/L)', () => {
    const r = parsePatientRecord({
      ...base,
      start: '2026-03-02T09:00',
      observations: [
        { time: '2026-03-02T10:00', type: 'CP', value: 420.6, unit: 'nmol/L' },
        { time: '2026-03-02T11:00', type: 'SBP', value: 16, unit: 'kPa' },
      ],
    });
    expect(r.observations[0]?.timeH).toBe(1);
    expect(r.observations[0]?.value).toBeCloseTo(420.6 * 0.23773, 9);
    expect(r.observations[1]?.value).toBeCloseTo(120.01, 2);
  });
});

describe('CSV records', () => {
  const csv = [
    'ID,TIME,EVID,AMT,AMTU,ROUTE,DUR,DV,DVID,DVU,MDV,BLQ,LLOQ,WT',
    '7,0,1,0.5,mg/kg,iv,0.6667,.,.,.,.,.,.,70',
    '7,0.5,0,.,.,.,.,150,CP,ng/mL,0,0,5,70',
    '7,24,0,.,.,.,.,.,CP,ng/mL,0,1,5,70',
    '7,25,0,.,.,.,.,.,CP,ng/mL,1,0,.,70',
  ].join('\n');

  it('reads doses, observations, BLQ and missing values', () => {
    const r = parsePatientCsv(csv, 'p.csv');
    expect(r.id).toBe('7');
    expect(r.weightKg).toBe(70);
    expect(r.doses[0]?.amountMg).toBe(35);
    expect(r.observations.map((o) => [o.blq, o.missing, o.lloq])).toEqual([[false, false, 5], [true, false, 5], [false, true, undefined]]);
  });

  it('names the CSV row of a bad record', () => {
    expect(() => parsePatientCsv(csv.replace('7,0,1,0.5,mg/kg,iv', '7,0,1,0.5,mg/kg,'), 'p.csv')).toThrow(/p\.csv, row 2, doses\[1\]\.route: a dose needs a route/);
    expect(() => parsePatientCsv(csv.replace('150,CP', '150,FOO'), 'p.csv')).toThrow(/p\.csv, row 3, observations\[1\]\.type, value 'FOO': unknown observation type/);
    expect(() => parsePatientCsv(csv.replace('7,24,0', '7,0.2,0'), 'p.csv')).toThrow(/p\.csv, row 4, column TIME, value '0.2': TIME 0.2 h is before the previous row's 0.5 h/);
    expect(() => parsePatientCsv(csv.replace('7,25,0,.,.,.,.,.,CP,ng/mL,1,0,.,70', '7,25,0,.,.,.,.,.,CP,ng/mL,1,0,.,72'), 'p.csv')).toThrow(/row 5, column WT.*body weight is one value per record/);
  });

  it('the example CSV and JSON records of the same patient give the same record', () => {
    const fromJson = examplePatient('depression-patient.json');
    const fromCsv = examplePatient('depression-patient.csv');
    const strip = (r: typeof fromJson) => ({ doses: r.doses.map(({ where: _w, ...d }) => d), obs: r.observations.map(({ where: _w, written: _x, ...o }) => o), cov: r.covariates, wt: r.weightKg });
    expect(strip(fromCsv)).toEqual(strip(fromJson));
  });
});

describe('design', () => {
  it('lists observations the model cannot use, with the reason, and refuses unknown routes', () => {
    const model = pkModel();
    const r = parsePatientRecord({ ...base, observations: [...base.observations, { time: 30, type: 'CP', value: 20, unit: 'ng/mL' }] }, 'p.json');
    const d = buildDesign(model, r);
    expect(d.observations.length).toBe(1);
    expect(d.unused.map((u) => `${u.record.where}: ${u.reason}`)).toEqual([
      'observations[1]: model ketamine-iv-pk-bsv has no output MADRS',
      'observations[2]: model ketamine-iv-pk-bsv has no output SBP',
    ]);
    const bad = parsePatientRecord({ ...base, doses: [{ time: 0, route: 'rectal', amount: 35, unit: 'mg' }] }, 'p.json');
    expect(() => buildDesign(model, bad)).toThrow(/p\.json, doses\[1\]\.route, value 'rectal': route "rectal" is not defined by model ketamine-iv-pk-bsv/);
  });

  it('refuses an esketamine dose for the racemic model', () => {
    const model = loadModelByName('ketamine-depression');
    const r = parsePatientRecord({ ...base, doses: [{ time: 0, drug: 'esketamine', route: 'intranasal', amount: 56, unit: 'mg' }] }, 'p.json');
    expect(() => buildDesign(model, r)).toThrow(/an esketamine dose, but model ketamine-depression is for racemic ketamine/);
  });
});
