/**
 * models/ketamine/esketamine-iv-flint.yaml: S-ketamine and S-norketamine in children during prolonged ICU sedation
 * (Flint RB et al. Paediatr Anaesth 2017;27(11):1098-1107, doi 10.1111/pan.13239; values as transcribed by
 * nlmixr2lib, literature file §1.4.1), and its 70-kg extrapolation against the adult S-ketamine clearances of the
 * literature file (§1.2, §1.4, §1.5):
 *   Henthorn 2018 1.23 L/min = 73.8 L/h; Wang 2019 18.1 mL/min/kg = 76.0 L/h at 70 kg; Fanta 2015 95 L/h/70 kg;
 *   Eur J Clin Pharmacol 2002 0.024 L/min/kg = 100.8 L/h at 70 kg; Perez-Ruixo 2021 114 L/h (Vss 752 L).
 *
 * The expected numbers are written from the published values (arithmetic in the comments); clearances are measured
 * by simulation (dose / AUC with `simulate`), the S-norketamine ratios from simulated concentrations.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { datasetFromRows, loadModel, simulate, withObservationGrid } from '../../src/index.js';
import type { SimulateOptions } from '../../src/index.js';

const root = new URL('../../', import.meta.url).pathname;
const model = loadModel(readFileSync(`${root}models/ketamine/esketamine-iv-flint.yaml`, 'utf8'), 'esketamine-iv-flint.yaml');

const rel = (a: number, b: number): number => Math.abs(a / b - 1);
const f1 = (x: number): string => x.toFixed(1);
const f3 = (x: number): string => x.toFixed(3);

/** Every 0.01 h to 48 h, every 0.1 h to 480 h (terminal half-life about 5 h at 70 kg). */
const grid: number[] = [];
for (let k = 0; k <= 4800; k++) grid.push(k / 100);
for (let k = 1; k <= 4320; k++) grid.push(48 + k / 10);

interface Run {
  time: Float64Array;
  cp: Float64Array;
  cnk: Float64Array;
}

function run(rows: Array<Record<string, number>>, times: number[], options: SimulateOptions = {}): Run {
  const doses = datasetFromRows(rows, 'flint');
  const data = { ...doses, subjects: doses.subjects.map((s) => withObservationGrid(s, times)) };
  const result = simulate(model, data, options);
  const subject = result.dataset.subjects[0];
  if (subject === undefined) throw new Error('no subject');
  return {
    time: subject.time,
    cp: result.values[result.outputNames.indexOf('CP')] as Float64Array,
    cnk: result.values[result.outputNames.indexOf('CNK')] as Float64Array,
  };
}

/** Clearance (L/h) = dose / AUC0-inf of a 1-h infusion of `dose` mg at weight `wt`. */
function clearance(wt: number, dose: number): { cl: number; vss: number } {
  const r = run([{ ID: 1, TIME: 0, EVID: 1, AMT: dose, RATE: dose, CMT: 1, WT: wt }], grid);
  let auc = 0;
  let aumc = 0;
  for (let k = 1; k < r.time.length; k++) {
    const [t0, t1] = [r.time[k - 1] as number, r.time[k] as number];
    const [c0, c1] = [r.cp[k - 1] as number, r.cp[k] as number];
    auc += ((t1 - t0) * (c0 + c1)) / 2;
    aumc += ((t1 - t0) * (t0 * c0 + t1 * c1)) / 2;
  }
  const cl = dose / (auc / 1000);
  return { cl, vss: cl * (aumc / auc - 0.5) };
}

/** Value of an output at time t of a run. */
const at = (r: Run, out: Float64Array, t: number): number => out[r.time.findIndex((x) => Math.abs(x - t) < 1e-9)] as number;

describe('esketamine-iv-flint: the published Flint 2017 parameters', () => {
  it('CL 112 L/h, V1 7.73 L, Q 196 L/h, V2 545 L, CLsnk/Fm 53.2 L/h, Vsnk/Fm 1 L (per 70 kg), +0.870 %/h on CLsnk', () => {
    const p = (n: string): number | undefined => model.spec.parameters[n]?.value;
    expect([p('CL'), p('V1'), p('Q'), p('V2'), p('CLSNK'), p('VSNK'), p('CLSNK_TIME')]).toEqual([112, 7.73, 196, 545, 53.2, 1, 0.0087]);
    expect([p('AEXP_CL'), p('AEXP_V'), p('WT_REF')]).toEqual([0.75, 1, 70]);
  });
  it('BSV: CL 40.2 % CV, CLsnk 104 % CV, correlation 0.506; route iv = CENTRAL', () => {
    expect(model.spec.random.ETA_CL?.cv).toBe(0.402);
    expect(model.spec.random.ETA_CLSNK?.cv).toBe(1.04);
    expect(model.spec.correlations).toEqual([['ETA_CL', 'ETA_CLSNK', 0.506]]);
    expect(model.routes.get('iv')).toEqual([0]);
  });
});

