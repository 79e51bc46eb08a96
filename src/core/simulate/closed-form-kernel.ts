/**
 * Generated hot loop for closed-form models: given the structure of the linear system (depot, peripherals,
 * effect compartment) and the model's output formulas, emit one JavaScript function that advances the modal
 * state through a run of observation records and writes their output rows, with the state in local variables,
 * the small matrix products unrolled and the output formulas inlined.
 *
 * Why generated: V8 does not unroll the 3×3 loops of a generic implementation, and the per-record calls
 * (advance, state conversion, output function) cost more than the arithmetic; the generated loop runs at a few
 * nanoseconds per record (measured in bench/, problem P2), which is what population simulations need.
 * The numbers are the same as the generic path: same cached Φ(h), G(h) and the same operations.
 */

import type { ModalSystem } from '../linear/index.js';
import type { CompiledModel } from '../model/compiled.js';

/** Mutable pieces of the linear state the kernel reads and writes back. */
export interface KernelState {
  time: number;
  readonly z: Float64Array;
  readonly b: Float64Array;
}

/**
 * Processes records from..to while their step from the previous time is `h` (the step whose transition Φ, G is
 * given) or 0, writing output rows. Returns the next record to process (to + 1 when done: the caller supplies
 * the transition for a different step and calls again), or −(i + 1) when record i's outputs are not finite.
 * The loop makes no calls: its speed does not depend on what the JIT decides to inline.
 */
export type ClosedFormKernel = (
  times: Float64Array,
  from: number,
  to: number,
  h: number,
  state: KernelState,
  phi: Float64Array,
  g: Float64Array,
  toAmounts: Float64Array,
  env: Float64Array,
  cols: readonly Float64Array[],
  offset: number,
) => number;

/** Structural non-zeros of T (and so of Φ and G): pairs [i, j] with j → i, including the diagonal. */
function structure(sys: ModalSystem): Array<[number, number]> {
  const n = sys.size;
  const c = sys.centralIndex;
  const m = sys.nDisposition;
  const e = n - 1;
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) pairs.push([i, i]);
  for (let d = 0; d < sys.nDepots; d++) for (let k = 0; k < m; k++) pairs.push([c + k, d]);
  if (sys.hasEffect) for (let k = 0; k < m; k++) pairs.push([e, c + k]);
  if (sys.hasEffect) for (let d = 0; d < sys.nDepots; d++) pairs.push([e, d]);
  return pairs;
}

/**
 * Kernels are generated once per model (and per includeStates), not per simulation: a fresh function would start
 * cold in the JIT at every simulate() call. Keyed by the model's output emitter, which survives
 * `withSolver`-style copies of the compiled model.
 */
const cache = new WeakMap<CompiledModel['emitOutputs'], Map<boolean, ClosedFormKernel>>();

export function closedFormKernel(model: CompiledModel, sys: ModalSystem, stateIndex: Int32Array, includeStates: boolean): ClosedFormKernel {
  let byStates = cache.get(model.emitOutputs);
  if (byStates === undefined) {
    byStates = new Map();
    cache.set(model.emitOutputs, byStates);
  }
  let kernel = byStates.get(includeStates);
  if (kernel === undefined) {
    kernel = makeClosedFormKernel(model, sys, stateIndex, includeStates);
    byStates.set(includeStates, kernel);
  }
  return kernel;
}

