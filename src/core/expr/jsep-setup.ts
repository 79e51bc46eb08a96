/**
 * jsep set-up for the expression parser. jsep 1.x keeps its configuration (operator tables, hooks) in
 * module-global state. This module is the only place in ketasim that configures jsep; it does so once, on
 * import, in an idempotent way (the tables are set absolutely; the hooks are registered once, guarded by a
 * marker symbol, and are inert unless a parse started by `runJsep` is running). Do not configure jsep
 * anywhere else (its operator tables are shared by every user of the library in the process).
 *
 * Our 'gobble-token' hook takes over the parsing of tokens (numbers, names, calls, parenthesised groups) so
 * that every node carries its source position (`start`/`end`), and so that unsupported syntax (`a.b`,
 * `a[0]`, strings, `%`, `&`, `~`, `=`...) is rejected at the offending character with a specific message.
 * jsep still does binary-operator precedence, unary operators and the ternary operator.
 */
import jsep from 'jsep';
import type { UnaryOperator } from './ast.js';

// ---------------------------------------------------------------------------------------------------------
// Configuration (global, once)
// ---------------------------------------------------------------------------------------------------------

/** Binary operators and their precedence (higher binds tighter). Unary `- + !` bind tighter than `* /`. */
const BINARY_PRECEDENCE: readonly (readonly [string, number, boolean])[] = [
  ['||', 1, false],
  ['&&', 2, false],
  ['==', 6, false],
  ['!=', 6, false],
  ['<', 7, false],
  ['>', 7, false],
  ['<=', 7, false],
  ['>=', 7, false],
  ['+', 9, false],
  ['-', 9, false],
  ['*', 10, false],
  ['/', 10, false],
  ['^', 11, true],
  ['**', 11, true],
];
export const UNARY_OPERATORS: readonly UnaryOperator[] = ['-', '+', '!'];

const CONFIGURED = Symbol.for('ketasim.expr.jsep.configured');
const ACTIVE = Symbol.for('ketasim.expr.jsep.active');
/** Node type of a parenthesised group (jsep drops parentheses; we keep them to tell `-2^2` from `(-2)^2`). */
export const PAREN = 'KetasimParen';

/** Per-parse state, present on the jsep object only while `runJsep` runs. */
interface ParseState {
  /** Start offsets of the tokens currently being parsed (a stack: jsep parses tokens recursively). */
  readonly starts: number[];
}

interface JsepHost {
  [CONFIGURED]?: true;
  [ACTIVE]?: ParseState;
}

const host = jsep as typeof jsep & JsepHost;

/** Sets jsep's operator tables and registers our hooks (once). Idempotent; runs on import. @internal */
export function configureJsep(): void {
  jsep.removeAllBinaryOps();
  for (const [op, precedence, rightAssociative] of BINARY_PRECEDENCE) jsep.addBinaryOp(op, precedence, rightAssociative);
  jsep.removeAllUnaryOps();
  for (const op of UNARY_OPERATORS) jsep.addUnaryOp(op);
  jsep.removeAllLiterals();
  jsep.removeIdentifierChar('$');
  jsep.addIdentifierChar('_');
  if (host[CONFIGURED] === true) return;
  host[CONFIGURED] = true;
  jsep.hooks.add('gobble-token', gobbleToken);
  jsep.hooks.add('after-token', afterToken);
}

configureJsep();

const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;
const PERIOD = 46;
const COMMA = 44;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isNameStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code >= 128;
}

/** Characters that cannot start a token, with the message to give. */
const UNSUPPORTED_AT_TOKEN: Readonly<Record<string, string>> = {
  '%': "'%' (modulo) is not supported",
  '&': "'&' is not supported (logical and is '&&')",
  '|': "'|' is not supported (logical or is '||')",
  '~': "'~' is not supported (logical not is '!')",
  '=': "'=' cannot be used inside an expression (comparison is '==')",
  '"': 'strings are not supported',
  "'": 'strings are not supported',
  '[': "'[' is not supported (no arrays or indexing)",
  '<': "unexpected '<' ('<<' is not supported)",
  '>': "unexpected '>' ('>>' is not supported)",
  '{': "unexpected '{'",
  '}': "unexpected '}'",
  ']': "unexpected ']'",
  '?': "unexpected '?' (a conditional is 'test ? a : b')",
  ':': "unexpected ':' (a conditional is 'test ? a : b')",
};

/**
 * jsep 'gobble-token' hook: parses numbers, names, calls `f(...)` and groups `(...)` itself (recording
 * positions); leaves unary operators to jsep. Runs before every token; `afterToken` runs after it.
 */
