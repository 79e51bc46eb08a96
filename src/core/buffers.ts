/**
 * Typed arrays for the numerical core, always with off-heap storage.
 *
 * V8 stores the elements of small typed arrays (`new Float64Array(n)` for a few dozen bytes) inside the JS heap,
 * where the garbage collector moves them and where, with pointer compression, doubles are not guaranteed 8-byte
 * alignment. Work arrays of that size are exactly what the solvers use (a 1-state ODE, a 3-compartment system),
 * and measured on P3 (bench/) a process ran either at full speed or ~60% slower depending on where they landed.
 * Arrays created over their own ArrayBuffer live off-heap, aligned and fixed: the hot loops then run at one speed.
 */

export function float64(n: number): Float64Array {
  return new Float64Array(new ArrayBuffer(8 * n));
}

export function int32(n: number): Int32Array {
  return new Int32Array(new ArrayBuffer(4 * n));
}

export function uint8(n: number): Uint8Array {
  return new Uint8Array(new ArrayBuffer(n));
}

/** An off-heap copy of an array of numbers. */
export function float64From(values: ArrayLike<number>): Float64Array {
  const out = float64(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] as number;
  return out;
}

/** An off-heap Int32Array from numbers. */
export function int32From(values: ArrayLike<number> | Iterable<number>): Int32Array {
  const list = Array.from(values as Iterable<number>);
  const out = int32(list.length);
  list.forEach((v, i) => {
    out[i] = v;
  });
  return out;
}
