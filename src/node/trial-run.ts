/**
 * Running a trial design on every core: worker threads (src/node/trial-worker.ts) each build the plan and load
 * the model once, take ranges of subjects from a queue, and return their arm accumulators at the end; the main
 * thread merges them. Because patients' random numbers depend only on (seed, subject) and the accumulators merge
 * exactly, the summary is bit-identical for any number of workers and for shards merged later.
 *
 * Shards (`--shard i/N`): subjects ⌊(i−1)·T/N⌋ … ⌊i·T/N⌋ − 1 of the T in the design; a shard writes its
 * accumulator state (not a summary) and `mergeShards` checks that the shards are of the same design and seed and
 * cover 1…N once each.
 */

import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parse as parseYaml } from 'yaml';
import { ArmAccumulator, type ArmState, type SubjectOutcome } from '../trial/accumulate.js';
import { parseDesign, TrialError, type Design } from '../trial/design.js';
import { planTrial, type TrialPlan } from '../trial/plan.js';
import { armShape, TrialSimulator } from '../trial/run.js';
import { trialSummary, type TrialSummary } from '../trial/summary.js';
import type { CompiledModelWithRandom } from '../core/model/index.js';
import { readText } from './files.js';
import { loadModelByName } from './library.js';
import { packageVersion } from './version.js';

export const SHARD_FORMAT = 'ketasim-trial-shard/1';

export interface LoadedDesign {
  readonly design: Design;
  readonly source: string;
  /** Library name or absolute path of the model (a relative path in the design is relative to the design file). */
  readonly modelRef: string;
}

export function readDesign(path: string): LoadedDesign {
  const text = readText(path, 'trial design');
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new TrialError(`not valid YAML: ${(e as Error).message}`, path);
  }
  const design = parseDesign(raw, path);
  return { design, source: path, modelRef: modelReference(design.model, path) };
}

export function modelReference(model: string, designPath: string): string {
  const isPath = model.includes('/') || model.includes('\\') || /\.(ya?ml|json)$/i.test(model);
  return isPath && !isAbsolute(model) ? resolve(dirname(designPath), model) : model;
}

export function planFor(loaded: LoadedDesign, seed?: number): { plan: TrialPlan; model: CompiledModelWithRandom } {
  const model = loadModelByName(loaded.modelRef);
  return { plan: planTrial(loaded.design, model, loaded.source, seed), model };
}

export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/** "2/3" → { index: 2, count: 3 }. */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || !(count >= 1) || !(index >= 1) || index > count) throw new TrialError(`expected i/N with 1 <= i <= N (e.g. 2/3), got "${text}"`, '--shard');
  return { index, count };
}

export function shardRange(total: number, shard: ShardSpec | undefined): [number, number] {
  if (shard === undefined) return [0, total];
  return [Math.floor(((shard.index - 1) * total) / shard.count), Math.floor((shard.index * total) / shard.count)];
}

