export { expDividedDifference, exponentialChainResponse } from './divided-differences.js';
export { symmetricEigen, jacobiEigenInPlace, type SymmetricEigen } from './symmetric-eigen.js';
export {
  ModalSystem,
  LinearRatesError,
  RATE_HEADER,
  ratesFromClearances,
  type LinearRates,
  type LinearStructure,
  type PeripheralRates,
} from './system.js';
export {
  LinearPropagator,
  NoSteadyStateError,
  steadyStateBolus,
  steadyStateInfusion,
  steadyStateConstantInfusion,
} from './propagator.js';
