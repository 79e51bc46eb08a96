/**
 * Model-format features beyond single compartments: `DOSE` in dose-control formulas, the `routes` block, `extends`
 * and several depots in a closed form. Expected values are written out analytically (one-compartment formulas),
 * not taken from the engine.
 */
import { describe, expect, it } from 'vitest';
import { loadModel, parseModelSpec, type ModelResolver } from '../../src/core/model/index.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { datasetFromRows } from '../../src/io/nmdata/index.js';

const oneCompartment = `
ketasim: model/1
name: one
version: 1.0.0
title: test model
units: { time: h, amount: mg, volume: L }
parameters:
  CL: { value: 5, unit: L/h }
  V: { value: 50, unit: L }
  KA1: { value: 1.5, unit: 1/h }
  KA2: { value: 0.4, unit: 1/h }
  F_REF: { value: 0.5, unit: "1" }
compartments: { GUT1: {}, GUT2: {}, CENTRAL: {} }
routes: { fast: GUT1, slow: GUT2, split: [GUT1, GUT2], iv: CENTRAL }
dose:
  GUT1: { bioavailability: "F_REF * (DOSE / 100)^-0.5" }
  GUT2: { bioavailability: "1 - F_REF * (DOSE / 100)^-0.5" }
dynamics:
  closed_form:
    depots: [ { compartment: GUT1, ka: KA1 }, { compartment: GUT2, ka: KA2 } ]
    central: CENTRAL
    parameters: { CL: CL, V: V }
outputs:
  CP: { value: CENTRAL / V, unit: mg/L }
`;

function concentrations(yaml: string, rows: Record<string, number>[], times: number[], resolve?: ModelResolver): number[] {
  const model = loadModel(yaml, 'test', resolve);
  const obs = times.map((t) => ({ ID: 1, TIME: t, EVID: 0, AMT: 0, CMT: 0 }));
  const data = datasetFromRows([...rows, ...obs].sort((a, b) => (a.TIME ?? 0) - (b.TIME ?? 0) || (b.EVID ?? 0) - (a.EVID ?? 0)));
  const result = simulate(model, data);
  const out: number[] = [];
  const cp = result.outputNames.indexOf('CP');
  for (let r = 0; r < result.dataset.subjects[0]!.n; r++) {
    if (result.dataset.subjects[0]!.evid[r] === 0) out.push(result.values[cp]![r]!);
  }
  return out;
}

/** One-compartment oral: amount F·D, absorption ka, elimination k, volume V. */
function oral(doseMg: number, f: number, ka: number, k: number, v: number, t: number): number {
  return ((f * doseMg * ka) / (v * (ka - k))) * (Math.exp(-k * t) - Math.exp(-ka * t));
}

describe('DOSE in dose-control formulas', () => {
  it('makes bioavailability depend on the amount of each dose record', () => {
    const times = [0.5, 2, 6];
    for (const amt of [25, 100, 400]) {
      const f = 0.5 * (amt / 100) ** -0.5;
      const got = concentrations(oneCompartment, [{ ID: 1, TIME: 0, EVID: 1, AMT: amt, CMT: 1 }], times);
      times.forEach((t, i) => expect(got[i]).toBeCloseTo(oral(amt, f, 1.5, 0.1, 50, t), 12));
    }
  });

  it('applies each record its own F when doses of different sizes overlap', () => {
    const rows = [
      { ID: 1, TIME: 0, EVID: 1, AMT: 25, CMT: 1 },
      { ID: 1, TIME: 1, EVID: 1, AMT: 400, CMT: 1 },
    ];
    const got = concentrations(oneCompartment, rows, [3]);
    const want = oral(25, 0.5 * 0.25 ** -0.5, 1.5, 0.1, 50, 3) + oral(400, 0.5 * 4 ** -0.5, 1.5, 0.1, 50, 2);
    expect(got[0]).toBeCloseTo(want, 12);
  });

  it('is rejected where it has no meaning (outputs)', () => {
    const bad = oneCompartment.replace('CP: { value: CENTRAL / V', 'CP: { value: DOSE * CENTRAL / V');
    expect(() => loadModel(bad, 'test')).toThrow(/DOSE/);
  });
});

