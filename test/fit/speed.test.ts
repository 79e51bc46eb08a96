/**
 * The pieces that make fits fast, each checked against the slow path it replaces: analytic derivatives of the
 * observation terms (Levenberg–Marquardt) against finite differences of the terms; Levenberg–Marquardt against
 * BFGS on the reference patient; re-used simulations (output-only random effects) against a simulation per
 * evaluation (bit for bit the same mode); the fitting tolerance against a 1e-10 fit of the depression patient.
 */
import { describe, expect, it } from 'vitest';
import { drawsSharingDynamics, fitPatient } from '../../src/fit/fit.js';
import { observationTerm, observationTermDerivatives } from '../../src/fit/objective.js';
import { loadModelByName } from '../../src/node/library.js';
import { examplePatient, pkModel } from './helpers.js';

describe('observation term derivatives', () => {
  const residuals = [{ additive: 3 }, { proportional: 0.2 }, { additive: 0.5, proportional: 0.15 }, { exponential: 0.3 }];
  const cases: ['none' | 'below' | 'above', number, number][] = [
    ['none', 10, 8],
    ['none', 10, 14],
    ['below', 1, 6],
    ['below', 1, 0.6],
    ['below', 1, 30],
    ['above', 60, 50],
    ['above', 60, 90],
  ];
  it('the first derivative equals a finite difference of the term; the weight is ≥ 0 and is the curvature for censored terms', () => {
    const out = new Float64Array(2);
    for (const r of residuals) {
      for (const [censoring, y, f] of cases) {
        observationTermDerivatives(r, censoring, y, f, out);
        const h = 1e-5 * f;
        const t = (v: number): number => observationTerm(r, censoring, y, v);
        const d1 = (t(f + h) - t(f - h)) / (2 * h);
        const where = `${JSON.stringify(r)} ${censoring} y ${y} f ${f}`;
        expect(Math.abs(out[0]! - d1), where).toBeLessThan(1e-6 * Math.max(1, Math.abs(d1)));
        expect(out[1]!, where).toBeGreaterThanOrEqual(0);
        if (censoring !== 'none' && r.proportional === undefined && r.exponential === undefined) {
          const d2 = (t(f + h) - 2 * t(f) + t(f - h)) / (h * h);
          expect(Math.abs(out[1]! - d2), where).toBeLessThan(1e-4 * Math.max(1, Math.abs(d2)));
        }
        if (censoring === 'none' && r.additive !== undefined && r.proportional === undefined) expect(out[1]).toBeCloseTo(2 / r.additive ** 2, 12);
      }
    }
  });
});

describe('Levenberg–Marquardt', () => {
  it('finds the BFGS mode of the reference patient in fewer evaluations', () => {
    const model = pkModel();
    const patient = examplePatient('pk-patient.json');
    const lm = fitPatient(model, patient, { draws: 100 }).result;
    const bfgs = fitPatient(model, patient, { draws: 100, optimizer: 'bfgs' }).result;
    expect(lm.converged && bfgs.converged).toBe(true);
    lm.etas.forEach((e, i) => expect(Math.abs(e.estimate - bfgs.etas[i]!.estimate)).toBeLessThan(1e-6 * Math.max(0.05, Math.abs(e.estimate))));
    expect(Math.abs(lm.objective.total - bfgs.objective.total)).toBeLessThan(1e-9 * bfgs.objective.total);
    expect(lm.evaluations).toBeLessThan(bfgs.evaluations);
  });
});

describe('the depression patient (ODE model, 40 observations)', () => {
  const model = loadModelByName('ketamine-depression');
  const patient = examplePatient('depression-patient.json');

  it('re-used simulations give the same mode, bit for bit, as a simulation per evaluation, with a fraction of the simulations', () => {
    // Central differences in both (the default uses forward differences where a step needs a simulation, which
    // without re-use is every step).
    const reuse = fitPatient(model, patient, { draws: 100, differences: 'central' });
    const every = fitPatient(model, patient, { draws: 100, differences: 'central', reuseStates: false });
    expect(reuse.result.etas.map((e) => e.estimate)).toEqual(every.result.etas.map((e) => e.estimate));
    expect(reuse.result.covariance).toEqual(every.result.covariance);
    expect(every.objective.simulations).toBeGreaterThan(4 * reuse.objective.simulations);
    // The default: forward differences in the direction that needs a simulation.
    expect(fitPatient(model, patient, { draws: 100 }).objective.simulations).toBeLessThan(25);
  }, 60_000);

  it('the mode at the fitting tolerance equals a 1e-10 fit to 1e-3 prior SDs (the old BFGS fit to the same)', () => {
    const fast = fitPatient(model, patient, { draws: 100 }).result;
    const tight = fitPatient(model, patient, { draws: 100, solver: { rtol: 1e-10, atol: 1e-12 }, gtol: 1e-5, differences: 'central' }).result;
    const old = fitPatient(model, patient, { draws: 100, optimizer: 'bfgs', solver: { rtol: 1e-6, atol: 1e-8 } }).result;
    expect(fast.converged && tight.converged && old.converged).toBe(true);
    fast.etas.forEach((e, i) => {
      expect(Math.abs(e.estimate - tight.etas[i]!.estimate) / e.priorSd, e.name).toBeLessThan(1e-3);
      expect(Math.abs(old.etas[i]!.estimate - tight.etas[i]!.estimate) / e.priorSd, e.name).toBeLessThan(1e-3);
      expect(Math.abs(e.posteriorSd - tight.etas[i]!.posteriorSd) / tight.etas[i]!.posteriorSd, e.name).toBeLessThan(1e-2);
    });
    expect(Math.abs(fast.objective.total - tight.objective.total)).toBeLessThan(1e-5);
  }, 120_000);

  it('draws sharing dynamics: one value of ETA_SYN per group, moments of the Laplace normal', () => {
    const fit = fitPatient(model, patient, { draws: 100 });
    const n = fit.objective.n;
    const groups = 400;
    const per = 10;
    const d = drawsSharingDynamics(fit, groups, per, 3);
    const syn = fit.objective.names.indexOf('ETA_SYN');
    for (let g = 0; g < groups; g++) for (let k = 1; k < per; k++) expect(d[(g * per + k) * n + syn]).toBe(d[g * per * n + syn]);
    const count = groups * per;
    for (let i = 0; i < n; i++) {
      let mean = 0;
      for (let r = 0; r < count; r++) mean += d[r * n + i]! / count;
      let v = 0;
      for (let r = 0; r < count; r++) v += (d[r * n + i]! - mean) ** 2 / (count - 1);
      const sd = fit.result.etas[i]!.posteriorSd;
      // ETA_SYN has 400 independent values; the others 4,000 draws (dependent within groups only through ETA_SYN).
      expect(Math.abs(mean - fit.mapEta[i]!) / sd, fit.objective.names[i]).toBeLessThan(i === syn ? 0.2 : 0.1);
      expect(Math.abs(Math.sqrt(v) / sd - 1), fit.objective.names[i]).toBeLessThan(i === syn ? 0.15 : 0.08);
    }
  });
});
