/** Virtual trials: designs, populations, per-patient reduction, mergeable summaries and trial statistics (pure). */
export { parseDesign, designSchema, designVisits, TrialError, type Design, type DesignInput, type Visit } from './design.js';
export { planTrial, DEFAULT_SAFETY, type TrialPlan, type ArmPlan } from './plan.js';
export { DEFAULT_POPULATION, TRIAL_STREAMS, sampleCovariates, lastVisit } from './population.js';
export { TrialSimulator, armShape, BATCH } from './run.js';
export { ArmAccumulator, type ArmState, type SubjectOutcome } from './accumulate.js';
export { trialSummary, summarySchema, SUMMARY_FORMAT, type TrialSummary } from './summary.js';
export { ExactSum } from './exact-sum.js';
export { Histogram } from './histogram.js';
export * as trialStats from './stats.js';
export { trialReport, parseTrialSummary, type TrialReportOptions } from './report.js';
