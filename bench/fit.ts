/**
 * Model-informed care (issue 5): fitting one patient and forecasting with 1,000 posterior draws, through the
 * built package as the CLI uses it. Cases: the closed-form PK example (examples/patients/pk-patient.json), and
 * the depression patient (examples/patients/depression-patient.json: 10 infusions, 40 ratings and vitals) with
 * the clinical ODE model. Times are the best of `reps` runs after a warm-up; the number of ODE solutions of the
 * fit is reported too (independent of the machine's speed).
 */
import { join } from 'node:path';
import { fitPatient, forecastPlans, loadModelByName, readPatientFile, recordBaseline } from 'ketasim';

export interface FitTiming {
  readonly label: string;
  readonly seconds: number;
  /** Target in seconds (issue 5). */
  readonly target: number;
  readonly detail: string;
}

function best(reps: number, run: () => void): number {
  run();
  let min = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    run();
    min = Math.min(min, performance.now() - t0);
  }
  return min / 1000;
}

export function fitBench(root: string, reps: number): FitTiming[] {
  const patients = join(root, 'examples', 'patients');
  const out: FitTiming[] = [];

  const pkModel = loadModelByName(join(patients, 'ketamine-iv-pk-bsv.yaml'));
  const pkRecord = readPatientFile(join(patients, 'pk-patient.json'));
  let pkEvaluations = 0;
  const pkFit = best(reps, () => {
    pkEvaluations = fitPatient(pkModel, pkRecord).result.evaluations;
  });
  out.push({ label: 'fit, PK patient (closed form; MAP + Laplace + 1,000 draws)', seconds: pkFit, target: 0.05, detail: `${pkEvaluations} objective evaluations` });

  const model = loadModelByName('ketamine-depression');
  const record = readPatientFile(join(patients, 'depression-patient.json'));
  let solutions = 0;
  const fitSeconds = best(reps, () => {
    const fit = fitPatient(model, record);
    solutions = fit.objective.simulations;
  });
  out.push({ label: 'fit, depression patient (10 doses, 40 observations; ODE)', seconds: fitSeconds, target: 0.05, detail: `${solutions} ODE solutions` });

  const fit = fitPatient(model, record);
  const baseline = recordBaseline(model, fit);
  const forecastSeconds = best(Math.max(1, Math.floor(reps / 2)), () => {
    forecastPlans(model, fit, { horizonH: 28 * 24, draws: 1000, baseline, scenarios: [{ label: 'no further dose', doses: [] }] });
  });
  out.push({ label: 'forecast, depression patient, 1,000 draws, 28 days', seconds: forecastSeconds, target: 0.2, detail: 'one plan' });
  return out;
}
