/**
 * The whitelist of functions callable from model expressions: arity, JavaScript code generation and
 * direct evaluation. `if(c, a, b)` is not listed: the parser turns it into a conditional expression.
 */

export type FunctionName =
  | 'exp'
  | 'log'
  | 'log10'
  | 'sqrt'
  | 'abs'
  | 'min'
  | 'max'
  | 'pow'
  | 'floor'
  | 'ceil'
  | 'sign'
  | 'sin'
  | 'cos'
  | 'tan'
  | 'atan'
  | 'expm1'
  | 'log1p'
  | 'logit'
  | 'expit';

export interface FunctionSpec {
  readonly name: FunctionName;
  readonly minArgs: number;
  /** `Infinity` for variadic functions. */
  readonly maxArgs: number;
  /** One-line description for the user manual. */
  readonly description: string;
  /**
   * JavaScript for a call. Each argument is already a self-delimiting JS expression (a literal, a call or
   * parenthesised); the result must be one too. Arguments may be used more than once (they are pure).
   */
  readonly emit: (args: readonly string[]) => string;
  /** Direct evaluation, used by `evaluate`. */
  readonly apply: (args: readonly number[]) => number;
}

function unary(name: FunctionName, description: string, math: (x: number) => number, js: string): FunctionSpec {
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    description,
    emit: (a) => `${js}(${a[0] ?? ''})`,
    apply: (a) => math(a[0] ?? NaN),
  };
}

const SPECS: readonly FunctionSpec[] = [
  unary('exp', 'e to the power x', Math.exp, 'Math.exp'),
  unary('log', 'natural logarithm', Math.log, 'Math.log'),
  unary('log10', 'base-10 logarithm', Math.log10, 'Math.log10'),
  unary('sqrt', 'square root', Math.sqrt, 'Math.sqrt'),
  unary('abs', 'absolute value', Math.abs, 'Math.abs'),
  {
    name: 'min',
    minArgs: 2,
    maxArgs: Infinity,
    description: 'smallest argument (2 or more arguments; NaN if any is NaN)',
    emit: (a) => `Math.min(${a.join(', ')})`,
    apply: (a) => Math.min(...a),
  },
  {
    name: 'max',
    minArgs: 2,
    maxArgs: Infinity,
    description: 'largest argument (2 or more arguments; NaN if any is NaN)',
    emit: (a) => `Math.max(${a.join(', ')})`,
    apply: (a) => Math.max(...a),
  },
  {
    name: 'pow',
    minArgs: 2,
    maxArgs: 2,
    description: 'pow(x, y) = x ^ y',
    emit: (a) => `Math.pow(${a[0] ?? ''}, ${a[1] ?? ''})`,
    apply: (a) => Math.pow(a[0] ?? NaN, a[1] ?? NaN),
  },
  unary('floor', 'largest integer <= x', Math.floor, 'Math.floor'),
  unary('ceil', 'smallest integer >= x', Math.ceil, 'Math.ceil'),
  unary('sign', '-1, 0 or 1 according to the sign of x', Math.sign, 'Math.sign'),
  unary('sin', 'sine (radians)', Math.sin, 'Math.sin'),
  unary('cos', 'cosine (radians)', Math.cos, 'Math.cos'),
  unary('tan', 'tangent (radians)', Math.tan, 'Math.tan'),
  unary('atan', 'arc tangent (radians)', Math.atan, 'Math.atan'),
  unary('expm1', 'exp(x) - 1, accurate for small x', Math.expm1, 'Math.expm1'),
  unary('log1p', 'log(1 + x), accurate for small x', Math.log1p, 'Math.log1p'),
  {
    name: 'logit',
    minArgs: 1,
    maxArgs: 1,
    description: 'log(p / (1 - p)), the inverse of expit',
    emit: (a) => {
      const p = a[0] ?? '';
      return `Math.log(${p} / (1 - ${p}))`;
    },
    apply: (a) => {
      const p = a[0] ?? NaN;
      return Math.log(p / (1 - p));
    },
  },
  {
    name: 'expit',
    minArgs: 1,
    maxArgs: 1,
    description: '1 / (1 + exp(-x)), the inverse logit',
    emit: (a) => `(1 / (1 + Math.exp(-${a[0] ?? ''})))`,
    apply: (a) => 1 / (1 + Math.exp(-(a[0] ?? NaN))),
  },
];

const BY_NAME: ReadonlyMap<string, FunctionSpec> = new Map(SPECS.map((s) => [s.name, s]));

/** All function names, in manual order. */
export const FUNCTION_NAMES: readonly FunctionName[] = SPECS.map((s) => s.name);

export function functionSpec(name: string): FunctionSpec | undefined {
  return BY_NAME.get(name);
}

export function listFunctions(): readonly FunctionSpec[] {
  return SPECS;
}

/** `takes 1 argument`, `takes 2 or more arguments`, ... */
export function describeArity(spec: FunctionSpec): string {
  const plural = (n: number): string => `${n} argument${n === 1 ? '' : 's'}`;
  if (spec.maxArgs === Infinity) return `takes ${spec.minArgs} or more arguments`;
  if (spec.minArgs === spec.maxArgs) return `takes ${plural(spec.minArgs)}`;
  return `takes ${spec.minArgs} to ${plural(spec.maxArgs)}`;
}
