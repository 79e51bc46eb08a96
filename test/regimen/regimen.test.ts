import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/core/model/index.js';
import { buildRegimen, parseRegimen } from '../../src/regimen/regimen.js';
import { parseDoseAmount, parseDurationHours, parseNumberList } from '../../src/regimen/quantity.js';
import { simulate } from '../../src/core/simulate/simulate.js';

const model = loadModel(`
ketasim: model/1
name: two-route
version: 1.0.0
title: test
units: { time: h, amount: mg, volume: L }
parameters:
  CL: { value: 10, unit: L/h }
  V: { value: 100, unit: L }
  KA: { value: 1, unit: 1/h }
  D_SW: { value: 0.5, unit: h }
covariates: { WT: { unit: kg, default: 70 }, RIFAMPICIN: { unit: "1", default: 0 } }
compartments: { GUT: {}, SWALLOWED: {}, CENTRAL: {} }
routes: { iv: CENTRAL, nasal: [GUT, SWALLOWED] }
dose:
  GUT: { bioavailability: 0.4 }
  SWALLOWED: { bioavailability: 0.1, duration: D_SW }
dynamics:
  ode: |
    d/dt(GUT) = -KA * GUT
    d/dt(SWALLOWED) = -KA * SWALLOWED
    d/dt(CENTRAL) = KA * (GUT + SWALLOWED) - CL / V * CENTRAL
outputs:
  CP: { value: 1000 * CENTRAL / V, unit: ng/mL }
`, 'test');

function doseRecords(r: ReturnType<typeof buildRegimen>): Array<Record<string, number>> {
  const s = r.dataset.subjects[0]!;
  const out: Array<Record<string, number>> = [];
  for (let i = 0; i < s.n; i++) if (s.evid[i] === 1) out.push({ TIME: s.time[i]!, AMT: s.amt[i]!, CMT: s.cmt[i]!, RATE: s.rate[i]! });
  return out;
}

describe('quantities', () => {
  it('parses amounts, durations and lists with their units', () => {
    expect(parseDoseAmount('35 mg', 'a')).toEqual({ mg: 35 });
    expect(parseDoseAmount('0.5 mg/kg', 'a')).toEqual({ mgPerKg: 0.5 });
    expect(parseDoseAmount('250 ug/kg', 'a')).toEqual({ mgPerKg: 0.25 });
    expect(parseDurationHours('40 min', 'o')).toBeCloseTo(2 / 3, 15);
    expect(parseDurationHours('2 d', 'o')).toBe(48);
    expect(parseNumberList('0,2, 4', 'd')).toEqual([0, 2, 4]);
    expect(parseNumberList('0:14:7', 'd')).toEqual([0, 7, 14]);
  });
  it('rejects numbers without units and unknown units, naming the field', () => {
    expect(() => parseDoseAmount(35, 'doses[1].amount')).toThrow(/doses\[1\]\.amount: 35 has no unit/);
    expect(() => parseDoseAmount('35 mL', 'doses[1].amount')).toThrow(/not a dose/);
    expect(() => parseDoseAmount('-1 mg', 'x')).toThrow(/not a dose|positive/);
    expect(() => parseDurationHours('40 minutes please', 'o')).toThrow(/not a duration/);
    expect(() => parseDurationHours('40 fortnights', 'o')).toThrow(/unknown time unit/);
    expect(() => parseNumberList('0,two', 'days')).toThrow(/days: "two" is not a number/);
  });
});

describe('buildRegimen', () => {
  it('writes mg/kg infusions as RATE = amount / duration on each day', () => {
    const r = buildRegimen(model, parseRegimen({ weight_kg: 80, doses: [{ route: 'iv', amount: '0.5 mg/kg', over: '40 min', days: [0, 2, 4] }] }));
    expect(doseRecords(r)).toEqual([0, 48, 96].map((t) => ({ TIME: t, AMT: 40, CMT: 3, RATE: 60 })));
    expect(r.covariates).toEqual({ WT: 80 });
    expect(r.endH).toBeCloseTo(96 + 2 / 3 + 168, 12);
  });

  it('splits a multi-compartment route into one record each, with modelled duration as RATE -2', () => {
    const r = buildRegimen(model, parseRegimen({ doses: [{ route: 'nasal', amount: '56 mg', hours: [1] }], with: ['rifampicin'] }));
    expect(doseRecords(r)).toEqual([
      { TIME: 1, AMT: 56, CMT: 1, RATE: 0 },
      { TIME: 1, AMT: 56, CMT: 2, RATE: -2 },
    ]);
    expect(r.covariates).toEqual({ RIFAMPICIN: 1 });
    // Mass: F 0.4 + 0.1 of 56 mg reaches CENTRAL; AUC = 0.5 × 56 mg / 10 L/h = 2.8 mg·h/L.
    const result = simulate(model, r.dataset);
    const s = r.dataset.subjects[0]!;
    const cp = result.values[result.outputNames.indexOf('CP')]!;
    let auc = 0;
    for (let i = 1; i < s.n; i++) auc += ((cp[i]! + cp[i - 1]!) / 2) * (s.time[i]! - s.time[i - 1]!);
    expect(auc / 1000).toBeGreaterThan(2.8 * 0.97); // truncated at 7 d + trapezoid: within 3%
    expect(auc / 1000).toBeLessThan(2.8 * 1.01);
  });

  it('places a fine grid after each dose and a coarse one elsewhere', () => {
    const r = buildRegimen(model, parseRegimen({ doses: [{ route: 'iv', amount: '10 mg', hours: [0] }], follow_up: '1 d' }));
    const diffs = r.gridH.slice(1).map((t, i) => t - r.gridH[i]!);
    expect(Math.min(...diffs)).toBeCloseTo(5 / 60, 6);
    expect(Math.max(...diffs)).toBeCloseTo(1, 6);
    expect(r.gridH.at(-1)).toBe(24);
  });

  it('names the field of every mistake', () => {
    const bad = (doses: unknown[], extra: Record<string, unknown> = {}) => () => buildRegimen(model, parseRegimen({ doses, ...extra }));
    expect(bad([{ route: 'rectal', amount: '10 mg', days: [0] }])).toThrow(/doses\[1\]\.route: route "rectal" is not defined.*iv, nasal/);
    expect(bad([{ route: 'iv', amount: '0.5 mg/kg', days: [0] }])).toThrow(/doses\[1\]\.amount: a mg\/kg dose needs the body weight/);
    expect(bad([{ route: 'nasal', amount: '28 mg', over: '5 min', days: [0] }])).toThrow(/doses\[1\]\.over: the model sets the duration/);
    expect(bad([{ route: 'iv', amount: '10 mg', days: [0, 0] }])).toThrow(/listed twice/);
    expect(bad([{ route: 'iv', amount: '10 mg', days: [0] }], { covariates: { AGE: 40 } })).toThrow(/covariates\.AGE: model two-route has no covariate AGE/);
    expect(bad([{ route: 'iv', amount: '10 mg', days: [0] }], { with: ['grapefruit'] })).toThrow(/with\[1\].*grapefruit/);
    expect(() => parseRegimen({ doses: [{ route: 'iv', amount: '10 mg' }] })).toThrow(/doses\.0: give either days or hours/);
    expect(() => parseRegimen({ doses: [{ route: 'iv', amount: '10 mg', days: [0], dayz: 1 }] })).toThrow(/unknown key\(s\) dayz/);
  });
});
