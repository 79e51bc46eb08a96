/** Running the built `ketasim` command in tests, and scratch files for its inputs. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('../../', import.meta.url).pathname;

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node bin/ketasim.js ...args` (from the repository root), with its exit code and output. */
export function ketasim(...args: string[]): Run {
  const r = spawnSync(process.execPath, [join(root, 'bin/ketasim.js'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A scratch directory; `file(name, text)` writes into it and returns the path. */
export function scratch(prefix: string): { dir: string; file: (name: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file: (name, text) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
  };
}
