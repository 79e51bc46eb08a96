/**
 * The generated observation kernel (src/core/simulate/observation-kernel.ts) against the per-record path it
 * replaces: advance the dynamics to each record, read the full state, evaluate the compiled output function.
 * For ODE-only and hybrid (closed-form PK driving ODE states) models, with an infusion running through the
 * observations (modal input ≠ 0), depots, records at equal times, irregular steps and state columns.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/core/model/index.js';
import type { CompiledModel } from '../../src/core/model/compiled.js';
import { createDynamics, type Dynamics, type OutputPlan } from '../../src/core/simulate/dynamics.js';
import { runEnvironment, withSolver } from '../../src/core/simulate/simulate.js';
import { loadModelByName } from '../../src/node/library.js';

const baseline = (file: string): CompiledModel =>
  loadModel(readFileSync(new URL(`../../examples/baselines/${file}`, import.meta.url), 'utf8'), file);

const STEADY = { rtol: 1e-10, atol: 1e-10, maxIntervals: 1000 };

/** A subject's environment: model defaults with the individual parameters computed. */
function environment(model: CompiledModel): Float64Array {
  const env = runEnvironment(model, {});
  model.computeIndividual(env);
  return env;
}

interface Scenario {
  /** Inputs started at time 0: [compartment name, bolus amount, infusion rate]. */
  inputs: Array<[string, number, number]>;
  /** Runs of observation times; the infusions stop after the first run. */
  runs: number[][];
}

type Observer = (dyn: Dynamics, times: Float64Array, from: number, to: number, plan: OutputPlan, cols: Float64Array[]) => number;

const kernelPath: Observer = (dyn, times, from, to, plan, cols) => dyn.observe(times, from, to, plan, cols, 0);

/** The per-record path: advance, read every state, the compiled output function. */
const perRecordPath: Observer = (dyn, times, from, to, plan, cols) => {
  const model = plan.model;
  const x = new Float64Array(model.compartments.length);
  const nOut = model.outputNames.length;
  for (let i = from; i <= to; i++) {
    const t = times[i] as number;
    dyn.advance(t, Math.max(t, plan.nextStop));
    dyn.readState(x);
    if (model.outputsToColumns(t, x, plan.env, cols, i) !== 0) return i;
    if (plan.includeStates) for (let c = 0; c < x.length; c++) (cols[nOut + c] as Float64Array)[i] = x[c] as number;
  }
  return -1;
};

function run(model: CompiledModel, scenario: Scenario, includeStates: boolean, observe: Observer): Float64Array[] {
  const env = environment(model);
  const dyn = createDynamics(model, STEADY);
  dyn.setEnvironment(env);
  dyn.reset(0);
  const cmt = (name: string): number => model.compartments.indexOf(name);
  for (const [name, amount, rate] of scenario.inputs) {
    if (amount !== 0) dyn.addBolus(cmt(name), amount);
    if (rate !== 0) dyn.setInputRate(cmt(name), rate);
  }
  const times = Float64Array.from(scenario.runs.flat());
  const nCols = model.outputNames.length + (includeStates ? model.compartments.length : 0);
  const cols = Array.from({ length: nCols }, () => new Float64Array(times.length).fill(NaN));
  let from = 0;
  scenario.runs.forEach((runTimes, r) => {
    const to = from + runTimes.length - 1;
    const nextStop = r + 1 < scenario.runs.length ? (scenario.runs[r + 1]?.[0] as number) : (times[times.length - 1] as number);
    expect(observe(dyn, times, from, to, { env, nextStop, model, includeStates }, cols)).toBe(-1);
    if (r === 0) for (const [name, , rate] of scenario.inputs) if (rate !== 0) dyn.setInputRate(cmt(name), 0);
    from = to + 1;
  });
  return cols;
}

function expectSameColumns(model: CompiledModel, actual: Float64Array[], expected: Float64Array[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((col, k) => {
    const ref = expected[k] as Float64Array;
    const scale = Math.max(...ref.map(Math.abs));
    for (let i = 0; i < col.length; i++) {
      const name = k < model.outputNames.length ? model.outputNames[k] : model.compartments[k - model.outputNames.length];
      // The kernel unrolls the matrix products in another order than the generic loops, and output formulas that
      // subtract nearly equal numbers magnify that rounding (seen: 4e-14 of the column maximum).
      expect(Math.abs((col[i] as number) - (ref[i] as number)), `${name} at record ${i}`).toBeLessThanOrEqual(1e-12 * scale + 1e-300);
    }
  });
}

const grid = (from: number, to: number, step: number): number[] => Array.from({ length: Math.round((to - from) / step) + 1 }, (_, k) => from + k * step);

describe('observation kernel vs per-record outputs', () => {
  const pkpdScenario: Scenario = {
    inputs: [['A1', 5, 0.875]],
    // during the infusion (irregular steps, a repeated time), then after it over two weeks
    runs: [[0, 0, 1, 2.5, 2.5, 7, 12, 25, 40], [41, 45, ...grid(60, 20160, 60), 20160]],
  };
  const cases: Array<[string, () => CompiledModel, Scenario]> = [
    ['hybrid (closed-form PK + effect, ODE response), DOP853', () => withSolver(baseline('pkpd.yaml'), { method: 'dop853' }), pkpdScenario],
    ['hybrid, DOPRI5', () => baseline('pkpd.yaml'), pkpdScenario],
    ['ODE only, BDF', () => withSolver(baseline('pkpd-ode.yaml'), { method: 'bdf' }), pkpdScenario],
    [
      'ketamine-depression (depots, metabolites, cascade), auto',
      () => loadModelByName('ketamine-depression'),
      { inputs: [['CENTRAL', 0, 0.5 * 70 / (40 / 60)], ['IM', 20, 0]], runs: [[0, 0.1, 0.25, 0.5, 0.6667], grid(1, 24 * 14, 1)] },
    ],
  ];
  for (const [label, makeModel, scenario] of cases) {
    for (const includeStates of [false, true]) {
      it(`${label}${includeStates ? ', with state columns' : ''}`, () => {
        const model = makeModel();
        for (const [name] of scenario.inputs) expect(model.compartments).toContain(name);
        expectSameColumns(model, run(model, scenario, includeStates, kernelPath), run(model, scenario, includeStates, perRecordPath));
      });
    }
  }
});
