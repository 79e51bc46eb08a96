/**
 * ModelSpec → CompiledModel: resolve every name to a slot, check the model is complete and consistent, and
 * compile each formula block into one JavaScript function (`new Function`), so simulations run at JIT speed.
 *
 * Name spaces (a name may belong to only one): parameters, random effects, covariates, compartments,
 * individual variables (assigned in `individual`), ODE locals, outputs; `TIME` is reserved (the record time in
 * individual/dose/closed-form formulas, the current time in ODEs and outputs).
 */

import { ModelError } from '../errors.js';
import { freeSymbols, parseExpression, parseStatements, emitJs, emitStatements, statementError, ExpressionError } from '../expr/index.js';
import type { Statement } from '../expr/index.js';
import type { ClosedFormPart, CompiledModel, EnvLayout, OdePart } from './compiled.js';
import { DOSE_DURATION, DOSE_F, DOSE_LAG, DOSE_RATE, RATE_K10, RATE_KA_FIRST, RATE_KCP1, RATE_KCP2, RATE_KE0, RATE_KPC1, RATE_KPC2, RATE_V1 } from './compiled.js';
import type { ClosedFormSpec, Expression, ModelSpec, ResidualSpec } from './spec.js';
import { randomEffectsCovariance, type RandomEffects } from './random-effects.js';
import { float64 } from '../buffers.js';

export const RESERVED_NAMES = ['TIME', 'DOSE'] as const;

export interface CompiledModelWithRandom extends CompiledModel {
  readonly randomEffects: RandomEffects;
}

type Kind = 'parameter' | 'random effect' | 'covariate' | 'compartment' | 'individual variable' | 'output' | 'ODE variable';

/** Compile a validated spec. `source` (a file name) prefixes error messages. */
export function compileModel(spec: ModelSpec, source?: string): CompiledModelWithRandom {
  try {
    return compile(spec);
  } catch (e) {
    if (e instanceof ModelError) throw new ModelError(e.detail, e.path, source);
    if (e instanceof ExpressionError) throw new ModelError(e.message, '', source);
    throw e;
  }
}

