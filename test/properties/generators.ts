/** fast-check generators of linear models and dosing regimens for the engine's property tests. */
import fc from 'fast-check';
import { parseGrid, withObservationGrid } from '../../src/core/data/augment.js';
import type { Dataset, SubjectRecords } from '../../src/core/data/dataset.js';
import { loadModel } from '../../src/core/model/index.js';
import { datasetFromRows } from '../../src/io/nmdata/index.js';

export interface LinearModelCase {
  readonly depot: boolean;
  readonly peripherals: 0 | 1 | 2;
  readonly cl: number;
  readonly v1: number;
  readonly q: readonly number[];
  readonly vp: readonly number[];
  readonly ka: number;
}

export const linearModelCase: fc.Arbitrary<LinearModelCase> = fc.record({
  depot: fc.boolean(),
  peripherals: fc.constantFrom(0 as const, 1 as const, 2 as const),
  cl: fc.double({ min: 0.2, max: 20, noNaN: true }),
  v1: fc.double({ min: 2, max: 100, noNaN: true }),
  q: fc.array(fc.double({ min: 0.1, max: 30, noNaN: true }), { minLength: 2, maxLength: 2 }),
  vp: fc.array(fc.double({ min: 2, max: 300, noNaN: true }), { minLength: 2, maxLength: 2 }),
  ka: fc.double({ min: 0.05, max: 5, noNaN: true }),
});

/**
 * The same linear model as YAML, closed form or ODEs. Compartments: [DEPOT], CENT, [P1], [P2]; an ELIM state
 * (hybrid with the closed form, or plain ODE) accumulates the eliminated amount, for mass balance.
 */
export function linearModelYaml(c: LinearModelCase, form: 'closed' | 'ode', withElimination = false): string {
  const per = ['P1', 'P2'].slice(0, c.peripherals);
  const cmts = [...(c.depot ? ['DEPOT'] : []), 'CENT', ...per, ...(withElimination ? ['ELIM'] : [])];
  const params: Record<string, number> = { CL: c.cl, V1: c.v1, KA: c.ka };
  per.forEach((_, i) => {
    params[`Q${i + 2}`] = c.q[i] as number;
    params[`V${i + 2}`] = c.vp[i] as number;
  });
  const lines = [
    'ketasim: model/1',
    `name: prop-${form}`,
    'version: 1.0.0',
    'title: property-test model',
    'units: { time: h, amount: mg, volume: L }',
    'parameters:',
    ...Object.entries(params).map(([k, v]) => `  ${k}: { value: ${v}, unit: x }`),
    'compartments:',
    ...cmts.map((n) => `  ${n}: {}`),
    'dynamics:',
  ];
  if (form === 'closed') {
    const keys = [`CL: CL`, `V1: V1`, ...(c.depot ? ['KA: KA'] : []), ...per.flatMap((_, i) => [`${i === 0 ? 'Q2' : 'Q3'}: Q${i + 2}`, `${i === 0 ? 'V2' : 'V3'}: V${i + 2}`])];
    lines.push('  closed_form:', ...(c.depot ? ['    depot: DEPOT'] : []), '    central: CENT', `    peripherals: [${per.join(', ')}]`, `    parameters: { ${keys.join(', ')} }`);
    if (withElimination) lines.push('  ode: |', '    d/dt(ELIM) = CL / V1 * CENT');
  } else {
    const eq: string[] = [];
    if (c.depot) eq.push('d/dt(DEPOT) = -KA * DEPOT');
    const cent = [`${c.depot ? 'KA * DEPOT ' : ''}- CL / V1 * CENT`, ...per.map((p, i) => `- Q${i + 2} / V1 * CENT + Q${i + 2} / V${i + 2} * ${p}`)];
    eq.push(`d/dt(CENT) = ${cent.join(' ')}`);
    per.forEach((p, i) => eq.push(`d/dt(${p}) = Q${i + 2} / V1 * CENT - Q${i + 2} / V${i + 2} * ${p}`));
    if (withElimination) eq.push('d/dt(ELIM) = CL / V1 * CENT');
    lines.push('  ode: |', ...eq.map((e) => `    ${e}`));
    lines.push('solver: { method: bdf, rtol: 1e-10, atol: 1e-12 }');
  }
  lines.push('outputs:', '  CP: { value: CENT / V1, unit: mg/L }', `  TOTAL: { value: ${cmts.join(' + ')}, unit: mg }`);
  return `${lines.join('\n')}\n`;
}

export function compile(yaml: string) {
  return loadModel(yaml, 'property-test model');
}

export interface Dose {
  readonly time: number;
  readonly amount: number;
  /** 0 = bolus, else infusion duration. */
  readonly duration: number;
  /** 1 = first compartment (depot if any), 2 = second. */
  readonly cmt: 1 | 2;
  readonly addl: number;
  readonly ii: number;
}

export const dose: fc.Arbitrary<Dose> = fc.record({
  time: fc.integer({ min: 0, max: 96 }).map((t) => t / 2),
  amount: fc.double({ min: 1, max: 500, noNaN: true }),
  duration: fc.constantFrom(0, 0, 0.5, 1, 2.25, 8),
  cmt: fc.constantFrom(1 as const, 2 as const),
  addl: fc.integer({ min: 0, max: 3 }),
  ii: fc.constantFrom(6, 12, 24),
});

export const regimen = fc.array(dose, { minLength: 1, maxLength: 5 });

/** Number of PK compartments (depot, central, peripherals) of a case: doses go to CMT 1 or 2 within them. */
export function pkCompartments(c: LinearModelCase): number {
  return (c.depot ? 1 : 0) + 1 + c.peripherals;
}

/** One subject: the doses (sorted by time, stable) and observations on a grid. CMT 2 falls back to 1 in a one-compartment model. */
export function regimenDataset(doses: readonly Dose[], nCompartments: number, grid = '0:120:0.75', scale = 1): Dataset {
  const rows = [...doses]
    .sort((a, b) => a.time - b.time)
    .map((d) => ({
      ID: 1,
      TIME: d.time,
      EVID: 1,
      AMT: d.amount * scale,
      RATE: d.duration > 0 ? (d.amount * scale) / d.duration : 0,
      CMT: Math.min(d.cmt, nCompartments),
      ADDL: d.addl,
      II: d.addl > 0 ? d.ii : 0,
    }));
  const ds = datasetFromRows(rows, 'property regimen');
  return { ...ds, subjects: ds.subjects.map((s: SubjectRecords) => withObservationGrid(s, parseGrid(grid))) };
}

/** Total amount dosed up to time t (bolus at t included; infusions pro rata). */
export function dosedBy(doses: readonly Dose[], t: number): number {
  let total = 0;
  for (const d of doses) {
    for (let k = 0; k <= d.addl; k++) {
      const start = d.time + k * d.ii;
      if (start > t) continue;
      total += d.duration === 0 ? d.amount : d.amount * Math.min(1, (t - start) / d.duration);
    }
  }
  return total;
}
