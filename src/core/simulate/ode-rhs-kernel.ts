/**
 * Generated right-hand side for ODE and hybrid models: the model's ODE block, with the closed-form compartments
 * it reads evaluated inline (the exponential-sum form of LinearPropagator.stateAt, only the rows needed, loops
 * unrolled), ODE states read from locals, and infusion rates added. One function per model and dynamics object.
 *
 * Why generated: an ODE solver calls the right-hand side thousands of times per subject; the generic path (copy
 * into the full state, call stateAt, convert to amounts, call the compiled block) spends most of its time in calls
 * and short loops. The arithmetic is the same as stateAt's (same coefficients, same formulas).
 */

import type { LinearPropagator, ModalSystem } from '../linear/index.js';
import type { CompiledModel } from '../model/compiled.js';
import type { OdeRhs } from '../ode/index.js';
import { int32From } from '../buffers.js';

/** What the kernel reads that changes during a simulation (owned by OdeDynamics). */
export interface RhsContext {
  /** Parameters of the current segment. */
  env: Float64Array;
  /** Model time at which the current closed-form interval starts. */
  intervalStart: number;
}

/**
 * The generated factory is made once per model (keyed by its ODE part, which survives `withSolver` copies), so
 * every simulation's right-hand side shares code the JIT has already optimised.
 */
const factories = new WeakMap<object, unknown>();
function cachedFactory(key: object, make: () => unknown): unknown {
  let f = factories.get(key);
  if (f === undefined) {
    f = make();
    factories.set(key, f);
  }
  return f;
}

export function makeOdeRhsKernel(
  model: CompiledModel,
  context: RhsContext,
  odeRates: Float64Array,
  linear: { readonly system: ModalSystem; readonly propagator: LinearPropagator; readonly linearIndexOf: Int32Array } | undefined,
  scratch: Float64Array,
): OdeRhs {
  const ode = model.ode;
  if (ode === undefined) throw new Error('model has no ODE part');
  const odeIndexOf = new Map(ode.stateIndex.map((c, k) => [c, k]));
  const L: string[] = ['"use strict";', 'return function rhs(t, y, dydt) {', '  const env = context.env;'];
  ode.stateIndex.forEach((_, k) => L.push(`  const y${k} = y[${k}];`));

  if (linear !== undefined && ode.readsClosedForm.length > 0) {
    const sys = linear.system;
    const n = sys.size;
    const w = n + 1;
    const c = sys.centralIndex;
    const m = sys.nDisposition;
    const reads = ode.readsClosedForm.map((cmt) => ({ cmt, li: linear.linearIndexOf[cmt] as number }));
    const rows = new Set<number>();
    for (const { li } of reads) {
      if (li >= c && li < c + m) for (let k = 0; k < m; k++) rows.add(c + k);
      else rows.add(li);
    }
    const rowList = [...rows].sort((a, b) => a - b);
    L.push('  const s = t - context.intervalStart;');
    L.push(`  let ${rowList.map((i) => `m${i}`).join(', ')};`);
    L.push('  if (prop.separated) {');
    L.push('    const coef = prop.coef, rates = sys.rates, hz = prop.negligibleAfter, K = prop.splitConstant;');
    L.push('    let slow = 0;');
    // The split exponential-sum form of LinearPropagator.stateAt: expm1 for slow rates, exp for decayed ones.
    for (let r = 0; r < n; r++) {
      L.push(`    const x${r} = rates[${r}] * s;`);
      L.push(`    let e${r};`);
      L.push(`    if (x${r} > -1) { e${r} = Math.expm1(x${r}); slow++; } else { e${r} = s > hz[${r}] ? 0 : Math.exp(x${r}); }`);
    }
    for (const i of rowList) L.push(`    m${i} = K[${i * w} + slow] + ${Array.from({ length: n }, (_, r) => `coef[${i * w + r}] * e${r}`).join(' + ')};`);
    L.push('  } else {');
    L.push('    prop.stateAt(s, scratch, rows);');
    for (const i of rowList) L.push(`    m${i} = scratch[${i}];`);
    L.push('  }');
    if (reads.some(({ li }) => li >= c && li < c + m)) L.push('  const P = sys.toAmounts;');
    for (const { cmt, li } of reads) {
      if (li >= c && li < c + m) {
        const r = li - c;
        L.push(`  const a${cmt} = ${Array.from({ length: m }, (_, k) => `P[${r * m + k}] * m${c + k}`).join(' + ')};`);
      } else {
        L.push(`  const a${cmt} = m${li};`);
      }
    }
    const body = ode.emitRhs(
      (cmt) => {
        const k = odeIndexOf.get(cmt);
        return k !== undefined ? `y${k}` : `a${cmt}`;
      },
      (k) => `dydt[${k}]`,
    );
    L.push(...body.split('\n').map((l) => `  ${l}`));
    L.push('  rows;'); // keep `rows` referenced for the fallback branch
    ode.stateIndex.forEach((_, k) => L.push(`  dydt[${k}] += odeRates[${k}];`));
    L.push('};');
    L.push(`//# sourceURL=ketasim:ode-rhs-kernel:${model.name}`);
    const factory = cachedFactory(ode, () => new Function('context', 'odeRates', 'prop', 'sys', 'scratch', 'rows', L.join('\n'))) as (
      context: RhsContext,
      odeRates: Float64Array,
      prop: LinearPropagator,
      sys: ModalSystem,
      scratch: Float64Array,
      rows: Int32Array,
    ) => OdeRhs;
    return factory(context, odeRates, linear.propagator, sys, scratch, int32From(rowList));
  }

  const body = ode.emitRhs(
    (cmt) => {
      const k = odeIndexOf.get(cmt);
      if (k === undefined) throw new Error(`compartment ${model.compartments[cmt]} is neither an ODE state nor read from the closed form`);
      return `y${k}`;
    },
    (k) => `dydt[${k}]`,
  );
  L.push(...body.split('\n').map((l) => `  ${l}`));
  ode.stateIndex.forEach((_, k) => L.push(`  dydt[${k}] += odeRates[${k}];`));
  L.push('};');
  L.push(`//# sourceURL=ketasim:ode-rhs-kernel:${model.name}`);
  const factory = cachedFactory(ode, () => new Function('context', 'odeRates', L.join('\n'))) as (context: RhsContext, odeRates: Float64Array) => OdeRhs;
  return factory(context, odeRates);
}
