/**
 * Worker thread of `runTrial` (src/node/trial-run.ts): builds the plan and loads the model once, simulates the
 * subject ranges it is sent into its own accumulators, and returns their state when told to finish.
 */

import { parentPort, workerData } from 'node:worker_threads';
import type { Design } from '../trial/design.js';
import { TrialSimulator } from '../trial/run.js';
import { planFor, subjectCsvLine } from './trial-run.js';

interface Data {
  readonly design: Design;
  readonly source: string;
  readonly modelRef: string;
  readonly seed: number;
  readonly subjects: boolean;
}

const port = parentPort;
if (port !== null) {
  const data = workerData as Data;
  let sim: TrialSimulator | undefined;
  port.on('message', (m: { type: 'run'; from: number; to: number } | { type: 'finish' }) => {
    try {
      sim ??= new TrialSimulator(planFor({ design: data.design, source: data.source, modelRef: data.modelRef }, data.seed).plan);
      if (m.type === 'run') {
        const s = sim;
        let lines = '';
        s.run(m.from, m.to, data.subjects ? (o) => (lines += subjectCsvLine(s.plan, o)) : undefined);
        port.postMessage({ type: 'done', from: m.from, to: m.to, ...(data.subjects ? { lines } : {}) });
      } else {
        port.postMessage({ type: 'state', arms: sim.accumulators.map((a) => a.toJSON()) });
      }
    } catch (e) {
      port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e), name: e instanceof Error ? e.name : 'Error' });
    }
  });
}
