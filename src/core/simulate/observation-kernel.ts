/**
 * Generated hot loop that writes the output rows of a run of observation records (no event in between): given the
 * structure of the model's closed-form linear system (depot, peripherals, effect compartment), which compartments
 * are ODE states, and the model's output formulas, emit one JavaScript function that advances the modal state of
 * the linear part through the records, reads the ODE states the integrator has already produced for each record,
 * and writes the outputs, with the state in local variables, the small matrix products unrolled and the output
 * formulas inlined. Used by closed-form models (no ODE states) and by ODE and hybrid models (the integrator first
 * fills a track of ODE states at the records' times, then the kernel does the rest).
 *
 * Why generated: V8 does not unroll the 3×3 loops of a generic implementation, and the per-record calls
 * (advance, state conversion, output function) cost more than the arithmetic; the generated loop runs at a few
 * nanoseconds per record (measured in bench/, problems P2 and P3), which is what population simulations need.
 * The numbers are the same as the generic path: same cached Φ(h), G(h) and the same operations.
 */

import type { ModalSystem } from '../linear/index.js';
import type { CompiledModel } from '../model/compiled.js';

/** Mutable pieces of the linear state the kernel reads and writes back (z and b are empty without a linear part). */
export interface KernelState {
  time: number;
  readonly z: Float64Array;
  readonly b: Float64Array;
}

/**
 * Processes records from..to while their step from the previous time is `h` (the step whose transition Φ, G is
 * given) or 0, writing output rows. Returns the next record to process (to + 1 when done: the caller supplies
 * the transition for a different step and calls again), or −(i + 1) when record i's outputs are not finite.
 * Without a linear part every step is accepted (h, phi, g and toAmounts are not read).
 * `odeTrack[(i − trackFrom)·nOde + k]` is ODE state k at record i (empty without ODE states).
 * The loop makes no calls: its speed does not depend on what the JIT decides to inline.
 */
export type ObservationKernel = (
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
  odeTrack: Float64Array,
  trackFrom: number,
) => number;

/** What the kernel needs to know of the model's dynamics. */
export interface KernelStructure {
  /** The closed-form part and the model compartment of each of its states, when the model has one. */
  readonly linear?: { readonly system: ModalSystem; readonly stateIndex: Int32Array };
  /** Model compartment of each ODE state, in the integrator's order (empty for closed-form models). */
  readonly odeStateIndex: readonly number[];
}

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

/** Variants of a model's kernel. */
export interface KernelVariant {
  /** Also write every compartment's amount (state columns after the outputs). */
  readonly includeStates: boolean;
  /**
   * An input (infusion) runs into the linear part: the modal update is Φ·z + G·b. Without one it is Φ·z, and the
   * loop-carried chain of each mode is a multiplication only (the variant costs a third less per record on P2).
   */
  readonly withInput: boolean;
}

/**
 * Kernels are generated once per model and variant, not per simulation: a fresh function would start cold in the
 * JIT at every simulate() call. Keyed by the model's output emitter, which survives `withSolver`-style copies of
 * the compiled model (the dynamics structure is part of the model, so one key fits).
 */
const cache = new WeakMap<CompiledModel['emitOutputs'], Map<number, ObservationKernel>>();

export function observationKernel(model: CompiledModel, dynamics: KernelStructure, variant: KernelVariant): ObservationKernel {
  let byVariant = cache.get(model.emitOutputs);
  if (byVariant === undefined) {
    byVariant = new Map();
    cache.set(model.emitOutputs, byVariant);
  }
  const key = (variant.includeStates ? 1 : 0) + (variant.withInput ? 2 : 0);
  let kernel = byVariant.get(key);
  if (kernel === undefined) {
    kernel = makeObservationKernel(model, dynamics, variant);
    byVariant.set(key, kernel);
  }
  return kernel;
}