export interface RunOptions {
  readonly seed?: number;
  readonly workers?: number;
  readonly shard?: ShardSpec;
  /** Called with CSV lines of per-subject outcomes, in subject order. */
  readonly onSubjects?: (lines: string) => void;
  /** Progress callback: subjects done of total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RunResult {
  readonly plan: TrialPlan;
  readonly modelVersion: string;
  readonly accumulators: ArmAccumulator[];
  readonly range: [number, number];
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Header of the per-subject CSV. */
export function subjectCsvHeader(plan: TrialPlan): string {
  const cols = [
    'ARM',
    'ID',
    ...plan.covariateNames,
    'LAST_VISIT_H',
    ...plan.visits.map((v) => `${plan.score.output}_${v.timeH}H`),
    ...plan.peakOutputs.map((p) => `PEAK_${p.output}`),
    // 1 when the patient met the safety endpoint (its condition, quoted: it has spaces and may have commas)
    ...plan.safety.map((e) => `"SAFETY: ${e.condition.replace(/"/g, '""')}"`),
  ];
  return `${cols.join(',')}\n`;
}

export function subjectCsvLine(plan: TrialPlan, o: SubjectOutcome): string {
  const f = (x: number): string => (Number.isFinite(x) ? String(x) : '');
  const arm = (plan.arms[o.arm] as { name: string }).name;
  const quoted = /[",\n]/.test(arm) ? `"${arm.replace(/"/g, '""')}"` : arm;
  return `${[quoted, String(o.subject + 1), ...Array.from(o.covariates, f), f((plan.visits[o.lastVisit] as { timeH: number }).timeH), ...Array.from(o.scores, f), ...Array.from(o.peaks, f), ...Array.from(o.hits, String)].join(',')}\n`;
}

interface TaskResult {
  readonly type: 'done';
  readonly from: number;
  readonly to: number;
  readonly lines?: string;
}

interface StateResult {
  readonly type: 'state';
  readonly arms: ArmState[];
}

interface ErrorResult {
  readonly type: 'error';
  readonly message: string;
  readonly name: string;
}

/** Subjects per task handed to a worker. */
function chunkSize(total: number, workers: number): number {
  return Math.max(16, Math.min(512, Math.ceil(total / (workers * 8))));
}

export async function runTrial(loaded: LoadedDesign, options: RunOptions = {}): Promise<RunResult> {
  const { plan, model } = planFor(loaded, options.seed);
  const range = shardRange(plan.totalSubjects, options.shard);
  const total = range[1] - range[0];
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(), Math.ceil(total / 16) || 1));
  const modelVersion = model.spec.version;
  if (workers === 1) {
    const sim = new TrialSimulator(plan);
    const step = chunkSize(total, 1);
    for (let s = range[0]; s < range[1]; s += step) {
      const end = Math.min(range[1], s + step);
      let lines = '';
      sim.run(s, end, options.onSubjects !== undefined ? (o) => (lines += subjectCsvLine(plan, o)) : undefined);
      if (options.onSubjects !== undefined) options.onSubjects(lines);
      options.onProgress?.(end - range[0], total);
    }
    return { plan, modelVersion, accumulators: sim.accumulators, range };
  }
  const accumulators = plan.arms.map((a) => new ArmAccumulator(armShape(plan, a)));
  const step = chunkSize(total, workers);
  const tasks: [number, number][] = [];
  for (let s = range[0]; s < range[1]; s += step) tasks.push([s, Math.min(range[1], s + step)]);
  let next = 0;
  let done = 0;
  // Per-subject lines are written in subject order: chunks that finish early wait here.
  const pending = new Map<number, string>();
  let nextToWrite = 0;
  const flush = (): void => {
    while (pending.has(nextToWrite)) {
      options.onSubjects?.(pending.get(nextToWrite) as string);
      pending.delete(nextToWrite);
      nextToWrite++;
    }
  };
  const url = new URL('./trial-worker.js', import.meta.url);
  const started: Worker[] = [];
  const one = (): Promise<void> =>
    new Promise((resolvePromise, reject) => {
      const worker = new Worker(url, {
        workerData: { design: loaded.design, source: loaded.source, modelRef: loaded.modelRef, seed: plan.seed, subjects: options.onSubjects !== undefined },
      });
      started.push(worker);
      const give = (): void => {
        if (next < tasks.length) {
          const [from, to] = tasks[next++] as [number, number];
          worker.postMessage({ type: 'run', from, to });
        } else worker.postMessage({ type: 'finish' });
      };
      worker.on('message', (m: TaskResult | StateResult | ErrorResult) => {
        if (m.type === 'done') {
          done += m.to - m.from;
          if (m.lines !== undefined) {
            pending.set(tasks.findIndex((t) => t[0] === m.from), m.lines);
            flush();
          }
          options.onProgress?.(done, total);
          give();
        } else if (m.type === 'state') {
          m.arms.forEach((s, a) => (accumulators[a] as ArmAccumulator).merge(ArmAccumulator.fromJSON(armShape(plan, plan.arms[a] as TrialPlan['arms'][number]), s)));
          void worker.terminate();
          resolvePromise();
        } else {
          void worker.terminate();
          const err = m.name === 'TrialError' || m.name === 'RegimenError' ? new TrialError(m.message) : new Error(m.message);
          reject(err);
        }
      });
      worker.on('error', (e) => reject(e));
      give();
    });
  try {
    await Promise.all(Array.from({ length: workers }, one));
  } finally {
    await Promise.all(started.map((w) => w.terminate()));
  }
  return { plan, modelVersion, accumulators, range };
}

export function summaryOf(result: RunResult): TrialSummary {
  return trialSummary(result.plan, result.accumulators, result.modelVersion, packageVersion());
}

export interface ShardFile {
  readonly format: typeof SHARD_FORMAT;
  readonly design: Design;
  readonly source: string;
  readonly model: string;
  readonly model_version: string;
  /** The ketasim version that simulated the shard: shards merge only with shards of the same version. */
  readonly ketasim_version: string;
  readonly seed: number;
  readonly shard: { readonly index: number; readonly count: number; readonly from: number; readonly to: number };
  readonly arms: ArmState[];
}

export function shardFile(loaded: LoadedDesign, result: RunResult, shard: ShardSpec): ShardFile {
  return {
    format: SHARD_FORMAT,
    design: loaded.design,
    source: loaded.source,
    model: loaded.modelRef,
    model_version: result.modelVersion,
    ketasim_version: packageVersion(),
    seed: result.plan.seed,
    shard: { index: shard.index, count: shard.count, from: result.range[0], to: result.range[1] },
    arms: result.accumulators.map((a) => a.toJSON()),
  };
}

/** Merge shard files of one design and seed (all N shards, each once) into the trial's summary. */
export function mergeShards(files: readonly { path: string; shard: ShardFile }[]): TrialSummary {
  if (files.length === 0) throw new TrialError('no shard files to merge');
  const first = (files[0] as { shard: ShardFile }).shard;
  const count = first.shard.count;
  const seen = new Set<number>();
  for (const { path, shard } of files) {
    if (shard.format !== SHARD_FORMAT) throw new TrialError(`not a trial shard file (format ${String(shard.format)}; expected ${SHARD_FORMAT})`, path);
    if (JSON.stringify(shard.design) !== JSON.stringify(first.design) || shard.model !== first.model) throw new TrialError('a shard of a different design', path);
    if (shard.seed !== first.seed) throw new TrialError(`seed ${shard.seed} differs from ${first.seed} of the first shard`, path);
    if (shard.model_version !== first.model_version) throw new TrialError(`model version ${shard.model_version} differs from ${first.model_version}`, path);
    if (shard.ketasim_version !== first.ketasim_version) throw new TrialError(`simulated with ketasim ${String(shard.ketasim_version)}, the first shard with ${String(first.ketasim_version)}`, path);
    if (shard.shard.count !== count) throw new TrialError(`shard of ${shard.shard.count}, the first shard is of ${count}`, path);
    if (seen.has(shard.shard.index)) throw new TrialError(`shard ${shard.shard.index}/${count} is given twice`, path);
    seen.add(shard.shard.index);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new TrialError(`missing shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')}`);
  const loaded: LoadedDesign = { design: first.design, source: first.source, modelRef: first.model };
  const { plan, model } = planFor(loaded, first.seed);
  if (model.spec.version !== first.model_version) throw new TrialError(`the shards were simulated with model version ${first.model_version}; the library now has ${model.spec.version}`);
  const accumulators = plan.arms.map((a) => new ArmAccumulator(armShape(plan, a)));
  for (const { shard } of files) shard.arms.forEach((s, a) => (accumulators[a] as ArmAccumulator).merge(ArmAccumulator.fromJSON(armShape(plan, plan.arms[a] as TrialPlan['arms'][number]), s)));
  return trialSummary(plan, accumulators, first.model_version, first.ketasim_version);
}
