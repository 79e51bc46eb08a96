/**
 * models/ketamine/esketamine-in-perezruixo.yaml (Perez-Ruixo et al., Clin Pharmacokinet 2021;60:501-516,
 * doi 10.1007/s40262-020-00953-4) against the published numbers in test/fixtures/models/perezruixo2021-published.json:
 *
 * - Table 4 (typical Caucasian 18-60 y, single intranasal 28 / 56 / 84 mg): esketamine Cmax and AUC0-24 within 5 %,
 *   noresketamine Cmax within 3 %. Noresketamine AUC0-24 is NOT reproduced: with the literal Table 3 values (which
 *   the model uses unchanged) it is over-predicted 1.3-1.6 x, as the nlmixr2lib errata note documents (1.38-1.56 x;
 *   the cause, a Table 3 value such as kmet or Table 4 itself, is unknown). The test asserts that band so that a
 *   change to the model that moves it (or a "fix" that tunes it away) is noticed.
 * - Abstract: absolute F 54 % (56 mg) and 51 % (84 mg) from intranasal vs IV (28 mg over 40 min) AUC0-inf; 18.6 %
 *   of the swallowed dose reaching the circulation (oral solution vs IV); CL 114 L/h (the model's Qh E is 109 L/h).
 * - Label: Tmax 20-40 min after the last spray; terminal half-life 7-12 h.
 * - Dosing: route `intranasal` = NASAL + SWALLOWED (one record each, same AMT; SWALLOWED with RATE -2), and the
 *   number of 28-mg devices read from the dose, N = max(1, AMT / 28), in FRn_eff = FRn (1 + (N - 1) 0.62) / N.
 *
 * The doses come from a NONMEM-style data set (test/fixtures/models/esketamine-perezruixo-doses.csv); every test
 * name prints the value the model gives.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { datasetFromRows, loadModel, readNonmemCsv, simulate, withObservationGrid } from '../../src/index.js';
import type { Dataset } from '../../src/index.js';

const root = new URL('../../', import.meta.url).pathname;
const model = loadModel(readFileSync(`${root}models/ketamine/esketamine-in-perezruixo.yaml`, 'utf8'), 'esketamine-in-perezruixo.yaml');
const doses = readNonmemCsv(readFileSync(`${root}test/fixtures/models/esketamine-perezruixo-doses.csv`, 'utf8'), { source: 'esketamine-perezruixo-doses.csv' });

interface Published {
  table4_caucasian_18_60y: { rows: Array<{ dose_mg: number; esk_cmax: number; esk_auc24: number; nor_cmax: number; nor_auc24: number }> };
  abstract: { absolute_f_56mg: number; absolute_f_84mg: number; swallowed_fraction_reaching_circulation: number; esk_cl_l_per_h: number };
  label: { tmax_min_after_last_spray: [number, number]; esk_terminal_half_life_h: [number, number] };
}
const published = JSON.parse(readFileSync(`${root}test/fixtures/models/perezruixo2021-published.json`, 'utf8')) as Published;

/** Every 30 s to 24 h (Cmax, Tmax, AUC0-24), then every 15 min to 240 h (AUC0-inf; esketamine t1/2 is about 11 h). */
const grid: number[] = [];
for (let k = 0; k <= 24 * 120; k++) grid.push(k / 120);
for (let k = 1; k <= 216 * 4; k++) grid.push(24 + k / 4);

interface Exposure {
  cmax: number;
  tmaxMin: number;
  auc24: number;
  aucInf: number;
  halfLife: number;
  norCmax: number;
  norAuc24: number;
}

