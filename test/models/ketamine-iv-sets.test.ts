/**
 * The racemic ketamine IV parameter sets of the library (Domino 1982, Clements 1981 "250 ug/kg", Hijazi 2003)
 * against the Kamp 2020 meta-analysis (Anesthesiology 2020;133:1192, doi 10.1097/ALN.0000000000003577: weighted mean
 * CL 79 L/h at 70 kg, 95% CI 69-90; Vd 252 L/70 kg, 95% CI 200-304) and, for Hijazi, against the paper's abstract
 * (CL 36.0 mL/min/kg, V-beta 16.0 L/kg, elimination half-life 4.9 h).
 *
 * Every expected number is written here from the literature (/work/shared/literature/ketamine.md §1.1-1.2): the
 * published micro-constants (1/min) and the arithmetic on them in the comments, not the model's output. Clearance is
 * measured by simulation (dose / AUC after 0.5 mg/kg over 40 min for a 70 kg adult, `simulate` on a fine grid) and
 * compared with V1·k10 from the loaded model's parameters; Vss likewise from the simulated moments (CL · MRT) and
 * from V1 (1 + k12/k21 + k13/k31).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { datasetFromRows, loadModel, simulate, withObservationGrid } from '../../src/index.js';
import type { CompiledModel } from '../../src/index.js';

const root = new URL('../../', import.meta.url).pathname;
const load = (name: string): CompiledModel => loadModel(readFileSync(`${root}models/ketamine/${name}.yaml`, 'utf8'), `${name}.yaml`);

/** Kamp 2020 meta-analysis (weighted means, 70 kg). */
const KAMP = { cl: 79, clCi: [69, 90], vd: 252, vdCi: [200, 304] } as const;

const WT = 70;
const DOSE = 0.5 * WT; // mg, 0.5 mg/kg
const TINF = 40 / 60; // h

/** Every 6 s to 3 h (fast distribution after the infusion), every 0.6 min to 48 h, every 6 min to 480 h. */
const grid: number[] = [];
for (let k = 0; k <= 1800; k++) grid.push(k / 600);
for (let k = 1; k <= 4500; k++) grid.push(3 + k / 100);
for (let k = 1; k <= 4320; k++) grid.push(48 + k / 10);

interface Measured {
  /** L/h, dose / AUC0-inf */
  cl: number;
  /** L, CL x (AUMC/AUC - Tinf/2) */
  vss: number;
  /** h, from the log-linear slope between 24 and 48 h */
  halfLife: number;
  /** 1/h */
  lambdaZ: number;
  /** h, time of the effect-site peak */
  ceTmax: number;
  cpTmax: number;
}

function measure(model: CompiledModel): Measured {
  const doses = datasetFromRows([{ ID: 1, TIME: 0, EVID: 1, AMT: DOSE, RATE: DOSE / TINF, CMT: 1, WT }], 'iv');
  const data = { ...doses, subjects: doses.subjects.map((s) => withObservationGrid(s, grid)) };
  const result = simulate(model, data);
  const cp = result.values[result.outputNames.indexOf('CP')] as Float64Array; // ng/mL = ug/L
  const ce = result.values[result.outputNames.indexOf('CE')] as Float64Array;
  const subject = result.dataset.subjects[0];
  if (subject === undefined) throw new Error('no subject');
  const t = subject.time;
  let auc = 0;
  let aumc = 0;
  let cpTmax = 0;
  let ceTmax = 0;
  for (let k = 1; k < subject.n; k++) {
    const dt = (t[k] as number) - (t[k - 1] as number);
    if (dt === 0) continue;
    auc += (dt * ((cp[k] as number) + (cp[k - 1] as number))) / 2;
    aumc += (dt * ((t[k] as number) * (cp[k] as number) + (t[k - 1] as number) * (cp[k - 1] as number))) / 2;
    if ((cp[k] as number) > (cp[cpTmax] as number)) cpTmax = k;
    if ((ce[k] as number) > (ce[ceTmax] as number)) ceTmax = k;
  }
  const at = (time: number): number => t.findIndex((x) => Math.abs(x - time) < 1e-9);
  const [i24, i48] = [at(24), at(48)];
  const lambdaZ = Math.log((cp[i24] as number) / (cp[i48] as number)) / 24;
  // The grid runs to 480 h (about 100 terminal half-lives): the tail beyond it is negligible.
  const aucMgHPerL = auc / 1000;
  const cl = DOSE / aucMgHPerL;
  const mrt = aumc / auc - TINF / 2;
  return { cl, vss: cl * mrt, halfLife: Math.log(2) / lambdaZ, lambdaZ, ceTmax: t[ceTmax] as number, cpTmax: t[cpTmax] as number };
}

