import { ExpressionError, type Expr } from '../../src/core/expr/index.js';

/** The tree without source positions, for structural comparisons. */
export type Bare =
  | { kind: 'number'; value: number }
  | { kind: 'symbol'; name: string }
  | { kind: 'unary'; op: string; arg: Bare }
  | { kind: 'binary'; op: string; left: Bare; right: Bare }
  | { kind: 'conditional'; test: Bare; then: Bare; otherwise: Bare }
  | { kind: 'call'; fn: string; args: Bare[] };

export function bare(e: Expr): Bare {
  switch (e.kind) {
    case 'number':
      return { kind: 'number', value: e.value };
    case 'symbol':
      return { kind: 'symbol', name: e.name };
    case 'unary':
      return { kind: 'unary', op: e.op, arg: bare(e.arg) };
    case 'binary':
      return { kind: 'binary', op: e.op, left: bare(e.left), right: bare(e.right) };
    case 'conditional':
      return { kind: 'conditional', test: bare(e.test), then: bare(e.then), otherwise: bare(e.otherwise) };
    case 'call':
      return { kind: 'call', fn: e.fn, args: e.args.map(bare) };
  }
}

/** Runs `fn`, which must throw an ExpressionError, and returns it. */
export function expressionError(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ExpressionError) return e;
    throw new Error(`expected an ExpressionError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected an ExpressionError, nothing was thrown');
}

/** Builds a JS function of the named arguments from an emitted expression. */
export function toFunction(js: string, names: readonly string[]): (...args: number[]) => number {
  return new Function(...names, `return ${js};`) as (...args: number[]) => number;
}
