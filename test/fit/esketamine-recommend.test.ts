/**
 * Model-informed care with esketamine: a patient simulated from esketamine-depression (eight 56 mg nasal sessions,
 * twice weekly; MADRS, CADSS and blood pressure recorded), fitted, and a maintenance recommendation made within the
 * esketamine defaults (56 or 84 mg per session, at most twice weekly, 672 mg in 28 days; blood-pressure limits).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDesign } from '../../src/fit/design.js';
import { fitPatient, type PatientFit } from '../../src/fit/fit.js';
import { defaultClinicLimits } from '../../src/fit/clinic-limits.js';
import { recommend } from '../../src/fit/recommend.js';
import { parsePatientRecord, type PatientRecordInput } from '../../src/fit/record.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { loadModelByName } from '../../src/node/library.js';
import { loadSafetyRules } from '../../src/node/safety-rules.js';

const model = loadModelByName('esketamine-depression');
const SESSIONS_D = [0, 3, 7, 10, 14, 17, 21, 24];

/** The record with every observation's value (placeholders first) simulated for a patient with drug sensitivity ETA_EMAX = 2, rounded as charted. */
function simulatedRecord(): PatientRecordInput {
  const input: PatientRecordInput = {
    ketasim: 'patient/1',
    id: 'ESK-1',
    weight_kg: 72,
    sex: 'female',
    age_y: 44,
    covariates: { BASE_MADRS: 33 },
    doses: SESSIONS_D.map((d) => ({ time: `${d} d`, drug: 'esketamine', route: 'intranasal', amount: 56, unit: 'mg' })),
    // in time order: CADSS and blood pressure 40 min into each session, MADRS the day after sessions 1, 3, 5, 7 and at day 28
    observations: [...SESSIONS_D.map((d) => d * 24 + 0.67), ...[1, 8, 15, 22, 28].map((d) => d * 24)]
      .sort((a, b) => a - b)
      .flatMap((h) =>
        Number.isInteger(h)
          ? [{ time: h, type: 'MADRS', value: 20, unit: 'points' }]
          : [
              { time: h, type: 'CADSS', value: 1, unit: 'points' },
              { time: h, type: 'SBP', value: 120, unit: 'mmHg' },
              { time: h, type: 'DBP', value: 80, unit: 'mmHg' },
            ],
      ),
  };
  const design = buildDesign(model, parsePatientRecord(input, 'esk.json'));
  const result = simulate(model, design.dataset, { subjectInputs: { names: ['ETA_EMAX'], values: Float64Array.of(2) } });
  const observations = input.observations ?? [];
  design.observations.forEach((o) => {
    const value = (result.values[o.output] as Float64Array)[o.row] as number;
    const target = observations[o.record.index] as { value: number | null };
    target.value = Math.round(value);
  });
  return input;
}

let fit: PatientFit;
beforeAll(() => {
  fit = fitPatient(model, parsePatientRecord(simulatedRecord(), 'esk.json'), { draws: 100 });
}, 120_000);

describe('esketamine: fit and recommend', () => {
  it('the fit finds the patient a responder (ETA_EMAX near the simulated 2)', () => {
    const estimate = fit.mapEta[model.randomEffects.names.indexOf('ETA_EMAX')] as number;
    expect(estimate).toBeGreaterThan(0.5);
    expect(estimate).toBeLessThan(4);
  });

  it('proposes nasal 56 or 84 mg at most twice weekly, within the esketamine limits, with their sources', () => {
    const r = recommend(model, fit, { limits: defaultClinicLimits('esketamine'), rules: loadSafetyRules(), draws: 40, intervalsD: [3.5, 7, 14] });
    const dosed = r.candidates.filter((c) => c.dose !== undefined);
    expect(dosed.length).toBeGreaterThan(0);
    for (const c of dosed) {
      expect(c.dose?.route).toBe('intranasal');
      expect(['56 mg', '84 mg']).toContain(c.dose?.amount);
      expect(c.intervalD as number).toBeGreaterThanOrEqual(3);
      for (const d of c.doses) expect(d.drug).toBe('esketamine');
    }
    // 84 mg twice weekly is 8 × 84 = 672 mg in 28 days: at the limit, not above it.
    const heaviest = dosed.find((c) => c.dose?.amount === '84 mg' && c.intervalD === 3.5);
    expect(heaviest?.checks.find((k) => k.limit === 'dose_28d')?.ok).toBe(true);
    expect(r.chosen.feasible).toBe(true);
    expect(r.limits.name).toBe('ketasim defaults (esketamine)');
    expect(r.explanation.join(' ')).toMatch(/Recommended: /);
    // A responder after induction: maintenance at the label's rhythm (weekly or every 2 weeks), not twice weekly.
    expect(r.chosen.dose?.route).toBe('intranasal');
    expect([7, 14]).toContain(r.chosen.intervalD);
  }, 120_000);
});