function exposures(data: Dataset, options: Parameters<typeof simulate>[2] = {}): Exposure[] {
  const withGrid = { ...data, subjects: data.subjects.map((s) => withObservationGrid(s, grid)) };
  const result = simulate(model, withGrid, options);
  const esk = result.values[result.outputNames.indexOf('CP_ESK')] as Float64Array;
  const nor = result.values[result.outputNames.indexOf('CP_NOR')] as Float64Array;
  return result.dataset.subjects.map((subject, s) => {
    const first = result.subjectOffsets[s] as number;
    const t = (k: number): number => subject.time[k] as number;
    const c = (k: number): number => esk[first + k] as number;
    const n = (k: number): number => nor[first + k] as number;
    let cmax = 0;
    let tmax = 0;
    let norCmax = 0;
    let auc24 = 0;
    let auc = 0;
    let norAuc24 = 0;
    for (let k = 0; k < subject.n; k++) {
      if (t(k) <= 24 && c(k) > cmax) [cmax, tmax] = [c(k), t(k)];
      if (t(k) <= 24) norCmax = Math.max(norCmax, n(k));
      if (k === 0) continue;
      const dt = t(k) - t(k - 1);
      auc += (dt * (c(k) + c(k - 1))) / 2;
      if (t(k) <= 24) {
        auc24 += (dt * (c(k) + c(k - 1))) / 2;
        norAuc24 += (dt * (n(k) + n(k - 1))) / 2;
      }
    }
    // Terminal slope from the last 48 h (log-linear there), AUC extrapolated to infinity.
    const last = subject.n - 1;
    const from = subject.time.findIndex((x) => x >= t(last) - 48);
    const lambdaZ = Math.log(c(from) / c(last)) / (t(last) - t(from));
    return { cmax, tmaxMin: tmax * 60, auc24, aucInf: auc + c(last) / lambdaZ, halfLife: Math.log(2) / lambdaZ, norCmax, norAuc24 };
  });
}

const byId = exposures(doses);
const [in28, in56, in84, in84PerDevice, in56Spaced, iv28, oral84, in70, in14, in112] = byId as [Exposure, Exposure, Exposure, Exposure, Exposure, Exposure, Exposure, Exposure, Exposure, Exposure];
const f2 = (x: number): string => x.toFixed(2);
const f1 = (x: number): string => x.toFixed(1);
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const rel = (model: number, ref: number): number => Math.abs(model / ref - 1);

/** Exposure per mg of IV esketamine: the reference for absolute bioavailability. */
const ivAucPerMg = iv28.aucInf / 28;
const absoluteF = (e: Exposure, mg: number): number => e.aucInf / mg / ivAucPerMg;

describe('esketamine-in-perezruixo: Perez-Ruixo 2021 Table 4 (typical Caucasian 18-60 y, single intranasal dose)', () => {
  const table = published.table4_caucasian_18_60y.rows;
  [in28, in56, in84].forEach((e, i) => {
    const ref = table[i];
    if (ref === undefined) throw new Error('Table 4 row missing');
    const mg = ref.dose_mg;
    it(`${mg} mg: esketamine Cmax ${f2(e.cmax)} ng/mL vs ${ref.esk_cmax} (within 5 %)`, () => {
      expect(rel(e.cmax, ref.esk_cmax)).toBeLessThan(0.05);
    });
    it(`${mg} mg: esketamine AUC0-24 ${f1(e.auc24)} ng·h/mL vs ${ref.esk_auc24} (within 5 %)`, () => {
      expect(rel(e.auc24, ref.esk_auc24)).toBeLessThan(0.05);
    });
    it(`${mg} mg: noresketamine Cmax ${f2(e.norCmax)} ng/mL vs ${ref.nor_cmax} (within 3 %)`, () => {
      expect(rel(e.norCmax, ref.nor_cmax)).toBeLessThan(0.03);
    });
    // Documented discrepancy, reproduced on purpose (see the model's description and calibration): the literal
    // Table 3 parameters over-predict noresketamine AUC0-24 (nlmixr2lib errata note: 1.38-1.56 x).
    it(`${mg} mg: noresketamine AUC0-24 ${f1(e.norAuc24)} ng·h/mL vs ${ref.nor_auc24}: over-predicted ${(e.norAuc24 / ref.nor_auc24).toFixed(3)} x (documented band 1.3-1.6 x)`, () => {
      const ratio = e.norAuc24 / ref.nor_auc24;
      expect(ratio).toBeGreaterThan(1.3);
      expect(ratio).toBeLessThan(1.6);
    });
  });
});