describe('residual', () => {
  it('accepts residual error of outputs and refuses other names and empty entries', () => {
    const ok = loadModel(oneCompartment.replace('outputs:', 'residual:\n  CP: { proportional: 0.2, additive: 0.01, range: [0, 100] }\noutputs:'), 'test');
    expect(ok.residual.get('CP')).toEqual({ proportional: 0.2, additive: 0.01, range: [0, 100] });
    expect(() => loadModel(oneCompartment.replace('outputs:', 'residual:\n  CQ: { additive: 1 }\noutputs:'), 'test')).toThrow(/residual\.CQ.*not an output/);
    expect(() => loadModel(oneCompartment.replace('outputs:', 'residual:\n  CP: { range: [0, 1] }\noutputs:'), 'test')).toThrow(/give additive, proportional/);
    expect(() => loadModel(oneCompartment.replace('outputs:', 'residual:\n  CP: { exponential: 0.2, additive: 1 }\noutputs:'), 'test')).toThrow(/cannot be combined/);
  });
});

describe('several depots in a closed form', () => {
  it('superposes depots with different absorption rates', () => {
    const rows = [
      { ID: 1, TIME: 0, EVID: 1, AMT: 100, CMT: 1 },
      { ID: 1, TIME: 0, EVID: 1, AMT: 100, CMT: 2 },
    ];
    const got = concentrations(oneCompartment, rows, [0.25, 1, 4, 12]);
    [0.25, 1, 4, 12].forEach((t, i) => expect(got[i]).toBeCloseTo(oral(100, 0.5, 1.5, 0.1, 50, t) + oral(100, 0.5, 0.4, 0.1, 50, t), 12));
  });
});

describe('routes', () => {
  it('maps route names to compartment lists (one record per compartment)', () => {
    const model = loadModel(oneCompartment, 'test');
    expect(model.routes.get('fast')).toEqual([0]);
    expect(model.routes.get('split')).toEqual([0, 1]);
    expect(model.routes.get('iv')).toEqual([2]);
  });

  it('names the route and the compartment in errors', () => {
    expect(() => loadModel(oneCompartment.replace('iv: CENTRAL', 'iv: CENTRL'), 'test')).toThrow(/routes\.iv.*CENTRL|CENTRL.*routes\.iv/s);
    expect(() => loadModel(oneCompartment.replace('split: [GUT1, GUT2]', 'split: [GUT1, GUT1]'), 'test')).toThrow(/routes\.split/);
    expect(() => loadModel(oneCompartment.replace('fast: GUT1', 'Fast: GUT1'), 'test')).toThrow(/lower case/);
  });
});

