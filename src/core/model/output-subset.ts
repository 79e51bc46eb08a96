/**
 * A compiled model restricted to some of its outputs: the output code keeps only the formulas the wanted outputs
 * need (an output may read earlier ones), so simulations that read a few outputs of a model with many (a trial
 * reads the MADRS at visits and three peaks; the clinical model has 30 outputs) do not evaluate the rest.
 * Everything else (dynamics, dose control, residual error) is the model's own; outputNames/outputUnits list the
 * wanted outputs in the order asked.
 *
 * Variants are cached per model (the generated simulation kernels are cached by a model's emitOutputs, so one
 * variant per subset keeps them warm across simulate() calls).
 */
import { ModelError } from '../errors.js';
import type { CompiledModel } from './compiled.js';

const variants = new WeakMap<CompiledModel['emitOutputs'], Map<string, CompiledModel>>();

/** `model` with only `names` as outputs (in that order); the model itself when they are all its outputs in order. */
export function withOutputs<M extends CompiledModel>(model: M, names: readonly string[]): M {
  if (names.length === model.outputNames.length && names.every((n, k) => model.outputNames[k] === n)) return model;
  const key = names.join('\u0000');
  let byKey = variants.get(model.emitOutputs);
  if (byKey === undefined) {
    byKey = new Map();
    variants.set(model.emitOutputs, byKey);
  }
  const cached = byKey.get(key);
  if (cached !== undefined) return { ...model, ...pick(cached) };
  const made = restrict(model, names);
  byKey.set(key, made);
  return { ...model, ...pick(made) };
}

function pick(m: CompiledModel): Pick<CompiledModel, 'outputNames' | 'outputUnits' | 'outputs' | 'outputsToColumns' | 'emitOutputs'> {
  return { outputNames: m.outputNames, outputUnits: m.outputUnits, outputs: m.outputs, outputsToColumns: m.outputsToColumns, emitOutputs: m.emitOutputs };
}

/** Indices of the named outputs (ModelError for an output the model does not have, or one named twice). */
export function outputIndices(model: CompiledModel, names: readonly string[]): number[] {
  const seen = new Set<string>();
  return names.map((name) => {
    const k = model.outputNames.indexOf(name);
    if (k < 0) throw new ModelError(`model ${model.name} has no output ${name} (outputs: ${model.outputNames.join(', ')})`, 'outputs');
    if (seen.has(name)) throw new ModelError(`output ${name} asked for twice`, 'outputs');
    seen.add(name);
    return k;
  });
}

/**
 * The model's output statements (`const o<k> = …;`, model numbering and order, state read through stateRef) that
 * the outputs `indices` need: their own and those of the earlier outputs they read. Environment slots are read
 * through envRef (default `env[slot]`).
 */
export function outputStatementsFor(
  model: CompiledModel,
  indices: readonly number[],
  stateRef: (compartment: number) => string,
  envRef?: (slot: number) => string,
): string[] {
  const lines = model.emitOutputs(stateRef, envRef);
  const needed = new Set<number>(indices);
  for (let k = lines.length - 1; k >= 0; k--) {
    if (!needed.has(k)) continue;
    const body = (lines[k] as string).slice((lines[k] as string).indexOf('='));
    for (const m of body.matchAll(/\bo(\d+)\b/g)) needed.add(Number(m[1]));
  }
  return lines.filter((_, k) => needed.has(k));
}

function restrict(model: CompiledModel, names: readonly string[]): CompiledModel {
  const indices = outputIndices(model, names);
  // Keep the statements the wanted outputs need, rename the model's locals to osub<k>, and make o0…o(m−1) the
  // wanted outputs in order (the convention of every consumer of emitOutputs).
  const emitOutputs = (stateRef: (compartment: number) => string, envRef?: (slot: number) => string): string[] => {
    const kept = outputStatementsFor(model, indices, stateRef, envRef).map((line) => line.replace(/\bo(\d+)\b/g, 'osub$1'));
    return [...kept, ...indices.map((k, j) => `const o${j} = osub${k};`)];
  };
  const lines = emitOutputs((c) => `x[${c}]`);
  const m = indices.length;
  const outputs = generated<CompiledModel['outputs']>(['t', 'x', 'env', 'out'], [...lines, ...indices.map((_, j) => `out[${j}] = o${j};`)].join('\n'));
  const outputsToColumns = generated<CompiledModel['outputsToColumns']>(
    ['t', 'x', 'env', 'cols', 'row'],
    [...lines, ...indices.map((_, j) => `cols[${j}][row] = o${j};`), `return ${m === 0 ? '0' : indices.map((_, j) => `o${j} * 0`).join(' + ')};`].join('\n'),
  );
  return {
    ...model,
    outputNames: names.slice(),
    outputUnits: indices.map((k) => model.outputUnits[k] as string),
    outputs,
    outputsToColumns,
    emitOutputs,
  };
}

function generated<F>(args: string[], body: string): F {
  // Built from the compiler's own emitted statements (numbers, operators, Math calls, slot references).
  return new Function(...args, `"use strict";\n${body}\n//# sourceURL=ketasim:outputs-subset`) as F;
}
