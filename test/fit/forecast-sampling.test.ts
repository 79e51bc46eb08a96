/**
 * Forecast sampling and grids (docs/forecasting.md, "Posterior draws" and "Grids"): which models share solutions of
 * the dynamics between posterior draws, that outputs re-evaluated from a shared solution equal a simulation of their
 * own, that the shared (stratified, grouped) draws give the independent draws' forecast within Monte Carlo error on
 * the example patient, the grids, and the PK-only (closed-form) path.
 */
import { describe, expect, it } from 'vitest';
import { buildDesign } from '../../src/fit/design.js';
import { fitPatient, type PatientFit } from '../../src/fit/fit.js';
import { forecastGridH, forecastPlans, forecastSampling, peakGridH, recordBaseline, simulateCurves, type Band5, type PlanForecast } from '../../src/fit/forecast.js';
import { loadModelByName } from '../../src/node/library.js';
import { examplePatient, pkModel } from './helpers.js';

const model = loadModelByName('ketamine-depression');
const record = examplePatient('depression-patient.json');
const booster = { label: 'booster day 45', doses: [{ timeH: 45 * 24, drug: 'ketamine', route: 'iv', amountMg: 40, durationH: 2 / 3 }] };

describe('grids', () => {
  it('common grid: daily and the rating times before the origin, every 6 h from the origin (whole days from now on it), the end', () => {
    const g = forecastGridH(42.5 * 24, 42.5 * 24 + 72, 6, 24, [3.25, 50, 42.5 * 24 + 1]);
    expect(g.filter((t) => t < 1020)).toEqual([0, 3.25, 24, 48, 50, ...Array.from({ length: 40 }, (_, k) => 72 + 24 * k)].filter((t) => t < 1020));
    const future = g.filter((t) => t >= 1020);
    expect(future).toEqual(Array.from({ length: 13 }, (_, k) => 1020 + 6 * k));
    expect(peakGridH([{ timeH: 100, drug: 'ketamine', route: 'iv', amountMg: 40, durationH: 2 / 3 }], 1000)).toHaveLength(45);
    expect(peakGridH([{ timeH: 100, drug: 'ketamine', route: 'iv', amountMg: 40, durationH: 0 }], 101)).toHaveLength(13);
  });
});

