/**
 * The clinical models' default ODE tolerances (set loose for speed: virtual trials simulate 10^5 patients) keep the
 * clinical read-outs accurate: on every example regimen, virtual patients simulated with the model's own solver
 * settings stay within a fraction of a rating-scale point (and of a ng/mL) of a DOP853 solution at 1e-10.
 * Loosening a model's tolerances past what the read-outs allow fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { sampleEtas } from '../../src/core/random/index.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { loadModelByName } from '../../src/node/library.js';
import { buildRegimen, parseRegimen } from '../../src/regimen/regimen.js';

const dir = new URL('../../examples/regimens/', import.meta.url).pathname;

/** Largest error allowed per output, in the output's unit. */
const ALLOWED: Record<string, number> = {
  MADRS: 1e-2, // points (the scale has whole points; the rating error is about 3 points)
  ANXIETY: 3e-2, // % of baseline
  CADSS: 1e-3, // points
  SBP: 1e-3, // mmHg
  CNK: 1e-3, // ng/mL
  NP_INDEX: 1e-5,
};

describe('clinical models: default solver settings against a 1e-10 solution', () => {
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const text = readFileSync(join(dir, name), 'utf8');
    // The clinical model the example names, or ketamine-depression for examples written for a PK model.
    const named = /-m ([a-z0-9-]+)/.exec(text)?.[1] ?? 'ketamine-depression';
    const modelName = named.endsWith('-depression') ? named : 'ketamine-depression';
    it(`${name} (${modelName})`, () => {
      const model = loadModelByName(modelName);
      const regimen = buildRegimen(model, parseRegimen(parse(text) as unknown, name), { fineStepH: 0.25, fineWindowH: 4, coarseStepH: 6 });
      const n = 12;
      const subject = regimen.dataset.subjects[0]!;
      const data = { ...regimen.dataset, subjects: Array.from({ length: n }, (_, i) => ({ ...subject, id: String(i + 1) })) };
      const etas = sampleEtas(model.randomEffects, 7, n);
      const loose = simulate(model, data, { subjectInputs: etas });
      const exact = simulate(model, data, { subjectInputs: etas, solver: { method: 'dop853', rtol: 1e-10, atol: 1e-10 } });
      const checked = Object.keys(ALLOWED).filter((o) => model.outputNames.includes(o));
      expect(checked.length).toBeGreaterThan(2);
      for (const output of checked) {
        const k = model.outputNames.indexOf(output);
        const a = loose.values[k]!;
        const b = exact.values[k]!;
        let worst = 0;
        for (let row = 0; row < loose.rows; row++) worst = Math.max(worst, Math.abs((a[row] as number) - (b[row] as number)));
        expect(worst, output).toBeLessThan(ALLOWED[output]!);
      }
    });
  }
});