describe('esketamine-in-perezruixo: abstract and label values', () => {
  const abs = published.abstract;
  it(`absolute F of 56 mg ${pct(absoluteF(in56, 56))} vs ${pct(abs.absolute_f_56mg)} (within 2 points; IN vs IV 28 mg/40 min AUC0-inf)`, () => {
    expect(Math.abs(absoluteF(in56, 56) - abs.absolute_f_56mg)).toBeLessThan(0.02);
  });
  it(`absolute F of 84 mg ${pct(absoluteF(in84, 84))} vs ${pct(abs.absolute_f_84mg)} (within 2 points)`, () => {
    expect(Math.abs(absoluteF(in84, 84) - abs.absolute_f_84mg)).toBeLessThan(0.02);
  });
  it(`absolute F falls with dose (28 mg ${pct(absoluteF(in28, 28))} > 56 mg > 84 mg): the 2nd and 3rd devices absorb less nasally`, () => {
    expect(absoluteF(in28, 28)).toBeGreaterThan(absoluteF(in56, 56));
    expect(absoluteF(in56, 56)).toBeGreaterThan(absoluteF(in84, 84));
  });
  it(`swallowed (oral) dose reaching the circulation ${pct(absoluteF(oral84, 84))} vs ${pct(abs.swallowed_fraction_reaching_circulation)} (within 5 %; model Fgut (1 - E) = 17.8 %)`, () => {
    expect(rel(absoluteF(oral84, 84), abs.swallowed_fraction_reaching_circulation)).toBeLessThan(0.05);
  });
  const cl = 28 / (iv28.aucInf / 1000);
  it(`esketamine CL from IV AUC ${f1(cl)} L/h vs ${abs.esk_cl_l_per_h} (within 5 %; = Qh E = 109.0 L/h)`, () => {
    expect(rel(cl, abs.esk_cl_l_per_h)).toBeLessThan(0.05);
    expect(rel(cl, 151 * ((101 * 3.88) / (151 + 101 * 3.88)))).toBeLessThan(1e-4);
  });
  const [tLo, tHi] = published.label.tmax_min_after_last_spray;
  it(`Tmax ${f1(in28.tmaxMin)} / ${f1(in56.tmaxMin)} / ${f1(in84.tmaxMin)} min (28 / 56 / 84 mg) and ${f1(in56Spaced.tmaxMin - 5)} min after the last of two devices 5 min apart (written per device): label ${tLo}-${tHi} min`, () => {
    for (const tmax of [in28.tmaxMin, in56.tmaxMin, in84.tmaxMin, in56Spaced.tmaxMin - 5]) {
      expect(tmax).toBeGreaterThanOrEqual(tLo);
      expect(tmax).toBeLessThanOrEqual(tHi);
    }
  });
  const [hLo, hHi] = published.label.esk_terminal_half_life_h;
  it(`terminal half-life ${f1(in28.halfLife)} h (label ${hLo}-${hHi} h)`, () => {
    expect(in28.halfLife).toBeGreaterThanOrEqual(hLo);
    expect(in28.halfLife).toBeLessThanOrEqual(hHi);
  });
});

