export { SubjectRandom, philox4x32, normalQuantile } from './philox.js';
export { sampleEtas, STREAMS } from './population.js';
export { observation, residualSd } from './residual.js';
