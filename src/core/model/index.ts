export { modelSpecSchema, evidenceKinds, solverMethods } from './spec.js';
export type { ModelSpec, ParameterSpec, RandomEffectSpec, CovariateSpec, DoseControlSpec, ClosedFormSpec, OutputSpec, SolverSpec, ResidualSpec } from './spec.js';
export { compileModel, RESERVED_NAMES, type CompiledModelWithRandom } from './compile.js';
export { parseModelSpec, loadModel, mergeSpecs, FRAGMENT_FORMAT, type ModelResolver } from './load.js';
export { randomEffectsCovariance, type RandomEffects } from './random-effects.js';
export * from './compiled.js';
export { modelDependencies, type ModelDependencies } from './dependencies.js';
export { withOutputs } from './output-subset.js';
