/**
 * Population metrics through the whole engine (regimen → N subjects with sampled etas → simulate → metric) on the
 * fixture model test/fixtures/validation/depression-fixture.yaml, whose score has a closed form per subject:
 *
 *   SIGNAL(t) = Σ_k exp(−KOFF (t − t_k)) over the doses t_k ≤ t,   SCORE = BASE e^ETA_BASE · exp(−EMAX e^ETA_EMAX · SIGNAL)
 *
 * 1. Per subject: with the same etas (sampleEtas, same seed) the engine's response rate, remission rate, fraction
 *    above, mean change and median time to relapse equal those computed from the closed form.
 * 2. Population: they agree with closed-form population values within sampling error, e.g.
 *    P(response at t) = P(EMAX e^η S(t) ≥ ln 2) = 1 − Φ(ln(ln 2 / (EMAX S(t))) / ω_EMAX).
 * 3. Speed: 500 subjects of a 20-state ODE model over 28 days in seconds.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, normalQuantile, sampleEtas } from '../../src/index.js';
import { parseRegimen } from '../../src/regimen/regimen.js';
import { parseValidationFile, simulateScenario, Validator, type TargetResult, type ValidationFile } from '../../src/validation/index.js';

const root = new URL('../../', import.meta.url).pathname;
const fixtureDir = join(root, 'test/fixtures/validation');
const modelPath = join(fixtureDir, 'depression-fixture.yaml');
const model = loadModel(readFileSync(modelPath, 'utf8'), 'depression-fixture.yaml');
const targetsPath = join(fixtureDir, 'targets/depression-fixture.yaml');
const file: ValidationFile = parseValidationFile(readFileSync(targetsPath, 'utf8'), targetsPath);
const loader = (name: string, from: string) => loadModel(readFileSync(join(dirname(from), name), 'utf8'), name);

const K = 0.02;
const EMAX = 0.8;
const BASE = 30;
const W_EMAX = 0.5;
const DOSES = [1, 49, 97, 169, 217, 265];
const signal = (t: number): number => DOSES.filter((d) => d <= t).reduce((s, d) => s + Math.exp(-K * (t - d)), 0);
const Phi = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): enough for population answers checked to ±0.02. */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return s * (1 - p * Math.exp(-a * a));
}

const validator = new Validator(loader);
const results: TargetResult[] = validator.runFile(file);
const byId = new Map(results.map((r) => [r.id, r]));
const result = (id: string): TargetResult => byId.get(id) as TargetResult;

/** The fixture subjects from the closed form, with the etas the engine drew (seed 2024, 1000 subjects). */
const etas = sampleEtas(model.randomEffects, 2024, 1000);
const subjects = Array.from({ length: 1000 }, (_, i) => ({
  emax: EMAX * Math.exp(etas.values[i * 3] as number),
  base: BASE * Math.exp(etas.values[i * 3 + 1] as number),
}));
const score = (s: { emax: number; base: number }, t: number): number => s.base * Math.exp(-s.emax * signal(t));

