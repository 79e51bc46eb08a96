/**
 * Time-varying covariates in patient records (`covariate_changes`, or a CSV covariate column that changes): a
 * change at T holds from T on — predictions before T are those of the record without the change (the data set's
 * next-observation-carried-backward rule must not pull the new value into the interval before T), a dose at T
 * already sees it. Errors name the change and the field.
 */
import { describe, expect, it } from 'vitest';
import { buildDesign } from '../../src/fit/design.js';
import { parsePatientCsv, parsePatientRecord, type PatientRecordInput } from '../../src/fit/record.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { loadModelByName } from '../../src/node/library.js';
import { fitPatient } from '../../src/fit/fit.js';
import { forecastPlans, recordBaseline, type Band5 } from '../../src/fit/forecast.js';
import { parsePlan } from '../../src/fit/plan.js';
import { examplePatient } from './helpers.js';

const model = loadModelByName('ketamine-depression');

const record = (changes: PatientRecordInput['covariate_changes']): PatientRecordInput => ({
  ketasim: 'patient/1',
  id: 'TV',
  weight_kg: 70,
  covariates: { BASE_MADRS: 32, BASE_SBP: 125 },
  ...(changes !== undefined ? { covariate_changes: changes } : {}),
  doses: [0, 72, 144, 216].map((h) => ({ time: h, route: 'iv', amount: 0.5, unit: 'mg/kg', duration: '40 min' })),
  observations: [0.5, 2, 24, 71, 72.5, 96, 143, 145, 240].flatMap((h) => [
    { time: h, type: 'MADRS', value: 20, unit: 'points' },
    { time: h, type: 'SBP', value: 130, unit: 'mmHg' },
  ]),
});

/** Typical-patient predictions of an output at the record's observations, in record order. */
function predicted(input: PatientRecordInput, output: string): { timeH: number; value: number }[] {
  const design = buildDesign(model, parsePatientRecord(input, 'tv.json'));
  const result = simulate(model, design.dataset);
  const col = result.values[result.outputNames.indexOf(output)] as Float64Array;
  return design.observations.filter((o) => model.outputNames[o.output] === output).map((o) => ({ timeH: o.record.timeH, value: col[o.row] as number }));
}

