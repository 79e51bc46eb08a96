/**
 * Model files: YAML text → validated ModelSpec → CompiledModel. Errors name the file, the path in the model
 * (e.g. `parameters.CL.unit`) and the line, and say what was expected.
 *
 * A model can build on another with `extends: <model name>`: the base's blocks are inherited and the file adds
 * to them (see mergeSpecs). The library uses it to keep one copy of a PK model under the models that add
 * pharmacodynamics.
 */

import { LineCounter, parseDocument, isNode } from 'yaml';
import type { Document } from 'yaml';
import type { ZodError } from 'zod';
import { ModelError } from '../errors.js';
import { compileModel, type CompiledModelWithRandom } from './compile.js';
import { modelSpecSchema, type ModelSpec } from './spec.js';

/** Finds the text of a model by name (for `extends`); undefined when there is no such model. */
export type ModelResolver = (name: string) => { text: string; source: string } | undefined;

type Raw = Record<string, unknown>;

interface ParsedFile {
  readonly raw: Raw;
  readonly doc: Document;
  readonly lines: LineCounter;
}

function parseYaml(text: string, source: string): ParsedFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err?.linePos?.[0];
    throw new ModelError(`invalid YAML${pos !== undefined ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${err?.message.split('\n')[0] ?? ''}`, '', source);
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ModelError('a model file is a YAML mapping (key: value lines)', '', source);
  return { raw: raw as Raw, doc, lines };
}

/** Parse and validate a model file's text (no compilation). `resolve` finds base models named by `extends`. */
export function parseModelSpec(text: string, source = 'model', resolve?: ModelResolver): ModelSpec {
  const file = parseYaml(text, source);
  if (file.raw.ketasim === FRAGMENT_FORMAT) {
    throw new ModelError(`this file is a model fragment (ketasim: ${FRAGMENT_FORMAT}): use it from a model with extends: [<model>, ${String(file.raw.name ?? 'fragment')}]`, 'ketasim', source);
  }
  const raw = withBase(file.raw, source, resolve, [source]);
  const parsed = modelSpecSchema.safeParse(raw);
  if (!parsed.success) throw specError(parsed.error, file.doc, file.lines, source);
  return parsed.data;
}

/** Parse, validate and compile a model file's text. */
export function loadModel(text: string, source = 'model', resolve?: ModelResolver): CompiledModelWithRandom {
  return compileModel(parseModelSpec(text, source, resolve), source);
}

/** `ketasim:` value of a model fragment: blocks meant to be merged into models (`extends`), not a model by itself. */
export const FRAGMENT_FORMAT = 'fragment/1';

/** Blocks merged by name. */
const MAP_KEYS = ['parameters', 'random', 'covariates', 'compartments', 'dose', 'initial', 'outputs', 'references', 'routes', 'residual'];

/** Keys of a fragment that describe the fragment itself and are not merged into the model that uses it. */
const FRAGMENT_OWN_KEYS = ['ketasim', 'name', 'version', 'title', 'description', 'intended_use', 'calibration'];

/**
 * The raw spec with its `extends` list merged in. `extends: [pk-model, pd-fragment]`: the first entry is a model,
 * validated on its own (so its errors name its file), which the file's own blocks extend; the fragments
 * (`ketasim: fragment/1`) are added last, so that the file can define what they read (e.g. a receptor occupancy
 * computed from its own PK) and they can only add names, never replace them.
 */