describe('population metrics on the fixture: engine = closed form per subject', () => {
  it('every fixture target passes its tolerance (closed-form population answers)', () => {
    for (const r of results) expect({ id: r.id, status: r.status, message: r.message }).toEqual({ id: r.id, status: 'pass', message: undefined });
  });

  it('response rate at 269 h: subjects with EMAX_i S(269) ≥ ln 2', () => {
    const expected = subjects.filter((s) => s.emax * signal(269) >= Math.LN2).length / 1000;
    expect(result('fixture-response-rate').predicted).toBe(expected);
  });

  it('remission rate: subjects with score ≤ 10 at 269 h', () => {
    const expected = subjects.filter((s) => score(s, 269) <= 10).length / 1000;
    expect(result('fixture-remission-rate').predicted).toBe(expected);
  });

  it('fraction above: subjects whose baseline score exceeds 35', () => {
    expect(result('fixture-fraction-above').predicted).toBe(subjects.filter((s) => s.base > 35).length / 1000);
  });

  it('mean change 0 → 25 h and its SD', () => {
    const changes = subjects.map((s) => score(s, 25) - s.base);
    const mean = changes.reduce((a, b) => a + b, 0) / changes.length;
    const sd = Math.sqrt(changes.reduce((a, b) => a + (b - mean) ** 2, 0) / (changes.length - 1));
    const r = result('fixture-mean-change-24h');
    expect(r.predicted).toBeCloseTo(mean, 6);
    expect(r.details.sd as number).toBeCloseTo(sd, 6);
  });

  it('effect size: (mean change − mean change at EMAX 0.4) / pooled SD, per subject from the closed form', () => {
    const stats = (emaxScale: number): { mean: number; sd: number } => {
      const changes = subjects.map((s) => score({ ...s, emax: s.emax * emaxScale }, 25) - score(s, 0));
      const mean = changes.reduce((a, b) => a + b, 0) / changes.length;
      return { mean, sd: Math.sqrt(changes.reduce((a, b) => a + (b - mean) ** 2, 0) / (changes.length - 1)) };
    };
    const t = stats(1);
    const c = stats(0.5);
    const r = result('fixture-effect-size-24h');
    expect(r.predicted).toBeCloseTo((t.mean - c.mean) / Math.sqrt((t.sd ** 2 + c.sd ** 2) / 2), 6);
    expect(r.details.control_mean_change as number).toBeCloseTo(c.mean, 6);
  });

  it('median time to relapse among responders: τ_i = ln(EMAX_i S(269) / ln 2) / KOFF (to grid interpolation)', () => {
    const taus = subjects
      .filter((s) => s.emax * signal(269) >= Math.LN2)
      .map((s) => Math.log((s.emax * signal(269)) / Math.LN2) / K)
      .sort((a, b) => a - b);
    const n = taus.length;
    const median = n % 2 === 1 ? (taus[(n - 1) / 2] as number) : ((taus[n / 2 - 1] as number) + (taus[n / 2] as number)) / 2;
    const r = result('fixture-median-relapse');
    expect(Math.abs(r.predicted * 24 - median)).toBeLessThan(0.05); // hours; linear interpolation on the 1-h grid
    expect(r.details).toMatchObject({ selected: n, events: n, censored: 0 });
  });

  it('cmax with aggregate mean (every subject 700 ng/mL) and a ratio with a parameter override (CL x2)', () => {
    expect(result('fixture-cp-cmax-mean').predicted).toBeCloseTo(700, 9);
    expect(result('fixture-cp-cmax-mean').details).toMatchObject({ aggregate: 'mean', subjects: 1000, sd: expect.closeTo(0, 9) });
    expect(Math.abs(result('fixture-clearance-ratio').predicted - 2)).toBeLessThan(2e-3); // trapezoid on a 15-min grid
  });
});

describe('population metrics: closed-form population values', () => {
  it('response rate: 1 − Φ(ln(ln 2 / (EMAX S)) / ω) within sampling error (1000 subjects: SE ≈ 0.011)', () => {
    const p = 1 - Phi(Math.log(Math.LN2 / (EMAX * signal(269))) / W_EMAX);
    expect(Math.abs(result('fixture-response-rate').predicted - p)).toBeLessThan(0.035);
  });

  it('median relapse: conditional median of η given response, τ = ln(EMAX e^η S / ln 2) / KOFF', () => {
    const c = Math.log(Math.LN2 / (EMAX * signal(269))) / W_EMAX;
    const etaMedian = normalQuantile((Phi(c) + 1) / 2) * W_EMAX;
    const tau = Math.log((EMAX * Math.exp(etaMedian) * signal(269)) / Math.LN2) / K / 24;
    expect(Math.abs(result('fixture-median-relapse').predicted - tau) / tau).toBeLessThan(0.1);
  });

  it('is reproducible: the same seed gives the same population, another seed a different one', () => {
    const withSeed = (seed: number): ValidationFile => ({
      ...file,
      targets: file.targets
        .filter((t) => t.id === 'fixture-response-rate')
        .map((t) => ({ ...t, scenario: { ...t.scenario, population: { subjects: 200, seed } } })),
    });
    const a = new Validator(loader).runFile(withSeed(5))[0]?.predicted;
    const b = new Validator(loader).runFile(withSeed(5))[0]?.predicted;
    const c = new Validator(loader).runFile(withSeed(6))[0]?.predicted;
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });
});

describe('speed', () => {
  it('500 subjects, 20-state ODE model, 28 days (six doses), coarse grid: seconds', () => {
    const regimen = parseRegimen({ doses: [{ route: 'iv', amount: '35 mg', days: [0, 2, 4, 7, 9, 11], at: '1 h' }], follow_up: '17 d' });
    const t0 = performance.now();
    const sim = simulateScenario(model, { regimen, parameters: {}, population: { subjects: 500, seed: 1 }, grid: {} }, [269], { fineStepH: 1, coarseStepH: 1, fineWindowH: 0 });
    const seconds = (performance.now() - t0) / 1000;
    expect(model.compartments.length).toBe(20);
    expect(sim.subjects).toBe(500);
    expect(sim.timesH[sim.timesH.length - 1]).toBeCloseTo(265 + 17 * 24, 9);
    expect(seconds).toBeLessThan(15); // about 2 s on the 2-core development machine
  });
});
