/**
 * Outputs re-evaluated from stored states, for new values of inputs that do not reach the dynamics (see
 * model/dependencies.ts): per record, the environment is rebuilt as the simulator builds it (model defaults, run-level
 * parameters and covariates, subject-level inputs, the record's data-set columns, TIME) and the individual block
 * evaluated; the outputs are then computed from the compartment amounts that a simulation with
 * `includeStates: true` stored for that record. The result equals a new simulation bit for bit when the new inputs
 * are output-only (the same generated output code on the same numbers), at the cost of evaluating formulas only:
 * microseconds instead of an ODE solution.
 *
 * It is the caller's duty that the changed inputs are output-only (modelDependencies(model).dynamicInputs must not
 * contain them): the states are taken as they are.
 */

import { DataError, ModelError, SolverError } from '../errors.js';
import type { Dataset, SubjectRecords } from '../data/dataset.js';
import type { CompiledModel } from '../model/compiled.js';
import { modelDependencies } from '../model/dependencies.js';
import { outputIndices, outputStatementsFor } from '../model/output-subset.js';
import { bindColumns, type ColumnBinding } from './bindings.js';
import { inputSlot, runEnvironment, simulate, type SimulateOptions, type SimulationResult } from './simulate.js';

export interface OutputEvaluatorOptions extends Pick<SimulateOptions, 'parameters' | 'covariates'> {
  /** Names of the subject-level inputs whose values `evaluate` receives (as SimulateOptions.subjectInputs.names). */
  readonly subjectInputNames?: readonly string[];
  /**
   * Compute (and check) only these outputs and those they read: faster for long grids when few outputs are wanted.
   * The other columns of `out` are left as they are. Default: every output.
   */
  readonly outputs?: readonly string[];
}

type OutputsFunction = (t: number, x: Float64Array, env: Float64Array, out: Float64Array) => void;

/** The model's output code restricted to some outputs (and the earlier outputs they read). */
function outputSubset(model: CompiledModel, wanted: readonly string[]): { fn: OutputsFunction; indices: Int32Array; compartments: Int32Array } {
  const indices = outputIndices(model, wanted);
  const kept = outputStatementsFor(model, indices, (c) => `x[${c}]`);
  const compartments = new Set<number>();
  for (const line of kept) for (const m of line.matchAll(/\bx\[(\d+)\]/g)) compartments.add(Number(m[1]));
  const code = [...kept, ...indices.map((k) => `out[${k}] = o${k};`)].join('\n');
  // Generated from the compiler's own emitted code (numbers, operators, Math calls, slot references): safe.
  const fn = new Function('t', 'x', 'env', 'out', `"use strict";\n${code}\n//# sourceURL=ketasim:outputs-subset`) as OutputsFunction;
  return { fn, indices: Int32Array.from(indices), compartments: Int32Array.from([...compartments].sort((a, b) => a - b)) };
}

/** Reusable: built once per model, data set and input names; `evaluate` allocates nothing. */
export class OutputEvaluator {
  private readonly template: Float64Array;
  private readonly env: Float64Array;
  private readonly x: Float64Array;
  private readonly out: Float64Array;
  private readonly bindings: readonly ColumnBinding[];
  private readonly columns: readonly (readonly Float64Array[])[];
  private readonly subjectSlots: Int32Array;
  /** Per subject, per record: 1 when the environment must be rebuilt (as the simulator's parameter segments). */
  private readonly changed: readonly Uint8Array[];
  readonly rows: number;
  private readonly outputsFn: OutputsFunction;
  /** Output indices computed and written. */
  private readonly outputIndex: Int32Array;
  /** Compartments the computed outputs read (copied from the states per row). */
  private readonly readCompartments: Int32Array;

