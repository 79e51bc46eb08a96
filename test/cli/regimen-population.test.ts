/**
 * `ketasim regimen --patients N` as a user runs it (the built bin/ketasim.js), on the fixture model
 * test/fixtures/regimen/population-model.yaml, whose population answers are known per patient in closed form from
 * the patient's etas (drawn here with sampleEtas and the same seed, as the command draws them):
 *
 *   peak CP_i = 350 e^−ETA_V ng/mL (35 mg IV bolus, V = 100 L e^ETA_V; k = 1/h, so doses 48 h apart do not accumulate)
 *   CADSS = 0.012 CP, SBP = BASE_SBP + 0.1 CP, DBP = BASE_DBP + 0.08 CP
 *   MADRS = 30 exp(−EMAX_i S(t)), EMAX_i = 0.8 e^ETA_EMAX, S(t) = Σ_{t_k ≤ t} e^−0.02 (t − t_k)
 *
 * Doses at 1, 49 and 97 h (days 0, 2, 4 at 1 h), follow-up 3 d: the end is 169 h. Response (≥ 50 % below the value at
 * time 0) ⟺ EMAX_i S ≥ ln 2; remission (MADRS < 10) ⟺ EMAX_i S > ln 3; relapse after the last dose at
 * τ_i = ln(EMAX_i S(97) / ln 2) / 0.02 h, censored after 72 h.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quantileSorted, SCORE_SCALES } from '../../src/clinical/population.js';
import { loadModel, sampleEtas } from '../../src/index.js';
import { median } from '../../src/validation/metrics.js';
import { ketasim, root, scratch } from './helpers.js';

const { dir } = scratch('ketasim-population-');
const MODEL = join(root, 'test/fixtures/regimen/population-model.yaml');
const model = loadModel(readFileSync(MODEL, 'utf8'), 'population-model.yaml');
const REGIMEN = ['-m', MODEL, '--dose', '35 mg', '--route', 'iv', '--days', '0,2,4', '--at', '1 h', '--follow-up', '3 d'];

type Spread = { p05: number; median: number; p95: number };
interface Json {
  population: {
    patients: number;
    seed: number;
    random_effects: string[];
    outputs: Record<string, { unit: string; peak: Spread; trough?: Spread }>;
    scores: {
      output: string;
      remission: { op: string; value: number } | null;
      times: { label: string; time_h: number; response_rate: number; remission_rate?: number }[];
      relapse: { last_dose_h: number; responders_at_h: number; responders: number; events: number; censored: number; end_h: number; median_h: number | null } | null;
    }[];
    safety: { shares: { id: string; rules: string[]; condition: string; patients: number; share: number; source: string; status: string; source_text: string }[] };
  };
  safety: { patient?: string; readouts: { id: string; status: string }[] };
  columns: string[];
  rows: Record<string, number>[];
}

function population(patients: number, seed: number, ...extra: string[]): Json {
  const r = ketasim('regimen', ...REGIMEN, '--patients', String(patients), '--seed', String(seed), '--json', ...extra);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Json;
}

/** The fixture's patients from the closed form, with the etas the command draws. */
function patients(n: number, seed: number): { etaV: number; emax: number; cpMax: number }[] {
  const etas = sampleEtas(model.randomEffects, seed, n);
  const k = etas.names.length;
  const iV = etas.names.indexOf('ETA_V');
  const iE = etas.names.indexOf('ETA_EMAX');
  return Array.from({ length: n }, (_, i) => {
    const etaV = etas.values[i * k + iV] as number;
    return { etaV, emax: 0.8 * Math.exp(etas.values[i * k + iE] as number), cpMax: ((1000 * 35) / (100 * Math.exp(etaV))) * (1 + Math.exp(-48) + Math.exp(-96)) };
  });
}