function gobbleToken(this: jsep.HookScope, env: { node?: jsep.Expression }): void {
  const state = host[ACTIVE];
  if (state === undefined) return;
  const start = this.index;
  state.starts.push(start);
  const code = this.code;
  if (isDigit(code) || code === PERIOD) {
    const node = this.gobbleNumericLiteral();
    if (node !== undefined) env.node = { ...node, start, end: this.index };
    return;
  }
  if (isNameStart(code)) {
    const id = this.gobbleIdentifier();
    if (id === undefined) return;
    const nameEnd = this.index;
    const callee: jsep.Expression = { ...id, start, end: nameEnd };
    this.gobbleSpaces();
    let node = callee;
    if (this.code === OPEN_PAREN) {
      this.index++;
      const args = gobbleCallArguments(this);
      node = { type: 'CallExpression', callee, arguments: args, start, end: this.index };
    }
    rejectPostfix(this);
    env.node = node;
    return;
  }
  if (code === OPEN_PAREN) {
    const inner = this.gobbleGroup();
    if (inner === undefined || typeof inner !== 'object') {
      this.index = start;
      this.throwError("empty parentheses '()'");
    }
    env.node = { type: PAREN, expression: inner, start, end: this.index };
    this.gobbleSpaces();
    rejectPostfix(this);
    return;
  }
  const message = UNSUPPORTED_AT_TOKEN[this.char];
  if (message !== undefined) this.throwError(message);
}

/**
 * Arguments of a call, after its `(`, up to and including the `)`. Replaces jsep's `gobbleArguments`,
 * which also accepts arguments separated by spaces only (`max(a b)`).
 */
function gobbleCallArguments(scope: jsep.HookScope): jsep.Expression[] {
  const args: jsep.Expression[] = [];
  scope.gobbleSpaces();
  if (scope.code === CLOSE_PAREN) {
    scope.index++;
    return args;
  }
  for (;;) {
    // Typed as always returning a node, but jsep returns `false` when there is no expression.
    const arg = scope.gobbleExpression() as jsep.Expression | false | undefined;
    if (arg === undefined || arg === false) {
      scope.throwError(scope.index >= scope.expr.length ? "expected ')'" : `unexpected '${scope.char}'`);
    }
    args.push(arg);
    scope.gobbleSpaces();
    if (scope.code === COMMA) {
      scope.index++;
    } else if (scope.code === CLOSE_PAREN) {
      scope.index++;
      return args;
    } else {
      scope.throwError("expected ',' or ')' between function arguments");
    }
  }
}

function rejectPostfix(scope: jsep.HookScope): void {
  if (scope.char === '.') scope.throwError("'.' is not supported here (no member access; decimals need a digit, e.g. 0.5)");
  if (scope.char === '[') scope.throwError("'[' is not supported (no arrays or indexing)");
}

/** jsep 'after-token' hook: gives nodes built by jsep itself (unary expressions) their span. */
function afterToken(this: jsep.HookScope, env: { node?: jsep.Expression }): void {
  const state = host[ACTIVE];
  if (state === undefined) return;
  const start = state.starts.pop();
  const node = env.node;
  if (start === undefined || node === undefined || typeof node !== 'object') return;
  if (typeof node.start !== 'number') {
    node.start = start;
    node.end = trimEnd(this.expr, start, this.index);
  }
}

function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(text.charAt(e - 1))) e--;
  return e;
}

export type JsepResult = { readonly node: jsep.Expression } | { readonly error: string; readonly index: number };

/** Parses `text` with our configuration; syntax errors come back as a message and a 0-based index. */
export function runJsep(text: string): JsepResult {
  const previous = host[ACTIVE];
  host[ACTIVE] = { starts: [] };
  try {
    return { node: jsep(text) };
  } catch (e) {
    if (e instanceof Error && typeof (e as { index?: unknown }).index === 'number') {
      const { index, description } = e as Error & { index: number; description?: unknown };
      const message = typeof description === 'string' ? description : e.message;
      // jsep reports 'Unexpected token X' after consuming X.
      return { error: translateJsepMessage(message), index: message.startsWith('Unexpected token ') ? index - 1 : index };
    }
    throw e;
  } finally {
    host[ACTIVE] = previous;
  }
}

const JSEP_MESSAGES: readonly (readonly [RegExp, (m: RegExpMatchArray) => string])[] = [
  [/^Unexpected "(.*)"$/s, (m) => `unexpected '${m[1] ?? ''}'`],
  [/^Unexpected token (.*)$/s, (m) => `unexpected '${m[1] ?? ''}'`],
  [/^Expected expression after (.*)$/s, (m) => `expected an expression after '${m[1] ?? ''}'`],
  [/^missing unaryOp argument$/, () => 'expected an expression after the unary operator'],
  [/^Variable names cannot start with a number \((.*)\)$/s, (m) => `names cannot start with a digit ('${m[1] ?? ''}')`],
  [/^Expected exponent \((.*)\)$/s, (m) => `malformed number '${m[1] ?? ''}': expected exponent digits`],
  [/^Unexpected period$/, () => "unexpected '.'"],
  [/^Expected :$/, () => "expected ':' to complete 'test ? a : b'"],
  [/^Expected expression$/, () => 'expected an expression'],
];

function translateJsepMessage(message: string): string {
  for (const [re, make] of JSEP_MESSAGES) {
    const m = re.exec(message);
    if (m !== null) return make(m);
  }
  return message.charAt(0).toLowerCase() + message.slice(1);
}
