/**
 * simulate(..., { outputs }) computes only the outputs asked for (and the formulas they read), with exactly the
 * values of a full simulation: closed form (generated kernel), hybrid closed form + ODE, and errors for outputs
 * the model does not have.
 */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/core/errors.js';
import { sampleEtas } from '../../src/core/random/index.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { loadModelByName } from '../../src/node/library.js';
import { buildRegimen } from '../../src/regimen/regimen.js';

function population(modelName: string, n: number) {
  const model = loadModelByName(modelName);
  const regimen = buildRegimen(
    model,
    { weight_kg: 70, covariates: {}, with: [], doses: [{ route: 'iv', amount: '0.5 mg/kg', over: '40 min', days: [0, 2] }], follow_up: '3 d' },
    { fineStepH: 0.25 },
  );
  const subject = regimen.dataset.subjects[0]!;
  const data = { ...regimen.dataset, subjects: Array.from({ length: n }, (_, i) => ({ ...subject, id: String(i + 1) })) };
  return { model, data, etas: sampleEtas(model.randomEffects, 3, n) };
}

describe('simulate: a subset of the outputs', () => {
  for (const [modelName, wanted] of [
    ['ketamine-racemic', ['CNK', 'CP']],
    ['ketamine-depression', ['MADRS', 'CADSS', 'SBP', 'DRIVE_FRACTION']],
  ] as const) {
    it(`${modelName}: ${wanted.join(', ')} equal the full simulation's, in the order asked`, () => {
      const { model, data, etas } = population(modelName, 5);
      const full = simulate(model, data, { subjectInputs: etas });
      const part = simulate(model, data, { subjectInputs: etas, outputs: wanted });
      expect(part.outputNames).toEqual(wanted);
      expect(part.outputUnits).toEqual(wanted.map((o) => full.outputUnits[full.outputNames.indexOf(o)]));
      expect(part.values).toHaveLength(wanted.length);
      wanted.forEach((o, j) => {
        expect(Array.from(part.values[j]!.subarray(0, part.rows))).toEqual(Array.from(full.values[full.outputNames.indexOf(o)]!.subarray(0, full.rows)));
      });
    });
  }

  it('names an output the model does not have, and refuses one asked twice', () => {
    const { model, data } = population('ketamine-racemic', 1);
    expect(() => simulate(model, data, { outputs: ['CP', 'MADRS'] })).toThrow(ModelError);
    expect(() => simulate(model, data, { outputs: ['CP', 'MADRS'] })).toThrow(/no output MADRS/);
    expect(() => simulate(model, data, { outputs: ['CP', 'CP'] })).toThrow(/twice/);
  });
});
