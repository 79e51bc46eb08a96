/**
 * The model library on disk: YAML files under the package's `models/` folder. `--model` takes a built-in
 * model name or a path to a model file.
 */

import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from '../core/errors.js';
import { FRAGMENT_FORMAT, loadModel, parseModelSpec, type CompiledModelWithRandom, type ModelResolver, type ModelSpec } from '../core/model/index.js';
import { readText } from './files.js';

/** The package root (the folder with package.json), from this file's location in dist/node or src/node. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const libraryRoot = join(packageRoot, 'models');

export interface LibraryEntry {
  readonly name: string;
  readonly title: string;
  readonly version: string;
  /** Path relative to the library root, e.g. generic/advan2.yaml. */
  readonly file: string;
  readonly path: string;
  readonly spec: ModelSpec;
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) return yamlFiles(p);
      return /\.ya?ml$/.test(f) ? [p] : [];
    });
}

interface LibraryFile {
  readonly file: string;
  readonly path: string;
  readonly text: string;
  readonly name: string;
  readonly fragment: boolean;
}

let scanned: Map<string, LibraryFile> | undefined;
let cache: LibraryEntry[] | undefined;

/** Every library file by name (models and fragments), from a quick scan of the `name:` lines: no parsing. */
function scanLibrary(): Map<string, LibraryFile> {
  if (scanned !== undefined) return scanned;
  const byName = new Map<string, LibraryFile>();
  for (const path of yamlFiles(libraryRoot)) {
    const file = relative(libraryRoot, path);
    const text = readText(path, 'model file');
    const name = /^name:\s*(\S+)\s*$/m.exec(text)?.[1];
    if (name === undefined) throw new ModelError('no `name:` line', 'name', `models/${file}`);
    const prior = byName.get(name);
    if (prior !== undefined) throw new ModelError(`model name ${name} is used by both ${prior.file} and ${file}`, 'name', 'models/');
    byName.set(name, { file, path, text, name, fragment: new RegExp(`^ketasim:\\s*${FRAGMENT_FORMAT}\\s*$`, 'm').test(text) });
  }
  scanned = byName;
  return byName;
}

/** Finds library models and fragments by name, for `extends` (also from model files outside the library). */
export function libraryResolver(): ModelResolver {
  const byName = scanLibrary();
  return (name) => {
    const f = byName.get(name);
    return f === undefined ? undefined : { text: f.text, source: `models/${f.file}` };
  };
}

/** All library models (not fragments), parsed with their bases merged. */
export function listLibrary(): LibraryEntry[] {
  if (cache !== undefined) return cache;
  const resolver = libraryResolver();
  cache = [...scanLibrary().values()]
    .filter((f) => !f.fragment)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ file, path, text }) => {
      const spec = parseModelSpec(text, `models/${file}`, resolver);
      return { name: spec.name, title: spec.title, version: spec.version, file, path, spec };
    });
  return cache;
}

/** Resolve `--model`: an existing file path, else a built-in model name. */
export function resolveModel(nameOrPath: string): { path: string; label: string } {
  if (/\.ya?ml$/i.test(nameOrPath) || nameOrPath.includes('/') || nameOrPath.includes('\\')) {
    if (!existsSync(nameOrPath)) throw new ModelError(`no such model file`, '', nameOrPath);
    return { path: nameOrPath, label: nameOrPath };
  }
  const entry = scanLibrary().get(nameOrPath);
  if (entry === undefined || entry.fragment) {
    const names = [...scanLibrary().values()].filter((f) => !f.fragment).map((f) => f.name).sort();
    const what = entry?.fragment === true ? `${nameOrPath} is a model fragment, not a model` : `no built-in model called ${nameOrPath}`;
    throw new ModelError(`${what}; built-in models: ${names.join(', ')} (or give a path to a .yaml model file)`);
  }
  return { path: entry.path, label: `models/${entry.file}` };
}

export function loadModelByName(nameOrPath: string): CompiledModelWithRandom {
  const { path, label } = resolveModel(nameOrPath);
  return loadModel(readText(path, 'model file'), label, libraryResolver());
}
