/**
 * A closed-form model whose output turns non-finite part-way through a run of observations: the error names the
 * output, the value, the subject and the time of the first such record (the generated kernel checks a whole run
 * at once and then finds the first bad row).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SolverError } from '../../src/core/errors.js';
import { loadModel } from '../../src/browser.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { datasetFromRows } from '../../src/io/nmdata/index.js';

const base = readFileSync(new URL('../../examples/nmtests/advan2-nmtests.yaml', import.meta.url), 'utf8');

describe('closed form: a non-finite output', () => {
  it('is reported at its first record', () => {
    // log(CP - 1000) is finite while CP > 1000 ng/mL and NaN after: 100 mg IV into 20 L is 5000 ng/mL at first,
    // below 1000 ng/mL after ln(5)/0.055 = 29.3 h.
    const text = base.replace('CP: { value: 1000 * CENT / V,', 'LOGEXCESS: { value: log(1000 * CENT / V - 1000), unit: "1", description: test }\n  CP: { value: 1000 * CENT / V,');
    const model = loadModel(text, 'nonfinite.yaml');
    const rows = [{ ID: 7, TIME: 0, EVID: 1, AMT: 100, CMT: 2 }, ...Array.from({ length: 48 }, (_, k) => ({ ID: 7, TIME: k + 1, EVID: 0, AMT: 0, CMT: 2 }))];
    let error: unknown;
    try {
      simulate(model, datasetFromRows(rows, 'rows'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SolverError);
    const message = (error as Error).message;
    expect(message).toMatch(/LOGEXCESS is NaN/);
    expect(message).toMatch(/\b7\b/);
    expect(message).toMatch(/time 30\b/);
  });
});