  constructor(
    private readonly model: CompiledModel,
    private readonly dataset: Dataset,
    options: OutputEvaluatorOptions = {},
  ) {
    this.template = runEnvironment(model, options);
    this.bindings = bindColumns({ ...model, defaults: this.template }, dataset);
    this.subjectSlots = Int32Array.from(
      (options.subjectInputNames ?? []).map((name) => {
        const slot = inputSlot(model, name);
        if (slot < 0) throw new ModelError(`subject-level input ${name} is not a parameter, covariate or random effect of model ${model.name}`, 'subjectInputs');
        return slot;
      }),
    );
    this.env = new Float64Array(model.env.size);
    this.x = new Float64Array(model.compartments.length);
    this.out = new Float64Array(model.outputNames.length);
    this.columns = dataset.subjects.map((s) => this.bindings.map((b) => s.columns.get(b.column) as Float64Array));
    this.changed = dataset.subjects.map((s, si) => {
      const cols = this.columns[si] as readonly Float64Array[];
      const changed = new Uint8Array(s.n);
      for (let i = 0; i < s.n; i++) {
        let c = i === 0 || model.individualUsesTime;
        for (let k = 0; !c && k < cols.length; k++) {
          const a = (cols[k] as Float64Array)[i] as number;
          const b = (cols[k] as Float64Array)[i - 1] as number;
          if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) c = true;
        }
        changed[i] = c ? 1 : 0;
      }
      return changed;
    });
    this.rows = dataset.subjects.reduce((sum, s) => sum + s.n, 0);
    if (options.outputs !== undefined) {
      const subset = outputSubset(model, options.outputs);
      this.outputsFn = subset.fn;
      this.outputIndex = subset.indices;
      this.readCompartments = subset.compartments;
    } else {
      this.outputsFn = model.outputs;
      this.outputIndex = Int32Array.from(model.outputNames.keys());
      this.readCompartments = Int32Array.from(model.compartments.keys());
    }
  }

  /**
   * Outputs of every row from the states: `states[c][row]` is the amount in compartment c (model order; the state
   * columns of a simulation with includeStates), `out[k][row]` receives output k. `subjectValues[s·m + j]` is
   * subject-level input j of subject s (as SimulateOptions.subjectInputs.values). Throws as simulate() would when an
   * individual variable or an output is not finite.
   */
  evaluate(states: readonly Float64Array[], out: readonly Float64Array[], subjectValues?: ArrayLike<number>): void {
    const model = this.model;
    const env = this.env;
    const x = this.x;
    const o = this.out;
    const readCompartments = this.readCompartments;
    const nRead = readCompartments.length;
    const outputIndex = this.outputIndex;
    const nOut = outputIndex.length;
    const outputsFn = this.outputsFn;
    const m = this.subjectSlots.length;
    const { individualOffset, timeSlot } = model.env;
    const nInd = model.individualNames.length;
    let row = 0;
    const subjects = this.dataset.subjects;
    for (let s = 0; s < subjects.length; s++) {
      const subject = subjects[s] as (typeof subjects)[number];
      const cols = this.columns[s] as readonly Float64Array[];
      const changed = this.changed[s] as Uint8Array;
      env.set(this.template);
      if (subjectValues !== undefined) for (let j = 0; j < m; j++) env[this.subjectSlots[j] as number] = subjectValues[s * m + j] as number;
      for (let i = 0; i < subject.n; i++, row++) {
        const t = subject.time[i] as number;
        if (changed[i] === 1) {
          for (let k = 0; k < cols.length; k++) env[(this.bindings[k] as ColumnBinding).slot] = (cols[k] as Float64Array)[i] as number;
          env[timeSlot] = t;
          model.computeIndividual(env);
          for (let k = 0; k < nInd; k++) {
            const v = env[individualOffset + k] as number;
            if (!Number.isFinite(v)) {
              throw new DataError(`individual variable ${model.individualNames[k]} evaluates to ${v}; check the inputs of this record`, { source: this.dataset.source, subject: subject.id });
            }
          }
        }
        for (let j = 0; j < nRead; j++) {
          const c = readCompartments[j] as number;
          x[c] = (states[c] as Float64Array)[row] as number;
        }
        outputsFn(t, x, env, o);
        for (let j = 0; j < nOut; j++) {
          const k = outputIndex[j] as number;
          const v = o[k] as number;
          if (!Number.isFinite(v)) throw new SolverError(`output ${model.outputNames[k]} is ${v}`, subject.id, t);
          (out[k] as Float64Array)[row] = v;
        }
      }
    }
  }
}

/** One-off convenience: outputs (one new column each) from states for the given subject-level inputs. */
export function outputsFromStates(
  model: CompiledModel,
  dataset: Dataset,
  states: readonly Float64Array[],
  options: OutputEvaluatorOptions & { readonly subjectValues?: ArrayLike<number> } = {},
): Float64Array[] {
  const evaluator = new OutputEvaluator(model, dataset, options);
  const out = model.outputNames.map(() => new Float64Array(evaluator.rows));
  evaluator.evaluate(states, out, options.subjectValues);
  return out;
}

