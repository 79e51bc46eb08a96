/**
 * One benchmark case in its own process (started by run.ts): the JIT state of one case cannot speed up or slow
 * down another. Prints the timing as JSON on stdout.
 *   node dist-bench/bench/case.js <index> <reps> <examplesDir> <subjectsFile> <full>
 */

import { ketasimCases, timeCase } from './ketasim-problems.js';

const [index, reps, examplesDir, subjectsFile, full] = process.argv.slice(2);
const cases = ketasimCases(examplesDir as string, subjectsFile as string, full === 'true');
const c = cases[Number(index)];
if (c === undefined) {
  process.stderr.write(`no benchmark case ${index}\n`);
  process.exit(2);
}
const timing = timeCase(c, Number(reps), () => undefined);
process.stdout.write(`${JSON.stringify(timing)}\n`);
