import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './library.js';

let version: string | undefined;

/** The ketasim package's version (package.json), read once. */
export function packageVersion(): string {
  if (version === undefined) {
    const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    version = pkg.version;
  }
  return version;
}
