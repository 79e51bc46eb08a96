/**
 * The model library on disk: YAML files under the package's `models/` folder. `--model` takes a built-in
 * model name or a path to a model file.
 */

import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from '../core/errors.js';
import { loadModel, parseModelSpec, type CompiledModelWithRandom, type ModelResolver, type ModelSpec } from '../core/model/index.js';
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

let cache: LibraryEntry[] | undefined;
let resolver: ModelResolver = () => undefined;

/** Finds library models by name, for `extends` (also from model files outside the library). */
export function libraryResolver(): ModelResolver {
  listLibrary();
  return resolver;
}

export function listLibrary(): LibraryEntry[] {
  if (cache !== undefined) return cache;
  // Names first (a model may extend another, found by name), then full specs with their bases merged.
  const files = yamlFiles(libraryRoot).map((path) => {
    const file = relative(libraryRoot, path);
    const text = readText(path, 'model file');
    const name = /^name:\s*(\S+)\s*$/m.exec(text)?.[1];
    if (name === undefined) throw new ModelError('no `name:` line', 'name', `models/${file}`);
    return { file, path, text, name };
  });
  const byName = new Map(files.map((f) => [f.name, f]));
  resolver = (name) => {
    const f = byName.get(name);
    return f === undefined ? undefined : { text: f.text, source: `models/${f.file}` };
  };
  const entries = files.map(({ file, path, text }) => {
    const spec = parseModelSpec(text, `models/${file}`, resolver);
    return { name: spec.name, title: spec.title, version: spec.version, file, path, spec };
  });
  const seen = new Map<string, string>();
  for (const e of entries) {
    const prior = seen.get(e.name);
    if (prior !== undefined) throw new ModelError(`model name ${e.name} is used by both ${prior} and ${e.file}`, 'name', 'models/');
    seen.set(e.name, e.file);
  }
  cache = entries;
  return entries;
}

/** Resolve `--model`: an existing file path, else a built-in model name. */
export function resolveModel(nameOrPath: string): { path: string; label: string } {
  if (/\.ya?ml$/i.test(nameOrPath) || nameOrPath.includes('/') || nameOrPath.includes('\\')) {
    if (!existsSync(nameOrPath)) throw new ModelError(`no such model file`, '', nameOrPath);
    return { path: nameOrPath, label: nameOrPath };
  }
  const entry = listLibrary().find((e) => e.name === nameOrPath);
  if (entry === undefined) {
    const names = listLibrary().map((e) => e.name);
    throw new ModelError(`no built-in model called ${nameOrPath}; built-in models: ${names.join(', ')} (or give a path to a .yaml model file)`);
  }
  return { path: entry.path, label: `models/${entry.file}` };
}

export function loadModelByName(nameOrPath: string): CompiledModelWithRandom {
  const { path, label } = resolveModel(nameOrPath);
  return loadModel(readText(path, 'model file'), label, libraryResolver());
}