/**
 * simulate(), with one solution of the dynamics per distinct combination of a subject's records and the values of
 * its subject-level inputs that reach the dynamics; subjects that differ only in output-only inputs (e.g. posterior
 * draws of an Emax random effect) get their outputs re-evaluated from that solution. The result is the same as
 * simulate()'s, bit for bit. `simulations` counts the solutions. Without subject-level inputs, or when every one of
 * them reaches the dynamics and all differ, it costs what simulate() costs plus one copy of the states. With
 * `outputs`, only those columns are filled for the re-evaluated subjects (the others are 0 there): on long forecast
 * grids, evaluating every output of a clinical model costs more than sharing saves.
 */
export function simulateSharingDynamics(model: CompiledModel, dataset: Dataset, options: SimulateOptions & { readonly outputs?: readonly string[] } = {}): SimulationResult & { readonly simulations: number } {
  if (options.outputBuffers !== undefined) throw new RangeError('simulateSharingDynamics: outputBuffers are not supported');
  const inputs = options.subjectInputs;
  const names = inputs?.names ?? [];
  const m = names.length;
  const dynamicInputs = modelDependencies(model).dynamicInputs;
  const dynamic = names.flatMap((name, j) => (dynamicInputs.has(name) ? [j] : []));
  const subjects = dataset.subjects;
  // Group subjects: same records object and the same dynamic input values.
  const groupOf = new Int32Array(subjects.length);
  const representatives: number[] = [];
  const byRecords = new Map<SubjectRecords, Map<string, number>>();
  for (let s = 0; s < subjects.length; s++) {
    const records = subjects[s] as SubjectRecords;
    let groups = byRecords.get(records);
    if (groups === undefined) {
      groups = new Map();
      byRecords.set(records, groups);
    }
    const key = inputs === undefined ? '' : dynamic.map((j) => String(inputs.values[s * m + j])).join(',');
    let g = groups.get(key);
    if (g === undefined) {
      g = representatives.length;
      representatives.push(s);
      groups.set(key, g);
    }
    groupOf[s] = g;
  }
  const repValues = new Float64Array(representatives.length * m);
  if (inputs !== undefined) representatives.forEach((s, g) => repValues.set(inputs.values.subarray(s * m, s * m + m), g * m));
  const repData: Dataset = { ...dataset, subjects: representatives.map((s) => subjects[s] as SubjectRecords) };
  const reps = simulate(model, repData, { ...options, includeStates: true, ...(inputs !== undefined ? { subjectInputs: { names, values: repValues } } : {}) });
  const nOut = model.outputNames.length;
  const nCmt = model.compartments.length;
  const includeStates = options.includeStates ?? false;
  const rows = subjects.reduce((sum, s) => sum + s.n, 0);
  const values = Array.from({ length: nOut + (includeStates ? nCmt : 0) }, () => new Float64Array(rows));
  const subjectOffsets = new Int32Array(subjects.length + 1);
  const evaluators = new Map<SubjectRecords, OutputEvaluator>();
  let offset = 0;
  for (let s = 0; s < subjects.length; s++) {
    const records = subjects[s] as SubjectRecords;
    const g = groupOf[s] as number;
    const from = reps.subjectOffsets[g] as number;
    const to = from + records.n;
    subjectOffsets[s] = offset;
    if (representatives[g] === s) {
      for (let k = 0; k < nOut; k++) (values[k] as Float64Array).set((reps.values[k] as Float64Array).subarray(from, to), offset);
    } else {
      let evaluator = evaluators.get(records);
      if (evaluator === undefined) {
        evaluator = new OutputEvaluator(model, { ...dataset, subjects: [records] }, { ...options, subjectInputNames: names });
        evaluators.set(records, evaluator);
      }
      const states = reps.values.slice(nOut).map((c) => c.subarray(from, to));
      const out = values.slice(0, nOut).map((c) => c.subarray(offset, offset + records.n));
      evaluator.evaluate(states, out, inputs?.values.subarray(s * m, s * m + m));
    }
    if (includeStates) for (let c = 0; c < nCmt; c++) (values[nOut + c] as Float64Array).set((reps.values[nOut + c] as Float64Array).subarray(from, to), offset);
    offset += records.n;
  }
  subjectOffsets[subjects.length] = offset;
  return {
    model: model.name,
    outputNames: includeStates ? reps.outputNames : model.outputNames,
    outputUnits: includeStates ? reps.outputUnits : model.outputUnits,
    dataset,
    rows,
    subjectOffsets,
    values,
    simulations: representatives.length,
  };
}