const K = 0.02;
const DOSES = [1, 49, 97];
const signal = (t: number): number => DOSES.filter((d) => d <= t).reduce((s, d) => s + Math.exp(-K * (t - d)), 0);
const share = (xs: readonly unknown[], test: (x: never) => boolean): number => xs.filter((x) => test(x as never)).length / xs.length;
const sortedQuantile = (values: readonly number[], p: number): number => quantileSorted(Float64Array.from(values).sort(), p);

const N = 400;
const SEED = 11;
const j = population(N, SEED);
const subjects = patients(N, SEED);

describe('ketasim regimen --patients: closed-form answers per patient (same etas)', () => {
  it('draws the model random effects for N patients with the seed', () => {
    expect(j.population).toMatchObject({ patients: N, seed: SEED, random_effects: ['ETA_V', 'ETA_EMAX'] });
  });

  it('percentiles of the peaks: type-7 quantiles of 350 e^−ETA_V, exact', () => {
    const peaks = subjects.map((s) => s.cpMax);
    const cp = j.population.outputs.CP?.peak as Spread;
    for (const [key, p] of [['p05', 0.05], ['median', 0.5], ['p95', 0.95]] as const) expect(cp[key]).toBeCloseTo(sortedQuantile(peaks, p), 9);
    // Outputs proportional to CP: the same patients' peaks.
    expect(j.population.outputs.CADSS?.peak.p95).toBeCloseTo(0.012 * sortedQuantile(peaks, 0.95), 10);
    expect(j.population.outputs.SBP?.peak.median).toBeCloseTo(130 + 0.1 * sortedQuantile(peaks, 0.5), 9);
    // MADRS falls: its trough is 30 exp(−EMAX_i S(97)) (just after the last dose), its peak the baseline 30.
    const troughs = subjects.map((s) => 30 * Math.exp(-s.emax * signal(97)));
    expect(j.population.outputs.MADRS?.peak).toEqual({ p05: 30, median: 30, p95: 30 });
    expect(j.population.outputs.MADRS?.trough?.p05).toBeCloseTo(sortedQuantile(troughs, 0.05), 8);
    expect(j.population.outputs.MADRS?.trough?.median).toBeCloseTo(sortedQuantile(troughs, 0.5), 8);
    expect(j.population.outputs.CP?.trough).toBeUndefined(); // CP starts at 0 and never falls below it
  });

  it('with 101 patients the percentiles are order statistics: p05 = the patient with the 6th largest ETA_V', () => {
    const small = population(101, 3, '--outputs', 'CP');
    const etaV = patients(101, 3)
      .map((s) => s.etaV)
      .sort((a, b) => b - a); // the peak falls with ETA_V: the 6th largest eta gives the 6th smallest peak
    const cp = small.population.outputs.CP?.peak as Spread;
    expect(cp.p05).toBeCloseTo(350 * Math.exp(-(etaV[5] as number)), 9);
    expect(cp.median).toBeCloseTo(350 * Math.exp(-(etaV[50] as number)), 9);
    expect(cp.p95).toBeCloseTo(350 * Math.exp(-(etaV[95] as number)), 9);
    expect(small.population.outputs.MADRS).toBeUndefined(); // --outputs limits the peaks
  });

  it('response and remission at 24 h after the first and the last dose and at the end of follow-up', () => {
    const madrs = j.population.scores.find((s) => s.output === 'MADRS');
    expect(madrs?.remission).toEqual({ op: '<', value: 10 });
    expect(madrs?.times.map((t) => [t.label, t.time_h])).toEqual([
      ['24 h after the start of the first dose', 25],
      ['24 h after the start of the last dose', 121],
      ['end of follow-up', 169],
    ]);
    for (const t of madrs?.times ?? []) {
      const s = signal(t.time_h);
      expect(t.response_rate, t.label).toBe(share(subjects, (p: { emax: number }) => p.emax * s >= Math.LN2));
      expect(t.remission_rate, t.label).toBe(share(subjects, (p: { emax: number }) => 30 * Math.exp(-p.emax * s) < 10));
    }
    // Responders and remitters exist at 121 h and the rates differ between the times (the test is not vacuous).
    const rates = madrs?.times.map((t) => t.response_rate) ?? [];
    expect(Math.min(...rates)).toBeGreaterThan(0);
    expect(new Set(rates).size).toBe(3);
  });

  it('median time to relapse among responders 24 h after the last dose: τ_i = ln(EMAX_i S(97) / ln 2) / KOFF, Kaplan–Meier with censoring at 72 h', () => {
    const relapse = j.population.scores.find((s) => s.output === 'MADRS')?.relapse;
    const responders = subjects.filter((p) => p.emax * signal(121) >= Math.LN2);
    const taus = responders.map((p) => Math.log((p.emax * signal(97)) / Math.LN2) / K).sort((a, b) => a - b);
    const events = taus.filter((t) => t <= 72);
    const censored = taus.length - events.length;
    expect(censored).toBeGreaterThan(0); // the population has patients still responding at the end
    expect(relapse).toMatchObject({ last_dose_h: 97, responders_at_h: 121, end_h: 169, responders: responders.length, events: events.length, censored });
    // With censoring, the Kaplan–Meier median is the ⌈n/2⌉-th event time (events[k − 1]); MADRS is read on the 1-h grid.
    const expected = events[Math.ceil(taus.length / 2) - 1] as number;
    expect(Math.abs((relapse?.median_h as number) - expected)).toBeLessThan(0.005);
  });

  it('the share of patients above each safety threshold of the rules file, with its source', () => {
    const shares = new Map(j.population.safety.shares.map((s) => [s.id, s]));
    const peaks = subjects.map((s) => s.cpMax);
    const frac = (test: (cp: number) => boolean): number => peaks.filter(test).length / N;
    expect(shares.get('dissociation-cadss')).toMatchObject({ condition: 'CADSS > 4', source: 'jnj-dissociation', status: 'primary', share: frac((cp) => 0.012 * cp > 4) });
    expect(shares.get('sbp-rise-40')).toMatchObject({ condition: 'SBP ≥ 170 mmHg (BASE_SBP 130 + 40, model default)', source: 'spravato-label-effects', share: frac((cp) => 0.1 * cp >= 40) });
    expect(shares.get('dbp-rise-25')?.share).toBe(frac((cp) => 0.08 * cp >= 25));
    expect(shares.get('sbp-above-180')?.share).toBe(frac((cp) => 130 + 0.1 * cp > 180));
    expect(shares.get('dbp-above-110')?.share).toBe(frac((cp) => 80 + 0.08 * cp > 110));
    expect(shares.get('sbp-rise-40+dbp-rise-25')).toMatchObject({ rules: ['sbp-rise-40', 'dbp-rise-25'], share: frac((cp) => 0.1 * cp >= 40 || 0.08 * cp >= 25) });
    // Every share lies strictly between 0 and 1 here, so each checks a split of the population.
    for (const s of shares.values()) expect(s.share > 0 && s.share < 1, s.id).toBe(true);
    expect(shares.get('sbp-rise-40')?.source_text).toContain('>= 40 mmHg SBP');
  });

  it('the thresholds come from the rules file: another file changes them', () => {
    const rules = join(dir, 'rules.yaml');
    const text = readFileSync(join(root, 'models/ketamine/safety.rules'), 'utf8').replace('    above: 4\n', '    above: 5\n');
    expect(text).toContain('above: 5');
    writeFileSync(rules, text);
    const other = population(N, SEED, '--rules', rules);
    const cadss = other.population.safety.shares.find((s) => s.id === 'dissociation-cadss');
    expect(cadss).toMatchObject({ condition: 'CADSS > 5', share: share(subjects, (p: { cpMax: number }) => 0.012 * p.cpMax > 5) });
  });

  it('keeps the typical patient read-outs and says so', () => {
    expect(j.safety.patient).toBe('typical (random effects 0)');
    expect(j.safety.readouts.find((r) => r.id === 'dissociation-cadss')?.status).toBe('triggered'); // typical CADSS 4.2 > 4
  });
});

