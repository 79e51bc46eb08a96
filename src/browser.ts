/**
 * ketasim/browser: everything that runs without Node — the engine plus the pure readers and writers (data sets
 * from CSV text, results to CSV/JSON text). Model files are passed as text (`loadModel(yamlText)`).
 */
export * from './core/index.js';
export { readNonmemCsv, datasetFromRows, summarizeDataset, formatDatasetSummary } from './io/nmdata/index.js';
export { resultToCsv, resultToJson, type TableOptions, type ResultJson } from './io/results.js';
