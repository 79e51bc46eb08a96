/**
 * `ketasim trial`: run a virtual trial design (docs/trials.md) on every core and write out/summary.json (and the
 * per-subject CSV and the HTML report on request); `ketasim trial merge` merges shard files written with
 * --shard i/N; `ketasim trial report` writes the HTML report of a summary.json. Thin: parse arguments, call
 * src/node/trial-run.ts and src/trial/report.ts, print.
 */

import { mkdirSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { readText, writeText } from '../../node/files.js';
import { defaultWorkers, mergeShards, parseShard, readDesign, runTrial, shardFile, subjectCsvHeader, summaryOf, type ShardFile } from '../../node/trial-run.js';
import { TrialError } from '../../trial/design.js';
import { parseTrialSummary, trialReport } from '../../trial/report.js';
import type { TrialSummary } from '../../trial/summary.js';
import { DISCLAIMER, UsageError } from '../main.js';
import { positiveInteger } from '../options.js';
import { packageVersion } from '../../node/version.js';

interface TrialFlags {
  design?: string;
  seed?: number;
  out?: string;
  workers?: number;
  shard?: string;
  subjects?: boolean;
  json?: boolean;
  progress?: boolean;
  /** true: <out>/report.html; a string: that file. */
  report?: string | boolean;
}

const REPORT_HELP = 'also write the HTML report (plots and tables of the endpoints); default file <out>/report.html';

/** Where --report [file] writes: the file given, or report.html in the output directory. */
function reportPath(report: string | boolean | undefined, out: string): string | undefined {
  if (report === undefined || report === false) return undefined;
  return report === true ? join(out, 'report.html') : report;
}

/** Render the report of a summary and write it; returns the path. */
async function writeReport(summary: TrialSummary, path: string): Promise<string> {
  const html = await trialReport(summary, {
    disclaimer: DISCLAIMER,
    provenance: { ketasim: packageVersion(), Command: `ketasim ${process.argv.slice(2).join(' ')}` },
  });
  writeText(path, html);
  return path;
}

function seedNumber(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(x) || x < 0) throw new InvalidArgumentError(`expected an integer from 0 to 2^53 - 1, got "${value}"`);
  return x;
}

export function registerTrial(program: Command): void {
  const trial = program
    .command('trial')
    .description('run a virtual trial design: arms, population, visits, dropout; endpoints as trials report them')
    .option('-d, --design <file>', 'trial design (YAML or JSON; docs/trials.md, examples/trials/)')
    .option('-s, --seed <n>', 'random seed (default: the design\u2019s)', seedNumber)
    .option('-o, --out <dir>', 'output directory (default out/trial)')
    .option('-w, --workers <n>', `worker threads (default: all cores, here ${defaultWorkers()})`, positiveInteger)
    .option('--shard <i/N>', 'simulate only shard i of N (subjects split evenly); writes shard-i-of-N.json for `ketasim trial merge`')
    .option('--subjects', 'also write subjects.csv (one row per patient: covariates, score at each visit, peaks)')
    .option('--json', 'print the summary JSON instead of the text summary')
    .option('--no-progress', 'no progress bar (it is shown on a terminal for runs longer than a second)')
    .option('--report [file]', REPORT_HELP)
    .addHelpText(
      'after',
      `
The same design and seed give bit-identical results for any number of workers and for shards merged later.
Exit codes: 0 ok, 1 bad design or failed simulation, 2 bad usage.

Examples:
  ketasim trial --design examples/trials/murrough2013.yaml
  ketasim trial --design examples/trials/murrough2013b.yaml --seed 7 --out out/m2013b --subjects --report
  ketasim trial --design big.yaml --shard 1/3 --out shards/   (then 2/3, 3/3, on any machines)
  ketasim trial merge shards/shard-*-of-3.json --out out/big --report
  ketasim trial report out/big/summary.json --out big.html

${DISCLAIMER}`,
    )
    .action((flags: TrialFlags) => runTrialCommand(flags));
  trial
    .command('merge')
    .description('merge shard files (--shard i/N runs of one design and seed) into summary.json')
    .argument('<shards...>', 'shard files')
    .option('-o, --out <dir>', 'output directory (default out/trial)')
    .option('--json', 'print the summary JSON instead of the text summary')
    .option('--report [file]', REPORT_HELP)
    .action((files: string[], _flags: unknown, cmd: Command) => runMerge(files, cmd.optsWithGlobals<{ out?: string; json?: boolean; report?: string | boolean }>()));
  trial
    .command('report')
    .description('write the HTML report of a trial summary (summary.json of ketasim trial or ketasim trial merge)')
    .argument('<summary>', 'summary.json')
    .option('-o, --out <file>', 'report file (default: report.html next to the summary)')
    .action((file: string, _flags: unknown, cmd: Command) => runReport(file, cmd.optsWithGlobals<{ out?: string }>()));
}

