/**
 * A closed-form and a hybrid (closed form + ODE) model whose output turns non-finite part-way through a run of
 * observations: the error names the output, the value, the subject and the time of the first such record (the
 * generated kernel checks a whole run at once and then finds the first bad row).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/browser.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { datasetFromRows } from '../../src/io/nmdata/index.js';
import { expectSolverError } from '../ode/helpers.js';

const base = readFileSync(new URL('../../examples/nmtests/advan2-nmtests.yaml', import.meta.url), 'utf8');

describe('closed form: a non-finite output', () => {
  it('is reported at its first record', () => {
    // log(CP - 1000) is finite while CP > 1000 ng/mL and NaN after: 100 mg IV into 20 L is 5000 ng/mL at first,
    // below 1000 ng/mL after ln(5)/0.055 = 29.3 h.
    const text = base.replace('CP: { value: 1000 * CENT / V,', 'LOGEXCESS: { value: log(1000 * CENT / V - 1000), unit: "1", description: test }\n  CP: { value: 1000 * CENT / V,');
    const model = loadModel(text, 'nonfinite.yaml');
    const rows = [{ ID: 7, TIME: 0, EVID: 1, AMT: 100, CMT: 2 }, ...Array.from({ length: 48 }, (_, k) => ({ ID: 7, TIME: k + 1, EVID: 0, AMT: 0, CMT: 2 }))];
    const message = expectSolverError(() => simulate(model, datasetFromRows(rows, 'rows'))).message;
    expect(message).toMatch(/LOGEXCESS is NaN/);
    expect(message).toMatch(/\b7\b/);
    expect(message).toMatch(/time 30\b/);
  });
});

describe('hybrid model: a non-finite output', () => {
  it('is reported at its first record', () => {
    // P3's model after 100 mg IV into A1: CE (ng/mL) is 0 at the dose, 2037 at 5 min, then falls through 63.7 at
    // 135 min and 58.8 at 140 min. CE·(CE − 60) + 1 is negative for CE between 0.017 and 59.98: the log is NaN
    // from 140 min on, and finite at every earlier record.
    const text = readFileSync(new URL('../../examples/baselines/pkpd.yaml', import.meta.url), 'utf8');
    const model = loadModel(text.replace('outputs:\n', 'outputs:\n  LOGQ: { value: log(1000 * EFFECT * (1000 * EFFECT - 60) + 1), unit: "1", description: test }\n'), 'nonfinite-hybrid.yaml');
    expect(model.outputNames).toContain('LOGQ');
    const rows = [{ ID: 3, TIME: 0, EVID: 1, AMT: 100, CMT: 1 }, ...Array.from({ length: 48 }, (_, k) => ({ ID: 3, TIME: 5 * (k + 1), EVID: 0, AMT: 0, CMT: 1 }))];
    const message = expectSolverError(() => simulate(model, datasetFromRows(rows, 'rows'))).message;
    expect(message).toMatch(/LOGQ is NaN/);
    expect(message).toMatch(/\b3\b/);
    expect(message).toMatch(/time 140\b/);
  });
});
