/**
 * Fitting the clinical ODE model to a simulated patient (examples/patients/depression-patient.json, written by
 * make-depression-patient.mjs from known etas: ETA_EMAX 1.5, ETA_PLACEBO 0.3, ETA_COURSE 0.1, ETA_SYN −0.2,
 * ETA_CADSS 0.3): the MAP converges, the 90% intervals of the well-informed effects contain the truth, and
 * PHQ-9 (no model output) is listed as unused.
 */
import { describe, expect, it } from 'vitest';
import { fitPatient } from '../../src/fit/fit.js';
import { loadModelByName } from '../../src/node/library.js';
import { examplePatient } from './helpers.js';

const TRUTH: Record<string, number> = { ETA_EMAX: 1.5, ETA_PLACEBO: 0.3, ETA_COURSE: 0.1, ETA_SYN: -0.2, ETA_CADSS: 0.3 };

describe('ketamine-depression fit', () => {
  it('recovers the simulated patient', () => {
    const fit = fitPatient(loadModelByName('ketamine-depression'), examplePatient('depression-patient.json'), { draws: 200 });
    const r = fit.result;
    expect(r.converged).toBe(true);
    expect(r.observations.length).toBe(40);
    expect(r.unused.map((u) => u.type)).toEqual(['PHQ9', 'PHQ9']);
    for (const e of r.etas) {
      expect(TRUTH[e.name]!, e.name).toBeGreaterThanOrEqual(e.ci90[0]);
      expect(TRUTH[e.name]!, e.name).toBeLessThanOrEqual(e.ci90[1]);
    }
    // Dissociation and drug sensitivity are informed (CADSS after each infusion, MADRS at 4 h); the others much less.
    const ratio = Object.fromEntries(r.etas.map((e) => [e.name, e.sdRatio]));
    expect(ratio.ETA_CADSS).toBeLessThan(0.3);
    expect(ratio.ETA_EMAX).toBeLessThan(0.3);
  }, 30000);
});
