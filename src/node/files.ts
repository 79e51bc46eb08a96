/** File reading and writing for the CLI, with errors that say which file and why. */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KetasimError } from '../core/errors.js';

export class FileError extends KetasimError {}

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new FileError(`cannot read ${what} ${path}: ${why}`);
  }
}

export function writeText(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (e) {
    throw new FileError(`cannot write ${path}: ${(e as Error).message}`);
  }
}
