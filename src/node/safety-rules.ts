/** Safety rules files on disk (YAML): the library's default rules, or a file given with --rules. */

import { join } from 'node:path';
import { parse } from 'yaml';
import { parseSafetyRules, SafetyRulesError, type SafetyRules } from '../clinical/rules.js';
import { readText } from './files.js';
import { libraryRoot } from './library.js';

/** The default rules (ketamine and esketamine); YAML, not named .yaml because every .yaml under models/ is a model. */
export const defaultSafetyRulesPath = join(libraryRoot, 'ketamine', 'safety.rules');

/** Read and validate a rules file; errors name the file and the field. */
export function loadSafetyRules(path: string = defaultSafetyRulesPath, label = path === defaultSafetyRulesPath ? 'models/ketamine/safety.rules' : path): SafetyRules {
  const text = readText(path, 'safety rules file');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new SafetyRulesError(`not valid YAML: ${(e as Error).message}`, label);
  }
  return parseSafetyRules(doc, label);
}
