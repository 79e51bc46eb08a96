/** `ketasim simulate`: a model and a NONMEM-style data set in, one row per record out. */

import { Command, InvalidArgumentError, Option } from 'commander';
import { parseGrid, withObservationGrid } from '../../core/data/augment.js';
import type { Dataset, SubjectRecords } from '../../core/data/dataset.js';
import { solverMethods } from '../../core/model/spec.js';
import { simulate, type SimulateOptions } from '../../core/simulate/simulate.js';
import { readNonmemCsv } from '../../io/nmdata/index.js';
import { resultToCsv, resultToJson } from '../../io/results.js';
import { readSubjectInputs } from '../../io/subject-inputs.js';
import { readText, writeText } from '../../node/files.js';
import { loadModelByName } from '../../node/library.js';
import { collectAssignments, commaList, positiveInteger, positiveNumber } from '../options.js';
import { packageVersion } from '../../node/version.js';

interface SimulateFlags {
  model: string;
  data: string;
  out?: string;
  json?: boolean;
  param?: Record<string, number>;
  covariate?: Record<string, number>;
  grid?: string;
  obsOnly?: boolean;
  states?: boolean;
  carry?: string[];
  idata?: string;
  digits?: number;
  rtol?: number;
  atol?: number;
  solver?: (typeof solverMethods)[number];
  quiet?: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('simulate a model on a NONMEM-style data set (CSV); one output row per record, as NONMEM $TABLE')
    .requiredOption('-m, --model <model>', 'built-in model name (see `ketasim models`) or path to a model file (.yaml)')
    .requiredOption('-d, --data <file>', 'data set (CSV with ID, TIME, AMT, RATE, CMT, EVID, II, ADDL, SS, MDV, covariates...)')
    .option('-o, --out <file>', 'output file (default: standard output)')
    .option('--json', 'write JSON instead of CSV')
    .option('-p, --param <NAME=VALUE>', 'set a model parameter for all subjects (repeatable)', collectAssignments)
    .option('-c, --covariate <NAME=VALUE>', 'set a covariate for subjects whose data has no such column (repeatable)', collectAssignments)
    .option('-g, --grid <times>', 'add observation rows at these times: "start:end:step", "t1,t2,..." or a mix')
    .option('--obs-only', 'output only observation rows (EVID 0), not dose or other records')
    .option('--states', 'also output the amount in every compartment')
    .option('--carry <columns>', 'copy these input columns to the output, e.g. EVID,AMT,DV', commaList)
    .option('--idata <file>', 'per-subject parameter, covariate or random-effect values: CSV with an ID column')
    .option('--digits <n>', 'significant digits in the output (default: full precision)', positiveInteger)
    .option('--rtol <x>', 'ODE relative tolerance (default: the model\'s, usually 1e-8)', positiveNumber)
    .option('--atol <x>', 'ODE absolute tolerance (default: the model\'s, usually 1e-8)', positiveNumber)
    .addOption(new Option('--solver <method>', 'ODE method').choices(solverMethods))
    .option('-q, --quiet', 'no messages on standard error')
    .addHelpText(
      'after',
      `
Examples:
  ketasim simulate --model advan2 --data doses.csv --grid 0:48:0.5 --out conc.csv
  ketasim simulate --model examples/nmtests/advan2-nmtests.yaml --data dosing-data.csv --out out.csv
  ketasim simulate -m my-model.yaml -d data.csv -p CL=5 -p V=40 --json`,
    )
    .action((flags: SimulateFlags) => runSimulate(flags));
}

function runSimulate(flags: SimulateFlags): void {
  const model = loadModelByName(flags.model);
  let dataset: Dataset = readNonmemCsv(readText(flags.data, 'data set'), { source: flags.data });
  if (flags.grid !== undefined) {
    let grid: number[];
    try {
      grid = parseGrid(flags.grid);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
    dataset = { ...dataset, subjects: dataset.subjects.map((s) => withObservationGrid(s, grid)) };
  }
  const options: SimulateOptions = {
    parameters: flags.param ?? {},
    covariates: flags.covariate ?? {},
    includeStates: flags.states ?? false,
    solver: {
      ...(flags.rtol !== undefined ? { rtol: flags.rtol } : {}),
      ...(flags.atol !== undefined ? { atol: flags.atol } : {}),
      ...(flags.solver !== undefined ? { method: flags.solver } : {}),
    },
    ...(flags.idata !== undefined ? { subjectInputs: readSubjectInputs(readText(flags.idata, 'idata file'), flags.idata, dataset) } : {}),
  };
  const result = simulate(model, dataset, options);
  const table = {
    digits: flags.digits,
    carry: flags.carry ?? [],
    ...(flags.obsOnly === true ? { recordFilter: (s: SubjectRecords, r: number) => s.evid[r] === 0 } : {}),
  };
  const text = flags.json === true ? `${JSON.stringify(resultToJson(result, packageVersion(), table), null, 1)}\n` : resultToCsv(result, table);
  if (flags.out !== undefined) writeText(flags.out, text);
  else process.stdout.write(text);
  if (flags.quiet !== true && flags.out !== undefined) {
    const doses = dataset.subjects.reduce((s, subj) => s + subj.evid.filter((e) => e === 1 || e === 4).length, 0);
    process.stderr.write(
      `ketasim: ${model.name} on ${flags.data}: ${dataset.subjects.length} subject(s), ${result.rows} records (${doses} dose records)` +
        `${dataset.ignoredRows > 0 ? `, ${dataset.ignoredRows} commented rows ignored` : ''} → ${flags.out}\n`,
    );
  }
}
