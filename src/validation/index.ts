/**
 * Validation of library models against published results ("literature numbers are data"): validation files
 * (validation/*.yaml) hold published values with their scenario, metric and tolerance; the Validator simulates
 * each scenario and puts the published value beside the prediction. Pure: the CLI (`ketasim validate`) reads the
 * files and writes the report. Format: docs/validation.md.
 */
export { ValidationError } from './errors.js';
export {
  parseValidationFile,
  targetSchema,
  validationFileSchema,
  toleranceSchema,
  publishedSchema,
  METRIC_TYPES,
  type Condition,
  type Metric,
  type Published,
  type SimpleMetric,
  type RatioMetric,
  type Target,
  type Tolerance,
  type ValidationFile,
} from './schema.js';
export { resolveScenario, mergeScenario, type ResolvedScenario } from './scenario.js';
export {
  Validator,
  TargetError,
  evaluateMetric,
  simulateScenario,
  gridOptions,
  metricText,
  idMatcher,
  isModelPath,
  aucUnit,
  summarize,
  type CurveData,
  type ModelLoader,
  type RunOptions,
  type Simulated,
  type Status,
  type Summary,
  type TargetResult,
} from './run.js';
export { errorOf, withinTolerance, toleranceText, uncertaintyPosition, publishedInterval, type ErrorMeasure } from './tolerance.js';
export { textTable, summaryText, tableRows, publishedText, statusText } from './format.js';
export { curveChart, predictedVsPublishedChart, ratioChart, toleranceRatioInterval } from './charts.js';
export { validationReport, type ValidationReportOptions } from './report.js';
export * as metrics from './metrics.js';
