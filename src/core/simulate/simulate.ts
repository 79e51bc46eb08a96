/**
 * Simulate a data set: every subject through SubjectSimulator, outputs collected in columns, one row per record
 * (as NONMEM's $TABLE). Pure: no I/O; the CLI and the library wrap it.
 */

import { withOutputs } from '../model/output-subset.js';
import { DataError, ModelError } from '../errors.js';
import type { Dataset, SubjectRecords } from '../data/dataset.js';
import type { CompiledModel } from '../model/compiled.js';
import type { SolverSpec } from '../model/spec.js';
import { bindColumns, type ColumnBinding } from './bindings.js';
import { createDynamics, type SteadyStateSettings } from './dynamics.js';
import { SubjectSimulator } from './subject.js';
import { float64, int32, float64From } from '../buffers.js';

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
  /**
   * Only these outputs, in this order (default: all of the model's): the formulas the others need are not
   * evaluated. The result's outputNames and values follow this list.
   */
  readonly outputs?: readonly string[];
  /** Override the model's solver settings. */
  readonly solver?: Partial<SolverSpec>;
  readonly steadyState?: Partial<SteadyStateSettings>;
  /**
   * Columns to write the outputs into (one Float64Array of at least `rows` per output, states after outputs),
   * instead of new ones: for repeated simulations of the same design (estimation, benchmarks) without
   * allocating and zero-filling the result each time. The result's `values` are these arrays.
   */
  readonly outputBuffers?: readonly Float64Array[];
}

/**
 * Outputs of a simulation, one row per record of the simulated data set, subjects one after another in data-set
 * order. Rows of subject s are subjectOffsets[s] … subjectOffsets[s+1]−1, in record order, so the record of a
 * row (its time, EVID, covariates…) is read from `dataset`: results do not copy what the input already holds.
 */
export interface SimulationResult {
  readonly model: string;
  /** Output names (model outputs, then compartment names when states were requested). */
  readonly outputNames: readonly string[];
  readonly outputUnits: readonly string[];
  /** The simulated data set (including any added observation rows). */
  readonly dataset: Dataset;
  /** Number of rows (= records). */
  readonly rows: number;
  /** Row of the first record of each subject; subjectOffsets[nSubjects] = rows. */
  readonly subjectOffsets: Int32Array;
  /** values[k][row]: output k at that row. */
  readonly values: readonly Float64Array[];
}

/** Visit every row with its subject index and record index (in row order). */
export function forEachRow(result: SimulationResult, visit: (subject: number, record: number, row: number) => void): void {
  const offsets = result.subjectOffsets;
  for (let s = 0; s + 1 < offsets.length; s++) {
    const start = offsets[s] as number;
    const end = offsets[s + 1] as number;
    for (let row = start; row < end; row++) visit(s, row - start, row);
  }
}

/** Apply solver overrides (the compiled model is otherwise immutable). */
export function withSolver(model: CompiledModel, solver: Partial<SolverSpec> | undefined): CompiledModel {
  if (solver === undefined || Object.keys(solver).length === 0) return model;
  return { ...model, solver: { ...model.solver, ...solver } };
}

/** The environment template for a run: model defaults with run-level parameter and covariate values. */
export function runEnvironment(model: CompiledModel, options: Pick<SimulateOptions, 'parameters' | 'covariates'>): Float64Array {
  const env = float64From(model.defaults);
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
  const model = withSolver(options.outputs !== undefined ? withOutputs(modelIn, options.outputs) : modelIn, options.solver);
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

  const rows = dataset.subjects.reduce((sum, subj) => sum + subj.n, 0);
  const nOut = model.outputNames.length;
  const nStates = includeStates ? model.compartments.length : 0;
  const values = options.outputBuffers ?? Array.from({ length: nOut + nStates }, () => float64(rows));
  if (values.length !== nOut + nStates || values.some((v) => v.length < rows)) {
    throw new RangeError(`outputBuffers: expected ${nOut + nStates} arrays of at least ${rows} values`);
  }
  const subjectOffsets = runSubjects(simulator, dataset.subjects, template, subjectInputs, subjectSlots, values);

  return {
    model: model.name,
    outputNames: [...model.outputNames, ...(includeStates ? model.compartments : [])],
    outputUnits: [...model.outputUnits, ...(includeStates ? model.compartments.map((c) => model.spec.compartments[c]?.unit ?? '') : [])],
    dataset,
    rows,
    subjectOffsets,
    values,
  };
}

/**
 * The per-subject loop, kept small and separate from the set-up in simulate(): the JIT then optimises it as a
 * function of its own rather than by on-stack replacement inside simulate(), whose outcome varied between runs.
 */
function runSubjects(
  simulator: SubjectSimulator,
  subjects: readonly SubjectRecords[],
  template: Float64Array,
  subjectInputs: SimulateOptions['subjectInputs'],
  subjectSlots: readonly number[] | undefined,
  values: readonly Float64Array[],
): Int32Array {
  const offsets = int32(subjects.length + 1);
  const env = float64(template.length);
  const nInputs = subjectSlots?.length ?? 0;
  const inputValues = subjectInputs?.values;
  let offset = 0;
  for (let s = 0; s < subjects.length; s++) {
    const subject = subjects[s] as SubjectRecords;
    env.set(template);
    if (inputValues !== undefined && subjectSlots !== undefined) {
      for (let k = 0; k < nInputs; k++) env[subjectSlots[k] as number] = inputValues[s * nInputs + k] as number;
    }
    offsets[s] = offset;
    simulator.run(subject, env, values, offset);
    offset += subject.n;
  }
  offsets[subjects.length] = offset;
  return offsets;
}