describe('extends', () => {
  const base = `
ketasim: model/1
name: base
version: 1.0.0
title: test model
units: { time: h, amount: mg, volume: L }
parameters:
  CL: { value: 5, unit: L/h }
  V: { value: 50, unit: L }
compartments: { CENTRAL: {} }
dynamics:
  closed_form: { central: CENTRAL, parameters: { CL: CL, V: V } }
outputs:
  CP: { value: CENTRAL / V, unit: mg/L }
`;
  const derived = `
ketasim: model/1
name: derived
version: 1.0.0
title: test model
extends: base
parameters:
  CL: { value: 10, unit: L/h }
  EC50: { value: 0.5, unit: mg/L }
outputs:
  E: { value: CP_OUT / (EC50 + CP_OUT), unit: "1" }
individual: |
  SCALE = 1
`;
  const library: Record<string, string> = { base, derived };
  const resolve: ModelResolver = (name) => (library[name] !== undefined ? { text: library[name], source: `${name}.yaml` } : undefined);

  it('inherits the base and replaces entries by name', () => {
    const spec = parseModelSpec(derived.replace('CP_OUT', 'CENTRAL / V').replace('CP_OUT', 'CENTRAL / V'), 'derived.yaml', resolve);
    expect(spec.parameters.CL?.value).toBe(10);
    expect(spec.parameters.V?.value).toBe(50);
    expect(Object.keys(spec.outputs)).toEqual(['CP', 'E']);
    expect(spec.dynamics.closed_form).toBeDefined();
    const got = concentrations(derived.replaceAll('CP_OUT', 'CENTRAL / V'), [{ ID: 1, TIME: 0, EVID: 1, AMT: 100, CMT: 1 }], [2], resolve);
    expect(got[0]).toBeCloseTo((100 / 50) * Math.exp(-0.2 * 2), 12);
  });

  it('reports a missing base, a missing resolver and a cycle', () => {
    expect(() => parseModelSpec(derived.replace('extends: base', 'extends: nothing'), 'derived.yaml', resolve)).toThrow(/extends nothing: no such model/);
    expect(() => parseModelSpec(derived, 'derived.yaml')).toThrow(/no model library/);
    const a = base.replace('name: base', 'name: a\nextends: b');
    const b = base.replace('name: base', 'name: b\nextends: a');
    const cyclic: ModelResolver = (name) => (name === 'a' ? { text: a, source: 'a.yaml' } : name === 'b' ? { text: b, source: 'b.yaml' } : undefined);
    expect(() => parseModelSpec(a, 'a.yaml', cyclic)).toThrow(/circular/);
  });

  it('names the base file when the base is invalid', () => {
    const broken: ModelResolver = (name) => (name === 'base' ? { text: base.replace('unit: L/h', 'unit: 5') .replace('value: 5,', 'value: five,'), source: 'base.yaml' } : undefined);
    expect(() => parseModelSpec(derived, 'derived.yaml', broken)).toThrow(/base\.yaml/);
  });

  describe('fragments', () => {
    const fragment = `
ketasim: fragment/1
name: emax-pd
title: Emax on a concentration the model defines
parameters:
  EMAX: { value: 2, unit: "1" }
  EC50: { value: 1, unit: mg/L }
outputs:
  EFF: { value: EMAX * CONC / (EC50 + CONC), unit: "1" }
`;
    const glue = `
ketasim: model/1
name: with-pd
version: 1.0.0
title: test model
extends: [base, emax-pd]
outputs:
  CONC: { value: CENTRAL / V, unit: mg/L }
`;
    const lib: Record<string, string> = { base, 'emax-pd': fragment };
    const resolveLib: ModelResolver = (name) => (lib[name] !== undefined ? { text: lib[name], source: `${name}.yaml` } : undefined);

    it('adds a fragment after the model, so it can read what the model defines', () => {
      const spec = parseModelSpec(glue, 'with-pd.yaml', resolveLib);
      expect(Object.keys(spec.outputs)).toEqual(['CP', 'CONC', 'EFF']);
      expect(spec.name).toBe('with-pd');
      const model = loadModel(glue, 'with-pd.yaml', resolveLib);
      const data = datasetFromRows([
        { ID: 1, TIME: 0, EVID: 1, AMT: 100, CMT: 1 },
        { ID: 1, TIME: 2, EVID: 0, AMT: 0, CMT: 0 },
      ]);
      const result = simulate(model, data);
      const c = 2 * Math.exp(-0.2);
      expect(result.values[result.outputNames.indexOf('EFF')]![1]).toBeCloseTo((2 * c) / (1 + c), 12);
    });

    it('refuses a fragment that replaces a name, comes first, or is loaded alone', () => {
      const clash: ModelResolver = (name) => (name === 'emax-pd' ? { text: fragment.replace('EC50: { value: 1', 'CL: { value: 1'), source: 'emax-pd.yaml' } : resolveLib(name));
      expect(() => parseModelSpec(glue, 'with-pd.yaml', clash)).toThrow(/parameters\.CL is already defined/);
      expect(() => parseModelSpec(glue.replace('[base, emax-pd]', '[emax-pd, base]'), 'x.yaml', resolveLib)).toThrow(/fragment cannot come first/);
      expect(() => parseModelSpec(glue.replace('[base, emax-pd]', '[base, base]'), 'x.yaml', resolveLib)).toThrow(/only the first entry can be a model/);
      expect(() => parseModelSpec(fragment, 'emax-pd.yaml')).toThrow(/model fragment/);
    });
  });
});
