/**
 * Code generator: `Expr` -> a JavaScript expression string, to be embedded in a function built with
 * `new Function` by the model compiler.
 *
 * Every node emits a *number*. Comparisons and logical operators emit 1 or 0; where a node is used as a
 * condition (ternary test, operand of `&&`, `||`, `!`) the generator emits a JS boolean directly, testing
 * numbers with `!== 0` (so a condition is true when it is non-zero, NaN included). Every emitted string is
 * self-delimiting (a literal, a call or parenthesised), so fragments compose without precedence surprises.
 */
import { isComparison, isLogical, type Expr, type SymbolRef } from './ast.js';
import { UnknownSymbolError, type ExpressionContext } from './errors.js';
import { FUNCTION_NAMES, functionSpec } from './functions.js';
import { didYouMean } from './suggest.js';

/**
 * Maps a symbol to the JavaScript code that reads it (e.g. `theta[0]`, `env[3]`, `y[1]`, `WT`), or
 * `undefined` when the symbol is unknown. The code is inserted verbatim (parenthesised unless it is a
 * plain name or an indexed name), so it must come from the model compiler, never from user text.
 */
export type SymbolResolver = (name: string) => string | undefined;

export interface EmitOptions extends ExpressionContext {
  /** The text the expression was parsed from; positions in the tree refer to it. Improves messages. */
  readonly source?: string;
  /**
   * The names `resolve` knows, used only to build "did you mean" suggestions when a symbol is unknown.
   * A function is called lazily, only when an error is reported.
   */
  readonly knownSymbols?: Iterable<string> | (() => Iterable<string>);
}

/**
 * JavaScript source for `expr` (a numeric JS expression). Throws `ExpressionError` naming the first unknown
 * symbol, with its position, the `where`/`line` of `options` and suggestions from `knownSymbols`.
 *
 * ```ts
 * const expr = parseExpression('TVCL * (WT / 70)^0.75');
 * emitJs(expr, (n) => ({ TVCL: 'theta[0]', WT: 'cov[2]' })[n]);
 * // => '(theta[0] * Math.pow((cov[2] / 70), 0.75))'
 * ```
 */
export function emitJs(expr: Expr, resolve: SymbolResolver, options: EmitOptions = {}): string {
  return new Emitter(resolve, options).num(expr);
}

const SIMPLE_CODE = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\])*$/;

const JS_COMPARISON: Readonly<Record<string, string>> = {
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  '==': '===',
  '!=': '!==',
};

/** A number literal as self-delimiting JS (trees built by other code may hold negative or non-finite values). */
function emitNumber(x: number): string {
  if (Number.isNaN(x)) return '(0 / 0)';
  if (x === Infinity) return '(1 / 0)';
  if (x === -Infinity) return '(-1 / 0)';
  if (x < 0 || Object.is(x, -0)) return `(-${String(-x)})`;
  return String(x);
}

class Emitter {
  constructor(
    private readonly resolve: SymbolResolver,
    private readonly options: EmitOptions,
  ) {}

  /** A JS expression evaluating to a number. */
  num(e: Expr): string {
    switch (e.kind) {
      case 'number':
        return emitNumber(e.value);
      case 'symbol':
        return this.symbol(e);
      case 'unary':
        if (e.op === '-') return `(-${this.num(e.arg)})`;
        if (e.op === '+') return this.num(e.arg);
        return `(${this.cond(e.arg)} ? 0 : 1)`;
      case 'binary':
        if (isComparison(e.op) || isLogical(e.op)) return `(${this.cond(e)} ? 1 : 0)`;
        if (e.op === '^') return `Math.pow(${this.num(e.left)}, ${this.num(e.right)})`;
        return `(${this.num(e.left)} ${e.op} ${this.num(e.right)})`;
      case 'conditional':
        return `(${this.cond(e.test)} ? ${this.num(e.then)} : ${this.num(e.otherwise)})`;
      case 'call': {
        const spec = functionSpec(e.fn);
        if (spec === undefined) throw new Error(`internal error: no function '${e.fn}'`);
        return spec.emit(e.args.map((a) => this.num(a)));
      }
    }
  }

  /** A JS expression evaluating to a boolean: true when `e` is non-zero. */
  private cond(e: Expr): string {
    if (e.kind === 'binary') {
      const cmp = JS_COMPARISON[e.op];
      if (cmp !== undefined) return `(${this.num(e.left)} ${cmp} ${this.num(e.right)})`;
      if (e.op === '&&' || e.op === '||') return `(${this.cond(e.left)} ${e.op} ${this.cond(e.right)})`;
    }
    if (e.kind === 'unary' && e.op === '!') return `(!${this.cond(e.arg)})`;
    return `(${this.num(e)} !== 0)`;
  }

  private symbol(e: SymbolRef): string {
    const code = this.resolve(e.name);
    if (code === undefined) throw unknownSymbolError(e, this.options);
    return SIMPLE_CODE.test(code) ? code : `(${code})`;
  }
}

/** The error for a symbol that no resolver knows, with "did you mean" suggestions. Shared with `evaluate`. */
export function unknownSymbolError(e: SymbolRef, options: EmitOptions, detail = `unknown symbol '${e.name}'`): UnknownSymbolError {
  const knownOption = options.knownSymbols;
  const known = typeof knownOption === 'function' ? knownOption() : (knownOption ?? []);
  const hints: string[] = [];
  const guess = didYouMean(e.name, known);
  if (guess !== undefined) hints.push(guess);
  if ((FUNCTION_NAMES as readonly string[]).includes(e.name) || e.name === 'if') {
    hints.push(`('${e.name}' is a function: call it as ${e.name}(...))`);
  }
  const context = { where: options.where, line: options.line };
  return new UnknownSymbolError(e.name, detail, options.source ?? '', e.span.start, context, hints.length > 0 ? hints.join(' ') : undefined);
}
