/**
 * `ketasim validate`: every published result in the validation files (validation/*.yaml) beside the model's
 * prediction, as a table (or JSON) and optionally an HTML report. Exit code 1 when a target fails (outside its
 * tolerance without an `expected_miss` note, or marked expected_miss but now passing, or not runnable).
 */

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { Command } from 'commander';
import { KetasimError } from '../../core/errors.js';
import { readText, writeText } from '../../node/files.js';
import { loadModelByName, packageRoot } from '../../node/library.js';
import { parseValidationFile, type ValidationFile } from '../../validation/schema.js';
import { isModelPath, summarize, Validator, type TargetResult } from '../../validation/run.js';
import { summaryText, textTable } from '../../validation/format.js';
import { validationReport } from '../../validation/report.js';
import { DISCLAIMER, UsageError } from '../main.js';
import { packageVersion } from '../../node/version.js';

interface ValidateFlags {
  model?: string;
  target?: string;
  json?: boolean;
  report?: string;
  files?: string[];
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('put every published result of the validation files beside the model\u2019s prediction (table, JSON or HTML report)')
    .option('-m, --model <name>', 'only the validation files of this library model')
    .option('-t, --target <id>', 'only this target (exact id, or a pattern with * wildcards)')
    .option('--json', 'machine-readable results instead of the table')
    .option('-r, --report <file.html>', 'also write an HTML report (table, plots, misses, sources)')
    .option('-f, --files <glob or dir>', 'validation files: a directory, a file, or a pattern such as validation/ket*.yaml (repeatable; default: the package\u2019s validation/)', collect)
    .addHelpText(
      'after',
      `
A target passes when the prediction is within its tolerance. Known misses (expected_miss in the file) are
shown but do not fail the run; a known miss that now passes does (remove its expected_miss).
Exit codes: 0 all targets pass or are known misses, 1 a target fails or a file is invalid, 2 bad usage.

Examples:
  ketasim validate
  ketasim validate --model ketamine-racemic --report validation.html
  ketasim validate --target 'chong2006-*' --json
  ketasim validate --files my-validation/`,
    )
    .action((flags: ValidateFlags) => runValidate(flags));
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

async function runValidate(flags: ValidateFlags): Promise<void> {
  const paths = (flags.files ?? [join(packageRoot, 'validation')]).flatMap(expandFiles);
  if (paths.length === 0) throw new UsageError(`no validation files (.yaml) in ${(flags.files ?? ['validation/']).join(', ')}`);
  const files: ValidationFile[] = paths.map((p) => parseValidationFile(readText(p, 'validation file'), p));
  const selected = files.filter((f) => flags.model === undefined || f.model === flags.model);
  if (selected.length === 0) {
    throw new UsageError(`no validation file is for model ${flags.model} (files are for: ${[...new Set(files.map((f) => f.model))].join(', ')})`);
  }
  // A model given as a path is found relative to its validation file.
  const validator = new Validator((name, file) => loadModelByName(isModelPath(name) && !isAbsolute(name) ? join(dirname(file), name) : name));
  const results: TargetResult[] = selected.flatMap((f) => validator.runFile(f, { curves: flags.report !== undefined, ...(flags.target !== undefined ? { target: flags.target } : {}) }));
  if (results.length === 0) throw new UsageError(`no target matches ${flags.target}`);
  const summary = summarize(results);

  if (flags.json === true) {
    const targets = results.map(({ curve: _curve, ...r }) => r);
    process.stdout.write(`${JSON.stringify({ summary, targets }, null, 1)}\n`);
  } else {
    process.stdout.write(`${textTable(results)}\n\n${summaryText(summary)}\n${DISCLAIMER}\n`);
  }
  if (flags.report !== undefined) {
    const html = await validationReport(results, {
      disclaimer: DISCLAIMER,
      provenance: { ketasim: packageVersion(), Command: ['ketasim validate', ...process.argv.slice(3)].join(' ') },
    });
    writeText(flags.report, html);
    if (flags.json !== true) process.stdout.write(`Wrote ${flags.report}\n`);
  }
  if (summary.failures > 0) {
    const bad = results.filter((r) => r.status === 'fail' || r.status === 'unexpected-pass' || r.status === 'error').map((r) => r.id);
    throw new KetasimError(`${summary.failures} of ${results.length} validation targets failed: ${bad.join(', ')}`);
  }
}

/** A directory (its .yaml files), a file, or a pattern with * or ? in the file name. */
function expandFiles(arg: string): string[] {
  if (/[*?]/.test(basename(arg))) {
    const dir = dirname(arg);
    if (/[*?]/.test(dir)) throw new UsageError(`--files ${arg}: wildcards only in the file name`);
    const re = new RegExp(`^${basename(arg).split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
    if (!existsSync(dir)) throw new UsageError(`--files ${arg}: no directory ${dir}`);
    return readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => join(dir, f));
  }
  if (!existsSync(arg)) throw new UsageError(`--files ${arg}: no such file or directory`);
  if (statSync(arg).isDirectory()) return readdirSync(arg).filter((f) => /\.ya?ml$/i.test(f)).sort().map((f) => join(arg, f));
  return [arg];
}
