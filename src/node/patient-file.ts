/** Reading a patient record from disk: JSON (or YAML) documents and CSV files in NONMEM layout (docs/patients.md). */
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parsePatientCsv, parsePatientRecord, PatientRecordError, type PatientRecord } from '../fit/record.js';
import { readText } from './files.js';

export function readPatientFile(path: string): PatientRecord {
  const text = readText(path, 'patient record');
  const label = basename(path);
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return parsePatientCsv(text, label);
  let input: unknown;
  try {
    input = ext === '.yaml' || ext === '.yml' ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new PatientRecordError(`not valid ${ext === '.yaml' || ext === '.yml' ? 'YAML' : 'JSON'}: ${(e as Error).message}`, { source: label });
  }
  return parsePatientRecord(input, label);
}
