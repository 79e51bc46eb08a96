/** Model-informed care for one patient: records, Bayesian individualisation (MAP, Laplace, SIR). Pure. */
export { parsePatientRecord, parsePatientCsv, patientRecordSchema, PatientRecordError, OBSERVATION_TYPES, observationType, DRUGS, type PatientRecord, type PatientRecordInput, type RecordDose, type RecordObservation, type ObservationType, type Drug } from './record.js';
export { buildDesign, type PatientDesign, type FitObservation, type UnusedObservation, type PlannedDose, type DesignOptions, type Censoring } from './design.js';
export { PatientObjective, FitError, observationTerm, iwres } from './objective.js';
export { minimizeBfgs, hessian, gradient, type MinimizeOptions, type MinimizeResult } from './optimize.js';
export { fitPatient, fitSolver, quantiles, type FitOptions, type FitResult, type PatientFit, type EtaEstimate, type ParameterEstimate, type FittedObservation } from './fit.js';
export { logNormCdf, normCdf, erfc, logErfc } from './normal.js';
export { predictionBands, patientGridH, type BandOptions, type Bands, type OutputBands } from './forecast.js';