describe('covariate changes in a patient record', () => {
  it('a new resting blood pressure from 96 h on shifts SBP by exactly the change from 96 h, and not before', () => {
    const without = predicted(record(undefined), 'SBP');
    const withChange = predicted(record([{ time: 96, covariates: { BASE_SBP: 140 } }]), 'SBP');
    expect(withChange.map((p) => p.timeH)).toEqual(without.map((p) => p.timeH));
    withChange.forEach((p, i) => {
      const diff = p.value - (without[i]?.value as number);
      expect(diff, `SBP at ${p.timeH} h`).toBeCloseTo(p.timeH >= 96 ? 15 : 0, 10);
    });
  });

  it('a benzodiazepine started 2 h after the first infusion changes nothing before 2 h, and the course after it', () => {
    const without = predicted(record(undefined), 'MADRS');
    const withBzd = predicted(record([{ time: 2, covariates: { BZD_DZP_MG: 20 } }]), 'MADRS');
    for (const [i, p] of withBzd.entries()) {
      const ref = without[i]?.value as number;
      if (p.timeH < 2) expect(p.value, `MADRS at ${p.timeH} h`).toBe(ref);
      else expect(p.value, `MADRS at ${p.timeH} h`).toBeGreaterThan(ref);
    }
  });

  it('the data set: values before the change up to and including a record at its time that sorts first, new ones from it on', () => {
    const design = buildDesign(model, parsePatientRecord(record([{ time: 72, covariates: { BASE_SBP: 140 } }]), 'tv.json'));
    const s = design.dataset.subjects[0];
    const col = s?.columns.get('BASE_SBP') as Float64Array;
    const at72 = Array.from({ length: s?.n ?? 0 }, (_, i) => i).filter((i) => s?.time[i] === 72);
    // the change record first (the values before), then the dose rows (one per compartment the route doses)
    expect(at72.map((i) => [s?.evid[i], col[i]])).toEqual([
      [2, 125],
      [1, 140],
      [1, 140],
    ]);
    for (let i = 0; i < (s?.n ?? 0); i++) {
      const t = s?.time[i] as number;
      if (t < 72) expect(col[i]).toBe(125);
      if (t > 72) expect(col[i]).toBe(140);
    }
  });

  it('the CSV form: a covariate column that changes is a change from that row on', () => {
    const csv = [
      'ID,TIME,EVID,AMT,AMTU,ROUTE,RATE,DV,DVID,DVU,WT,BASE_SBP',
      '1,0,1,35,mg,iv,52.5,.,.,.,70,125',
      '1,1,0,.,.,.,.,131,SBP,mmHg,70,125',
      '1,48,0,.,.,.,.,141,SBP,mmHg,70,140',
      '1,72,0,.,.,.,.,139,SBP,mmHg,70,140',
      '1,96,0,.,.,.,.,150,SBP,mmHg,70,150',
    ].join('\n');
    const r = parsePatientCsv(csv, 'tv.csv');
    expect(r.covariates).toEqual({ BASE_SBP: 125 });
    expect(r.covariateChanges.map((c) => [c.timeH, c.covariates])).toEqual([
      [48, { BASE_SBP: 140 }],
      [96, { BASE_SBP: 150 }],
    ]);
    const design = buildDesign(model, r);
    expect(design.covariates.BASE_SBP).toBe(150);
    expect(design.initialCovariates.BASE_SBP).toBe(125);
  });

  it('errors name the change and the field', () => {
    const error = (changes: PatientRecordInput['covariate_changes']): string => {
      try {
        buildDesign(model, parsePatientRecord(record(changes), 'tv.json'));
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(error([{ time: 96, covariates: { BASE_SBP: 140 } }, { time: 48, covariates: { BASE_SBP: 130 } }])).toMatch(/tv\.json, covariate_changes\[2\]\.time.*after the previous change/);
    expect(error([{ time: 96, covariates: { WT: 80 } }])).toMatch(/covariate_changes\[1\]\.covariates\.WT.*weight_kg/);
    expect(error([{ time: 96, covariates: { NOPE: 1 } }])).toMatch(/covariate_changes\[1\]\.covariates\.NOPE.*has no covariate NOPE/);
    expect(error([{ time: 96, covariates: {} }])).toMatch(/covariate_changes\[1\]\.covariates.*no covariate values/);
  });
});

describe('planned covariate changes in forecasts', () => {
  it('a plan file parses them (errors name the field) and a forecast applies them from their time on', () => {
    const record = examplePatient('depression-patient.json');
    const fit = fitPatient(model, record, { draws: 40 });
    const booster = { route: 'iv', amount: '0.5 mg/kg', over: '40 min', days: [46] };
    const plain = parsePlan({ doses: [booster] }, record, model.name, 'booster.yaml');
    const withBzd = parsePlan({ doses: [booster], covariate_changes: [{ time: '45 d', covariates: { BZD_DZP_MG: 20 } }] }, record, model.name, 'bzd.yaml');
    expect(withBzd.covariateChanges.map((c) => [c.timeH, c.covariates])).toEqual([[45 * 24, { BZD_DZP_MG: 20 }]]);
    expect(withBzd.label).toMatch(/BZD_DZP_MG 20 from day 45/);
    expect(() => parsePlan({ covariate_changes: [{ time: '45 d', covariates: { WT: 90 } }] }, record, model.name, 'bad.yaml')).toThrow(/bad\.yaml: covariate_changes\[1\]\.covariates\.WT/);
    const f = forecastPlans(model, fit, {
      horizonH: 21 * 24,
      draws: 40,
      baseline: recordBaseline(model, fit),
      scenarios: [
        { label: 'booster', doses: plain.doses },
        { label: 'booster, benzodiazepine from day 45', doses: withBzd.doses, covariateChanges: withBzd.covariateChanges },
      ],
    });
    const madrs = (i: number): Band5 => f.scenarios[i]?.bands.find((b) => b.name === 'MADRS' && b.grid === 'common') as Band5;
    const [a, b] = [madrs(0), madrs(1)];
    a.timesH.forEach((t, k) => {
      const x = a.ipred[k] as number;
      const y = b.ipred[k] as number;
      // Before the change: the same up to the ODE solver's tolerance (the change is a restart, so the steps differ).
      if (t < 45 * 24) expect(Math.abs(y - x), `MADRS at ${t} h`).toBeLessThan(1e-5);
      else if (t >= 47 * 24) expect(y, `MADRS at ${t} h`).toBeGreaterThan(x + 1e-3);
    });
    expect(() => forecastPlans(model, fit, { horizonH: 24, draws: 5, baseline: recordBaseline(model, fit), scenarios: [{ label: 'late', doses: [], covariateChanges: [{ timeH: 24, covariates: { BZD_DZP_MG: 5 }, where: 'x' }] }] })).toThrow(/before the forecast origin/);
  }, 60_000);
});
