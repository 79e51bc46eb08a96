/** Parsers for repeated and structured command-line options. */

import { InvalidArgumentError } from 'commander';

/** `NAME=VALUE` (repeatable) → record of numbers. */
export function collectAssignments(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const m = /^([A-Za-z][A-Za-z0-9_]*)=(.+)$/.exec(value.trim());
  if (m === null) throw new InvalidArgumentError(`expected NAME=VALUE, got "${value}"`);
  const num = Number(m[2]);
  if (m[2]?.trim() === '' || !Number.isFinite(num)) throw new InvalidArgumentError(`${m[1]}: "${m[2]}" is not a number`);
  return { ...previous, [m[1] as string]: num };
}

export function positiveNumber(value: string): number {
  const x = Number(value);
  if (!Number.isFinite(x) || x <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return x;
}

export function positiveInteger(value: string): number {
  const x = Number(value);
  if (!Number.isInteger(x) || x <= 0) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return x;
}

export function commaList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}
