/**
 * The first problem of an input document that failed its zod schema, as the project reports it: the field as a
 * path with 1-based indices ("doses[2].route") and a message ("unknown key(s) dose" for keys the schema does not
 * have). Shared by the readers of patient records, plans, clinic limits, safety rules and trial designs, which
 * each wrap it in their own error with the file name. Pure.
 */
import type { z, ZodError } from 'zod';

/** "doses[2].route" from ['doses', 1, 'route']. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p + 1}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

export function firstSchemaIssue(error: ZodError): { readonly path: string; readonly detail: string; readonly issue: z.core.$ZodIssue | undefined } {
  const issue = error.issues[0];
  const detail = issue?.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : (issue?.message ?? 'invalid');
  return { path: fieldPath(issue?.path ?? []), detail, issue };
}
