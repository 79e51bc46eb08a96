/**
 * The engine (no Node built-ins, no I/O): models, data sets, simulation. See src/browser.ts for the browser entry.
 */
export { KetasimError, DataError, ModelError, SolverError, type DataLocation } from './errors.js';
export type { Dataset, SubjectRecords, TextColumn } from './data/dataset.js';
export { withObservationGrid, parseGrid } from './data/augment.js';
export {
  loadModel,
  parseModelSpec,
  compileModel,
  modelSpecSchema,
  type ModelSpec,
  type CompiledModel,
  type CompiledModelWithRandom,
} from './model/index.js';
export { simulate, forEachRow, withSolver, type SimulateOptions, type SimulationResult } from './simulate/simulate.js';
export { OutputEvaluator, outputsFromStates, simulateSharingDynamics, type OutputEvaluatorOptions } from './simulate/outputs-from-states.js';
export { modelDependencies, type ModelDependencies } from './model/dependencies.js';
export { SubjectRandom, philox4x32, normalQuantile, sampleEtas, STREAMS, observation, residualSd } from './random/index.js';
