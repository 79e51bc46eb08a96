/**
 * Safety read-outs (src/clinical): crossings and resolution on series whose answers are exact, every rule kind on
 * a hand-built patient, rules-file validation, and the shipped rules file against the literature it quotes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSafetyRules, type SafetyRules } from '../../src/clinical/rules.js';
import { evaluateSafety, triggered, type Readout } from '../../src/clinical/safety.js';
import { episodes, exceedance, peakIn, valueAt, type CovariateValue, type PatientSeries } from '../../src/clinical/series.js';
import { formatClock, formatDuration } from '../../src/clinical/format.js';
import { loadSafetyRules } from '../../src/node/safety-rules.js';
import { loadModel } from '../../src/core/model/index.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { buildRegimen, parseRegimen } from '../../src/regimen/regimen.js';
import { patientSeries } from '../../src/clinical/series.js';

const root = new URL('../../', import.meta.url).pathname;

describe('series: peaks, crossings, resolution', () => {
  // Piecewise linear, so linear interpolation is exact: 0 → 10 → 20 → 10 → 0 at t = 0..4.
  const t = [0, 1, 2, 3, 4];
  const v = [0, 10, 20, 10, 0];
  const whole = { startH: 0, endH: 4, endsWithDose: false };

  it('finds the peak and interpolates the crossings', () => {
    expect(peakIn(t, v)).toEqual({ value: 20, timeH: 2 });
    const e = exceedance(t, v, whole, 15);
    expect(e).toMatchObject({ exceeded: true, aboveFromH: 1.5, resolvedH: 2.5, hoursAbove: 1 });
    expect(exceedance(t, v, whole, 20)?.exceeded).toBe(false); // "above" is strict
    expect(exceedance(t, v, whole, 20, true)).toMatchObject({ exceeded: true, aboveFromH: 2, resolvedH: 2, hoursAbove: 0 }); // at least: only at the peak
    expect(valueAt(t, v, 2.25)).toBe(17.5);
  });

  it('is not resolved when still above at the next dose; the record at the next dose time is not in the episode', () => {
    // Dose at 0 and at 2: the row at t = 2 (after the second dose) belongs to the second episode.
    const e = exceedance(t, v, { startH: 0, endH: 2, endsWithDose: true }, 15);
    expect(e).toMatchObject({ peak: { value: 10, timeH: 1 }, exceeded: false });
    const e2 = exceedance(t, v, { startH: 0, endH: 2, endsWithDose: true }, 5);
    expect(e2).toMatchObject({ exceeded: true, aboveFromH: 0.5, resolvedH: null, hoursAbove: 0.5 });
  });

  it('counts every period above and resolves at the last downward crossing', () => {
    const tt = [0, 1, 2, 3, 4, 5, 6];
    const vv = [0, 10, 0, 0, 10, 0, 0];
    expect(exceedance(tt, vv, { startH: 0, endH: 6, endsWithDose: false }, 5)).toMatchObject({ aboveFromH: 0.5, resolvedH: 4.5, hoursAbove: 2 });
  });

  it('groups doses at the same time into one episode', () => {
    const doses = [
      { route: 'iv', timeH: 0, amountMg: 1, durationH: 0 },
      { route: 'oral', timeH: 0, amountMg: 1, durationH: 0 },
      { route: 'iv', timeH: 48, amountMg: 1, durationH: 0 },
    ];
    expect(episodes(doses, 100)).toEqual([
      { doses: [1, 2], startH: 0, endH: 48, endsWithDose: true },
      { doses: [3], startH: 48, endH: 100, endsWithDose: false },
    ]);
  });

  it('formats durations and clock times', () => {
    expect(formatDuration(2 / 3)).toBe('40 min');
    expect(formatDuration(1.6045)).toBe('1 h 36 min');
    expect(formatDuration(51)).toBe('2 d 3 h');
    expect(formatClock(48 + 9 + 40 / 60)).toBe('day 2 09:40');
  });
});

// A hand-built patient: two doses (0 h and 24 h), SBP a triangle peaking at 1 h, CADSS resolving at 3 h after dose 2.
function patient(covariates: Record<string, CovariateValue>): PatientSeries {
  const timesH = Float64Array.from([0, 0.5, 1, 2, 3, 4, 24, 24.5, 25, 26, 27, 28, 48]);
  const sbp = Float64Array.from([120, 150, 190, 150, 120, 120, 120, 140, 170, 140, 120, 120, 120]);
  const cadss = Float64Array.from([0, 6, 10, 2, 0, 0, 0, 6, 10, 8, 4, 0, 0]);
  return {
    timesH,
    outputs: new Map([
      ['SBP', { name: 'SBP', unit: 'mmHg', values: sbp }],
      ['CADSS', { name: 'CADSS', unit: 'score', values: cadss }],
    ]),
    covariates: new Map(Object.entries(covariates)),
    doses: [
      { route: 'iv', timeH: 0, amountMg: 35, durationH: 0 },
      { route: 'iv', timeH: 24, amountMg: 35, durationH: 0 },
    ],
    endH: 48,
  };
}

const common = { status: 'primary', text: 'the words', source: 'src' };
const rules: SafetyRules = parseSafetyRules({
  ketasim: 'safety-rules/1',
  name: 'test',
  version: '1',
  title: 'test rules',
  sources: { src: 'A source, 2024.' },
  rules: [
    { id: 'predose', kind: 'pre_dose', title: 'BP > 140/90', severity: 'caution', any: [{ covariate: 'BASE_SBP', unit: 'mmHg', above: 140 }, { covariate: 'BASE_DBP', above: 90 }], ...common },
    { id: 'old', kind: 'pre_dose', title: 'old', severity: 'caution', only_if: [{ covariate: 'AGE', at_least: 65 }], any: [{ covariate: 'BASE_SBP', above: 150 }], ...common },
    { id: 'aneurysm', kind: 'flag', title: 'aneurysm', severity: 'contraindication', covariates: ['ANEURYSM', 'AVM'], ...common },
    { id: 'sbp', kind: 'output_threshold', title: 'SBP > 180', severity: 'warning', output: 'SBP', unit: 'mmHg', above: 180, ...common },
    { id: 'rise', kind: 'output_threshold', title: 'rise', severity: 'caution', output: 'SBP', relative_to: 'BASE_SBP', at_least: 40, ...common },
    { id: 'cadss', kind: 'output_threshold', title: 'CADSS > 4', severity: 'caution', output: 'CADSS', above: 4, ...common },
    { id: 'hr', kind: 'output_threshold', title: 'HR > 120', severity: 'warning', output: 'HR', above: 120, ...common },
    { id: 'kpa', kind: 'output_threshold', title: 'SBP in kPa', severity: 'warning', output: 'SBP', unit: 'kPa', above: 24, ...common },
    { id: 'off', kind: 'output_threshold', title: 'disabled', severity: 'warning', output: 'SBP', above: 100, enabled: false, ...common },
    { id: 'at40', kind: 'output_at', title: 'BP at 30 min', severity: 'info', outputs: ['SBP', 'DBP'], after: '30 min', ...common },
    { id: 'monitor', kind: 'monitoring', title: 'monitoring', severity: 'info', at_least: '2 h', until_resolved: ['cadss'], ...common },
  ],
});

function byId(readouts: readonly Readout[], id: string): Readout {
  const r = readouts.find((x) => x.rule.id === id);
  if (r === undefined) throw new Error(`no read-out ${id}`);
  return r;
}

describe('evaluateSafety', () => {
  const given = (value: number, unit = 'mmHg'): CovariateValue => ({ value, unit, given: true });
  const report = evaluateSafety(patient({ BASE_SBP: given(150), AGE: given(70, 'y'), ANEURYSM: { value: 0, unit: '1', given: false } }), rules);
  const r = (id: string): Readout => byId(report.readouts, id);

  it('pre-dose rules: given covariates, absent ones named, only_if gates', () => {
    expect(r('predose').status).toBe('triggered');
    expect(r('predose').finding).toBe('BASE_SBP 150 mmHg > 140; not checked: the model has no covariate BASE_DBP');
    expect(r('old').status).toBe('clear'); // AGE 70 ≥ 65 applies; 150 is not > 150
    const young = evaluateSafety(patient({ BASE_SBP: given(160), AGE: given(40, 'y') }), rules);
    expect(byId(young.readouts, 'old')).toMatchObject({ status: 'not_applicable' });
    expect(byId(young.readouts, 'old').finding).toMatch(/applies only when AGE ≥ 65; AGE 40 y/);
    const noAge = evaluateSafety(patient({ BASE_SBP: given(160) }), rules);
    expect(byId(noAge.readouts, 'old')).toMatchObject({ status: 'unavailable', finding: 'needs AGE: the model has no covariate AGE' });
  });

  it('flags: default values are said to be defaults; absent covariates make the read-out unavailable', () => {
    expect(r('aneurysm')).toMatchObject({ status: 'clear', finding: 'ANEURYSM = 0 (ANEURYSM: model default, not given)' });
    const set = evaluateSafety(patient({ AVM: given(1, '1') }), rules);
    expect(byId(set.readouts, 'aneurysm')).toMatchObject({ status: 'triggered', finding: 'AVM = 1' });
    const none = evaluateSafety(patient({}), rules);
    expect(byId(none.readouts, 'aneurysm')).toMatchObject({ status: 'unavailable', finding: 'the model has no covariate ANEURYSM or AVM' });
  });

  it('output thresholds: per dose peak, crossing and resolution', () => {
    const sbp = r('sbp');
    expect(sbp.status).toBe('triggered');
    expect(sbp.threshold).toMatchObject({ output: 'SBP', op: '>', value: 180 });
    // Dose 1: 150 → 190 between 0.5 and 1 h crosses 180 at 0.875 h; 190 → 150 between 1 and 2 h at 1.25 h.
    expect(sbp.episodes?.[0]?.result).toMatchObject({ peak: { value: 190, timeH: 1 }, exceeded: true, aboveFromH: 0.875, resolvedH: 1.25 });
    expect(sbp.episodes?.[1]?.result).toMatchObject({ peak: { value: 170, timeH: 25 }, exceeded: false });
    expect(sbp.finding).toBe(
      'SBP > 180 mmHg after 1 of 2 doses (1); highest peak 190 mmHg 1 h after the start of dose 1, above from 53 min to 1 h 15 min after the start (resolved)',
    );
    // Rise ≥ 40 above BASE_SBP 150 → ≥ 190: reached exactly at the peak of dose 1.
    expect(r('rise').threshold).toMatchObject({ value: 190, baseline: { covariate: 'BASE_SBP', value: 150, rise: 40 } });
    expect(r('rise').episodes?.[0]?.result).toMatchObject({ exceeded: true, aboveFromH: 1, resolvedH: 1 });
  });

  it('output thresholds: unresolved at the end of follow-up; missing outputs and wrong units are unavailable', () => {
    const cadss = r('cadss');
    expect(cadss.episodes?.[0]?.result).toMatchObject({ aboveFromH: 1 / 3, resolvedH: 1.75 });
    // Dose 2: 8 at 26 h → 4 at 27 h: 4 is not above 4, so resolved at 27 h exactly.
    expect(cadss.episodes?.[1]?.result).toMatchObject({ aboveFromH: 24 + 1 / 3, resolvedH: 27 });
    expect(r('hr')).toMatchObject({ status: 'unavailable', finding: 'the model has no output HR' });
    expect(r('kpa')).toMatchObject({ status: 'unavailable', finding: 'output SBP is in mmHg, the rule in kPa' });
    expect(report.readouts.some((x) => x.rule.id === 'off')).toBe(false);
  });

  it('values at a time after each dose, and the end of monitoring set by the slowest resolution', () => {
    const at = r('at40');
    expect(at.status).toBe('reported');
    expect(at.values?.map((v) => v.values.SBP)).toEqual([150, 140]);
    expect(at.finding).toMatch(/^SBP 150 mmHg 30 min after the start of dose 1; highest SBP 150 mmHg \(dose 1\); the model has no output DBP$/);
    const m = r('monitor');
    // Dose 1: CADSS resolves at 1.75 h < 2 h → the minimum. Dose 2: resolves at 27 h = 3 h after the start.
    expect(m.monitoring?.map((x) => [x.endH, x.setBy])).toEqual([
      [2, 'minimum'],
      [27, 'cadss'],
    ]);
    expect(m.status).toBe('triggered');
    expect(m.finding).toBe('longer than the minimum 2 h after 1 of 2 doses: up to 3 h after the start of dose 2 (until: CADSS > 4)');
  });

  it('lists triggered read-outs most severe first', () => {
    const set = evaluateSafety(patient({ BASE_SBP: given(150), AVM: given(1, '1') }), rules);
    expect(triggered(set).map((x) => x.rule.severity)).toEqual(['contraindication', 'warning', 'caution', 'caution', 'caution', 'info']);
  });
});

describe('rules files', () => {
  const base = { ketasim: 'safety-rules/1', name: 'x', version: '1', title: 'x', sources: { src: 'S' } };
  const head = { id: 'a', title: 't', severity: 'info', ...common };
  const rule = { ...head, kind: 'flag', covariates: ['X'] };
  it('name the field of every mistake', () => {
    expect(() => parseSafetyRules({ ...base, rules: [rule, rule] }, 'r.yaml')).toThrow('r.yaml: rules[2].id: rule id a is used twice');
    expect(() => parseSafetyRules({ ...base, rules: [{ ...rule, source: 'nope' }] }, 'r.yaml')).toThrow(/r\.yaml: rules\[1\]\.source: unknown source "nope" \(sources: src\)/);
    expect(() => parseSafetyRules({ ...base, rules: [{ ...rule, severity: 'bad' }] }, 'r.yaml')).toThrow(/r\.yaml: rules\[1\]\.severity/);
    expect(() =>
      parseSafetyRules({ ...base, rules: [{ ...head, kind: 'pre_dose', any: [{ covariate: 'A', above: 1, below: 2 }] }] }, 'r.yaml'),
    ).toThrow(/rules\[1\]\.any\[1\]: give exactly one of above, at_least, below, at_most/);
    expect(() =>
      parseSafetyRules({ ...base, rules: [rule, { ...head, id: 'm', kind: 'monitoring', at_least: '2 h', until_resolved: ['a'] }] }, 'r.yaml'),
    ).toThrow(/rules\[2\]\.until_resolved: "a" is not the id of an output_threshold rule/);
    expect(() => parseSafetyRules({ ...base, ketasim: 'model/1', rules: [rule] }, 'r.yaml')).toThrow(/r\.yaml: ketasim: the first line must be `ketasim: safety-rules\/1`/);
  });

  const shipped = loadSafetyRules();
  const literature = join(root, '..', 'shared', 'literature', 'clinical-practice.md');

  it('the shipped rules load, and every rule cites a source with the numbers it uses', () => {
    expect(shipped.rules.length).toBeGreaterThan(15);
    for (const r of shipped.rules) {
      const numbers: string[] = [];
      if (r.kind === 'pre_dose') for (const c of [...r.any, ...r.only_if]) numbers.push(String(c.above ?? c.at_least ?? c.below ?? c.at_most));
      if (r.kind === 'output_threshold') numbers.push(String(r.above ?? r.at_least));
      if (r.kind === 'output_at') numbers.push(r.after);
      if (r.kind === 'monitoring') numbers.push(r.at_least);
      for (const n of numbers) expect(r.text, `rule ${r.id}: ${n} is not in its source text`).toContain(n);
    }
  });

  it.skipIf(!existsSync(literature))('every rule quotes the literature file verbatim', () => {
    const text = readFileSync(literature, 'utf8').replace(/\*\*/g, '');
    for (const r of shipped.rules) {
      for (const part of r.text.split(' … ')) expect(text.includes(part), `rule ${r.id}: "${part}" is not in clinical-practice.md`).toBe(true);
    }
  });

  it('src/clinical imports no Node modules (it runs in browsers)', () => {
    const dir = join(root, 'src', 'clinical');
    for (const f of readdirSync(dir)) {
      const src = readFileSync(join(dir, f), 'utf8');
      expect(src, f).not.toMatch(/from ['"](node:|fs|path|os|url)['"/]/);
    }
  });
});

