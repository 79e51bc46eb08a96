/**
 * The `ketasim` command. Thin: parse arguments, call the library, print. Exit codes: 0 ok, 1 failed
 * (bad data, bad model, solver failure), 2 bad usage (unknown option, missing argument).
 */

import { Command, CommanderError } from 'commander';
import { KetasimError } from '../core/errors.js';
import { registerSimulate } from './commands/simulate.js';
import { registerModels } from './commands/models.js';
import { registerDemo } from './commands/demo.js';
import { registerValidate } from './commands/validate.js';
import { registerRegimen } from './commands/regimen.js';
import { registerFit } from './commands/fit.js';
import { registerForecast } from './commands/forecast.js';
import { registerRecommend } from './commands/recommend.js';
import { registerTrial } from './commands/trial.js';
import { packageVersion } from '../node/version.js';

export const DISCLAIMER =
  'ketasim is research and education software, not a medical device: do not use it to make clinical decisions.';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('ketasim')
    .description(`Pharmacometric engine and ketamine model library.\n${DISCLAIMER}`)
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerSimulate(program);
  registerRegimen(program);
  registerFit(program);
  registerForecast(program);
  registerRecommend(program);
  registerTrial(program);
  registerModels(program);
  registerDemo(program);
  registerValidate(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`ketasim: ${e.message}\n`);
      return 2;
    }
    if (e instanceof KetasimError || e instanceof RangeError) {
      process.stderr.write(`ketasim: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`ketasim: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

/** A command-line usage problem found after parsing (exit code 2). */
export class UsageError extends Error {}