describe('sampling', () => {
  const fit = fitPatient(model, record, { draws: 1000 });
  it('shares ETA_SYN (the only effect reaching the ODEs) in stratified groups; independent for SIR, PK models or when asked', () => {
    const s = forecastSampling(model, fit, 1000);
    expect(s).toMatchObject({ method: 'shared', groups: 25, perGroup: 40, dynamicEtas: ['ETA_SYN'], solutionsPerScenario: 26 });
    expect(forecastSampling(model, fit, 200)).toMatchObject({ groups: 10, perGroup: 20 });
    expect(forecastSampling(model, fit, 1000, 'independent').method).toBe('independent');
    expect(forecastSampling(model, fit, 1000, 8)).toMatchObject({ method: 'shared', groups: 8, perGroup: 125 });
    const sir = { ...fit, result: { ...fit.result, uncertainty: { ...fit.result.uncertainty, method: 'sir' } } } as PatientFit;
    expect(forecastSampling(model, sir, 1000).method).toBe('independent');
  });

  it('outputs re-evaluated from a shared solution equal a simulation of their own (same dynamic values)', () => {
    const n = fit.objective.n;
    const count = 7;
    const values = new Float64Array(count * n);
    values.set(fit.mapEta, 0);
    // Rows 1–3 and 4–6: two groups of draws sharing ETA_SYN.
    const groups = fit.objective.names.indexOf('ETA_SYN');
    values.set(fit.draws.subarray(0, 6 * n), n);
    for (let r = 2; r < count; r++) values[r * n + groups] = values[(r < 4 ? 1 : 4) * n + groups] as number;
    const grid = [...forecastGridH(42 * 24, 50 * 24), ...peakGridH(booster.doses, 50 * 24)];
    const design = buildDesign(model, { ...record, observations: [] }, { gridH: grid, plannedDoses: booster.doses });
    const rows = design.gridRows;
    const sets = [{ rows: rows.slice(0, 40), outputs: ['MADRS'] }, { rows: rows.slice(40), outputs: ['CADSS', 'SBP'] }];
    const subject = design.dataset.subjects[0]!;
    const shared = simulateCurves(model, design.dataset, subject, fit.objective.names, values, Int32Array.from([0, 1, 1, 1, 4, 4, 4]), sets, undefined);
    const own = simulateCurves(model, design.dataset, subject, fit.objective.names, values, Int32Array.from([0, 1, 2, 3, 4, 5, 6]), sets, undefined);
    for (let k = 0; k < sets.length; k++) {
      for (const name of sets[k]!.outputs) {
        for (let r = 0; r < count; r++) expect(shared[k]!.get(name)![r]).toEqual(own[k]!.get(name)![r]);
      }
    }
    // The draws of a group do differ (output-only effects).
    expect(shared[0]!.get('MADRS')![2]).not.toEqual(shared[0]!.get('MADRS')![3]);
  });

  it('shared draws give the independent forecast within Monte Carlo error (1,000 draws each)', () => {
    const baseline = recordBaseline(model, fit);
    const run = (groups: 'auto' | 'independent'): PlanForecast => forecastPlans(model, fit, { horizonH: 28 * 24, draws: 1000, baseline, scenarios: [booster], groups, seed: 3 });
    const shared = run('auto');
    const independent = run('independent');
    expect(shared.sampling.method).toBe('shared');
    expect(independent.sampling.method).toBe('independent');
    expect(shared.timesH).toEqual(independent.timesH);
    const N = 1000;
    // Two samples of N: the difference of a quantile's CDF level has variance p(1−p)·2/N (independent draws; the
    // stratified groups measured no worse, docs/forecasting.md). 4 standard errors.
    const tol = (p: number): number => 4 * Math.sqrt((p * (1 - p) * 2) / N);
    const s = shared.scenarios[0]!;
    const i = independent.scenarios[0]!;
    const ind = Float64Array.from(i.relapseTimesH!).sort();
    const cdf = (sorted: Float64Array, x: number): number => sorted.filter((t) => t <= x).length / sorted.length;
    for (const [p, q] of [[0.05, s.relapse!.timeToRelapseH.p05], [0.1, s.relapse!.timeToRelapseH.p10], [0.25, s.relapse!.timeToRelapseH.p25], [0.5, s.relapse!.timeToRelapseH.median]] as const) {
      expect(Math.abs(cdf(ind, q) - p), `relapse p${p}`).toBeLessThan(tol(p));
    }
    const fi = i.fractionInResponseByDraw!;
    const mean = fi.reduce((a, b) => a + b, 0) / N;
    const sd = Math.sqrt(fi.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1));
    expect(Math.abs(s.relapse!.fractionInResponse - i.relapse!.fractionInResponse)).toBeLessThan(4 * sd * Math.sqrt(2 / N));
    expect(Math.abs(s.relapse!.respondingAtEnd - i.relapse!.respondingAtEnd)).toBeLessThan(tol(i.relapse!.respondingAtEnd));
    // Bands: the independent band's CDF, piecewise linear through its 5 percentiles, at the shared quartiles.
    const levels = [0.05, 0.25, 0.5, 0.75, 0.95];
    const cdfOfBand = (b: Band5, g: number, x: number): number => {
      const q = [b.p05[g]!, b.p25[g]!, b.median[g]!, b.p75[g]!, b.p95[g]!];
      for (let k = 0; k + 1 < q.length; k++) if (x <= q[k + 1]!) return q[k + 1]! > q[k]! ? levels[k]! + ((x - q[k]!) / (q[k + 1]! - q[k]!)) * (levels[k + 1]! - levels[k]!) : levels[k + 1]!;
      return 0.95;
    };
    const check = (name: string, g: number): void => {
      const bs = s.bands.find((b) => b.name === name)!;
      const bi = i.bands.find((b) => b.name === name)!;
      for (const [p, x] of [[0.25, bs.p25[g]!], [0.5, bs.median[g]!], [0.75, bs.p75[g]!]] as const) expect(Math.abs(cdfOfBand(bi, g, x) - p), `${name} at ${g}, p${p}`).toBeLessThan(tol(p));
    };
    for (const d of [7, 14, 21, 28]) check('MADRS', shared.timesH.findIndex((t) => Math.abs(t - (shared.originH + d * 24)) < 1e-6));
    const cadss = s.bands.find((b) => b.name === 'CADSS')!;
    check('CADSS', cadss.timesH.findIndex((t) => Math.abs(t - (45 * 24 + 40 / 60)) < 1e-6));
    const peak = (f: PlanForecast) => f.scenarios[0]!.peaks.find((p) => p.output === 'CADSS')!.peak;
    const pi = peak(independent);
    const ps = peak(shared);
    expect(Math.abs(ps.median - pi.median)).toBeLessThan(0.2 * (pi.p95 - pi.p05));
  }, 60_000);
});

describe('PK-only model (closed form)', () => {
  it('forecasts concentrations with independent draws (every effect reaches the dynamics)', () => {
    const m = pkModel();
    const fit = fitPatient(m, examplePatient('pk-patient.json'), { draws: 200 });
    const last = Math.max(...fit.design.record.doses.map((d) => d.timeH));
    const f = forecastPlans(m, fit, { horizonH: 24, draws: 200, baseline: { value: Number.NaN, from: 'model default', text: '' }, outputs: ['CP'], peakOutputs: ['CP'], scenarios: [{ label: 'dose', doses: [{ timeH: last + 12, drug: 'ketamine', route: 'iv', amountMg: 35, durationH: 2 / 3 }] }] });
    expect(f.sampling.method).toBe('independent');
    const s = f.scenarios[0]!;
    expect(s.relapse).toBeUndefined();
    const cp = s.peaks.find((p) => p.output === 'CP')!;
    expect(cp.peak.median).toBeGreaterThan(0);
    expect(cp.peak.p05).toBeLessThan(cp.peak.p95);
    expect(s.bands[0]!.grid).toBe('peak');
  });
});
