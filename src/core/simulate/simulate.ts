/**
 * Simulate a data set: every subject through SubjectSimulator, outputs collected in columns, one row per record
 * (as NONMEM's $TABLE). Pure: no I/O; the CLI and the library wrap it.
 */

import { DataError, ModelError } from '../errors.js';
import type { Dataset, SubjectRecords } from '../data/dataset.js';
import type { CompiledModel } from '../model/compiled.js';
import type { SolverSpec } from '../model/spec.js';
import { bindColumns, type ColumnBinding } from './bindings.js';
import { createDynamics, type SteadyStateSettings } from './dynamics.js';
import { SubjectSimulator } from './subject.js';

export interface SimulateOptions {
  /** Run-level parameter values (replace the model's values for every subject). */
  readonly parameters?: Readonly<Record<string, number>>;
  /** Run-level covariate values, used where the data set has no such column. */
  readonly covariates?: Readonly<Record<string, number>>;
  /**
   * Per-subject values of parameters, covariates or random effects (like mrgsolve's idata), by subject index in
   * the data set: `values[subject * names.length + k]` is input `names[k]`. Data-set columns still override them per record.
   */
  readonly subjectInputs?: { readonly names: readonly string[]; readonly values: Float64Array };
  /** Also report the amount in every compartment. */
  readonly includeStates?: boolean;
  /** Override the model's solver settings. */
  readonly solver?: Partial<SolverSpec>;
  readonly steadyState?: Partial<SteadyStateSettings>;
}

export interface SimulationResult {
  readonly model: string;
  /** Output names (model outputs, then compartment names when states were requested). */
  readonly outputNames: readonly string[];
  readonly outputUnits: readonly string[];
  /** Number of rows (one per record). */
  readonly rows: number;
  /** Subject index (into `subjectIds`) of each row. */
  readonly subject: Int32Array;
  readonly subjectIds: readonly string[];
  readonly time: Float64Array;
  /** values[k][row]: output k at that row. */
  readonly values: readonly Float64Array[];
  /** Index of the record within its subject for each row. */
  readonly record: Int32Array;
}

/** Apply solver overrides (the compiled model is otherwise immutable). */
export function withSolver(model: CompiledModel, solver: Partial<SolverSpec> | undefined): CompiledModel {
  if (solver === undefined || Object.keys(solver).length === 0) return model;
  return { ...model, solver: { ...model.solver, ...solver } };
}

/** The environment template for a run: model defaults with run-level parameter and covariate values. */
export function runEnvironment(model: CompiledModel, options: Pick<SimulateOptions, 'parameters' | 'covariates'>): Float64Array {
  const env = Float64Array.from(model.defaults);
  for (const [name, value] of Object.entries(options.parameters ?? {})) {
    const k = model.parameterNames.indexOf(name);
    if (k < 0) throw new ModelError(`unknown parameter ${name}; the model has ${model.parameterNames.join(', ') || 'none'}`, 'parameters');
    checkValue(model, name, value);
    env[model.env.parameterOffset + k] = value;
  }
  for (const [name, value] of Object.entries(options.covariates ?? {})) {
    const k = model.covariateNames.indexOf(name);
    if (k < 0) throw new ModelError(`unknown covariate ${name}; the model has ${model.covariateNames.join(', ') || 'none'}`, 'covariates');
    if (!Number.isFinite(value)) throw new ModelError(`covariate ${name} must be a finite number, got ${value}`, 'covariates');
    env[model.env.covariateOffset + k] = value;
  }
  return env;
}

function checkValue(model: CompiledModel, name: string, value: number): void {
  if (!Number.isFinite(value)) throw new ModelError(`parameter ${name} must be a finite number, got ${value}`, `parameters.${name}`);
  const bounds = model.spec.parameters[name]?.bounds;
  if (bounds !== undefined && (value < bounds[0] || value > bounds[1])) {
    throw new ModelError(`parameter ${name} = ${value} is outside its bounds [${bounds[0]}, ${bounds[1]}]`, `parameters.${name}`);
  }
}

/** Env slot of a named model input (parameter, covariate or random effect). */
export function inputSlot(model: CompiledModel, name: string): number {
  const p = model.parameterNames.indexOf(name);
  if (p >= 0) return model.env.parameterOffset + p;
  const c = model.covariateNames.indexOf(name);
  if (c >= 0) return model.env.covariateOffset + c;
  const e = model.etaNames.indexOf(name);
  if (e >= 0) return model.env.etaOffset + e;
  return -1;
}

export function simulate(modelIn: CompiledModel, dataset: Dataset, options: SimulateOptions = {}): SimulationResult {
  const model = withSolver(modelIn, options.solver);
  const template = runEnvironment(model, options);
  // Run-level covariate values count as columns that exist: a required covariate given on the command line is fine.
  const bindings: ColumnBinding[] = bindColumns(
    { ...model, defaults: template },
    dataset,
  );
  const subjectInputs = options.subjectInputs;
  const subjectSlots = subjectInputs?.names.map((name) => {
    const slot = inputSlot(model, name);
    if (slot < 0) throw new DataError(`subject-level input ${name} is not a parameter, covariate or random effect of model ${model.name}`, { column: name });
    return slot;
  });
  if (subjectInputs !== undefined && subjectInputs.values.length !== dataset.subjects.length * subjectInputs.names.length) {
    throw new DataError(`subject-level inputs: expected ${dataset.subjects.length} rows of ${subjectInputs.names.length} values`);
  }

  const dynamics = createDynamics(model, {
    rtol: options.steadyState?.rtol ?? Math.max(model.solver.rtol, 1e-10),
    atol: options.steadyState?.atol ?? model.solver.atol,
    maxIntervals: options.steadyState?.maxIntervals ?? 100000,
  });
  const includeStates = options.includeStates ?? false;
  const simulator = new SubjectSimulator(model, dynamics, bindings, dataset.source, includeStates);

  const rows = dataset.subjects.reduce((s, subj) => s + subj.n, 0);
  const nOut = model.outputNames.length;
  const nStates = includeStates ? model.compartments.length : 0;
  const values = Array.from({ length: nOut + nStates }, () => new Float64Array(rows));
  const subjectIndex = new Int32Array(rows);
  const time = new Float64Array(rows);
  const record = new Int32Array(rows);
  const env = new Float64Array(template.length);
  let offset = 0;
  const sink = {
    record(index: number, t: number, outputs: Float64Array, states: Float64Array | undefined): void {
      const row = offset + index;
      time[row] = t;
      record[row] = index;
      for (let k = 0; k < nOut; k++) (values[k] as Float64Array)[row] = outputs[k] as number;
      if (states !== undefined) for (let k = 0; k < nStates; k++) (values[nOut + k] as Float64Array)[row] = states[k] as number;
    },
  };
  dataset.subjects.forEach((subject: SubjectRecords, s: number) => {
    env.set(template);
    if (subjectInputs !== undefined && subjectSlots !== undefined) {
      subjectSlots.forEach((slot, k) => {
        env[slot] = subjectInputs.values[s * subjectSlots.length + k] as number;
      });
    }
    subjectIndex.fill(s, offset, offset + subject.n);
    simulator.run(subject, env, sink);
    offset += subject.n;
  });

  return {
    model: model.name,
    outputNames: [...model.outputNames, ...(includeStates ? model.compartments : [])],
    outputUnits: [...model.outputUnits, ...(includeStates ? model.compartments.map((c) => model.spec.compartments[c]?.unit ?? '') : [])],
    rows,
    subject: subjectIndex,
    subjectIds: dataset.subjects.map((s) => s.id),
    time,
    values,
    record,
  };
}