describe('esketamine-in-perezruixo: dosing and covariates', () => {
  /** Published effective nasal fraction for N devices (nlmixr2lib vignette formula on Table 3 values), N >= 1. */
  const frnEff = (n: number): number => (0.54 * (1 + (n - 1) * 0.62)) / n;
  /** Hepatic extraction E = Vh (kel + kmet) / (Qh + Vh (kel + kmet)) from Table 3. */
  const e = (101 * 3.88) / (151 + 101 * 3.88);
  const fIn = (n: number): number => frnEff(n) + (1 - frnEff(n)) * 0.64 * (1 - e);

  it('routes: intranasal = NASAL + SWALLOWED (CMT 1, 2), oral = ORAL (CMT 3), iv = CENTRAL (CMT 4); SWALLOWED and ORAL take their duration from the model (RATE -2)', () => {
    expect(model.routes.get('intranasal')).toEqual([0, 1]);
    expect(model.routes.get('oral')).toEqual([2]);
    expect(model.routes.get('iv')).toEqual([3]);
    expect(model.spec.dose.SWALLOWED?.duration).toBe('DSW');
    expect(model.spec.dose.ORAL?.duration).toBe('DPO');
    expect(model.covariateNames).not.toContain('NDEV');
  });

  it(`absolute F of each session from its AMT: FRn_eff + (1 - FRn_eff) Fgut (1 - E), N = AMT / 28 (28 / 56 / 84 mg: ${pct(absoluteF(in28, 28))} / ${pct(absoluteF(in56, 56))} / ${pct(absoluteF(in84, 84))})`, () => {
    [in28, in56, in84].forEach((x, i) => {
      const n = i + 1;
      expect(rel(absoluteF(x, 28 * n), fIn(n))).toBeLessThan(1e-4);
    });
    // FRn_eff 0.54 / 0.4375 / 0.4032 (vignette, rounded)
    expect(Math.abs(frnEff(2) - 0.4375)).toBeLessThan(2e-4);
    expect(Math.abs(frnEff(3) - 0.4032)).toBeLessThan(2e-4);
  });

  it(`one record pair with AMT 56 is the published 56 mg session (Table 4: Cmax 72.5 ng/mL, AUC0-24 254.7 ng·h/mL; model ${f2(in56.cmax)}, ${f1(in56.auc24)})`, () => {
    expect(rel(in56.cmax, 72.5)).toBeLessThan(0.05);
    expect(rel(in56.auc24, 254.7)).toBeLessThan(0.05);
  });

  it(`70 mg (N = 2.5, not an integer): F ${pct(absoluteF(in70, 70))} = the formula at N = 2.5, between 56 and 84 mg`, () => {
    expect(rel(absoluteF(in70, 70), fIn(2.5))).toBeLessThan(1e-4);
    expect(absoluteF(in70, 70)).toBeLessThan(absoluteF(in56, 56));
    expect(absoluteF(in70, 70)).toBeGreaterThan(absoluteF(in84, 84));
  });

  it(`14 mg (one spray, N = 0.5 < 1): bounded to one device, F ${pct(absoluteF(in14, 14))} = that of 28 mg, exposure half of 28 mg`, () => {
    expect(rel(absoluteF(in14, 14), fIn(1))).toBeLessThan(1e-4);
    expect(rel(in14.aucInf, in28.aucInf / 2)).toBeLessThan(1e-6);
    expect(rel(in14.cmax, in28.cmax / 2)).toBeLessThan(1e-6);
  });

  it(`112 mg (N = 4, top of the study's dose range, beyond the 28-84 mg checks): F ${pct(absoluteF(in112, 112))} = the formula at N = 4`, () => {
    expect(rel(absoluteF(in112, 112), fIn(4))).toBeLessThan(1e-4);
  });

  it('small doses stay finite and F <= 1 (N is at least 1); AMT 0 is refused by the data-set reader, not simulated', () => {
    const rows = [1e-3, 5].flatMap((amt, i) => [
      { ID: i + 1, TIME: 0, EVID: 1, AMT: amt, CMT: 1, RATE: 0 },
      { ID: i + 1, TIME: 0, EVID: 1, AMT: amt, CMT: 2, RATE: -2 },
    ]);
    const [tiny, five] = exposures(datasetFromRows(rows, 'small')) as [Exposure, Exposure];
    expect(rel(absoluteF(tiny, 1e-3), fIn(1))).toBeLessThan(1e-4);
    // 5 mg: F of one device (< 1), not the unbounded formula's 0.54 (0.38 / 0.179 + 0.62) > 1
    expect(rel(absoluteF(five, 5), fIn(1))).toBeLessThan(1e-4);
    expect(() => datasetFromRows([{ ID: 1, TIME: 0, EVID: 1, AMT: 0, CMT: 1 }], 'zero')).toThrow(/zero amount/);
  });

  it(`84 mg written as three one-device record pairs = three one-device sessions (3 x 28 mg), AUC ${(in84PerDevice.aucInf / in84.aucInf).toFixed(3)} x the 84 mg session (F(28) / F(84))`, () => {
    expect(rel(in84PerDevice.cmax, 3 * in28.cmax)).toBeLessThan(1e-6);
    expect(rel(in84PerDevice.aucInf, 3 * in28.aucInf)).toBeLessThan(1e-6);
    expect(rel(in84PerDevice.aucInf / in84.aucInf, fIn(1) / fIn(3))).toBeLessThan(1e-4);
  });

  it('without the SWALLOWED record an intranasal dose loses the swallowed part (the data set needs both records)', () => {
    const nasalOnly = datasetFromRows([{ ID: 1, TIME: 0, EVID: 1, AMT: 28, CMT: 1 }], 'nasal-only');
    const [x] = exposures(nasalOnly) as [Exposure];
    // Only FRn = 0.54 of the 0.622 bioavailable fraction arrives.
    expect(rel(absoluteF(x, 28), 0.54)).toBeLessThan(1e-4);
    expect(x.auc24).toBeLessThan(0.9 * in28.auc24);
  });

  it('the SWALLOWED record needs RATE -2: as a bolus (RATE 0) the same amount is absorbed, but without the zero-order input over Dsw', () => {
    const rows = [
      { ID: 1, TIME: 0, EVID: 1, AMT: 28, CMT: 1, RATE: 0 },
      { ID: 1, TIME: 0, EVID: 1, AMT: 28, CMT: 2, RATE: 0 },
    ];
    const [bolus] = exposures(datasetFromRows(rows, 'swallowed-bolus')) as [Exposure];
    expect(rel(bolus.aucInf, in28.aucInf)).toBeLessThan(1e-4);
    expect(rel(bolus.norCmax, in28.norCmax)).toBeGreaterThan(1e-3);
  });

  it('age 75: Qh = 151 - 2.19 x 15 L/h, so IV CL = Qh E = 90.8 L/h', () => {
    const [x] = exposures(datasetFromRows([{ ID: 1, TIME: 0, EVID: 1, AMT: 28, CMT: 4, RATE: 42 }], 'iv'), { covariates: { AGE: 75 } }) as [Exposure];
    const qh = 151 - 2.19 * 15;
    expect(rel(28 / (x.aucInf / 1000), (qh * (101 * 3.88)) / (qh + 101 * 3.88))).toBeLessThan(1e-4);
  });

  it('Asian: kel x 0.36 (higher esketamine exposure) and CLn/F x 0.81', () => {
    const [x] = exposures(datasetFromRows([{ ID: 1, TIME: 0, EVID: 1, AMT: 28, CMT: 4, RATE: 42 }], 'iv'), { covariates: { ASIAN: 1 } }) as [Exposure];
    const k = 1.11 * 0.36 + 2.77;
    expect(rel(28 / (x.aucInf / 1000), (151 * (101 * k)) / (151 + 101 * k))).toBeLessThan(1e-4);
    expect(x.norAuc24).toBeGreaterThan(iv28.norAuc24);
  });

  it('Japanese: FRn x 1.34 (and Asian kel, CLn/F): 28 mg absolute F = 0.7236 + 0.2764 Fgut (1 - E_Asian)', () => {
    const rows = [
      { ID: 1, TIME: 0, EVID: 1, AMT: 28, CMT: 1, RATE: 0 },
      { ID: 1, TIME: 0, EVID: 1, AMT: 28, CMT: 2, RATE: -2 },
      { ID: 2, TIME: 0, EVID: 1, AMT: 28, CMT: 4, RATE: 42 },
    ];
    const [nasal, iv] = exposures(datasetFromRows(rows, 'japanese'), { covariates: { JAPANESE: 1 } }) as [Exposure, Exposure];
    const k = 1.11 * 0.36 + 2.77;
    const e = (101 * k) / (151 + 101 * k);
    const frn = 0.54 * 1.34;
    expect(rel(nasal.aucInf / iv.aucInf, frn + (1 - frn) * 0.64 * (1 - e))).toBeLessThan(1e-4);
  });
});
