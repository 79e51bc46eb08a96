/** Model-informed care for one patient: records, Bayesian individualisation (MAP, Laplace, SIR). Pure. */
export { parsePatientRecord, parsePatientCsv, patientRecordSchema, PatientRecordError, OBSERVATION_TYPES, observationType, DRUGS, type PatientRecord, type PatientRecordInput, type RecordDose, type RecordObservation, type ObservationType, type Drug } from './record.js';
export { buildDesign, type PatientDesign, type FitObservation, type UnusedObservation, type PlannedDose, type DesignOptions, type Censoring } from './design.js';
export { PatientObjective, FitError, observationTerm, observationTermDerivatives, iwres } from './objective.js';
export { minimizeBfgs, minimizeLevenbergMarquardt, hessian, gradient, type MinimizeOptions, type MinimizeResult, type SumOfTermsProblem, type LevenbergMarquardtOptions } from './optimize.js';
export { fitPatient, fitSolver, quantiles, drawsSharingDynamics, type FitOptions, type FitResult, type PatientFit, type EtaEstimate, type ParameterEstimate, type FittedObservation } from './fit.js';
export { logNormCdf, normCdf, erfc, logErfc } from './normal.js';
export { predictionBands, patientGridH, type BandOptions, type Bands, type OutputBands } from './forecast.js';
export { forecastPlans, recordBaseline, forecastGridH, peakGridH, forecastSampling, RESPONSE_FRACTION, type ForecastSampling, type ForecastScenario, type Baseline, type PlanForecastOptions, type PlanForecast, type ScenarioForecast, type Band5, type PeakForecast, type RelapseForecast, type BoosterDue, type Spread } from './forecast.js';
export { parsePlan, planSchema, describeDoses, planDrug, type Plan, type PlanInput } from './plan.js';
export { parseClinicLimits, clinicLimitsSchema, defaultClinicLimits, DEFAULT_LIMIT_SOURCES, ClinicLimitsError, type ClinicLimits, type ClinicLimitsInput, type LimitName } from './clinic-limits.js';
export { recommend, RecommendRefusal, candidateDoses, contraindications, dataRefusal, mergeLimits, type Recommendation, type Candidate, type CandidateDose, type LimitCheck, type RecommendOptions } from './recommend.js';
