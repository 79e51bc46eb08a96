/**
 * ketasim on the peer-baseline problems P1–P4, timed the way the peers are timed: the solve of all subjects
 * including the result table in memory; not the model compilation, not reading the parameter file.
 */

import { readFileSync } from 'node:fs';
import { loadModel } from '../src/core/model/index.js';
import { simulate, type SimulateOptions } from '../src/core/simulate/simulate.js';
import type { Dataset } from '../src/core/data/dataset.js';
import { p1Dataset, p2Dataset, p3Dataset, p4Dataset, readSubjects } from '../examples/baselines/problems.js';

export interface Timing {
  readonly problem: string;
  readonly n: number;
  readonly variant: string;
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly reps: number;
}

export interface Case {
  problem: string;
  n: number;
  variant: string;
  model: string;
  data: () => Dataset;
  options: () => SimulateOptions;
  /** Write into preallocated result columns (as the C lower bound does) instead of allocating a new result. */
  reuseBuffers?: boolean;
}

export function ketasimCases(examplesDir: string, subjectsFile: string, full: boolean): Case[] {
  const subjects = (n: number): SimulateOptions => ({ subjectInputs: readSubjects(subjectsFile, n) });
  const ode = (method: 'bdf' | 'dopri5' | 'dop853'): SimulateOptions => ({ solver: { method, rtol: 1e-8, atol: 1e-8 } });
  const cases: Case[] = [
    { problem: 'P1', n: 1, variant: 'closed form', model: 'pk3.yaml', data: p1Dataset, options: () => ({}) },
    { problem: 'P1', n: 1, variant: 'ODE bdf 1e-8', model: 'pk3-ode.yaml', data: p1Dataset, options: () => ode('bdf') },
    { problem: 'P2', n: 1000, variant: 'closed form', model: 'pk3.yaml', data: () => p2Dataset(1000), options: () => subjects(1000) },
    { problem: 'P2', n: 10000, variant: 'closed form', model: 'pk3.yaml', data: () => p2Dataset(10000), options: () => subjects(10000) },
    { problem: 'P2', n: 10000, variant: 'closed form, reused result buffer', model: 'pk3.yaml', data: () => p2Dataset(10000), options: () => subjects(10000), reuseBuffers: true },
    { problem: 'P2', n: 1000, variant: 'ODE bdf 1e-8', model: 'pk3-ode.yaml', data: () => p2Dataset(1000), options: () => ({ ...subjects(1000), ...ode('bdf') }) },
    { problem: 'P3', n: 1000, variant: 'closed-form PK + ODE dopri5 1e-8', model: 'pkpd.yaml', data: () => p3Dataset(1000), options: () => ({ ...subjects(1000), ...ode('dopri5') }) },
    { problem: 'P3', n: 1000, variant: 'closed-form PK + ODE dop853 1e-8', model: 'pkpd.yaml', data: () => p3Dataset(1000), options: () => ({ ...subjects(1000), ...ode('dop853') }) },
    { problem: 'P3', n: 1000, variant: 'all ODE bdf 1e-8', model: 'pkpd-ode.yaml', data: () => p3Dataset(1000), options: () => ({ ...subjects(1000), ...ode('bdf') }) },
    { problem: 'P4', n: 1, variant: 'closed form', model: 'pk3.yaml', data: p4Dataset, options: () => ({}) },
    { problem: 'P4', n: 1, variant: 'ODE bdf 1e-8', model: 'pk3-ode.yaml', data: p4Dataset, options: () => ode('bdf') },
  ];
  if (full) {
    cases.push({ problem: 'P2', n: 10000, variant: 'ODE bdf 1e-8', model: 'pk3-ode.yaml', data: () => p2Dataset(10000), options: () => ({ ...subjects(10000), ...ode('bdf') }) });
  }
  return cases.map((c) => ({ ...c, model: `${examplesDir}/${c.model}` }));
}

/** Median and minimum of `reps` timed runs after a warm-up (the JIT compiles the hot loops during the first runs: at least 0.3 s or 3 runs untimed). */
export function timeCase(c: Case, reps: number, onProgress: (msg: string) => void): Timing {
  const model = loadModel(readFileSync(c.model, 'utf8'), c.model);
  const data = c.data();
  const base = c.options();
  const rows = data.subjects.reduce((s, subj) => s + subj.n, 0);
  const options: SimulateOptions = c.reuseBuffers === true
    ? { ...base, outputBuffers: model.outputNames.map(() => new Float64Array(rows)) }
    : base;
  const warmStart = performance.now();
  for (let k = 0; k < 3 || performance.now() - warmStart < 300; k++) simulate(model, data, options);
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    simulate(model, data, options);
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  onProgress(`ketasim ${c.problem} N=${c.n} ${c.variant}: ${(median * 1000).toFixed(2)} ms`);
  return { problem: c.problem, n: c.n, variant: c.variant, medianSeconds: median, minSeconds: times[0] as number, reps };
}