describe('ketasim regimen --patients: seed', () => {
  it('is reproducible with the same seed and different with another', () => {
    const a = population(50, 5, '--outputs', 'CP,MADRS');
    const b = population(50, 5, '--outputs', 'CP,MADRS');
    const c = population(50, 6, '--outputs', 'CP,MADRS');
    expect(b.population).toEqual(a.population);
    expect(b.rows).toEqual(a.rows);
    expect(c.population.outputs.CP?.peak).not.toEqual(a.population.outputs.CP?.peak);
  });

  it('defaults to seed 1', () => {
    const r = ketasim('regimen', ...REGIMEN, '--patients', '20', '--json', '--outputs', 'CP');
    const d = JSON.parse(r.stdout) as Json;
    expect(d.population.seed).toBe(1);
    expect(d.population.outputs.CP?.peak.median).toBeCloseTo(median(patients(20, 1).map((s) => s.cpMax)), 9);
  });
});

describe('ketasim regimen --patients: files and text', () => {
  it('--out: per-time median, 5th and 95th percentile of each output; --out-subjects: every patient', () => {
    const out = join(dir, 'bands.csv');
    const each = join(dir, 'subjects.csv');
    const r = ketasim('regimen', ...REGIMEN, '--patients', '60', '--seed', '2', '--outputs', 'CP,MADRS', '--out', out, '--out-subjects', each);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Wrote .*bands\.csv and .*subjects\.csv\./);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('TIME_H,TIME_D,CP_p05,CP_median,CP_p95,MADRS_p05,MADRS_median,MADRS_p95');
    // At 1 h (just after dose 1) CP = 350 e^−ETA_V per patient; at 25 h MADRS = 30 exp(−EMAX_i e^−0.48).
    const at = (t: number): number[] => (lines.find((l) => l.startsWith(`${t},`)) as string).split(',').map(Number);
    const pop = patients(60, 2);
    const cp = pop.map((p) => 350 * Math.exp(-p.etaV));
    const m25 = pop.map((p) => 30 * Math.exp(-p.emax * signal(25)));
    const row1 = at(1);
    expect(row1[2]).toBeCloseTo(Number(sortedQuantile(cp, 0.05).toPrecision(6)), 9);
    expect(row1[3]).toBeCloseTo(Number(sortedQuantile(cp, 0.5).toPrecision(6)), 9);
    expect(row1[4]).toBeCloseTo(Number(sortedQuantile(cp, 0.95).toPrecision(6)), 9);
    const row25 = at(25);
    expect(row25[6]).toBeCloseTo(Number(sortedQuantile(m25, 0.5).toPrecision(6)), 9);
    const rows = readFileSync(each, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('ID,TIME_H,CP,MADRS');
    expect(rows.length - 1).toBe(60 * (lines.length - 1));
    const patient7 = rows.find((l) => l.startsWith('7,1,'))?.split(',').map(Number) as number[];
    expect(patient7[2]).toBeCloseTo(Number((cp[6] as number).toPrecision(6)), 9);
  });

  it('the summary: spread of peaks, response, remission with its source, relapse, safety shares; typical read-outs labelled', () => {
    const r = ketasim('regimen', ...REGIMEN, '--patients', '200', '--seed', '3');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Virtual population: 200 patients \(seed 3\); random effects ETA_V, ETA_EMAX/);
    expect(r.stdout).toMatch(/Peaks across patients/);
    expect(r.stdout).toMatch(/\n {2}CP\s+ng\/mL\s+\d+\s+\d+ – \d+\n/);
    expect(r.stdout).toMatch(/MADRS: response = at least 50% below the value at time 0; remission = MADRS < 10\./);
    expect(r.stdout).toContain('"Response >= 50% reduction; remission MADRS < 10 (Hawley 2002) or <= 12 (esketamine SUSTAIN-3; meta-analysis definitions)"');
    expect(r.stdout).toMatch(/24 h after the start of the last dose\s+day 5 01:00\s+[\d.]+% \(\d+\/200\)\s+[\d.]+% \(\d+\/200\)/);
    expect(r.stdout).toMatch(/Median time to relapse .* among the \d+ patients responding 24 h after the start of the last dose: \d+ h( \d+ min)? after the start of the last dose\./);
    expect(r.stdout).toMatch(/[\d.]+% \(\d+\/200\)\s+CADSS > 4\s+jnj-dissociation \(primary\)/);
    expect(r.stdout).toMatch(/Safety read-outs for the typical patient \(random effects 0\)/);
    expect(r.stdout).not.toMatch(/Predicted peaks:/);
  });

  it('--report: band charts (median, 25–75 % and 5–95 %) and the population tables', () => {
    const report = join(dir, 'population.html');
    const r = ketasim('regimen', ...REGIMEN, '--patients', '100', '--report', report);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<h2>Virtual population</h2>');
    expect(html).toContain('<h2>Safety read-outs for the typical patient</h2>');
    for (const caption of ['Response and remission', 'Relapse after the last dose', 'Safety thresholds across patients', 'Peaks across patients']) expect(html).toContain(caption);
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBeGreaterThan(0);
    for (const svg of svgs) {
      expect(svg).toContain('5–95% of patients');
      expect(svg).toContain('25–75%');
      expect(svg).not.toContain('opacity="NaN"');
    }
    expect(html).toContain('median, 25–75% and 5–95% of 100 patients');
  });
});

