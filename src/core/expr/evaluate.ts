/**
 * A small interpreter for `Expr` trees: no code generation, no `new Function`. For tests (it is the
 * reference the code generator is checked against) and one-off evaluations. Same semantics as `emitJs`.
 */
import { type Expr } from './ast.js';
import { unknownSymbolError, type EmitOptions } from './emit.js';
import { functionSpec } from './functions.js';

export type EvaluateOptions = Omit<EmitOptions, 'knownSymbols'>;

/** Conditions are true when non-zero (NaN is non-zero). */
function truthy(x: number): boolean {
  return x !== 0;
}

/**
 * Value of `expr` with symbols taken from `scope` (own properties only). An unknown symbol throws
 * `ExpressionError` with suggestions from the scope's names.
 */
export function evaluate(expr: Expr, scope: Readonly<Record<string, number>>, options: EvaluateOptions = {}): number {
  const ev = (e: Expr): number => {
    switch (e.kind) {
      case 'number':
        return e.value;
      case 'symbol': {
        const v = Object.hasOwn(scope, e.name) ? scope[e.name] : undefined;
        if (v === undefined) throw unknownSymbolError(e, { ...options, knownSymbols: Object.keys(scope) });
        return v;
      }
      case 'unary': {
        const a = ev(e.arg);
        switch (e.op) {
          case '-':
            return -a;
          case '+':
            return a;
          case '!':
            return truthy(a) ? 0 : 1;
        }
        break;
      }
      case 'binary':
        switch (e.op) {
          case '&&':
            return truthy(ev(e.left)) && truthy(ev(e.right)) ? 1 : 0;
          case '||':
            return truthy(ev(e.left)) || truthy(ev(e.right)) ? 1 : 0;
          default: {
            const l = ev(e.left);
            const r = ev(e.right);
            switch (e.op) {
              case '+':
                return l + r;
              case '-':
                return l - r;
              case '*':
                return l * r;
              case '/':
                return l / r;
              case '^':
                return Math.pow(l, r);
              case '<':
                return l < r ? 1 : 0;
              case '<=':
                return l <= r ? 1 : 0;
              case '>':
                return l > r ? 1 : 0;
              case '>=':
                return l >= r ? 1 : 0;
              case '==':
                return l === r ? 1 : 0;
              case '!=':
                return l !== r ? 1 : 0;
            }
          }
        }
        break;
      case 'conditional':
        return truthy(ev(e.test)) ? ev(e.then) : ev(e.otherwise);
      case 'call': {
        const spec = functionSpec(e.fn);
        if (spec === undefined) throw new Error(`internal error: no function '${e.fn}'`);
        return spec.apply(e.args.map(ev));
      }
    }
    throw new Error(`internal error: cannot evaluate ${e.kind}`);
  };
  return ev(expr);
}
