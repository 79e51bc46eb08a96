/**
 * ketasim: pharmacometric engine and ketamine model library (research and education software, not a medical
 * device). The Node entry: everything in ketasim/browser plus the built-in model library on disk.
 *
 *   import { loadModelByName, datasetFromRows, simulate } from 'ketasim';
 */
export * from './browser.js';
export { listLibrary, loadModelByName, resolveModel, libraryRoot, type LibraryEntry } from './node/library.js';
export * from './report/index.js';
export { evaluateSafety, triggered, unavailable, type Readout, type ReadoutStatus, type SafetyReport } from './clinical/safety.js';
export { parseSafetyRules, safetyRulesSchema, type SafetyRule, type SafetyRules } from './clinical/rules.js';
export { patientSeries, episodes, exceedance, peakIn, type Episode, type Exceedance, type PatientSeries } from './clinical/series.js';
export { regimenReport, type RegimenReportInput } from './clinical/report.js';
export { defaultSafetyRulesPath, loadSafetyRules } from './node/safety-rules.js';
export { buildRegimen, parseRegimen, regimenSchema, type GivenDose, type PatientRegimen, type Regimen, type RegimenInput } from './regimen/regimen.js';
export * from './validation/index.js';
export * from './fit/index.js';
export { readPatientFile } from './node/patient-file.js';
export * from './trial/index.js';
export { readDesign, runTrial, mergeShards, summaryOf, parseShard, shardRange, type RunOptions as TrialRunOptions, type RunResult as TrialRunResult, type ShardFile } from './node/trial-run.js';
