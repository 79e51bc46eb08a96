/** `ketasim fit` end to end: text, JSON, report, and clear errors for bad records (exit code 1). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ketasim, scratch } from '../cli/helpers.js';

const model = 'examples/patients/ketamine-iv-pk-bsv.yaml';

describe('ketasim fit', () => {
  it('prints estimates with intervals, shrinkage, the objective and the fit table', () => {
    const r = ketasim('fit', '--model', model, '--patient', 'examples/patients/pk-patient.json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Patient PK-001, model ketamine-iv-pk-bsv: 10 observations used, 1 not used/);
    expect(r.stdout).toMatch(/MAP converged/);
    expect(r.stdout).toMatch(/ETA_CL\s+0\.294\s+0\.286/);
    expect(r.stdout).toMatch(/observations\[8\]\s+24\s+CP\s+<= 5 .*censored/);
    expect(r.stdout).toMatch(/observations\[10\] \(CP at 49 h\): missing value/);
    expect(r.stdout).toMatch(/not a medical device/);
  });

  it('--json and --report', () => {
    const dir = scratch('ketasim-fit-');
    const report = join(dir.dir, 'fit.html');
    const r = ketasim('fit', '--model', model, '--patient', 'examples/patients/pk-patient.json', '--json', '--report', report, '--uncertainty', 'sir', '--draws', '300');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { converged: boolean; etas: { name: string; ci90: number[] }[]; uncertainty: { method: string; effectiveSampleSize: number } };
    expect(out.converged).toBe(true);
    expect(out.uncertainty.method).toBe('sir');
    expect(out.uncertainty.effectiveSampleSize).toBeGreaterThan(100);
    expect(out.etas.map((e) => e.name)).toEqual(['ETA_CL', 'ETA_V1', 'ETA_V2']);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/CP: observed and fitted/);
    expect(html).toMatch(/<svg/);
  });

  it('a bad record is an error naming the record and the field (exit 1)', () => {
    const dir = scratch('ketasim-fit-');
    const file = dir.file('bad.json', JSON.stringify({ ketasim: 'patient/1', id: 'x', doses: [{ time: 0, route: 'iv', amount: 35, unit: 'mg' }], observations: [{ time: 1, type: 'MADRS', value: 70, unit: 'points' }] }));
    const r = ketasim('fit', '--patient', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("ketasim: bad.json, observations[1].value, value '70': MADRS 70 points is outside its range 0-60 points (10 items scored 0-6 (clinical-practice.md §2.1))\n");
  });

  it('refuses a record with nothing the model can use', () => {
    const dir = scratch('ketasim-fit-');
    const file = dir.file('phq.json', JSON.stringify({ ketasim: 'patient/1', id: 'x', weight_kg: 70, doses: [{ time: 0, route: 'iv', amount: 35, unit: 'mg' }], observations: [{ time: 24, type: 'PHQ-9', value: 12, unit: 'points' }] }));
    const r = ketasim('fit', '--patient', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/phq\.json: no observation can inform the fit \(observations\[1\] \(PHQ9\): model ketamine-depression has no output PHQ9\)/);
  });
});
