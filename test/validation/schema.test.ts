/** Validation files: what is accepted, and errors that name the file, the target and the line. */
import { describe, expect, it } from 'vitest';
import { parseValidationFile } from '../../src/validation/index.js';
import { errorOf, toleranceText, uncertaintyPosition, withinTolerance } from '../../src/validation/tolerance.js';
import { loadModel } from '../../src/index.js';
import { Validator } from '../../src/validation/run.js';

const head = `model: m
references:
  src: "A source."
targets:
`;
const target = (extra: string, metric = '{ type: cmax, output: CP }', tolerance = '{ relative: 0.1 }'): string => `${head}  - id: t1
    description: d
    source: src
    use: check
    scenario:
      doses: [{ route: iv, amount: 10 mg, hours: [0] }]
    metric: ${metric}
    published: { value: 10, sd: 2 }
    tolerance: ${tolerance}
${extra}`;

describe('parseValidationFile', () => {
  it('reads a minimal file', () => {
    const f = parseValidationFile(target(''), 'f.yaml');
    expect(f.model).toBe('m');
    expect(f.targets[0]?.metric).toEqual({ type: 'cmax', output: 'CP' });
  });

  it('errors name the file, the path and the line', () => {
    expect(() => parseValidationFile(target('', '{ type: cmaxx, output: CP }'), 'f.yaml')).toThrow(/f\.yaml: targets\[1\]\.metric\.type: .*\(line 11\)/);
    expect(() => parseValidationFile(target('', '{ type: value, output: CP }'), 'f.yaml')).toThrow(/at_h: is required/);
    expect(() => parseValidationFile(target('', '{ type: cmax, output: CP, at_h: 2 }'), 'f.yaml')).toThrow(/unknown key\(s\) at_h/);
    expect(() => parseValidationFile(target('    colour: red\n'), 'f.yaml')).toThrow(/unknown key\(s\) colour/);
    expect(() => parseValidationFile(target('', undefined, '{}'), 'f.yaml')).toThrow(/at least one of relative, absolute, factor, within/);
    expect(() => parseValidationFile(target('', undefined, '{ within: ci }'), 'f.yaml')).toThrow(/within: ci needs published\.ci/);
    expect(() => parseValidationFile(target('').replace('source: src', 'source: other'), 'f.yaml')).toThrow(/source other is not in the file's references \(src\)/);
    expect(() => parseValidationFile(target('').replace('use: check', 'use: calibration'), 'f.yaml')).toThrow(/calibration target says in `note` which parameter/);
    expect(() => parseValidationFile(target('').replace('10 mg', '10 mL'), 'f.yaml')).toThrow(/f\.yaml: targets\[1\]\.scenario: doses\[1\]\.amount: "10 mL" is not a dose/);
    expect(() => parseValidationFile(target('').replace('hours: [0] }]', 'hours: [0] }]\n      population: { subjects: 0, seed: 1 }'), 'f.yaml')).toThrow(/population/);
    const twice = target('') + target('').slice(head.length);
    expect(() => parseValidationFile(twice, 'f.yaml')).toThrow(/target id t1 is used twice/);
    expect(() => parseValidationFile('model: [', 'f.yaml')).toThrow(/invalid YAML/);
  });

  it('checks the scenarios of both sides of a ratio', () => {
    const ratio = `{ type: ratio, numerator: { metric: { type: cmax, output: CP }, scenario: { weight_kg: -70 } }, denominator: { metric: { type: cmax, output: CP } } }`;
    expect(() => parseValidationFile(target('', ratio), 'f.yaml')).toThrow(/numerator\.scenario: weight_kg/);
  });
});

describe('tolerances', () => {
  const pub = { value: 10, sd: 2, ci: [8, 13] as [number, number] };
  it('relative, absolute, factor, within CI / SD / SE / GSD; any criterion suffices', () => {
    expect(withinTolerance(11.9, pub, { relative: 0.2 })).toBe(true);
    expect(withinTolerance(12.1, pub, { relative: 0.2 })).toBe(false);
    expect(withinTolerance(12.1, pub, { relative: 0.2, absolute: 3 })).toBe(true);
    expect(withinTolerance(12.4, pub, { factor: 1.25 })).toBe(true);
    expect(withinTolerance(7.9, pub, { factor: 1.25 })).toBe(false);
    expect(withinTolerance(12.9, pub, { within: 'ci' })).toBe(true);
    expect(withinTolerance(13.1, pub, { within: 'ci' })).toBe(false);
    expect(withinTolerance(13.9, pub, { within: 'sd', k: 2 })).toBe(true);
    expect(withinTolerance(12.1, pub, { within: 'sd' })).toBe(false);
    expect(withinTolerance(13.9, { value: 10, se: 2 }, { within: 'se' })).toBe(true); // k = 1.96
    expect(withinTolerance(19, { value: 10, gsd: 2 }, { within: 'gsd' })).toBe(true);
    expect(withinTolerance(Number.NaN, pub, { relative: 10 })).toBe(false);
  });
  it('texts and positions', () => {
    expect(toleranceText({ relative: 0.2, absolute: 2 }, 'ng/mL')).toBe('±20% or ±2 ng/mL');
    expect(toleranceText({ within: 'sd', k: 2 })).toBe('±2 SD');
    expect(uncertaintyPosition(14, pub)).toBe('above CI');
    expect(uncertaintyPosition(12, { value: 10, sd: 2 })).toBe('+1.0 SD');
    expect(uncertaintyPosition(5, { value: 10, gsd: 2 })).toBe('−1.0 GSD');
    expect(uncertaintyPosition(5, { value: 10 })).toBe('');
    expect(errorOf(12, 10)).toEqual({ absolute: 2, relative: 0.2 });
  });
});

describe('running targets', () => {
  const model = loadModel(`
ketasim: model/1
name: m
version: 1.0.0
title: one compartment
units: { time: h, amount: mg, volume: L }
parameters:
  CL: { value: 10, unit: L/h }
  V: { value: 50, unit: L }
compartments: { CENTRAL: {} }
routes: { iv: CENTRAL }
dynamics:
  closed_form: { central: CENTRAL, parameters: { CL: CL, V: V } }
outputs:
  CP: { value: 1000 * CENTRAL / V, unit: ng/mL }
`, 'm.yaml');
  it('an IV bolus: Cmax = dose / V, AUC(0-∞) = dose / CL, value at 5 h, clearance; unknown outputs are errors', () => {
    const file = parseValidationFile(
      `${head}${[
        ['cmax', '{ type: cmax, output: CP }', 200],
        ['auc', '{ type: auc, output: CP, extrapolate: true }', 1000],
        ['value', '{ type: value, output: CP, at_h: 5 }', 200 * Math.exp(-1)],
        ['cl', '{ type: clearance, output: CP }', 10],
        ['pct', '{ type: percent_change, output: CP, at_h: 5 }', 100 * (Math.exp(-1) - 1)],
        ['bad', '{ type: cmax, output: CE }', 1],
      ]
        .map(
          ([id, metric, value]) => `  - id: ${id}
    description: d
    source: src
    use: check
    scenario: { doses: [{ route: iv, amount: 10 mg, hours: [0] }], follow_up: 4 d }
    metric: ${metric}
    published: { value: ${value} }
    tolerance: { relative: 0.001 }
`,
        )
        .join('')}`,
      'f.yaml',
    );
    const results = new Validator(() => model).runFile(file);
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'error']);
    expect(results.map((r) => r.unit)).toEqual(['ng/mL', 'ng·h/mL', 'ng/mL', 'L/h', '%', '']);
    expect(results[5]?.message).toMatch(/no output CE \(outputs: CP\)/);
    expect(new Validator(() => model).runFile(file, { target: 'c*' }).map((r) => r.id)).toEqual(['cmax', 'cl']);
  });
});
