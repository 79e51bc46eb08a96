/**
 * Forecasts and recommendations for the simulated depression patient (examples/patients/depression-patient.json):
 * plans (errors name the field), the baseline of the response definition, prediction intervals, relapse and the
 * booster due date, clinic limits (zod, errors name the field), refusals, and the commands.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fitPatient, type PatientFit } from '../../src/fit/fit.js';
import { forecastPlans, recordBaseline, type PlanForecast } from '../../src/fit/forecast.js';
import { parsePlan } from '../../src/fit/plan.js';
import { DEFAULT_LIMIT_SOURCES, defaultClinicLimits, parseClinicLimits } from '../../src/fit/clinic-limits.js';
import { recommend, RecommendRefusal } from '../../src/fit/recommend.js';
import { parsePatientRecord } from '../../src/fit/record.js';
import { loadModelByName } from '../../src/node/library.js';
import { loadSafetyRules } from '../../src/node/safety-rules.js';
import { parse as parseYamlText } from 'yaml';
import { ketasim, scratch } from '../cli/helpers.js';
import { examplePatient, root } from './helpers.js';

const model = loadModelByName('ketamine-depression');
const record = examplePatient('depression-patient.json');
const json = JSON.parse(readFileSync(join(root, 'examples/patients/depression-patient.json'), 'utf8')) as { covariates: Record<string, number>; observations: { type: string; time: number }[]; doses: unknown[] };

let fit: PatientFit;
let f: PlanForecast;
beforeAll(() => {
  fit = fitPatient(model, record, { draws: 300 });
  f = forecastPlans(model, fit, {
    horizonH: 28 * 24,
    draws: 300,
    baseline: recordBaseline(model, fit),
    scenarios: [
      { label: 'no further dose', doses: [] },
      { label: 'booster day 46', doses: [{ timeH: 46 * 24, drug: 'ketamine', route: 'iv', amountMg: 40, durationH: 2 / 3 }] },
      { label: 'booster day 46, 1 mg/kg', doses: [{ timeH: 46 * 24, drug: 'ketamine', route: 'iv', amountMg: 80, durationH: 2 / 3 }] },
    ],
  });
}, 60000);

describe('plans', () => {
  it('resolves mg/kg with the record weight and days from time zero', () => {
    const p = parsePlan({ doses: [{ route: 'iv', amount: '0.5 mg/kg', over: '40 min', days: [45, 52], at: '9 h' }] }, record, model.name, 'plan.yaml');
    expect(p.doses.map((d) => d.timeH)).toEqual([45 * 24 + 9, 52 * 24 + 9]);
    expect(p.doses[0]?.amountMg).toBe(40);
    expect(p.doses[0]?.durationH).toBeCloseTo(2 / 3, 12);
    expect(p.label).toContain('40 mg iv over 40 min on days');
  });
  it('names the field of a bad plan', () => {
    expect(() => parsePlan({ doses: [{ route: 'iv', amount: '0.5', days: [45] }] }, record, model.name, 'plan.yaml')).toThrow(/plan\.yaml: doses\[1\]\.amount: 0\.5 has no unit|plan\.yaml: doses\[1\]\.amount: "0\.5" is not a dose/);
    expect(() => parsePlan({ doses: [{ route: 'iv', amount: '35 mg', dayz: [45] }] }, record, model.name, 'plan.yaml')).toThrow(/plan\.yaml: doses\[1\]: unknown key\(s\) dayz/);
    expect(() => parsePlan({ doses: [{ route: 'iv', amount: '35 mg', days: [45], over: '40' }] }, record, model.name, 'plan.yaml')).toThrow(/doses\[1\]\.over/);
    expect(() => parsePlan({ dose: [] }, record, model.name, 'plan.yaml')).toThrow(/plan\.yaml: unknown key\(s\) dose/);
  });
});

describe('baseline of the response definition', () => {
  it('is BASE_MADRS when the record gives it, else the last rating before the first dose, else the model default', () => {
    expect(recordBaseline(model, fit)).toMatchObject({ value: 34, from: 'covariate' });
    const { BASE_MADRS: _drop, ...rest } = json.covariates;
    const noCov = parsePatientRecord({ ...json, covariates: rest, observations: [{ time: 0, type: 'MADRS', value: 30, unit: 'points' }, ...json.observations] }, 'x.json');
    const fitNoCov = { ...fit, design: { ...fit.design, record: noCov } } as PatientFit;
    expect(recordBaseline(model, fitNoCov)).toMatchObject({ value: 30, from: 'rating' });
    const none = parsePatientRecord({ ...json, covariates: rest }, 'y.json');
    expect(recordBaseline(model, { ...fit, design: { ...fit.design, record: none } } as PatientFit)).toMatchObject({ value: 32, from: 'model default' });
  });
});

describe('forecast', () => {
  it('gives ordered prediction intervals and a response level of half the baseline', () => {
    expect(f.responseLevel).toBe(17);
    for (const s of f.scenarios) {
      for (const b of s.bands) {
        expect(b.p05.length).toBe(b.timesH.length);
        for (let i = 0; i < b.timesH.length; i++) {
          expect(b.p05[i]!).toBeLessThanOrEqual(b.p25[i]! + 1e-12);
          expect(b.p25[i]!).toBeLessThanOrEqual(b.median[i]! + 1e-12);
          expect(b.median[i]!).toBeLessThanOrEqual(b.p75[i]! + 1e-12);
          expect(b.p75[i]!).toBeLessThanOrEqual(b.p95[i]! + 1e-12);
        }
      }
    }
  });
  it('relapse and booster due follow their definitions', () => {
    const none = f.scenarios[0]!;
    const r = none.relapse!;
    const times = Float64Array.from(none.relapseTimesH!).sort();
    expect(r.respondingNow).toBeCloseTo(times.filter((t) => t > 0).length / times.length, 12);
    // Booster due = the 10% quantile of the time to relapse: at most 10% of draws have relapsed before it.
    const due = none.booster!.fromOriginH!;
    expect(due).toBeCloseTo(r.timeToRelapseH.p10, 9);
    expect(times.filter((t) => t < due).length / times.length).toBeLessThanOrEqual(0.1 + 1e-9);
    expect(times.filter((t) => t <= due + 1e-6).length / times.length).toBeGreaterThanOrEqual(0.1 - 1 / times.length);
    // The simulated patient responds at the end of its record.
    expect(r.respondingNow).toBeGreaterThan(0.9);
    expect(r.fractionInResponse).toBeGreaterThan(0);
    expect(r.fractionInResponse).toBeLessThan(1);
  });
  it('a booster keeps more of the horizon in response, a larger one more, at higher peaks', () => {
    const [none, b, big] = f.scenarios.map((s) => s.relapse!) as [NonNullable<(typeof f.scenarios)[0]['relapse']>, NonNullable<(typeof f.scenarios)[0]['relapse']>, NonNullable<(typeof f.scenarios)[0]['relapse']>];
    expect(b.fractionInResponse).toBeGreaterThan(none.fractionInResponse);
    expect(big.fractionInResponse).toBeGreaterThanOrEqual(b.fractionInResponse);
    expect(f.scenarios[0]!.peaks).toEqual([]);
    const peak = (k: number, o: string): number => f.scenarios[k]!.peaks.find((p) => p.output === o)!.peak.median;
    expect(peak(2, 'CADSS')).toBeGreaterThan(peak(1, 'CADSS'));
    expect(peak(2, 'SBP')).toBeGreaterThan(peak(1, 'SBP'));
    expect(peak(1, 'SBP')).toBeGreaterThan(128);
  });
  it('refuses a planned dose before the end of the record', () => {
    expect(() => forecastPlans(model, fit, { horizonH: 24, draws: 5, baseline: recordBaseline(model, fit), scenarios: [{ label: 'early', doses: [{ timeH: 24, drug: 'ketamine', route: 'iv', amountMg: 40, durationH: 0.5 }] }] })).toThrow(/before the forecast origin/);
  });
});

describe('clinic limits', () => {
  it('defaults carry a source for every limit', () => {
    for (const drug of ['ketamine', 'esketamine'] as const) {
      const l = defaultClinicLimits(drug);
      for (const [name, limit] of Object.entries(l.limits)) {
        expect(limit, name).toBeDefined();
        expect(l.sources[limit!.source], name).toBeDefined();
      }
    }
  });
  it('validates a clinic file and names the field', () => {
    const ok = parseClinicLimits(readYaml('examples/patients/clinic-limits.yaml'), 'clinic-limits.yaml', DEFAULT_LIMIT_SOURCES);
    expect(ok.limits.peak_sbp?.above).toBe(160);
    const base = { ketasim: 'clinic-limits/1', name: 'x' };
    expect(() => parseClinicLimits({ ...base, limits: { peak_sbp: { above: 160 } } }, 'c.yaml')).toThrow(/c\.yaml: limits\.peak_sbp\.source/);
    expect(() => parseClinicLimits({ ...base, limits: { peak_sbp: { above: 160, source: 'nowhere' } } }, 'c.yaml')).toThrow(/c\.yaml: limits\.peak_sbp\.source: unknown source "nowhere"/);
    expect(() => parseClinicLimits({ ...base, limits: { peak_sbp: { above: 160, at_least: 1, source: 'delsant2020' } } }, 'c.yaml', DEFAULT_LIMIT_SOURCES)).toThrow(/limits\.peak_sbp: give exactly one of above, at_least/);
    expect(() => parseClinicLimits({ ...base, limits: { peak_sbpp: {} } }, 'c.yaml')).toThrow(/c\.yaml: limits: unknown key\(s\) peak_sbpp/);
    expect(() => parseClinicLimits({ ...base, limits: { session_dose: { above: '1 mgkg', source: 'andrade2017' } } }, 'c.yaml', DEFAULT_LIMIT_SOURCES)).toThrow(/c\.yaml: limits\.session_dose: .*is not a dose/);
    expect(() => parseClinicLimits({ ...base, limits: { min_interval: { at_least: '7', source: 'andrade2017' } } }, 'c.yaml', DEFAULT_LIMIT_SOURCES)).toThrow(/limits\.min_interval: .*has no unit|limits\.min_interval: .*not a duration/);
    expect(() => parseClinicLimits({ ...base, quantile: 1.5 }, 'c.yaml')).toThrow(/c\.yaml: quantile/);
    expect(() => parseClinicLimits({ name: 'x' }, 'c.yaml')).toThrow(/ketasim: clinic-limits\/1/);
  });
});

describe('recommend', () => {
  const rules = loadSafetyRules();
  it('proposes the least dosing that reaches the target within the limits, and says which limit binds', () => {
    const limits = defaultClinicLimits('ketamine');
    const r = recommend(model, fit, { limits, rules, draws: 60, intervalsD: [3.5, 7, 14, 28] });
    expect(r.chosen.feasible).toBe(true);
    const meeting = r.candidates.filter((c) => c.feasible && c.meetsTarget);
    if (meeting.length > 0) {
      expect(r.chosen.meetsTarget).toBe(true);
      for (const c of meeting) expect(c.sessions).toBeGreaterThanOrEqual(r.chosen.sessions);
    }
    // 1 mg/kg twice weekly for a 80 kg patient: 8 × 80 mg = 640 mg > 6 mg/kg × 80 kg in 28 days.
    const heavy = r.candidates.find((c) => c.label.startsWith('1 mg/kg') && c.intervalD === 3.5)!;
    expect(heavy.feasible).toBe(false);
    expect(heavy.checks.find((k) => k.limit === 'dose_28d')?.ok).toBe(false);
    expect(r.explanation.join(' ')).toMatch(/Limits that bind: dose_28d/);
    expect(r.explanation.join(' ')).toMatch(/Recommended: .* expected \d+% of the 28 days in response/);
  }, 60000);
  it('refuses on a contraindication (resting blood pressure above 180/100 mmHg) naming the rule and source', () => {
    const hyper = parsePatientRecord({ ...json, covariates: { ...json.covariates, BASE_SBP: 190 } }, 'hyper.json');
    const hf = { ...fit, design: { ...fit.design, record: hyper, covariates: { ...fit.design.covariates, BASE_SBP: 190 } } } as PatientFit;
    expect(() => recommend(model, hf, { limits: defaultClinicLimits('ketamine'), rules, draws: 10 })).toThrow(RecommendRefusal);
    expect(() => recommend(model, hf, { limits: defaultClinicLimits('ketamine'), rules, draws: 10 })).toThrow(/contraindication: Resting blood pressure above 180\/100 mmHg.*BASE_SBP 190 > 180.*swiss-ketamine-smpc/);
  });
  it('refuses when no MADRS rating follows the first dose', () => {
    const early = parsePatientRecord({ ...json, observations: json.observations.filter((o) => o.type !== 'MADRS') }, 'early.json');
    const ef = fitPatient(model, early, { draws: 50 });
    expect(() => recommend(model, ef, { limits: defaultClinicLimits('ketamine'), rules, draws: 10 })).toThrow(/no MADRS rating after the first dose/);
  }, 60000);
  it('refuses when the posterior is too wide (today\'s MADRS 90% interval above the clinic\'s share of the baseline)', () => {
    const strict = { ...defaultClinicLimits('ketamine'), max_current_interval_pct: 1 };
    expect(() => recommend(model, fit, { limits: strict, rules, draws: 30, intervalsD: [14] })).toThrow(/posterior is too wide: the 90% interval of today's predicted MADRS/);
  }, 60000);
});

describe('commands', () => {
  it('ketasim forecast --json compares the plan with alternatives', () => {
    const s = scratch('ketasim-forecast-');
    const plan = s.file('plan.yaml', 'label: weekly booster\ndoses:\n  - { route: iv, amount: 0.5 mg/kg, over: 40 min, days: [45, 52] }\n');
    const r = ketasim('forecast', '--patient', join(root, 'examples/patients/depression-patient.json'), '--plan', plan, '--draws', '40', '--booster-days', '49', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { scenarios: { label: string; relapse: { fractionInResponse: number } }[] };
    expect(out.scenarios.map((x) => x.label)).toEqual(['plan: weekly booster', 'no further dose', 'booster day 49', expect.stringMatching(/^booster at the due date/)]);
  }, 60000);
  it('the example plans: boosters with a benzodiazepine taper keep more days in response than with it throughout', () => {
    const r = ketasim(
      'forecast',
      '--patient',
      join(root, 'examples/patients/depression-patient.json'),
      '--plan',
      join(root, 'examples/patients/plan-booster-bzd-taper.yaml'),
      '--alternative',
      join(root, 'examples/patients/plan-booster.yaml'),
      '--draws',
      '60',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { scenarios: { label: string; covariate_changes: { time_h: number }[]; relapse: { fractionInResponse: number } }[] };
    const taper = out.scenarios.find((x) => x.label.startsWith('plan: boosters days 45 and 52, benzodiazepine tapered'));
    const throughout = out.scenarios.find((x) => x.label === 'boosters days 45 and 52, benzodiazepine 20 mg/day throughout');
    expect(taper?.covariate_changes.map((c) => c.time_h / 24)).toEqual([42, 44, 50]);
    expect(taper?.relapse.fractionInResponse as number).toBeGreaterThan(throughout?.relapse.fractionInResponse as number);
  }, 60000);
  it('ketasim forecast names the field of a bad plan file', () => {
    const s = scratch('ketasim-forecast-');
    const plan = s.file('bad.yaml', 'doses:\n  - { route: iv, amount: 0.5 mg/kg, over: 40, days: [45] }\n');
    const r = ketasim('forecast', '--patient', join(root, 'examples/patients/depression-patient.json'), '--plan', plan, '--draws', '10');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml: doses\[1\]\.over: 40 has no unit/);
  }, 60000);
  it('ketasim recommend prints the recommendation; a contraindication exits 1 with the reason', () => {
    const ok = ketasim('recommend', '--patient', join(root, 'examples/patients/depression-patient.json'), '--limits', join(root, 'examples/patients/clinic-limits.yaml'), '--draws', '30', '--intervals', '7,14');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Recommended: /);
    expect(ok.stdout).toMatch(/peak_sbp: clinic-policy/);
    const s = scratch('ketasim-recommend-');
    const hyper = s.file('hyper.json', JSON.stringify({ ...json, covariates: { ...json.covariates, BASE_DBP: 105 } }));
    const r = ketasim('recommend', '--patient', hyper, '--draws', '10');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no recommendation: contraindication: Resting blood pressure above 180\/100 mmHg.*BASE_DBP 105 > 100/);
    const badLimits = s.file('limits.yaml', 'ketasim: clinic-limits/1\nname: x\nlimits:\n  peak_sbp: { above: high, source: delsant2020 }\n');
    const b = ketasim('recommend', '--patient', join(root, 'examples/patients/depression-patient.json'), '--limits', badLimits, '--draws', '10');
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/limits\.yaml: limits\.peak_sbp\.above/);
  }, 90000);
});

function readYaml(path: string): unknown {
  return JSON.parse(JSON.stringify(parseYamlText(readFileSync(join(root, path), 'utf8'))));
}