async function runReport(file: string, flags: { out?: string }): Promise<void> {
  let data: unknown;
  try {
    data = JSON.parse(readText(file, 'trial summary'));
  } catch (e) {
    if (e instanceof SyntaxError) throw new TrialError(`not JSON: ${e.message}`, file);
    throw e;
  }
  const summary = parseTrialSummary(data, file);
  const path = await writeReport(summary, flags.out ?? join(dirname(file), 'report.html'));
  process.stderr.write(`ketasim trial report: wrote ${path}\n`);
}

async function runTrialCommand(flags: TrialFlags): Promise<void> {
  if (flags.design === undefined) throw new UsageError('give the design file: ketasim trial --design <file> (examples in examples/trials/)');
  const loaded = readDesign(flags.design);
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
  if (shard !== undefined && flags.report !== undefined) throw new UsageError('a shard has no summary to report: use --report with `ketasim trial merge` (or `ketasim trial report summary.json`)');
  const out = flags.out ?? join('out', 'trial');
  mkdirSync(out, { recursive: true });
  const fd = flags.subjects === true ? openSync(join(out, shard !== undefined ? `subjects-${shard.index}-of-${shard.count}.csv` : 'subjects.csv'), 'w') : undefined;
  let headerWritten = false;
  const showProgress = flags.progress !== false && process.stderr.isTTY;
  let bar: SingleBar | undefined;
  const t0 = performance.now();
  try {
    const result = await runTrial(loaded, {
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
      ...(shard !== undefined ? { shard } : {}),
      ...(fd !== undefined
        ? {
            onSubjects: (lines: string) => {
              if (!headerWritten) headerWritten = true;
              writeSync(fd, lines);
            },
          }
        : {}),
      onProgress: (done, total) => {
        if (!showProgress) return;
        if (bar === undefined && performance.now() - t0 > 1000 && done < total) {
          bar = new SingleBar({ stream: process.stderr, format: 'ketasim trial |{bar}| {percentage}% | {value}/{total} patients | ETA {eta_formatted}', hideCursor: true }, Presets.shades_classic);
          bar.start(total, done);
        }
        bar?.update(done);
      },
    });
    bar?.stop();
    const seconds = (performance.now() - t0) / 1000;
    if (fd !== undefined) {
      closeSync(fd);
      // The header goes first: rewrite the file with it (rows were streamed without holding them in memory).
      prependHeader(join(out, shard !== undefined ? `subjects-${shard.index}-of-${shard.count}.csv` : 'subjects.csv'), subjectCsvHeader(result.plan));
    }
    const n = result.range[1] - result.range[0];
    if (shard !== undefined) {
      const path = join(out, `shard-${shard.index}-of-${shard.count}.json`);
      writeFileSync(path, `${JSON.stringify(shardFile(loaded, result, shard))}\n`);
      process.stderr.write(`ketasim trial: shard ${shard.index}/${shard.count}: ${n} patients in ${seconds.toFixed(1)} s; wrote ${path}\n`);
      return;
    }
    const summary = summaryOf(result);
    writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
    if (flags.json === true) process.stdout.write(`${JSON.stringify(summary, null, 1)}\n`);
    else process.stdout.write(summaryText(summary));
    const report = reportPath(flags.report, out);
    if (report !== undefined) await writeReport(summary, report);
    process.stderr.write(`ketasim trial: ${n} patients in ${seconds.toFixed(1)} s (${(n / seconds).toFixed(0)} patients/s); wrote ${join(out, 'summary.json')}${report !== undefined ? ` and ${report}` : ''}\n`);
  } finally {
    bar?.stop();
  }
}