describe('ketasim regimen --patients: usage errors (exit 2, naming the flag)', () => {
  const cases: [string[], RegExp][] = [
    [['--patients', '0'], /--patients <n>' argument '0' is invalid/],
    [['--patients', '2.5'], /--patients <n>' argument '2\.5' is invalid/],
    [['--patients', 'many'], /--patients <n>' argument 'many' is invalid/],
    [['--patients', '200000'], /--patients: at most 100000/],
    [['--patients', '10', '--seed', '-1'], /--seed <s>' argument '-1' is invalid/],
    [['--patients', '10', '--seed', '1.5'], /--seed <s>' argument '1\.5' is invalid/],
    [['--seed', '4'], /--seed: only with --patients/],
    [['--out-subjects', join(dir, 'x.csv')], /--out-subjects: only with --patients/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), () => {
      const r = ketasim('regimen', ...REGIMEN, ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }

  it('a model without random effects', () => {
    const r = ketasim('regimen', '-m', join(root, 'test/fixtures/regimen/bp-model.yaml'), '--dose', '35 mg', '--route', 'iv', '--patients', '10');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--patients: model regimen-fixture has no random effects/);
  });
});

describe('population summaries: percentiles and conventions', () => {
  it('type-7 quantiles (R default): quantile(1:10, 0.05) = 1.45; the 50 % is metrics.median', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    expect(quantileSorted(x, 0.05)).toBeCloseTo(1.45, 12);
    expect(quantileSorted(x, 0.95)).toBeCloseTo(9.55, 12);
    expect(quantileSorted(x, 0.5)).toBe(median(x));
    expect(quantileSorted(Float64Array.of(1, 2, 4), 0.5)).toBe(median([1, 2, 4]));
    expect(quantileSorted(Float64Array.of(7), 0.05)).toBe(7);
  });

  const literature = join(root, '..', 'shared', 'literature', 'clinical-practice.md');
  it.skipIf(!existsSync(literature))('every scale convention quotes clinical-practice.md verbatim', () => {
    const text = readFileSync(literature, 'utf8').replace(/\*\*/g, '');
    for (const s of SCORE_SCALES) expect(text.includes(s.quote), `${s.scale}: "${s.quote}"`).toBe(true);
  });
});