describe('esketamine-iv-flint: clearance by simulation', () => {
  const adult = clearance(70, 35);
  const child = clearance(7, 3.5);
  it(`70 kg: CL from the simulated AUC ${f1(adult.cl)} L/h = 112 L/h (within 0.3 %)`, () => {
    expect(rel(adult.cl, 112)).toBeLessThan(3e-3);
  });
  it(`median child 7.0 kg: CL ${f1(child.cl)} L/h = 112 x (7/70)^0.75 = 19.92 L/h; ${(child.cl / 7).toFixed(2)} L/h/kg vs 1.60 at 70 kg`, () => {
    expect(rel(child.cl, 19.92)).toBeLessThan(3e-3);
  });
  it(`70 kg: Vss from the simulated moments ${f1(adult.vss)} L = 7.73 + 545 = 552.7 L, 0.735 x the Perez-Ruixo adult esketamine Vss of 752 L`, () => {
    expect(rel(adult.vss, 552.73)).toBeLessThan(5e-3);
    expect(rel(adult.vss / 752, 0.735)).toBeLessThan(0.01);
  });
  it(`70-kg extrapolation ${f1(adult.cl)} L/h lies within the adult S-ketamine clearances 73.8-114 L/h (1.18 x Fanta 95 L/h/70 kg, 0.98 x Perez-Ruixo 114 L/h)`, () => {
    expect(adult.cl).toBeGreaterThan(73.8);
    expect(adult.cl).toBeLessThan(114);
    expect(rel(adult.cl / 95, 1.18)).toBeLessThan(0.01);
    expect(rel(adult.cl / 114, 0.982)).toBeLessThan(0.01);
  });
});

describe('esketamine-iv-flint: S-norketamine', () => {
  // 1 mg/kg/h for a 7 kg child (within the study's 0.3-3.6 mg/kg/h), 200 h.
  const infusion = [{ ID: 1, TIME: 0, EVID: 1, AMT: 1400, RATE: 7, CMT: 1, WT: 7 }];
  const times = [24, 100, 199];
  const noTime = run(infusion, times, { parameters: { CLSNK_TIME: 0 } });
  const withTime = run(infusion, times);
  const ratio = (r: Run, t: number): number => at(r, r.cnk, t) / at(r, r.cp, t);

  it(`without the time effect: S-NK/S-K at steady state ${f3(ratio(noTime, 199))} = CL / CLsnk = 112 / 53.2 = 2.105`, () => {
    expect(rel(ratio(noTime, 199), 2.105)).toBeLessThan(2e-3);
  });
  it(`S-ketamine at steady state ${f1(at(withTime, withTime.cp, 199))} ng/mL = 7 mg/h / 19.92 L/h = 351 ng/mL`, () => {
    expect(rel(at(withTime, withTime.cp, 199), 351.4)).toBeLessThan(3e-3);
  });
  it(`CLsnk rises 0.870 %/h: S-NK/S-K ${f3(ratio(withTime, 24))} at 24 h (2.105 / 1.209 = 1.741) and ${f3(ratio(withTime, 100))} at 100 h (2.105 / 1.87 = 1.126)`, () => {
    expect(rel(ratio(withTime, 24), 1.741)).toBeLessThan(0.01);
    expect(rel(ratio(withTime, 100), 1.126)).toBeLessThan(0.01);
  });
  it('the time effect counts from the first dose (TFD): the same infusion started at TIME 10 with TFD 10 gives the same ratio 24 h later', () => {
    const shifted = run([{ ID: 1, TIME: 10, EVID: 1, AMT: 1400, RATE: 7, CMT: 1, WT: 7 }], [34], { covariates: { TFD: 10 } });
    expect(rel(ratio(shifted, 34), ratio(withTime, 24))).toBeLessThan(1e-6);
  });
});