function compile(spec: ModelSpec): CompiledModelWithRandom {
  const owner = new Map<string, { kind: Kind; path: string }>();
  const claim = (name: string, kind: Kind, path: string): void => {
    if ((RESERVED_NAMES as readonly string[]).includes(name)) throw new ModelError(`${name} is reserved (TIME: the time; DOSE: the amount of the dose being given)`, path);
    const prior = owner.get(name);
    if (prior !== undefined) throw new ModelError(`${name} is already a ${prior.kind} (${prior.path}); names must be unique across the model`, path);
    owner.set(name, { kind, path });
  };

  const parameterNames = Object.keys(spec.parameters);
  const etaNames = Object.keys(spec.random);
  const covariateNames = Object.keys(spec.covariates);
  const compartments = Object.keys(spec.compartments);
  parameterNames.forEach((n) => claim(n, 'parameter', `parameters.${n}`));
  etaNames.forEach((n) => claim(n, 'random effect', `random.${n}`));
  covariateNames.forEach((n) => claim(n, 'covariate', `covariates.${n}`));
  compartments.forEach((n) => claim(n, 'compartment', `compartments.${n}`));
  if (compartments.length === 0) throw new ModelError('at least one compartment is required', 'compartments');

  for (const [name, p] of Object.entries(spec.parameters)) {
    if (p.bounds !== undefined) {
      const [lo, hi] = p.bounds;
      if (!(lo <= hi)) throw new ModelError(`bounds [${lo}, ${hi}] are empty`, `parameters.${name}.bounds`);
      if (p.value < lo || p.value > hi) throw new ModelError(`value ${p.value} is outside bounds [${lo}, ${hi}]`, `parameters.${name}.value`);
    }
  }
  const randomEffects = randomEffectsCovariance(spec);

  // Individual block: statements reading parameters, covariates, etas, TIME and earlier individual variables.
  const individualStatements = parseStatements(spec.individual, 'individual');
  for (const st of individualStatements) {
    if (st.kind !== 'assign') throw statementError(st, 'd/dt(...) belongs in dynamics.ode, not in individual');
    const prior = owner.get(st.target);
    if (prior !== undefined) {
      throw statementError(st, `${st.target} is a ${prior.kind}; give the individual value its own name (e.g. ${st.target}i)`);
    }
    claim(st.target, 'individual variable', `individual line ${st.line}`);
  }
  const individualNames = individualStatements.map((s) => s.target);

  const np = parameterNames.length;
  const nc = covariateNames.length;
  const ne = etaNames.length;
  const ni = individualNames.length;
  const env: EnvLayout = {
    parameterOffset: 0,
    covariateOffset: np,
    etaOffset: np + nc,
    individualOffset: np + nc + ne,
    timeSlot: np + nc + ne + ni,
    doseSlot: np + nc + ne + ni + 1,
    size: np + nc + ne + ni + 2,
  };
  const envSlot = new Map<string, number>();
  parameterNames.forEach((n, i) => envSlot.set(n, env.parameterOffset + i));
  covariateNames.forEach((n, i) => envSlot.set(n, env.covariateOffset + i));
  etaNames.forEach((n, i) => envSlot.set(n, env.etaOffset + i));

  const defaults = float64(env.size);
  parameterNames.forEach((n, i) => {
    defaults[env.parameterOffset + i] = (spec.parameters[n] as { value: number }).value;
  });
  covariateNames.forEach((n, i) => {
    defaults[env.covariateOffset + i] = spec.covariates[n]?.default ?? NaN;
  });

  // Individual block code: each target gets its env slot; later statements read it.
  const individualScope = new Map(envSlot);
  const individualBody = emitStatements(individualStatements, {
    read: (name) => (name === 'TIME' ? `env[${env.timeSlot}]` : slotCode(individualScope.get(name))),
    write: (st) => {
      const slot = env.individualOffset + individualNames.indexOf(st.target);
      individualScope.set(st.target, slot);
      return `env[${slot}]`;
    },
    known: () => [...individualScope.keys(), 'TIME'],
  });
  individualNames.forEach((n, i) => envSlot.set(n, env.individualOffset + i));
  const computeIndividual = makeFunction<(env: Float64Array) => void>(['env'], individualBody, 'individual');

  // Formulas evaluated per segment (dose control, closed-form parameters) read the whole environment.
  const readEnv = (name: string): string | undefined => (name === 'TIME' ? `env[${env.timeSlot}]` : slotCode(envSlot.get(name)));
  const envNames = (): string[] => [...envSlot.keys(), 'TIME'];
  let usesTime = individualStatements.some((st) => freeSymbols(st.expr).has('TIME'));
  const compileEnvExpression = (value: Expression, where: string): string => {
    if (typeof value === 'number') return numberCode(value);
    const expr = parseExpression(value, { where });
    if (freeSymbols(expr).has('TIME')) usesTime = true;
    return emitJs(expr, readEnv, { where, source: value, knownSymbols: envNames });
  };

  // Closed form.
  const closedFormSpec = spec.dynamics.closed_form;
  const closedFormCompartments = new Set<string>();
  let closedForm: ClosedFormPart | undefined;
  let effectCompartment: string | undefined;
  if (closedFormSpec !== undefined) {
    const depotNames = closedFormSpec.depot !== undefined ? [closedFormSpec.depot] : closedFormSpec.depots.map((d) => d.compartment);
    const roles: Array<[string | undefined, string]> = [
      ...depotNames.map((d, i): [string, string] => [d, closedFormSpec.depot !== undefined ? 'depot' : `depots[${i}]`]),
      [closedFormSpec.central, 'central'],
      ...closedFormSpec.peripherals.map((p, i): [string, string] => [p, `peripherals[${i}]`]),
      [closedFormSpec.effect, 'effect'],
    ];
    for (const [name, role] of roles) {
      if (name === undefined) continue;
      if (!compartments.includes(name)) {
        throw new ModelError(`${name} is not a compartment (compartments: ${compartments.join(', ')})`, `dynamics.closed_form.${role}`);
      }
      if (closedFormCompartments.has(name)) throw new ModelError(`${name} has two roles in the closed form`, `dynamics.closed_form.${role}`);
      closedFormCompartments.add(name);
    }
    effectCompartment = closedFormSpec.effect;
    const rateCode = closedFormRates(closedFormSpec, compileEnvExpression);
    const stateIndex = [...depotNames, closedFormSpec.central, ...closedFormSpec.peripherals, closedFormSpec.effect]
      .filter((n): n is string => n !== undefined)
      .map((n) => compartments.indexOf(n));
    closedForm = {
      stateIndex,
      nDepots: depotNames.length,
      nPeripherals: closedFormSpec.peripherals.length,
      hasEffect: closedFormSpec.effect !== undefined,
      rateSlots: RATE_KA_FIRST + depotNames.length,
      rates: makeFunction(['env', 'out'], rateCode, 'dynamics.closed_form'),
    };
  }

  // ODEs.
  let ode: OdePart | undefined;
  const odeCompartments = compartments.filter((c) => !closedFormCompartments.has(c));
  if (spec.dynamics.ode !== undefined) {
    const statements = parseStatements(spec.dynamics.ode, 'dynamics.ode');
    const derivativeOf = new Map<string, Statement>();
    const locals = new Map<string, string>();
    for (const st of statements) {
      if (st.kind === 'derivative') {
        if (!compartments.includes(st.target)) throw statementError(st, `${st.target} is not a compartment (compartments: ${compartments.join(', ')})`);
        if (closedFormCompartments.has(st.target)) throw statementError(st, `${st.target} is solved in closed form (dynamics.closed_form); it cannot also have an ODE`);
        derivativeOf.set(st.target, st);
      } else {
        const prior = owner.get(st.target);
        if (prior !== undefined && !locals.has(st.target)) throw statementError(st, `${st.target} is a ${prior.kind}; give the ODE variable its own name`);
      }
    }
    for (const c of odeCompartments) {
      if (!derivativeOf.has(c)) throw new ModelError(`compartment ${c} is not in the closed form and has no d/dt(${c})`, 'dynamics.ode');
    }
    const odeIndex = odeCompartments.map((c) => compartments.indexOf(c));
    // The block as JavaScript statements, for any way of reading states and writing derivatives.
    const emitRhs = (stateRef: (compartment: number) => string, derivativeRef: (k: number) => string): string => {
      const locals = new Map<string, string>();
      return emitStatements(statements, {
        read: (name) => {
          if (name === 'TIME') return 't';
          const c = compartments.indexOf(name);
          return locals.get(name) ?? (c >= 0 ? stateRef(c) : readEnv(name));
        },
        write: (st) => {
          if (st.kind === 'derivative') return derivativeRef(odeCompartments.indexOf(st.target));
          const local = `v_${st.target}`;
          locals.set(st.target, local);
          return `const ${local}`;
        },
        known: () => [...locals.keys(), ...compartments, ...envNames()],
      });
    };
    const body = emitRhs((c) => `x[${c}]`, (k) => `dxdt[${k}]`);
    const localNames = statements.filter((st) => st.kind === 'assign').map((st) => st.target);
    for (const name of localNames) claim(name, 'ODE variable', 'dynamics.ode');
    const read = new Set<string>();
    for (const st of statements) for (const name of freeSymbols(st.expr)) read.add(name);
    const readsClosedForm = compartments.flatMap((c, i) => (closedFormCompartments.has(c) && read.has(c) ? [i] : []));
    ode = { stateIndex: odeIndex, rhs: makeFunction(['t', 'x', 'dxdt', 'env'], body, 'dynamics.ode'), readsClosedForm, emitRhs };
  } else if (odeCompartments.length > 0) {
    throw new ModelError(`compartments ${odeCompartments.join(', ')} are not in dynamics.closed_form and there is no dynamics.ode`, 'dynamics');
  }

  // Dose control.
  const dosable = compartments.map((c) => c !== effectCompartment);
  const doseLines: string[] = [];
  let hasDoseControl = false;
  let doseControlUsesDose = false;
  for (const [cmt, control] of Object.entries(spec.dose)) {
    const c = compartments.indexOf(cmt);
    if (c < 0) throw new ModelError(`${cmt} is not a compartment (compartments: ${compartments.join(', ')})`, `dose.${cmt}`);
    if (dosable[c] !== true) throw new ModelError(`${cmt} is an effect compartment and cannot receive doses`, `dose.${cmt}`);
    const fields: Array<[Expression | undefined, number, string]> = [
      [control.bioavailability, DOSE_F, 'bioavailability'],
      [control.lag, DOSE_LAG, 'lag'],
      [control.rate, DOSE_RATE, 'rate'],
      [control.duration, DOSE_DURATION, 'duration'],
    ];
    for (const [value, k, field] of fields) {
      if (value === undefined) continue;
      hasDoseControl = true;
      const where = `dose.${cmt}.${field}`;
      if (typeof value === 'string') {
        const expr = parseExpression(value, { where });
        if (freeSymbols(expr).has('DOSE')) {
          doseControlUsesDose = true;
          if (freeSymbols(expr).has('TIME')) usesTime = true;
          doseLines.push(`out[${4 * c + k}] = ${emitJs(expr, (n) => (n === 'DOSE' ? `env[${env.doseSlot}]` : readEnv(n)), { where, source: value, knownSymbols: () => [...envNames(), 'DOSE'] })};`);
          continue;
        }
      }
      doseLines.push(`out[${4 * c + k}] = ${compileEnvExpression(value, where)};`);
    }
  }
  const doseControl = makeFunction<(env: Float64Array, out: Float64Array) => void>(['env', 'out'], `out.fill(NaN);\n${doseLines.join('\n')}`, 'dose');

  let defaultDoseCompartment = dosable.indexOf(true);
  if (spec.default_dose !== undefined) {
    defaultDoseCompartment = compartments.indexOf(spec.default_dose);
    if (defaultDoseCompartment < 0) throw new ModelError(`${spec.default_dose} is not a compartment`, 'default_dose');
    if (dosable[defaultDoseCompartment] !== true) throw new ModelError(`${spec.default_dose} is an effect compartment`, 'default_dose');
  }

  // Initial conditions (read the environment at the first record).
  const initialLines: string[] = [];
  for (const [cmt, value] of Object.entries(spec.initial)) {
    const c = compartments.indexOf(cmt);
    if (c < 0) throw new ModelError(`${cmt} is not a compartment`, `initial.${cmt}`);
    initialLines.push(`x[${c}] = ${compileEnvExpression(value, `initial.${cmt}`)};`);
  }
  const initial = makeFunction<(env: Float64Array, x: Float64Array) => void>(['env', 'x'], `x.fill(0);\n${initialLines.join('\n')}`, 'initial');

  // Outputs: read states, the environment, TIME (= t) and earlier outputs. Parsed once; emitted as code for
  // any way of reading the state (`x[i]` in the generic functions, locals in generated kernels).
  const outputNames = Object.keys(spec.outputs);
  const outputExprs = outputNames.map((name) => {
    const out = spec.outputs[name] as { value: Expression };
    const where = `outputs.${name}`;
    const prior = owner.get(name);
    if (prior !== undefined) throw new ModelError(`${name} is already a ${prior.kind}; outputs need their own names`, where);
    claim(name, 'output', where);
    return { where, value: out.value, expr: typeof out.value === 'number' ? undefined : parseExpression(out.value, { where }) };
  });
  const emitOutputs = (stateRef: (compartment: number) => string, envRef: (slot: number) => string = (slot) => `env[${slot}]`): string[] => {
    const locals = new Map<string, string>();
    return outputExprs.map(({ where, value, expr }, k) => {
      const code =
        expr === undefined
          ? numberCode(value as number)
          : emitJs(
              expr,
              (n) => {
                if (n === 'TIME') return 't';
                const c = compartments.indexOf(n);
                if (locals.has(n)) return locals.get(n);
                if (c >= 0) return stateRef(c);
                const slot = envSlot.get(n);
                return slot === undefined ? undefined : envRef(slot);
              },
              { where, source: String(value), knownSymbols: () => [...locals.keys(), ...compartments, ...envNames()] },
            );
      locals.set(outputNames[k] as string, `o${k}`);
      return `const o${k} = ${code};`;
    });
  };
  const outputLines = emitOutputs((c) => `x[${c}]`);
  const outputs = makeFunction<CompiledModel['outputs']>(
    ['t', 'x', 'env', 'out'],
    [...outputLines, ...outputNames.map((_, k) => `out[${k}] = o${k};`)].join('\n'),
    'outputs',
  );
  // o·0 is 0 for a finite o and NaN for NaN or ±Infinity: one multiply-add per output checks the whole row.
  const outputsToColumns = makeFunction<CompiledModel['outputsToColumns']>(
    ['t', 'x', 'env', 'cols', 'row'],
    [
      ...outputLines,
      ...outputNames.map((_, k) => `cols[${k}][row] = o${k};`),
      `return ${outputNames.length === 0 ? '0' : outputNames.map((_, k) => `o${k} * 0`).join(' + ')};`,
    ].join('\n'),
    'outputs',
  );

  return {
    spec,
    name: spec.name,
    compartments,
    defaultDoseCompartment,
    dosable,
    parameterNames,
    covariateNames,
    etaNames,
    individualNames,
    outputNames,
    outputUnits: outputNames.map((n) => spec.outputs[n]?.unit ?? ''),
    env,
    defaults,
    individualUsesTime: usesTime,
    computeIndividual,
    hasDoseControl,
    doseControlUsesDose,
    doseControl,
    closedForm,
    ode,
    initial,
    outputs,
    outputsToColumns,
    emitOutputs,
    solver: spec.solver,
    routes: compileRoutes(spec, compartments, dosable),
    residual: compileResidual(spec),
    randomEffects,
  };
}

