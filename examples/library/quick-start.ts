// Library quick start (shown in the README and run by test/readme.test.ts).
import { datasetFromRows, loadModelByName, parseGrid, simulate, withObservationGrid } from '../../src/index.js';

// Racemic ketamine, 0.5 mg/kg IV over 40 min for a 70 kg adult: 35 mg at 52.5 mg/h into CENTRAL (CMT 1).
const model = loadModelByName('ketamine-iv-domino');
const doses = datasetFromRows([{ ID: 1, TIME: 0, EVID: 1, AMT: 35, RATE: 52.5, CMT: 1, WT: 70 }], 'regimen');
const data = { ...doses, subjects: doses.subjects.map((s) => withObservationGrid(s, parseGrid('0:6:0.25'))) };

const result = simulate(model, data);
const cp = result.values[result.outputNames.indexOf('CP')] as Float64Array;
const times = data.subjects[0]?.time ?? new Float64Array(0);
const peak = cp.reduce((best, c, row) => (c > (cp[best] ?? 0) ? row : best), 0);
console.log(`peak plasma ketamine ${cp[peak]?.toFixed(0)} ng/mL at ${((times[peak] ?? 0) * 60).toFixed(0)} min`);
export { result };