describe('patientSeries on a simulated regimen', () => {
  it('reads observation rows in hours, with given and default covariates', () => {
    const model = loadModel(readFileSync(join(root, 'test/fixtures/regimen/bp-model.yaml'), 'utf8'), 'bp-model.yaml');
    const p = buildRegimen(model, parseRegimen({ weight_kg: 80, covariates: { BASE_SBP: 140 }, doses: [{ route: 'iv', amount: '10 mg', hours: [1] }], follow_up: '1 d' }));
    const s = patientSeries(model, simulate(model, p.dataset), p);
    expect(s.timesH.length).toBe(p.gridH.length);
    expect(s.covariates.get('WT')).toEqual({ value: 80, unit: 'kg', given: true });
    expect(s.covariates.get('BASE_SBP')).toEqual({ value: 140, unit: 'mmHg', given: true });
    expect(s.covariates.get('BASE_DBP')).toEqual({ value: 80, unit: 'mmHg', given: false });
    // Bolus of 10 mg into 100 L at 1 h: CP = 100 ng/mL right after, × e^{-1} an hour later (k = CL/V = 1/h).
    const cp = s.outputs.get('CP')?.values as Float64Array;
    const i = Array.from(s.timesH).indexOf(2);
    expect(cp[i]).toBeCloseTo(100 * Math.exp(-1), 10);
    expect(s.outputs.get('SBP')?.values[i]).toBeCloseTo(140 + 0.25 * 100 * Math.exp(-1), 10);
  });
});
