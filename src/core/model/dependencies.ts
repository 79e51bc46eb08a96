/**
 * Which model inputs reach the dynamics. The state trajectory of a subject depends only on the inputs (parameters,
 * covariates, random effects) read, directly or through individual variables, by the formulas that move or set
 * amounts: the ODE right-hand side, the closed-form parameters (clearances, volumes, ka, ke0), dose control (F, lag,
 * rate, duration) and the initial conditions. Every other input changes outputs only (an Emax, a baseline, a
 * residual-free read-out factor): for new values of those, the outputs can be re-evaluated from stored states
 * (simulate/outputs-from-states.ts) instead of solving the dynamics again. Fits use this to share one ODE solution
 * between all values of the output-only random effects.
 *
 * Conservative by construction: a symbol counts as read when it appears anywhere in a formula (both branches of a
 * conditional, multiplied by 0 or not), and every ODE local reads what its formula reads.
 */

import { freeSymbols, parseExpression, parseStatements } from '../expr/index.js';
import type { CompiledModel } from './compiled.js';
import type { Expression } from './spec.js';

export interface ModelDependencies {
  /** Parameters, covariates and random effects that reach the dynamics (directly or through individual variables). */
  readonly dynamicInputs: ReadonlySet<string>;
  /** Individual variables that reach the dynamics. */
  readonly dynamicIndividuals: ReadonlySet<string>;
  /** Per random effect (model.etaNames order): true when it reaches the dynamics. */
  readonly etaReachesDynamics: readonly boolean[];
  /** Random effects read only by outputs (directly or through individual variables): names, model order. */
  readonly outputOnlyEtas: readonly string[];
  /** Parameters, covariates and random effects that outputs read (directly or through individual variables). */
  readonly outputInputs: ReadonlySet<string>;
}

const cache = new WeakMap<CompiledModel, ModelDependencies>();

/** Dependency analysis of a compiled model (cached per model object). */
export function modelDependencies(model: CompiledModel): ModelDependencies {
  let deps = cache.get(model);
  if (deps === undefined) {
    deps = analyse(model);
    cache.set(model, deps);
  }
  return deps;
}

function symbolsOf(value: Expression | undefined, where: string, into: Set<string>): void {
  if (value === undefined || typeof value === 'number') return;
  for (const s of freeSymbols(parseExpression(value, { where }))) into.add(s);
}

function analyse(model: CompiledModel): ModelDependencies {
  const spec = model.spec;
  // Individual variable → the symbols its formula reads.
  const individualReads = new Map<string, Set<string>>();
  for (const st of parseStatements(spec.individual, 'individual')) individualReads.set(st.target, freeSymbols(st.expr));

  // Symbols read by the formulas that move or set amounts.
  const dynamicRoots = new Set<string>();
  if (spec.dynamics.ode !== undefined) {
    for (const st of parseStatements(spec.dynamics.ode, 'dynamics.ode')) for (const s of freeSymbols(st.expr)) dynamicRoots.add(s);
  }
  const cf = spec.dynamics.closed_form;
  if (cf !== undefined) {
    for (const [k, v] of Object.entries(cf.parameters)) symbolsOf(v, `dynamics.closed_form.parameters.${k}`, dynamicRoots);
    cf.depots.forEach((d, i) => symbolsOf(d.ka, `dynamics.closed_form.depots[${i}].ka`, dynamicRoots));
  }
  for (const [cmt, control] of Object.entries(spec.dose)) {
    symbolsOf(control.bioavailability, `dose.${cmt}.bioavailability`, dynamicRoots);
    symbolsOf(control.lag, `dose.${cmt}.lag`, dynamicRoots);
    symbolsOf(control.rate, `dose.${cmt}.rate`, dynamicRoots);
    symbolsOf(control.duration, `dose.${cmt}.duration`, dynamicRoots);
  }
  for (const [cmt, value] of Object.entries(spec.initial)) symbolsOf(value, `initial.${cmt}`, dynamicRoots);

  const outputRoots = new Set<string>();
  for (const [name, out] of Object.entries(spec.outputs)) symbolsOf(out.value, `outputs.${name}`, outputRoots);

  const inputs = new Set([...model.parameterNames, ...model.covariateNames, ...model.etaNames]);
  // Close over individual variables (each read symbol may itself be an individual variable).
  const close = (roots: Set<string>): { inputs: Set<string>; individuals: Set<string> } => {
    const seen = new Set<string>();
    const stack = [...roots];
    const outInputs = new Set<string>();
    const outIndividuals = new Set<string>();
    while (stack.length > 0) {
      const s = stack.pop() as string;
      if (seen.has(s)) continue;
      seen.add(s);
      if (inputs.has(s)) outInputs.add(s);
      const reads = individualReads.get(s);
      if (reads !== undefined) {
        outIndividuals.add(s);
        for (const r of reads) stack.push(r);
      }
    }
    return { inputs: outInputs, individuals: outIndividuals };
  };
  const dynamic = close(dynamicRoots);
  const output = close(outputRoots);
  const etaReachesDynamics = model.etaNames.map((n) => dynamic.inputs.has(n));
  return {
    dynamicInputs: dynamic.inputs,
    dynamicIndividuals: dynamic.individuals,
    etaReachesDynamics,
    outputOnlyEtas: model.etaNames.filter((_, i) => etaReachesDynamics[i] !== true),
    outputInputs: output.inputs,
  };
}
