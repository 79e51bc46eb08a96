/**
 * Model files: YAML text → validated ModelSpec → CompiledModel. Errors name the file, the path in the model
 * (e.g. `parameters.CL.unit`) and the line, and say what was expected.
 */

import { LineCounter, parseDocument, isNode } from 'yaml';
import type { ZodError } from 'zod';
import { ModelError } from '../errors.js';
import { compileModel, type CompiledModelWithRandom } from './compile.js';
import { modelSpecSchema, type ModelSpec } from './spec.js';

/** Parse and validate a model file's text (no compilation). */
export function parseModelSpec(text: string, source = 'model'): ModelSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err?.linePos?.[0];
    throw new ModelError(`invalid YAML${pos !== undefined ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${err?.message.split('\n')[0] ?? ''}`, '', source);
  }
  const data: unknown = doc.toJS();
  const parsed = modelSpecSchema.safeParse(data);
  if (!parsed.success) throw specError(parsed.error, doc, lineCounter, source);
  return parsed.data;
}

/** Parse, validate and compile a model file's text. */
export function loadModel(text: string, source = 'model'): CompiledModelWithRandom {
  return compileModel(parseModelSpec(text, source), source);
}

function specError(error: ZodError, doc: ReturnType<typeof parseDocument>, lines: LineCounter, source: string): ModelError {
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
  if (issue.code === 'unrecognized_keys') detail = `unknown key(s) ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) detail = 'is required';
  return new ModelError(`${detail}${line !== undefined ? ` (line ${line})` : ''}`, path.join('.'), source);
}