/** The `residual` block: every entry names an output. */
function compileResidual(spec: ModelSpec): ReadonlyMap<string, ResidualSpec> {
  const out = new Map<string, ResidualSpec>();
  for (const [name, r] of Object.entries(spec.residual)) {
    if (spec.outputs[name] === undefined) throw new ModelError(`${name} is not an output (outputs: ${Object.keys(spec.outputs).join(', ')})`, `residual.${name}`);
    out.set(name, r);
  }
  return out;
}

/** The `routes` block: route name → the dosable compartments receiving a dose by that route. */
function compileRoutes(spec: ModelSpec, compartments: readonly string[], dosable: readonly boolean[]): Map<string, readonly number[]> {
  const routes = new Map<string, readonly number[]>();
  for (const [route, targets] of Object.entries(spec.routes)) {
    const indices = targets.map((cmt) => {
      const c = compartments.indexOf(cmt);
      if (c < 0) throw new ModelError(`${cmt} is not a compartment (compartments: ${compartments.join(', ')})`, `routes.${route}`);
      if (dosable[c] !== true) throw new ModelError(`${cmt} is an effect compartment and cannot receive doses`, `routes.${route}`);
      return c;
    });
    if (new Set(indices).size !== indices.length) throw new ModelError('a compartment is listed twice', `routes.${route}`);
    routes.set(route, indices);
  }
  return routes;
}