function withBase(raw: Raw, source: string, resolve: ModelResolver | undefined, chain: string[]): Raw {
  const ext = raw.extends;
  if (ext === undefined) return raw;
  const names = typeof ext === 'string' ? [ext] : Array.isArray(ext) && ext.length > 0 && ext.every((e) => typeof e === 'string') ? (ext as string[]) : undefined;
  if (names === undefined) throw new ModelError('extends: expected a model name or a list of names', 'extends', source);
  const find = (baseName: string): { file: ParsedFile; source: string } => {
    if (resolve === undefined) throw new ModelError(`extends ${baseName}: no model library to find it in (load the model through the library)`, 'extends', source);
    const base = resolve(baseName);
    if (base === undefined) throw new ModelError(`extends ${baseName}: no such model in the library`, 'extends', source);
    if (chain.includes(base.source)) throw new ModelError(`extends ${baseName}: circular (${[...chain, base.source].join(' → ')})`, 'extends', source);
    return { file: parseYaml(base.text, base.source), source: base.source };
  };
  const [first, ...rest] = names as [string, ...string[]];
  const base = find(first);
  if (base.file.raw.ketasim === FRAGMENT_FORMAT) throw new ModelError(`extends ${first}: a fragment cannot come first (extend a model, then add fragments)`, 'extends', source);
  const baseRaw = withBase(base.file.raw, base.source, resolve, [...chain, base.source]);
  const check = modelSpecSchema.safeParse(baseRaw);
  if (!check.success) throw specError(check.error, base.file.doc, base.file.lines, base.source);
  const { extends: _ignored, ...own } = raw;
  let merged = mergeSpecs(baseRaw, own);
  for (const name of rest) {
    const fragment = find(name);
    if (fragment.file.raw.ketasim !== FRAGMENT_FORMAT) {
      throw new ModelError(`extends ${name}: only the first entry can be a model; later entries are fragments (ketasim: ${FRAGMENT_FORMAT})`, 'extends', source);
    }
    if (fragment.file.raw.extends !== undefined) throw new ModelError('a fragment cannot extend other models', 'extends', fragment.source);
    const blocks = Object.fromEntries(Object.entries(fragment.file.raw).filter(([k]) => !FRAGMENT_OWN_KEYS.includes(k)));
    for (const key of MAP_KEYS) {
      for (const [entry, value] of Object.entries(asMap(blocks[key]))) {
        const existing = asMap(merged[key])[entry];
        if (existing === undefined || (key === 'references' && existing === value)) continue;
        throw new ModelError(`${key}.${entry} is already defined by the model it is added to`, `${key}.${entry}`, fragment.source);
      }
    }
    merged = mergeSpecs(merged, blocks);
  }
  // Kept for readers (describe): the merged model says what it was built from.
  return { ...merged, extends: ext };
}

/**
 * How a model extends its base:
 *  - metadata (name, version, title, description, intended_use, calibration, units, default_dose, solver): the
 *    derived model's values replace the base's (name and version must be given: the result is a new model);
 *  - parameters, random, covariates, compartments, dose, initial, outputs, references, routes: merged by name,
 *    the derived entry replacing the base's; new names come after the base's (compartment order = CMT numbers:
 *    the base's CMTs stay the same);
 *  - correlations: appended;
 *  - individual and dynamics.ode: the derived statements come after the base's;
 *  - dynamics.closed_form: inherited unless the derived model gives its own.
 */
export function mergeSpecs(base: Raw, derived: Raw): Raw {
  const out: Raw = { ...base };
  for (const [key, value] of Object.entries(derived)) {
    if (MAP_KEYS.includes(key)) {
      out[key] = { ...asMap(base[key]), ...asMap(value) };
    } else if (key === 'correlations') {
      out[key] = [...asList(base[key]), ...asList(value)];
    } else if (key === 'individual') {
      out[key] = joinBlocks(base[key], value);
    } else if (key === 'dynamics') {
      const b = asMap(base.dynamics);
      const d = asMap(value);
      const merged: Raw = { ...b };
      if (d.closed_form !== undefined) merged.closed_form = d.closed_form;
      if (d.ode !== undefined) merged.ode = joinBlocks(b.ode, d.ode);
      out[key] = merged;
    } else {
      out[key] = value;
    }
  }
  return out;
}

function asMap(v: unknown): Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {};
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function joinBlocks(a: unknown, b: unknown): string {
  return [a, b].filter((x): x is string => typeof x === 'string' && x.trim() !== '').join('\n');
}

function specError(error: ZodError, doc: Document, lines: LineCounter, source: string): ModelError {
  const issue = error.issues[0];
  if (issue === undefined) return new ModelError('invalid model', '', source);
  const path = issue.path.map(String);
  // Point at the deepest node of the path that exists in the file.
  let line: number | undefined;
  for (let k = path.length; k >= 0 && line === undefined; k--) {
    const node: unknown = doc.getIn(path.slice(0, k), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) line = lines.linePos(node.range[0]).line;
  }
  let detail = issue.message;
  if (issue.code === 'unrecognized_keys') {
    detail = `unknown key(s) ${issue.keys.join(', ')}`;
    // `{ value: max(0, X), unit: … }` splits at the comma: YAML reads "X)" as a key.
    if (issue.keys.some((k) => /[()*/+^]/.test(k))) detail += ' (a formula with a comma inside { } must be quoted: value: "max(0, X)")';
  }
  if (issue.code === 'invalid_key') detail = `invalid name: ${issue.issues[0]?.message ?? issue.message}`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) detail = 'is required';
  return new ModelError(`${detail}${line !== undefined ? ` (line ${line})` : ''}`, path.join('.'), source);
}
