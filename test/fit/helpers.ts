/** Shared fixtures of the fit tests: the illustrative PK model with BSV and the example patients. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelByName } from '../../src/node/library.js';
import { readPatientFile } from '../../src/node/patient-file.js';
import type { PatientRecord } from '../../src/fit/record.js';

export const root = new URL('../../', import.meta.url).pathname;
export const pkModelPath = join(root, 'examples/patients/ketamine-iv-pk-bsv.yaml');
export const pkModel = () => loadModelByName(pkModelPath);
export function examplePatient(name: string): PatientRecord {
  return readPatientFile(join(root, 'examples/patients', name));
}
export function reference(name: string): unknown {
  return JSON.parse(readFileSync(join(root, 'test/fit/reference', name), 'utf8'));
}