function makeClosedFormKernel(model: CompiledModel, sys: ModalSystem, stateIndex: Int32Array, includeStates: boolean): ClosedFormKernel {
  const n = sys.size;
  const m = sys.nDisposition;
  const c = sys.centralIndex;
  const pairs = structure(sys);
  const nOut = model.outputNames.length;
  const nCmt = model.compartments.length;
  const L: string[] = [];
  L.push('"use strict";');
  L.push('let time = state.time;');
  L.push('const z = state.z, b = state.b;');
  for (let i = 0; i < n; i++) L.push(`let z${i} = z[${i}];`);
  for (const [i, j] of pairs) L.push(`const p${i}_${j} = phi[${i * n + j}];`);
  // b is the (modal) input, all zeros when nothing runs: c = G·b.
  for (let i = 0; i < n; i++) {
    const terms = pairs.filter(([a]) => a === i).map(([, j]) => `g[${i * n + j}] * b[${j}]`);
    L.push(`const c${i} = ${terms.join(' + ')};`);
  }
  for (let r = 0; r < m; r++) for (let k = 0; k < m; k++) L.push(`const P${r}_${k} = toAmounts[${r * m + k}];`);
  for (let k = 0; k < nOut; k++) L.push(`const col${k} = cols[${k}];`);
  if (includeStates) for (let s = 0; s < nCmt; s++) L.push(`const scol${s} = cols[${nOut + s}];`);
  L.push('let i = from;');
  L.push('let check = 0;');
  L.push('for (; i <= to; i++) {');
  L.push('  const t = times[i];');
  L.push('  const step = t - time;');
  L.push('  if (step !== 0) {');
  L.push('    if (step !== h) break;');
  for (let i = 0; i < n; i++) {
    const terms = pairs.filter(([a]) => a === i).map(([, j]) => `p${i}_${j} * z${j}`);
    L.push(`    const n${i} = ${terms.join(' + ')}${' + c' + i};`);
  }
  // A fast mode decays through the subnormal range (|z| < 2.2e-308) in a few steps; subnormal arithmetic costs
  // ~100 cycles per operation on x86. Flushing modal amounts below 1e-290 (of the model's amount unit) to 0
  // changes no output by more than that and keeps the loop at full speed.
  for (let i = 0; i < n; i++) L.push(`    z${i} = n${i} > -1e-290 && n${i} < 1e-290 ? 0 : n${i};`);
  L.push('    time = t;');
  L.push('  }');
  // Amounts of the model's compartments, as locals a<compartment index>: only those the outputs read (or all,
  // when states are reported).
  const used = new Set<number>();
  const outputLines = model.emitOutputs((cmt) => {
    used.add(cmt);
    return `a${cmt}`;
  });
  for (let li = 0; li < n; li++) {
    const cmt = stateIndex[li] as number;
    if (!includeStates && !used.has(cmt)) continue;
    if (li >= c && li < c + m) {
      const r = li - c;
      L.push(`  const a${cmt} = ${Array.from({ length: m }, (_, k) => `P${r}_${k} * z${c + k}`).join(' + ')};`);
    } else {
      L.push(`  const a${cmt} = z${li};`);
    }
  }
  for (const line of outputLines) L.push(`  ${line}`);
  L.push('  const row = offset + i;');
  for (let k = 0; k < nOut; k++) L.push(`  col${k}[row] = o${k};`);
  if (includeStates) for (let s = 0; s < nCmt; s++) L.push(`  scol${s}[row] = a${s};`);
  // o·0 is 0 for finite o and NaN otherwise: the sum over all rows is checked once after the loop, and only then
  // are the rows searched for the first non-finite one (no branch per row in the common case).
  if (nOut > 0) L.push(`  check += ${Array.from({ length: nOut }, (_, k) => `o${k} * 0`).join(' + ')};`);
  L.push('}');
  if (nOut > 0) {
    L.push('if (check !== 0) {');
    L.push('  for (let r = from; r < i; r++) {');
    L.push(`    if (${Array.from({ length: nOut }, (_, k) => `col${k}[offset + r] * 0`).join(' + ')} !== 0) {`);
    for (let i = 0; i < n; i++) L.push(`      z[${i}] = z${i};`);
    L.push('      state.time = time;');
    L.push('      return -(r + 1);');
    L.push('    }');
    L.push('  }');
    L.push('}');
  }
  for (let i = 0; i < n; i++) L.push(`z[${i}] = z${i};`);
  L.push('state.time = time;');
  L.push('return i;');
  L.push(`//# sourceURL=ketasim:closed-form-kernel:${model.name}`);
  // The code holds only numbers, operators, Math calls and slot references produced by the compiler.
  return new Function('times', 'from', 'to', 'h', 'state', 'phi', 'g', 'toAmounts', 'env', 'cols', 'offset', L.join('\n')) as ClosedFormKernel;
}
