/**
 * Agreement with independent references: the MAP of examples/patients/pk-patient.json under
 * ketamine-iv-pk-bsv agrees with scipy.optimize.minimize on the same objective (predictions from scipy's matrix
 * exponential, not ketasim's closed form; test/fit/reference/map_reference.py and its output) to 1e-4 relative,
 * and with the mode of a brute-force grid posterior computed here.
 */
import { describe, expect, it } from 'vitest';
import { fitPatient } from '../../src/fit/fit.js';
import { examplePatient, pkModel, reference } from './helpers.js';

interface Ref { eta: number[]; ofv: number; covariance: number[]; predictions_at_map: number[] }

describe('MAP against scipy', () => {
  const model = pkModel();
  const record = examplePatient('pk-patient.json');
  const ref = reference('map_reference.json') as Ref;
  const fit = fitPatient(model, record);

  it('converges', () => {
    expect(fit.result.converged).toBe(true);
    expect(fit.result.unused.map((u) => u.reason)).toEqual(['missing value (marked missing in the record)']);
  });

  it('finds the same mode (1e-4 relative on each eta) and objective (1e-9 relative)', () => {
    fit.result.etas.forEach((e, i) => {
      const r = ref.eta[i] as number;
      expect(Math.abs(e.estimate - r) / Math.abs(r)).toBeLessThan(1e-4);
    });
    expect(Math.abs(fit.result.objective.total - ref.ofv) / ref.ofv).toBeLessThan(1e-9);
  });

  it('has the same predictions at the mode (BLQ observation included)', () => {
    fit.result.observations.forEach((o, i) => {
      const r = ref.predictions_at_map[i] as number;
      expect(Math.abs(o.ipred - r) / r).toBeLessThan(1e-4);
    });
  });

  it('has the same Laplace covariance (1e-2 relative on each element: both are finite-difference Hessians)', () => {
    fit.result.covariance.forEach((c, k) => {
      const r = ref.covariance[k] as number;
      const scale = Math.sqrt(Math.abs((ref.covariance[Math.floor(k / 3) * 4] as number) * (ref.covariance[(k % 3) * 4] as number)));
      expect(Math.abs(c - r) / scale).toBeLessThan(1e-2);
    });
  });
});

describe('MAP against a brute-force grid posterior', () => {
  it('the mode of the objective on a fine grid around the MAP is the MAP', () => {
    const model = pkModel();
    const record = examplePatient('pk-patient.json');
    const fit = fitPatient(model, record, { draws: 10 });
    const obj = fit.objective;
    const u0 = obj.whiten(fit.mapEta);
    // 21^3 grid of ±0.02 in whitened units, then a finer one around the best point.
    let best = { f: Infinity, u: Float64Array.from(u0) };
    for (const width of [0.02, 0.002, 0.0002]) {
      const centre = Float64Array.from(best.u);
      for (let a = -10; a <= 10; a++) for (let b = -10; b <= 10; b++) for (let c = -10; c <= 10; c++) {
        const u = Float64Array.from([centre[0]! + (a * width) / 10, centre[1]! + (b * width) / 10, centre[2]! + (c * width) / 10]);
        const f = obj.evaluate(u);
        if (f < best.f) best = { f, u };
      }
    }
    const etaGrid = obj.etaOf(best.u);
    for (let i = 0; i < 3; i++) expect(Math.abs((etaGrid[i] as number) - (fit.mapEta[i] as number))).toBeLessThan(1e-4 * Math.max(0.05, Math.abs(fit.mapEta[i] as number)) + 2e-5);
    expect(fit.result.objective.total - best.f).toBeLessThan(1e-8);
  });
});