const CLEARANCE_KEYS = ['CL', 'V', 'V1', 'Q', 'Q2', 'V2', 'Q3', 'V3', 'KA', 'KE0'] as const;
const RATE_KEYS = ['K10', 'K', 'V', 'V1', 'K12', 'K21', 'K13', 'K31', 'KA', 'KE0'] as const;

/** JS body filling the RATE_* slots from the closed-form parameterisation (clearances or rate constants). */
function closedFormRates(cf: ClosedFormSpec, compile: (value: Expression, where: string) => string): string {
  const base = 'dynamics.closed_form.parameters';
  const given = cf.parameters;
  const keys = Object.keys(given);
  const clearanceForm = keys.includes('CL');
  const rateForm = keys.includes('K10') || keys.includes('K');
  if (clearanceForm && rateForm) throw new ModelError('give either CL (clearance form) or K10 (rate-constant form), not both', base);
  if (!clearanceForm && !rateForm) throw new ModelError('give CL (clearance form: CL, V, Q, V2, Q3, V3) or K10 (rate-constant form: K10, V, K12, K21, K13, K31)', base);
  const allowed: readonly string[] = clearanceForm ? CLEARANCE_KEYS : RATE_KEYS;
  for (const k of keys) {
    if (!allowed.includes(k)) throw new ModelError(`unknown key ${k}; in the ${clearanceForm ? 'clearance' : 'rate-constant'} form the keys are ${allowed.join(', ')}`, `${base}.${k}`);
  }
  const pick = (...names: string[]): [string, Expression] | undefined => {
    const present = names.filter((n) => given[n] !== undefined);
    if (present.length > 1) throw new ModelError(`give one of ${present.join(' or ')}, not both`, base);
    const n = present[0];
    return n === undefined ? undefined : [n, given[n] as Expression];
  };
  const need = (...names: string[]): string => {
    const p = pick(...names);
    if (p === undefined) throw new ModelError(`${names.join(' (or ')}${names.length > 1 ? ')' : ''} is required`, base);
    return `(${compile(p[1], `${base}.${p[0]}`)})`;
  };
  const forbid = (condition: boolean, names: string[], why: string): void => {
    for (const n of names) if (condition && given[n] !== undefined) throw new ModelError(`${n} given but ${why}`, `${base}.${n}`);
  };
  const nPer = cf.peripherals.length;
  forbid(cf.depot === undefined, ['KA'], cf.depots.length > 0 ? 'with several depots each gives its own ka' : 'the closed form has no depot');
  forbid(cf.effect === undefined, ['KE0'], 'the closed form has no effect compartment');
  forbid(nPer < 1, ['Q', 'Q2', 'V2', 'K12', 'K21'], 'the closed form has no peripheral compartment');
  forbid(nPer < 2, ['Q3', 'V3', 'K13', 'K31'], 'the closed form has fewer than 2 peripheral compartments');

  const lines: string[] = ['out.fill(0);', `const v1 = ${need('V1', 'V')};`, `out[${RATE_V1}] = v1;`];
  if (clearanceForm) {
    lines.push(`out[${RATE_K10}] = ${need('CL')} / v1;`);
    if (nPer >= 1) {
      lines.push(`const q2 = ${need('Q', 'Q2')};`, `out[${RATE_KCP1}] = q2 / v1;`, `out[${RATE_KPC1}] = q2 / ${need('V2')};`);
    }
    if (nPer >= 2) {
      lines.push(`const q3 = ${need('Q3')};`, `out[${RATE_KCP2}] = q3 / v1;`, `out[${RATE_KPC2}] = q3 / ${need('V3')};`);
    }
  } else {
    lines.push(`out[${RATE_K10}] = ${need('K10', 'K')};`);
    if (nPer >= 1) lines.push(`out[${RATE_KCP1}] = ${need('K12')};`, `out[${RATE_KPC1}] = ${need('K21')};`);
    if (nPer >= 2) lines.push(`out[${RATE_KCP2}] = ${need('K13')};`, `out[${RATE_KPC2}] = ${need('K31')};`);
  }
  if (cf.depot !== undefined) lines.push(`out[${RATE_KA_FIRST}] = ${need('KA')};`);
  cf.depots.forEach((d, i) => lines.push(`out[${RATE_KA_FIRST + i}] = (${compile(d.ka, `dynamics.closed_form.depots[${i}].ka`)});`));
  if (cf.effect !== undefined) lines.push(`out[${RATE_KE0}] = ${need('KE0')};`);
  return lines.join('\n');
}

function slotCode(slot: number | undefined): string | undefined {
  return slot === undefined ? undefined : `env[${slot}]`;
}

function numberCode(x: number): string {
  return Number.isFinite(x) ? `(${String(x)})` : x > 0 ? '(1 / 0)' : x < 0 ? '(-1 / 0)' : '(0 / 0)';
}

/**
 * `new Function` from generated code. The code contains only numbers, operators, Math calls and slot
 * references produced by the compiler from parsed expressions (never user text verbatim), so it is safe.
 */
function makeFunction<F>(args: string[], body: string, where: string): F {
  try {
    // sourceURL names the generated function in profiles and stack traces.
    return new Function(...args, `"use strict";\n${body}\n//# sourceURL=ketasim:${where}`) as F;
  } catch (e) {
    throw new ModelError(`internal error compiling ${where}: ${(e as Error).message}\n${body}`, where);
  }
}