const param = (model: CompiledModel, name: string): number => {
  const p = model.spec.parameters[name];
  if (p === undefined) throw new Error(`${model.name}: no parameter ${name}`);
  return p.value;
};

/** CL = V1·k10 (L/h at 70 kg) and Vss = V1 (1 + k12/k21 + k13/k31) (L at 70 kg) from the model's parameters. */
function fromParameters(model: CompiledModel): { cl: number; vss: number } {
  const v1 = param(model, 'V1_PER_KG') * WT;
  const names = model.parameterNames;
  let vss = v1 * (1 + param(model, 'K12') / param(model, 'K21'));
  if (names.includes('K13')) vss += (v1 * param(model, 'K13')) / param(model, 'K31');
  return { cl: v1 * param(model, 'K10'), vss };
}

const rel = (a: number, b: number): number => Math.abs(a / b - 1);
const f1 = (x: number): string => x.toFixed(1);

interface Case {
  name: string;
  /** Published micro-constants in 1/min (literature file §1.1): the model stores them x 60 in 1/h. */
  perMinute: Record<string, number>;
  v1PerKg: number;
  /** Expected from the published constants, 70 kg (arithmetic in the comment). */
  cl: number;
  vss: number;
}

const cases: Case[] = [
  {
    name: 'ketamine-iv-domino',
    perMinute: { K10: 0.4381, K12: 0.5921, K21: 0.247, K13: 0.59, K31: 0.0146 },
    v1PerKg: 0.063,
    // 0.063 x 70 x 0.4381 x 60 = 115.9 L/h; Vss = 0.063 x 70 x (1 + 0.5921/0.2470 + 0.5900/0.0146) = 193.2 L
    // (literature file: V2 0.151 L/kg, V3 2.546 L/kg)
    cl: 115.9,
    vss: 193.2,
  },
  {
    name: 'ketamine-iv-clements',
    perMinute: { K10: 0.0109, K12: 0.0186, K21: 0.0137 },
    v1PerKg: 1.7522,
    // 1.7522 x 70 x 0.0109 x 60 = 80.2 L/h; Vss = 1.7522 x 70 x (1 + 0.0186/0.0137) = 289.2 L
    cl: 80.2,
    vss: 289.2,
  },
  {
    name: 'ketamine-iv-hijazi',
    perMinute: { K10: 0.0333, K12: 0.0088, K21: 0.003 },
    v1PerKg: 1.08,
    // 1.08 x 70 x 0.0333 x 60 = 151.0 L/h (36.0 mL/min/kg); Vss = 1.08 x 70 x (1 + 0.0088/0.0030) = 297.4 L
    cl: 151.0,
    vss: 297.4,
  },
];

const models = new Map(cases.map((c) => [c.name, load(c.name)]));
const measured = new Map(cases.map((c) => [c.name, measure(models.get(c.name) as CompiledModel)]));
const get = (name: string): Measured => measured.get(name) as Measured;

describe('racemic ketamine IV sets: parameters, simulated clearance and Vss agree with the published constants', () => {
  for (const c of cases) {
    const model = models.get(c.name) as CompiledModel;
    const m = get(c.name);
    it(`${c.name}: rate constants are the published 1/min values x 60, V1 ${c.v1PerKg} L/kg`, () => {
      expect(param(model, 'V1_PER_KG')).toBe(c.v1PerKg);
      for (const [k, perMin] of Object.entries(c.perMinute)) expect(rel(param(model, k), perMin * 60)).toBeLessThan(1e-9);
    });
    it(`${c.name}: CL from the simulated AUC ${f1(m.cl)} L/h = V1·k10 = ${c.cl} L/h (70 kg)`, () => {
      expect(rel(m.cl, fromParameters(model).cl)).toBeLessThan(1e-3);
      expect(rel(m.cl, c.cl)).toBeLessThan(2e-3);
    });
    it(`${c.name}: Vss from the simulated moments ${f1(m.vss)} L = V1 (1 + k12/k21 + k13/k31) = ${c.vss} L`, () => {
      expect(rel(m.vss, fromParameters(model).vss)).toBeLessThan(5e-3);
      expect(rel(m.vss, c.vss)).toBeLessThan(5e-3);
    });
    if (c.name !== 'ketamine-iv-domino') {
      // Olofsen's t1/2ke0 of 8.3 min (ke0 = ln 2 / 8.3 min): the effect site lags plasma by minutes.
      it(`${c.name}: KE0 = ln 2 / 8.3 min; the effect site peaks after plasma (CP ${f1(m.cpTmax * 60)} min, CE ${f1(m.ceTmax * 60)} min)`, () => {
        expect(rel(param(model, 'KE0'), (Math.log(2) / 8.3) * 60)).toBeLessThan(1e-3);
        expect(m.ceTmax - m.cpTmax).toBeGreaterThan(2 / 60);
      });
    }
  }
});