function makeObservationKernel(model: CompiledModel, dynamics: KernelStructure, { includeStates, withInput }: KernelVariant): ObservationKernel {
  const lin = dynamics.linear;
  const sys = lin?.system;
  const n = sys?.size ?? 0;
  const m = sys?.nDisposition ?? 0;
  const c = sys?.centralIndex ?? 0;
  const pairs = sys !== undefined ? structure(sys) : [];
  const nOde = dynamics.odeStateIndex.length;
  const nOut = model.outputNames.length;
  const nCmt = model.compartments.length;
  const L: string[] = [];
  L.push('"use strict";');
  L.push('let time = state.time;');
  L.push('const z = state.z, b = state.b;');
  for (let i = 0; i < n; i++) L.push(`let z${i} = z[${i}];`);
  for (const [i, j] of pairs) L.push(`const p${i}_${j} = phi[${i * n + j}];`);
  // b is the (modal) input: c = G·b.
  if (withInput) {
    for (let i = 0; i < n; i++) {
      const terms = pairs.filter(([a]) => a === i).map(([, j]) => `g[${i * n + j}] * b[${j}]`);
      L.push(`const c${i} = ${terms.join(' + ')};`);
    }
  }
  for (let r = 0; r < m; r++) for (let k = 0; k < m; k++) L.push(`const P${r}_${k} = toAmounts[${r * m + k}];`);
  for (let k = 0; k < nOut; k++) L.push(`const col${k} = cols[${k}];`);
  if (includeStates) for (let s = 0; s < nCmt; s++) L.push(`const scol${s} = cols[${nOut + s}];`);
  L.push('let i = from;');
  L.push('let check = 0;');
  L.push('@ENV@');
  L.push('for (; i <= to; i++) {');
  L.push('  const t = times[i];');
  if (n > 0) {
    L.push('  const step = t - time;');
    L.push('  if (step !== 0) {');
    L.push('    if (step !== h) break;');
    for (let i = 0; i < n; i++) {
      const terms = pairs.filter(([a]) => a === i).map(([, j]) => `p${i}_${j} * z${j}`);
      L.push(`    const n${i} = ${terms.join(' + ')}${withInput ? ` + c${i}` : ''};`);
    }
    // A fast mode decays through the subnormal range (|z| < 2.2e-308) in a few steps; subnormal arithmetic costs
    // ~100 cycles per operation on x86. Flushing modal amounts below 1e-290 (of the model's amount unit) to 0
    // changes no output by more than that and keeps the loop at full speed.
    for (let i = 0; i < n; i++) L.push(`    z${i} = n${i} > -1e-290 && n${i} < 1e-290 ? 0 : n${i};`);
    L.push('    time = t;');
    L.push('  }');
  } else {
    L.push('  time = t;');
  }
  // Amounts of the model's compartments, as locals a<compartment index>: only those the outputs read (or all,
  // when states are reported).
  // The environment is constant through a run (a record that changes it starts a new run): the slots the outputs
  // read are loaded once, before the loop (V8 cannot hoist them itself: env might alias an output column).
  const used = new Set<number>();
  const envSlots = new Set<number>();
  const outputLines = model.emitOutputs(
    (cmt) => {
      used.add(cmt);
      return `a${cmt}`;
    },
    (slot) => {
      envSlots.add(slot);
      return `e${slot}`;
    },
  );
  const wanted = (cmt: number): boolean => includeStates || used.has(cmt);
  if (nOde > 0 && dynamics.odeStateIndex.some(wanted)) L.push(`  const y = (i - trackFrom) * ${nOde};`);
  dynamics.odeStateIndex.forEach((cmt, k) => {
    if (wanted(cmt)) L.push(`  const a${cmt} = odeTrack[y + ${k}];`);
  });
  for (let li = 0; li < n; li++) {
    const cmt = lin?.stateIndex[li] as number;
    if (!wanted(cmt)) continue;
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
  L.push(`//# sourceURL=ketasim:observation-kernel:${model.name}`);
  const envAt = L.indexOf('@ENV@');
  L.splice(envAt, 1, ...[...envSlots].sort((a, b) => a - b).map((slot) => `const e${slot} = env[${slot}];`));
  // The code holds only numbers, operators, Math calls and slot references produced by the compiler.
  return new Function('times', 'from', 'to', 'h', 'state', 'phi', 'g', 'toAmounts', 'env', 'cols', 'offset', 'odeTrack', 'trackFrom', L.join('\n')) as ObservationKernel;
}
