/**
 * `ketasim regimen` as a user runs it (the built bin/ketasim.js), on the fixture model test/fixtures/regimen/
 * bp-model.yaml: one compartment with CL = V = 100 (k = 1/h) and SBP = BASE_SBP + 0.25·CP, DBP = BASE_DBP +
 * 0.12·CP, CADSS = 0.04·CP (CP in ng/mL). For 0.5 mg/kg × 70 kg = 35 mg IV over T = 40 min (52.5 mg/h):
 * CP(t) = 525 (1 − e^{−t}) during the infusion, peak CPmax = 525 (1 − e^{−2/3}) = 255.46 ng/mL at t = T, then
 * CPmax e^{−(t−T)}. A threshold c is crossed upwards at −ln(1 − c / 525) and downwards at T + ln(CPmax / c).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DISCLAIMER } from '../../src/cli/main.js';
import { ketasim, root, scratch } from './helpers.js';

const { dir, file } = scratch('ketasim-regimen-');
const MODEL = join(root, 'test/fixtures/regimen/bp-model.yaml');

const T = 2 / 3;
const CPMAX = 525 * (1 - Math.exp(-T));
const up = (c: number): number => -Math.log(1 - c / 525);
const down = (c: number): number => T + Math.log(CPMAX / c);

interface PerDose {
  doses: number[];
  start_h: number;
  peak: number;
  peak_time_h: number;
  exceeded: boolean;
  above_from_h: number | null;
  resolved_h: number | null;
  monitor_until_h?: number | null;
  set_by?: string;
}
interface Json {
  doses: { number: number; time_h: number; route: string; amount_mg: number; duration_h: number; given_as: string }[];
  safety: { readouts: { id: string; status: string; finding: string; source: string; source_text: string; per_dose?: PerDose[] }[] };
  columns: string[];
  units: Record<string, string>;
  rows: Record<string, number>[];
}

function json(...args: string[]): Json {
  const r = ketasim('regimen', '-m', MODEL, ...args, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Json;
}

function readout(j: Json, id: string): Json['safety']['readouts'][number] {
  const r = j.safety.readouts.find((x) => x.id === id);
  if (r === undefined) throw new Error(`no read-out ${id}`);
  return r;
}

const IV = ['--dose', '0.5 mg/kg', '--route', 'iv', '--over', '40 min', '--weight', '70'];

describe('ketasim regimen: the regimen as understood', () => {
  it('converts mg/kg to mg and prints every dose, the peaks and the disclaimer', () => {
    const r = ketasim('regimen', '-m', MODEL, ...IV, '--days', '0,2,4', '--at', '9 h', '--follow-up', '2 d');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Regimen: 0\.5 mg\/kg iv over 40 min on days 0, 2, 4 at 9 h/);
    for (const day of [0, 2, 4]) expect(r.stdout).toMatch(new RegExp(`day ${day} 09:00\\s+35 mg iv over 40 min \\(52\\.5 mg/h\\)\\s+0\\.5 mg/kg × 70 kg`));
    // Peak CP 255 ng/mL at the end of the first infusion (first of equal peaks), 40 min after its start.
    expect(r.stdout).toMatch(/CP\s+ng\/mL\s+255\s+day 0 09:40\s+40 min after the start of dose 1/);
    expect(r.stdout).toMatch(/Follow-up to day 6 09:40 \(2 d after the last dose\)/);
    expect(r.stdout.trim().endsWith(DISCLAIMER)).toBe(true);
  });

  it('--json gives the doses in mg and hours', () => {
    const j = json(...IV, '--days', '0,2', '--follow-up', '1 d');
    expect(j.doses).toEqual([0, 48].map((t, i) => ({ number: i + 1, time_h: t, route: 'iv', amount_mg: 35, duration_h: T, given_as: '0.5 mg/kg × 70 kg' })));
  });

  it('the first-order oral peak is at ln(ka/k)/(ka − k) (33 min on a 1-min grid)', () => {
    const r = ketasim('regimen', '-m', MODEL, '--dose', '35 mg', '--route', 'oral', '--hours', '0', '--step', '1 min', '--follow-up', '1 d');
    expect(r.code).toBe(0);
    // ka = 3, k = 1: tmax = ln 3 / 2 = 32.96 min; CPmax = 35·3/(100·2)·(e^{−tmax} − e^{−3 tmax}) = 202.07 ng/mL.
    const m = /CP\s+ng\/mL\s+(\S+)\s+day 0 00:(\d\d)/.exec(r.stdout);
    expect(m?.[2]).toBe(String(Math.round((Math.log(3) / 2) * 60)));
    expect(Number(m?.[1])).toBe(202);
  });
});

describe('ketasim regimen: safety read-outs after every dose', () => {
  const j = json(...IV, '--days', '0,2,4', '--follow-up', '2 d');

  it('SBP > 180 mmHg (BASE_SBP default 130: CP > 200): peak at the end of the infusion, crossing times as computed', () => {
    const r = readout(j, 'sbp-above-180');
    expect(r.status).toBe('triggered');
    expect(r.source).toBe('delsant2020');
    expect(r.source_text).toContain('SBP > 180');
    expect(r.per_dose).toHaveLength(3);
    r.per_dose?.forEach((d, k) => {
      const start = 48 * k;
      expect(d.start_h).toBe(start);
      expect(d.peak).toBeCloseTo(130 + 0.25 * CPMAX, 4);
      expect(d.peak_time_h).toBeCloseTo(start + T, 5);
      // 5-min grid, linear interpolation: within 0.002 h (7 s) of the exact crossings.
      expect(Math.abs((d.above_from_h as number) - (start + up(200)))).toBeLessThan(0.002);
      expect(Math.abs((d.resolved_h as number) - (start + down(200)))).toBeLessThan(0.002);
    });
    expect(r.finding).toMatch(/^SBP > 180 mmHg after every dose \(3\); highest peak 194 mmHg 40 min after the start of dose 1, above from 29 min to 55 min after the start \(resolved\)$/);
  });

  it('a rise relative to the given baseline, and the pre-dose check on it', () => {
    const k = json(...IV, '--hours', '0', '-c', 'BASE_SBP=150', '-c', 'BASE_DBP=70', '--step', '1 min', '--follow-up', '1 d');
    // SBP ≥ 150 + 40 ⟺ CP ≥ 160; DBP ≥ 70 + 25 ⟺ CP ≥ 208.3. On a 1-min grid within 1e-4 h.
    const sbp = readout(k, 'sbp-rise-40').per_dose?.[0] as PerDose;
    expect(Math.abs((sbp.above_from_h as number) - up(160))).toBeLessThan(1e-4);
    expect(Math.abs((sbp.resolved_h as number) - down(160))).toBeLessThan(1e-4);
    const dbp = readout(k, 'dbp-rise-25').per_dose?.[0] as PerDose;
    expect(Math.abs((dbp.resolved_h as number) - down(25 / 0.12))).toBeLessThan(1e-4);
    expect(readout(k, 'predose-bp-label')).toMatchObject({ status: 'triggered', finding: 'BASE_SBP 150 mmHg > 140' });
    expect(readout(k, 'predose-bp-uncontrolled').status).toBe('clear');
    expect(readout(k, 'predose-bp-smpc-under-65').status).toBe('triggered'); // AGE default 40 < 65
    expect(readout(k, 'predose-bp-smpc-65-plus').status).toBe('not_applicable');
  });

  it('dissociation (CADSS > 4 ⟺ CP > 100) resolves at 1.6 h; monitoring is the REMS minimum of 2 h', () => {
    const r = readout(j, 'dissociation-cadss');
    expect(Math.abs((r.per_dose?.[0]?.resolved_h as number) - down(100))).toBeLessThan(0.002);
    expect(down(100)).toBeCloseTo(1.6045, 4);
    const m = readout(j, 'monitoring-2h');
    expect(m.per_dose?.map((d) => [d.monitor_until_h, d.set_by])).toEqual([
      [2, 'minimum'],
      [50, 'minimum'],
      [98, 'minimum'],
    ]);
  });

  it('an effect still above its threshold when the next dose starts is not resolved, and monitoring cannot end', () => {
    const k = json(...IV, '--hours', '0,1', '--follow-up', '1 d');
    const cadss = readout(k, 'dissociation-cadss');
    expect(cadss.per_dose?.[0]).toMatchObject({ exceeded: true, resolved_h: null });
    const text = ketasim('regimen', '-m', MODEL, ...IV, '--hours', '0,1', '--follow-up', '1 d').stdout;
    expect(text).toMatch(/dose 1: peak 10\.2 40 min after the start; above from 13 min after the start, not resolved before the next dose/);
    expect(readout(k, 'monitoring-2h').per_dose?.[0]).toMatchObject({ monitor_until_h: null, set_by: 'dissociation-cadss' });
  });

  it('contraindication and co-medication flags; read-outs the model cannot give are listed as unavailable', () => {
    const r = ketasim('regimen', '-m', MODEL, ...IV, '--hours', '0', '-c', 'ANEURYSM=1', '--with', 'maoi', '--follow-up', '1 d');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/CONTRAINDICATION: Aneurysmal vascular disease or arteriovenous malformation\n\s+ANEURYSM = 1\n/);
    expect(r.stdout).toMatch(/CAUTION: Co-medication that may increase blood pressure \(psychostimulants, MAOIs\)\n\s+MAOI = 1\n\s+Monitor blood pressure closely/);
    expect(r.stdout).toMatch(/Source: spravato-label-contraindications \(primary \(label mirror\)\): "Aneurysmal vascular disease/);
    const unavailable = r.stdout.slice(r.stdout.indexOf('Unavailable with this model:'));
    expect(unavailable).toMatch(/History of intracerebral haemorrhage: the model has no covariate ICH_HISTORY/);
    // HR > 120 is a low-authority rule (disabled): not evaluated, not listed.
    expect(r.stdout).not.toMatch(/heart rate above 120/i);
  });

  it('--rules takes another rules file; a bad one is an error naming the file and field', () => {
    const rules = file(
      'rules.yaml',
      [
        'ketasim: safety-rules/1',
        'name: clinic',
        'version: "1"',
        'title: clinic rules',
        'sources: { clinic: "Our clinic protocol, 2025." }',
        'rules:',
        '  - { id: cp-250, kind: output_threshold, title: CP above 250 ng/mL, severity: warning, output: CP, unit: ng/mL, above: 250, source: clinic, status: local, text: "CP > 250 ng/mL" }',
      ].join('\n'),
    );
    const k = json(...IV, '--hours', '0', '--rules', rules, '--step', '1 min', '--follow-up', '1 d');
    expect(k.safety.readouts.map((r) => r.id)).toEqual(['cp-250']);
    const d = k.safety.readouts[0]?.per_dose?.[0] as PerDose;
    expect(Math.abs((d.above_from_h as number) - up(250))).toBeLessThan(1e-4);
    expect(Math.abs((d.resolved_h as number) - down(250))).toBeLessThan(1e-4);
    const bad = file('bad-rules.yaml', 'ketasim: safety-rules/1\nname: x\nversion: "1"\ntitle: x\nsources: {}\nrules:\n  - { id: a, kind: flag, title: t, severity: huge, covariates: [X], source: s, status: s, text: t }\n');
    const r = ketasim('regimen', '-m', MODEL, ...IV, '--hours', '0', '--rules', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-rules\.yaml: rules\[1\]\.severity/);
  });
});

describe('ketasim regimen: files', () => {
  it('--out writes TIME_H, TIME_D and the chosen outputs', () => {
    const out = join(dir, 'table.csv');
    const r = ketasim('regimen', '-m', MODEL, ...IV, '--days', '0,1', '--follow-up', '1 d', '--outputs', 'CP,SBP', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Wrote .*table\.csv/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('TIME_H,TIME_D,CP,SBP');
    const row = lines.find((l) => l.startsWith('2,'))?.split(',').map(Number) as number[];
    expect(row[1]).toBeCloseTo(2 / 24, 10);
    expect(row[2]).toBeCloseTo(CPMAX * Math.exp(-(2 - T)), 3);
    expect(row[3]).toBeCloseTo(130 + 0.25 * CPMAX * Math.exp(-(2 - T)), 3);
    // Follow-up: 1 d after the end of the last infusion (day 1, 00:40).
    expect(Number(lines.at(-1)?.split(',')[0])).toBeCloseTo(48 + T, 5);
  });

  it('--report writes a standalone HTML report: disclaimer, safety read-outs, regimen, SVG panels with thresholds', () => {
    const report = join(dir, 'report.html');
    const r = ketasim('regimen', '-m', MODEL, ...IV, '--days', '0,2,4', '--follow-up', '3 d', '--report', report);
    expect(r.code).toBe(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain(DISCLAIMER);
    expect(html).toContain('<h2>Safety read-outs</h2>');
    expect(html).toContain('<h2>Regimen and patient</h2>');
    expect(html).toContain('0.5 mg/kg × 70 kg');
    expect(html).toContain('regimen-fixture 1.0.0');
    for (const panel of ['Concentrations', 'Dissociation and psychotomimetic effects', 'Blood pressure and heart rate']) expect(html).toContain(`<h2>${panel}</h2>`);
    // Panels for outputs the model does not have are skipped.
    expect(html).not.toContain('<h2>NMDA receptor occupancy</h2>');
    expect(html).not.toContain('<h2>Plasticity cascade</h2>');
    // Days on the time axis (doses over 4 days), a zoom on dose 1 in hours; thresholds drawn on the BP and CADSS charts.
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBe(6); // concentrations ×2, CADSS ×2, blood pressure ×2
    expect(html).toContain('Time (d)');
    expect(html).toContain('Time (h)');
    expect(html).toContain('SBP &gt; 180');
    expect(html).toContain('CADSS &gt; 4');
    expect(html).not.toMatch(/<script/i);
  });

  it('a regimen file (YAML) with flags adding patient values', () => {
    const plan = file(
      'plan.yaml',
      'weight_kg: 70\ndoses:\n  - { route: iv, amount: 0.5 mg/kg, over: 40 min, days: [0, 2] }\n  - { route: oral, amount: 10 mg, hours: [1] }\nfollow_up: 1 d\n',
    );
    const j = JSON.parse(ketasim('regimen', '-m', MODEL, '--regimen', plan, '-c', 'BASE_SBP=145', '--json').stdout) as Json;
    expect(j.doses.map((d) => [d.time_h, d.route, d.amount_mg])).toEqual([
      [0, 'iv', 35],
      [1, 'oral', 10],
      [48, 'iv', 35],
    ]);
    expect(readout(j, 'predose-bp-label').finding).toBe('BASE_SBP 145 mmHg > 140 (BASE_DBP: model default, not given)');
  });
});

describe('ketasim regimen: errors name the field', () => {
  const usage: [string[], RegExp][] = [
    [['--dose', '35 mg', '--route', 'rectal'], /--route: route "rectal" is not defined by model regimen-fixture \(routes: iv, oral\)/],
    [['--dose', '0.5 mg/kg', '--route', 'iv'], /--dose: a mg\/kg dose needs the body weight \(--weight\)/],
    [['--dose', '35 mL', '--route', 'iv'], /--dose: "35 mL" is not a dose/],
    [['--dose', '35 mg', '--route', 'iv', '--over', '40'], /--over: 40 has no unit|--over: "40" is not a duration/],
    [['--dose', '35 mg', '--route', 'iv', '--over', '40 parsecs'], /--over: "40 parsecs": unknown time unit/],
    [['--dose', '35 mg', '--route', 'iv', '--days', '0,two'], /--days: "two" is not a number/],
    [['--dose', '35 mg', '--route', 'iv', '-c', 'HEIGHT=180'], /-c HEIGHT: model regimen-fixture has no covariate HEIGHT \(covariates: WT, AGE/],
    [['--dose', '35 mg', '--route', 'iv', '--with', 'grapefruit'], /--with: model regimen-fixture has no co-medication "grapefruit"/],
    [['--dose', '35 mg', '--route', 'iv', '-p', 'CLX=3'], /-p CLX: model regimen-fixture has no parameter CLX \(parameters: CL, V, KA/],
    [['--dose', '35 mg', '--route', 'iv', '--outputs', 'CP,HR'], /--outputs: model regimen-fixture has no output HR \(outputs: CP, SBP, DBP, CADSS\)/],
    [['--dose', '35 mg'], /--route: required with --dose \(model regimen-fixture: routes iv, oral\)/],
    [[], /--dose: give the regimen with --regimen FILE or with --dose/],
    [['--dose', '35 mg', '--route', 'iv', '--weight', 'heavy'], /--weight <kg>' argument 'heavy' is invalid/],
  ];
  for (const [args, message] of usage) {
    it(`exit 2: ${args.join(' ') || '(no regimen)'}`, () => {
      const r = ketasim('regimen', '-m', MODEL, ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }

  it('a mistake in a regimen file exits 1 and names the file and field', () => {
    const plan = file('bad-plan.yaml', 'doses:\n  - { route: iv, amount: 35 mg, hours: [0] }\n  - { route: nasal, amount: 28 mg, hours: [1] }\n');
    const r = ketasim('regimen', '-m', MODEL, '--regimen', plan);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-plan\.yaml: doses\[2\]\.route: route "nasal" is not defined/);
    const both = ketasim('regimen', '-m', MODEL, '--regimen', plan, '--dose', '35 mg');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--dose: give the doses either in the regimen file/);
  });
});