describe('racemic ketamine IV sets against the Kamp 2020 meta-analysis (CL 79 L/h, CI 69-90; Vd 252 L, CI 200-304)', () => {
  const domino = get('ketamine-iv-domino');
  const clements = get('ketamine-iv-clements');
  const hijazi = get('ketamine-iv-hijazi');

  it(`Domino: CL ${f1(domino.cl)} L/h is 1.47 x Kamp, above its CI; Vss ${f1(domino.vss)} L is 0.77 x Kamp, just below its CI`, () => {
    expect(domino.cl / KAMP.cl).toBeGreaterThan(1.45);
    expect(domino.cl / KAMP.cl).toBeLessThan(1.49);
    expect(domino.cl).toBeGreaterThan(KAMP.clCi[1]);
    expect(domino.vss / KAMP.vd).toBeGreaterThan(0.75);
    expect(domino.vss / KAMP.vd).toBeLessThan(0.79);
    expect(domino.vss).toBeLessThan(KAMP.vdCi[0]);
  });

  it(`Clements: CL ${f1(clements.cl)} L/h agrees with Kamp (within 3 %, inside the CI); Vss ${f1(clements.vss)} L inside the CI (1.15 x)`, () => {
    expect(rel(clements.cl, KAMP.cl)).toBeLessThan(0.03);
    expect(clements.cl).toBeGreaterThan(KAMP.clCi[0]);
    expect(clements.cl).toBeLessThan(KAMP.clCi[1]);
    expect(clements.vss).toBeGreaterThan(KAMP.vdCi[0]);
    expect(clements.vss).toBeLessThan(KAMP.vdCi[1]);
    expect(clements.vss / KAMP.vd).toBeGreaterThan(1.13);
    expect(clements.vss / KAMP.vd).toBeLessThan(1.17);
  });

  it(`Hijazi (ICU patients): CL ${f1(hijazi.cl)} L/h is 1.91 x Kamp, above its CI; Vss ${f1(hijazi.vss)} L inside the CI (1.18 x)`, () => {
    expect(hijazi.cl / KAMP.cl).toBeGreaterThan(1.89);
    expect(hijazi.cl / KAMP.cl).toBeLessThan(1.93);
    expect(hijazi.cl).toBeGreaterThan(KAMP.clCi[1]);
    expect(hijazi.vss).toBeGreaterThan(KAMP.vdCi[0]);
    expect(hijazi.vss).toBeLessThan(KAMP.vdCi[1]);
    expect(hijazi.vss / KAMP.vd).toBeGreaterThan(1.16);
    expect(hijazi.vss / KAMP.vd).toBeLessThan(1.2);
  });

  it('only Clements has a clearance inside the meta-analysis CI; clearance ranks Hijazi > Domino > Clements', () => {
    expect(hijazi.cl).toBeGreaterThan(domino.cl);
    expect(domino.cl).toBeGreaterThan(clements.cl);
  });
});

describe('Hijazi set against the Hijazi 2003 abstract (n = 12 ICU patients: CL 36.0 (13.3) mL/min/kg, V-beta 16.0 (8.6) L/kg, t1/2 4.9 (1.6) h)', () => {
  const hijazi = get('ketamine-iv-hijazi');
  const clPerKg = (hijazi.cl * 1000) / 60 / WT; // mL/min/kg
  it(`clearance ${clPerKg.toFixed(2)} mL/min/kg vs 36.0 (to the abstract's 3 digits)`, () => {
    expect(Math.abs(clPerKg - 36.0)).toBeLessThan(0.05);
  });
  it(`terminal half-life ${hijazi.halfLife.toFixed(2)} h vs 4.9 h (within 2 %)`, () => {
    expect(rel(hijazi.halfLife, 4.9)).toBeLessThan(0.02);
  });
  const vBeta = hijazi.cl / hijazi.lambdaZ / WT;
  it(`V-beta = CL / lambda_z ${vBeta.toFixed(2)} L/kg vs 16.0 (within 5 %; constants give 15.4)`, () => {
    expect(rel(vBeta, 16.0)).toBeLessThan(0.05);
  });
});
