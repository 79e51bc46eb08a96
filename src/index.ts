/**
 * ketasim: pharmacometric engine and ketamine model library (research and education software, not a medical
 * device). The Node entry: everything in ketasim/browser plus the built-in model library on disk.
 *
 *   import { loadModelByName, datasetFromRows, simulate } from 'ketasim';
 */
export * from './browser.js';
export { listLibrary, loadModelByName, resolveModel, libraryRoot, type LibraryEntry } from './node/library.js';
export * from './report/index.js';
