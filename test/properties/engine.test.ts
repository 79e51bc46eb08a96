/**
 * Issue 2, "properties": over random linear models and regimens, the engine obeys superposition, dose
 * proportionality and mass balance; closed form and ODE agree; records with equal times are ordered as NONMEM
 * orders them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachRow, simulate, type SimulationResult } from '../../src/core/simulate/simulate.js';
import { datasetFromRows } from '../../src/io/nmdata/index.js';
import { compile, dosedBy, linearModelCase, linearModelYaml, pkCompartments, regimen, regimenDataset, type Dose } from './generators.js';

/** Output column at observation records (EVID 0), in order. */
function observed(result: SimulationResult, output: string): { time: number; value: number }[] {
  const k = result.outputNames.indexOf(output);
  const out: { time: number; value: number }[] = [];
  forEachRow(result, (s, r, row) => {
    const subject = result.dataset.subjects[s];
    if (subject !== undefined && subject.evid[r] === 0) out.push({ time: subject.time[r] as number, value: (result.values[k] as Float64Array)[row] as number });
  });
  return out;
}

function closeTo(a: number, b: number, rel: number, abs: number): boolean {
  return Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b));
}

describe('superposition and dose proportionality (closed form)', () => {
  it('the response to two regimens is the sum of the responses', () => {
    fc.assert(
      fc.property(linearModelCase, regimen, regimen, (m, a, b) => {
        const model = compile(linearModelYaml(m, 'closed'));
        const both = observed(simulate(model, regimenDataset([...a, ...b], pkCompartments(m))), 'CP');
        const ra = observed(simulate(model, regimenDataset(a, pkCompartments(m))), 'CP');
        const rb = observed(simulate(model, regimenDataset(b, pkCompartments(m))), 'CP');
        const scale = Math.max(...both.map((p) => p.value));
        both.forEach((p, i) => expect(closeTo(p.value, (ra[i]?.value ?? NaN) + (rb[i]?.value ?? NaN), 1e-12, 1e-12 * scale)).toBe(true));
      }),
      { numRuns: 150 },
    );
  });
  it('scaling every dose by k scales the response by k', () => {
    fc.assert(
      fc.property(linearModelCase, regimen, fc.double({ min: 0.01, max: 100, noNaN: true }), (m, doses, k) => {
        const model = compile(linearModelYaml(m, 'closed'));
        const base = observed(simulate(model, regimenDataset(doses, pkCompartments(m))), 'CP');
        const scaled = observed(simulate(model, regimenDataset(doses, pkCompartments(m), undefined, k)), 'CP');
        const scale = Math.max(...base.map((p) => p.value));
        base.forEach((p, i) => expect(closeTo((scaled[i]?.value ?? NaN) / k, p.value, 1e-12, 1e-13 * scale)).toBe(true));
      }),
      { numRuns: 150 },
    );
  });
});

describe('mass balance', () => {
  for (const form of ['closed', 'ode'] as const) {
    it(`${form === 'closed' ? 'closed form + ODE elimination state (hybrid)' : 'all ODE'}: amount in the body + eliminated = amount dosed`, () => {
      fc.assert(
        fc.property(linearModelCase, regimen, (m, doses) => {
          const model = compile(linearModelYaml(m, form, true));
          const total = observed(simulate(model, regimenDataset(doses, pkCompartments(m), '0:120:1.5')), 'TOTAL');
          for (const p of total) expect(closeTo(p.value, dosedBy(doses, p.time), 1e-7, 1e-8)).toBe(true);
        }),
        { numRuns: 40 },
      );
    });
  }
});

describe('closed form and ODE agree on the same linear model', () => {
  it('BDF at rtol 1e-10 matches the closed form to 1e-7 relative (1e-9 of the peak absolute)', () => {
    fc.assert(
      fc.property(linearModelCase, regimen, (m, doses) => {
        const closed = observed(simulate(compile(linearModelYaml(m, 'closed')), regimenDataset(doses, pkCompartments(m))), 'CP');
        const ode = observed(simulate(compile(linearModelYaml(m, 'ode')), regimenDataset(doses, pkCompartments(m))), 'CP');
        const scale = Math.max(...closed.map((p) => p.value));
        closed.forEach((p, i) => expect(closeTo(ode[i]?.value ?? NaN, p.value, 1e-7, 1e-9 * scale)).toBe(true));
      }),
      { numRuns: 40 },
    );
  });
});

describe('records with equal times (NONMEM order)', () => {
  const m = compile(linearModelYaml({ depot: false, peripherals: 1, cl: 2, v1: 10, q: [3, 0], vp: [20, 0], ka: 1 }, 'closed'));
  const cp = (rows: Array<Record<string, number>>) => observed(simulate(m, datasetFromRows(rows, 'order')), 'CP').map((p) => p.value);
  it('an observation after a dose at the same time sees the dose; one before it does not (file order)', () => {
    const after = cp([
      { ID: 1, TIME: 0, EVID: 1, AMT: 100, CMT: 1 },
      { ID: 1, TIME: 0, EVID: 0 },
    ]);
    const before = cp([
      { ID: 1, TIME: 0, EVID: 0 },
      { ID: 1, TIME: 0, EVID: 1, AMT: 100, CMT: 1 },
    ]);
    expect(after[0]).toBeCloseTo(10, 12);
    expect(before[0]).toBe(0);
  });
  it('an additional (ADDL) dose due at an observation time is given before the observation', () => {
    const values = cp([
      { ID: 1, TIME: 0, EVID: 1, AMT: 100, CMT: 1, ADDL: 1, II: 12 },
      { ID: 1, TIME: 12, EVID: 0 },
    ]);
    const single = cp([
      { ID: 1, TIME: 0, EVID: 1, AMT: 100, CMT: 1 },
      { ID: 1, TIME: 12, EVID: 0 },
    ]);
    expect((values[0] as number) - (single[0] as number)).toBeCloseTo(10, 12);
  });
  it('permuting observation records that share a time does not change their values', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 2, maxLength: 12 }), (times) => {
        const sorted = [...times].sort((a, b) => a - b);
        const rows = [{ ID: 1, TIME: 0, EVID: 1, AMT: 50, CMT: 1, RATE: 25 }, ...sorted.map((t) => ({ ID: 1, TIME: t, EVID: 0 }))];
        const values = cp(rows);
        // Same time → same value, whatever the position.
        sorted.forEach((t, i) => sorted.forEach((u, j) => (t === u ? expect(values[i]).toBe(values[j]) : undefined)));
      }),
    );
  });
});

export type { Dose };
