/**
 * Dependency analysis (which inputs reach the dynamics) and outputs re-evaluated from stored states: on small
 * fixture models whose answers are known by reading them, and on ketamine-depression, where re-evaluated outputs
 * must equal a new simulation bit for bit for random values of the output-only random effects.
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/core/model/index.js';
import { modelDependencies } from '../../src/core/model/dependencies.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { OutputEvaluator, outputsFromStates, simulateSharingDynamics } from '../../src/core/simulate/outputs-from-states.js';
import { SubjectRandom } from '../../src/core/random/philox.js';
import { datasetFromRows } from '../../src/io/nmdata/index.js';
import { buildDesign } from '../../src/fit/design.js';
import { loadModelByName } from '../../src/node/library.js';
import { examplePatient } from '../fit/helpers.js';

const odeModel = `
ketasim: model/1
name: deps-ode
version: 1.0.0
title: dependency fixture (ODE)
units: { time: h, amount: mg, volume: L }
parameters:
  CL: { value: 5, unit: L/h }
  V: { value: 50, unit: L }
  KA: { value: 1.2, unit: 1/h }
  EMAX: { value: 0.8, unit: "1" }
  EC50: { value: 2, unit: mg/L }
  BASE: { value: 30, unit: points }
  R0: { value: 3, unit: "1" }
  FBIO: { value: 0.7, unit: "1" }
  UNUSED: { value: 1, unit: "1" }
covariates:
  WT: { unit: kg, default: 70 }
  GENO: { unit: "1", default: 0 }
  FED: { unit: "1", default: 0 }
random:
  ETA_CL: { cv: 0.3 }
  ETA_F: { sd: 0.5 }
  ETA_R0: { sd: 0.2 }
  ETA_EMAX: { sd: 1 }
  ETA_BASE: { sd: 0.1 }
  ETA_DIRECT: { sd: 0.2 }
  ETA_NONE: { sd: 0.2 }
compartments: { GUT: {}, CENTRAL: {}, RESP: {} }
dose:
  GUT: { bioavailability: "expit(logit(FBIO) + ETA_F) * (FED > 0 ? 1.2 : 1)" }
initial:
  RESP: R0i
individual: |
  CLi = CL * (WT / 70)^0.75 * exp(ETA_CL)
  KEi = CLi / V
  R0i = R0 * exp(ETA_R0)
  EMAXi = expit(logit(EMAX) + ETA_EMAX) * (GENO > 0 ? 0.5 : 1)
  BASEi = BASE * exp(ETA_BASE)
dynamics:
  ode: |
    CP_LOCAL = CENTRAL / V
    d/dt(GUT) = -KA * GUT
    d/dt(CENTRAL) = KA * GUT - KEi * CENTRAL
    d/dt(RESP) = 0.1 * (1 + CP_LOCAL) - 0.1 * RESP
outputs:
  CP: { value: CENTRAL / V, unit: mg/L }
  EFFECT: { value: "EMAXi * CP / (EC50 + CP)", unit: "1" }
  SCORE: { value: "BASEi * (1 - EFFECT) * exp(ETA_DIRECT * TIME / 24) + RESP", unit: points }
`;

const closedFormModel = `
ketasim: model/1
name: deps-cf
version: 1.0.0
title: dependency fixture (closed form)
units: { time: h, amount: mg, volume: L }
parameters:
  CL: { value: 5, unit: L/h }
  V: { value: 50, unit: L }
  KA: { value: 1.2, unit: 1/h }
  TLAG: { value: 0.5, unit: h }
random:
  ETA_KA: { sd: 0.3 }
  ETA_LAG: { sd: 0.3 }
  ETA_OUT: { sd: 0.3 }
compartments: { GUT: {}, CENTRAL: {} }
dose:
  GUT: { lag: TLAGi }
individual: |
  KAi = KA * exp(ETA_KA)
  TLAGi = TLAG * exp(ETA_LAG)
  SCALEi = exp(ETA_OUT)
dynamics:
  closed_form: { depot: GUT, central: CENTRAL, parameters: { CL: CL, V: V, KA: KAi } }
outputs:
  CP: { value: SCALEi * CENTRAL / V, unit: mg/L }
`;

describe('modelDependencies', () => {
  it('finds the inputs that reach an ODE model through the right-hand side, dose control and initial conditions', () => {
    const model = loadModel(odeModel, 'deps-ode');
    const d = modelDependencies(model);
    expect(model.etaNames.filter((_, i) => d.etaReachesDynamics[i])).toEqual(['ETA_CL', 'ETA_F', 'ETA_R0']);
    expect(d.outputOnlyEtas).toEqual(['ETA_EMAX', 'ETA_BASE', 'ETA_DIRECT', 'ETA_NONE']);
    expect([...d.dynamicInputs].sort()).toEqual(['CL', 'ETA_CL', 'ETA_F', 'ETA_R0', 'FBIO', 'FED', 'KA', 'R0', 'V', 'WT'].sort());
    expect([...d.dynamicIndividuals].sort()).toEqual(['CLi', 'KEi', 'R0i']);
    expect(d.outputInputs.has('GENO')).toBe(true);
    expect(d.dynamicInputs.has('GENO')).toBe(false);
    expect(d.outputInputs.has('UNUSED') || d.dynamicInputs.has('UNUSED')).toBe(false);
    expect(modelDependencies(model)).toBe(d); // cached
  });

  it('counts closed-form rates and lag times as dynamics', () => {
    const d = modelDependencies(loadModel(closedFormModel, 'deps-cf'));
    expect(d.etaReachesDynamics).toEqual([true, true, false]);
    expect(d.outputOnlyEtas).toEqual(['ETA_OUT']);
  });

  it('ketamine-depression: only ETA_SYN reaches the ODEs', () => {
    const d = modelDependencies(loadModelByName('ketamine-depression'));
    expect(d.outputOnlyEtas).toEqual(['ETA_EMAX', 'ETA_PLACEBO', 'ETA_COURSE', 'ETA_CADSS']);
  });
});

describe('outputs from stored states', () => {
  it('equal a new simulation exactly for new output-only inputs (ODE fixture, time-varying covariate column)', () => {
    const model = loadModel(odeModel, 'deps-ode');
    const rows: Record<string, number>[] = [
      { ID: 1, TIME: 0, EVID: 1, AMT: 100, CMT: 1, GENO: 0, WT: 60 },
      { ID: 2, TIME: 0, EVID: 1, AMT: 50, CMT: 2, GENO: 1, WT: 90 },
    ];
    for (const id of [1, 2]) for (const t of [0.5, 1, 2, 4, 8, 12, 24, 48]) rows.push({ ID: id, TIME: t, EVID: 0, AMT: 0, CMT: 0, GENO: t > 10 ? 1 - (id - 1) : id - 1, WT: id === 1 ? 60 : 90 });
    const data = datasetFromRows(rows.sort((a, b) => a.ID! - b.ID! || a.TIME! - b.TIME!));
    const names = model.etaNames;
    const rng = new SubjectRandom(3, 0, 1);
    const base = Float64Array.from({ length: 2 * names.length }, () => 0.5 * rng.normal());
    const withStates = simulate(model, data, { includeStates: true, subjectInputs: { names, values: base } });
    const nOut = model.outputNames.length;
    const states = withStates.values.slice(nOut);
    const evaluator = new OutputEvaluator(model, data, { subjectInputNames: names });
    const out = model.outputNames.map(() => new Float64Array(withStates.rows));
    const outputOnly = new Set(modelDependencies(model).outputOnlyEtas);
    for (let trial = 0; trial < 20; trial++) {
      const values = Float64Array.from(base);
      names.forEach((n, k) => {
        if (outputOnly.has(n)) for (let s = 0; s < 2; s++) values[s * names.length + k] = rng.normal();
      });
      evaluator.evaluate(states, out, values);
      const fresh = simulate(model, data, { subjectInputs: { names, values } });
      for (let k = 0; k < nOut; k++) expect([...out[k]!]).toEqual([...fresh.values[k]!]);
    }
    // Same inputs: the simulation's own outputs back.
    const again = outputsFromStates(model, data, states, { subjectInputNames: names, subjectValues: base });
    for (let k = 0; k < nOut; k++) expect([...again[k]!]).toEqual([...withStates.values[k]!]);
  });

  it('equal a new simulation exactly for ketamine-depression and the example patient (random etas)', () => {
    const model = loadModelByName('ketamine-depression');
    const design = buildDesign(model, examplePatient('depression-patient.json'));
    const names = model.randomEffects.names;
    const deps = modelDependencies(model);
    const rng = new SubjectRandom(5, 0, 2);
    const sd = names.map((_, i) => Math.sqrt(model.randomEffects.covariance[i * names.length + i]!));
    const nOut = model.outputNames.length;
    const evaluator = new OutputEvaluator(model, design.dataset, { subjectInputNames: names });
    const out = model.outputNames.map(() => new Float64Array(evaluator.rows));
    for (let trial = 0; trial < 3; trial++) {
      const eta = Float64Array.from(names, (_, i) => sd[i]! * rng.normal());
      const sim = simulate(model, design.dataset, { includeStates: true, subjectInputs: { names, values: eta } });
      const states = sim.values.slice(nOut);
      for (let k = 0; k < 5; k++) {
        const eta2 = Float64Array.from(eta);
        names.forEach((n, i) => {
          if (deps.outputOnlyEtas.includes(n)) eta2[i] = sd[i]! * rng.normal();
        });
        evaluator.evaluate(states, out, eta2);
        const fresh = simulate(model, design.dataset, { subjectInputs: { names, values: eta2 } });
        for (let j = 0; j < nOut; j++) expect([...out[j]!], model.outputNames[j]).toEqual([...fresh.values[j]!]);
      }
    }
  });

  it('a subset of outputs (with the outputs they read) equals the full evaluation in those columns', () => {
    const model = loadModelByName('ketamine-depression');
    const design = buildDesign(model, examplePatient('depression-patient.json'));
    const names = model.randomEffects.names;
    const eta = Float64Array.of(1.2, -0.3, 0.1, -0.2, 0.4);
    const sim = simulate(model, design.dataset, { includeStates: true, subjectInputs: { names, values: eta } });
    const states = sim.values.slice(model.outputNames.length);
    const eta2 = Float64Array.of(-2, 0.5, -0.2, -0.2, -0.1);
    const full = outputsFromStates(model, design.dataset, states, { subjectInputNames: names, subjectValues: eta2 });
    const some = outputsFromStates(model, design.dataset, states, { subjectInputNames: names, subjectValues: eta2, outputs: ['MADRS', 'CADSS'] });
    for (const name of ['MADRS', 'CADSS']) {
      const k = model.outputNames.indexOf(name);
      expect([...some[k]!], name).toEqual([...full[k]!]);
    }
    expect([...some[model.outputNames.indexOf('SBP')]!].every((v) => v === 0)).toBe(true);
    expect(() => outputsFromStates(model, design.dataset, states, { outputs: ['NOPE'] })).toThrow(/no output NOPE/);
  });

  it('closed-form model: the same', () => {
    const model = loadModel(closedFormModel, 'deps-cf');
    const rows: Record<string, number>[] = [{ ID: 1, TIME: 0, EVID: 1, AMT: 100, CMT: 1 }];
    for (const t of [0.25, 0.5, 1, 2, 4, 8, 12, 24]) rows.push({ ID: 1, TIME: t, EVID: 0, AMT: 0, CMT: 0 });
    const data = datasetFromRows(rows);
    const names = model.etaNames;
    const sim = simulate(model, data, { includeStates: true, subjectInputs: { names, values: Float64Array.of(0.2, -0.1, 0.3) } });
    const got = outputsFromStates(model, data, sim.values.slice(1), { subjectInputNames: names, subjectValues: [0.2, -0.1, -0.7] });
    const fresh = simulate(model, data, { subjectInputs: { names, values: Float64Array.of(0.2, -0.1, -0.7) } });
    expect([...got[0]!]).toEqual([...fresh.values[0]!]);
  });
});

describe('simulateSharingDynamics', () => {
  it('equals simulate() bit for bit with one solution per distinct dynamic value (and per records object)', () => {
    const model = loadModelByName('ketamine-depression');
    const design = buildDesign(model, examplePatient('depression-patient.json'));
    const other = buildDesign(model, { ...examplePatient('depression-patient.json'), doses: examplePatient('depression-patient.json').doses.slice(0, 3) });
    const names = model.randomEffects.names;
    const n = names.length;
    const rng = new SubjectRandom(9, 0, 3);
    const subjects = [];
    const values: number[] = [];
    for (let g = 0; g < 3; g++) {
      const syn = 0.3 * rng.normal();
      for (let k = 0; k < 4; k++) {
        subjects.push(k === 3 ? other.dataset.subjects[0]! : design.dataset.subjects[0]!);
        values.push(...names.map((name) => (name === 'ETA_SYN' ? syn : rng.normal())));
      }
    }
    const data = { ...design.dataset, subjects };
    const options = { subjectInputs: { names, values: Float64Array.from(values) }, includeStates: true };
    const shared = simulateSharingDynamics(model, data, options);
    const plain = simulate(model, data, options);
    expect(shared.simulations).toBe(6);
    expect(shared.outputNames).toEqual(plain.outputNames);
    expect([...shared.subjectOffsets]).toEqual([...plain.subjectOffsets]);
    for (let k = 0; k < plain.values.length; k++) expect([...shared.values[k]!], plain.outputNames[k]).toEqual([...plain.values[k]!]);
    expect(values.length).toBe(12 * n);
  });
});
