/**
 * Virtual-trial throughput (issue 4): bench/trial-6-infusions.yaml (six infusions, 28 days, daily MADRS) with N
 * patients, on one thread and on all cores, through the same runTrial the CLI uses. Reports patients per second and
 * the speed-up from one worker to all.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
// The built package (dist/), as a user runs it: its model library and worker script are found next to it.
import { readDesign, runTrial } from 'ketasim';

type LoadedDesign = ReturnType<typeof readDesign>;

export interface TrialTiming {
  readonly patients: number;
  readonly workers: number;
  readonly seconds: number;
  readonly patientsPerSecond: number;
}

function withPatients(loaded: LoadedDesign, n: number): LoadedDesign {
  return { ...loaded, design: { ...loaded.design, arms: loaded.design.arms.map((a) => ({ ...a, n })) } };
}

async function timeTrial(loaded: LoadedDesign, patients: number, workers: number): Promise<TrialTiming> {
  const t0 = performance.now();
  await runTrial(withPatients(loaded, patients), { workers });
  const seconds = (performance.now() - t0) / 1000;
  return { patients, workers, seconds, patientsPerSecond: patients / seconds };
}

export interface TrialBench {
  readonly single: TrialTiming;
  readonly allCores: TrialTiming;
  /** All-core throughput over single-thread throughput. */
  readonly speedup: number;
  readonly cores: number;
}

/** Single thread on `singlePatients`, then all cores on `allPatients` (after a short warm-up of each). */
export async function trialBench(root: string, singlePatients: number, allPatients: number, log: (msg: string) => void): Promise<TrialBench> {
  const loaded = readDesign(join(root, 'bench', 'trial-6-infusions.yaml'));
  const cores = availableParallelism();
  await timeTrial(loaded, 200, 1);
  const single = await timeTrial(loaded, singlePatients, 1);
  log(`trial, 1 worker: ${single.patients} patients in ${single.seconds.toFixed(1)} s (${single.patientsPerSecond.toFixed(0)} patients/s)`);
  await timeTrial(loaded, 400, cores);
  const allCores = await timeTrial(loaded, allPatients, cores);
  log(`trial, ${cores} workers: ${allCores.patients} patients in ${allCores.seconds.toFixed(1)} s (${allCores.patientsPerSecond.toFixed(0)} patients/s)`);
  return { single, allCores, speedup: allCores.patientsPerSecond / single.patientsPerSecond, cores };
}
