// Writes depression-patient.json and depression-patient.csv: a simulated (not real) patient of
// ketamine-depression with known random effects, ten IV infusions and forty observations, with rating noise from
// the model's residual block. Run after `npm run build`: node examples/patients/make-depression-patient.mjs
import { writeFileSync } from 'node:fs';
import { datasetFromRows, loadModelByName, simulate, observation, SubjectRandom } from '../../dist/index.js';

const here = import.meta.dirname;
const model = loadModelByName('ketamine-depression');
const TRUE_ETA = { ETA_EMAX: 1.5, ETA_PLACEBO: 0.3, ETA_COURSE: 0.1, ETA_SYN: -0.2, ETA_CADSS: 0.3 };
const WT = 80;
const cov = { WT, SEX: 1, AGE: 38, BASE_MADRS: 34, BASE_SBP: 128, BASE_DBP: 80 };
const days = [0, 2, 4, 7, 9, 11, 18, 25, 32, 39];
const doses = days.map((d) => ({ timeH: d * 24, mg: 0.5 * WT, durH: 40 / 60 }));
const obs = [];
for (const d of days) {
  obs.push({ t: d * 24 + 0.5, type: 'SBP' }, { t: d * 24 + 0.5, type: 'DBP' }, { t: d * 24 + 40 / 60, type: 'CADSS' }, { t: d * 24 + 4, type: 'MADRS' });
}
obs.push({ t: 24, type: 'PHQ9' }, { t: 42 * 24, type: 'PHQ9' });
obs.sort((a, b) => a.t - b.t);
const rows = [
  ...doses.map((d) => ({ ID: 1, TIME: d.timeH, EVID: 1, AMT: d.mg, RATE: d.mg / d.durH, CMT: 1, ...cov })),
  ...doses.map((d) => ({ ID: 1, TIME: d.timeH, EVID: 1, AMT: d.mg, RATE: d.mg / d.durH, CMT: model.compartments.indexOf('SESSION_ACT') + 1, ...cov })),
  ...obs.map((o) => ({ ID: 1, TIME: o.t, EVID: 0, AMT: 0, RATE: 0, CMT: 0, ...cov })),
].sort((a, b) => a.TIME - b.TIME || b.EVID - a.EVID);
const names = Object.keys(TRUE_ETA);
const sim = simulate(model, datasetFromRows(rows), { subjectInputs: { names, values: Float64Array.from(Object.values(TRUE_ETA)) } });
const rng = new SubjectRandom(2026, 0, 2);
const obsRows = rows.map((r, i) => ({ r, i })).filter(({ r }) => r.EVID === 0);
const units = { SBP: 'mmHg', DBP: 'mmHg', CADSS: 'points', MADRS: 'points', PHQ9: 'points' };
const values = obsRows.map(({ i }, k) => {
  const type = obs[k].type;
  if (type === 'PHQ9') return k < 5 ? 15 : 9; // recorded by the patient; the model has no PHQ-9 output
  const f = sim.values[sim.outputNames.indexOf(type)][i];
  return Math.round(observation(model.residual.get(type), f, rng.normal()));
});
const record = {
  ketasim: 'patient/1',
  id: 'SIM-DEP-001',
  weight_kg: WT,
  sex: 'female',
  age_y: 38,
  covariates: { BASE_MADRS: 34, BASE_SBP: 128, BASE_DBP: 80 },
  comedications: ['sertraline'],
  doses: doses.map((d) => ({ time: d.timeH, drug: 'ketamine', route: 'iv', amount: 0.5, unit: 'mg/kg', duration: '40 min' })),
  observations: obs.map((o, k) => ({ time: Math.round(o.t * 1e4) / 1e4, type: o.type, value: values[k], unit: units[o.type] })),
};
writeFileSync(`${here}/depression-patient.json`, JSON.stringify(record, null, 1) + '\n');
const csv = ['ID,TIME,EVID,AMT,AMTU,ROUTE,DUR,DV,DVID,DVU,MDV,WT,SEX,AGE,BASE_MADRS,BASE_SBP,BASE_DBP,COMED'];
const events = [
  ...record.doses.map((d) => ({ t: d.time, line: `1,${d.time},1,0.5,mg/kg,iv,${40 / 60},.,.,.,.` })),
  ...record.observations.map((o) => ({ t: o.time, line: `1,${o.time},0,.,.,.,.,${o.value},${o.type},${o.unit},0` })),
].sort((a, b) => a.t - b.t);
events.forEach((e, k) => csv.push(`${e.line},${WT},1,38,34,128,80,${k === 0 ? 'sertraline' : ''}`));
writeFileSync(`${here}/depression-patient.csv`, csv.join('\n') + '\n');
console.log(`wrote depression-patient.json/.csv (${record.doses.length} doses, ${record.observations.length} observations); true etas ${JSON.stringify(TRUE_ETA)}`);