function prependHeader(path: string, header: string): void {
  const body = readText(path, 'subjects file');
  writeFileSync(path, header + body);
}

async function runMerge(files: string[], flags: { out?: string; json?: boolean; report?: string | boolean }): Promise<void> {
  if (files.length === 0) throw new UsageError('give the shard files to merge');
  const shards = files.map((path) => {
    let shard: ShardFile;
    try {
      shard = JSON.parse(readText(path, 'shard file')) as ShardFile;
    } catch (e) {
      if (e instanceof SyntaxError) throw new TrialError(`not JSON: ${e.message}`, path);
      throw e;
    }
    return { path, shard };
  });
  const summary = mergeShards(shards);
  const out = flags.out ?? join('out', 'trial');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
  if (flags.json === true) process.stdout.write(`${JSON.stringify(summary, null, 1)}\n`);
  else process.stdout.write(summaryText(summary));
  const report = reportPath(flags.report, out);
  if (report !== undefined) await writeReport(summary, report);
  process.stderr.write(`ketasim trial merge: ${files.length} shards, ${summary.design.subjects} patients; wrote ${join(out, 'summary.json')}${report !== undefined ? ` and ${report}` : ''}\n`);
}

function f(x: number | null, digits = 1): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}

function pct(x: number | null): string {
  return x === null ? 'n/a' : `${(100 * x).toFixed(0)}%`;
}

/** The summary in words: per arm, change and response at each visit, relapse, safety shares; comparisons. */
export function summaryText(s: TrialSummary): string {
  const lines: string[] = [];
  const d = s.design;
  lines.push(`${d.name}: ${d.subjects} virtual patients, model ${d.model} ${d.model_version}, seed ${d.seed}`);
  lines.push(`  response: ${d.score.response}; remission: ${d.score.remission ?? 'none'}; missing visits: ${d.score.missing}; dropout: ${d.dropout}`);
  for (const a of s.arms) {
    lines.push('');
    lines.push(`${a.name} (n = ${a.n}, completers ${a.completers}): ${a.regimen}`);
    lines.push(`  visit        n   ${d.score.output} change (95% CI)          response (95% CI)      remission`);
    for (const v of a.visits.slice(1)) {
      lines.push(
        `  ${v.label.padEnd(10)} ${String(v.change.n).padStart(4)}   ${f(v.change.mean).padStart(6)} (${f(v.change.ci95[0])} to ${f(v.change.ci95[1])})`.padEnd(54) +
          `${pct(v.response.rate).padStart(5)} (${pct(v.response.ci95[0])}-${pct(v.response.ci95[1])})`.padEnd(23) +
          `${v.remission === null ? '' : pct(v.remission.rate)}`,
      );
    }
    const r = a.relapse;
    if (r !== null) lines.push(`  relapse after ${r.assessed_at} among ${r.responders} responders: median ${f(r.median_d)} d from the last dose (95% CI ${f(r.median_ci95_d[0])} to ${f(r.median_ci95_d[1])})`);
    for (const t of a.thresholds) lines.push(`  ${t.condition}: ${pct(t.share.rate)} (${pct(t.share.ci95[0])}-${pct(t.share.ci95[1])})`);
  }
  for (const c of s.comparisons) {
    lines.push('');
    lines.push(`${c.treatment} vs ${c.control}:`);
    for (const v of c.visits) {
      lines.push(`  ${v.label.padEnd(10)} change difference ${f(v.change.estimate)} (${f(v.change.ci95[0])} to ${f(v.change.ci95[1])}); response difference ${pct(v.response.estimate)} (${pct(v.response.ci95[0])} to ${pct(v.response.ci95[1])})`);
    }
  }
  lines.push('');
  lines.push(s.disclaimer);
  return `${lines.join('\n')}\n`;
}
