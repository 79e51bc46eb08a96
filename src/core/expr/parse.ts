/**
 * Parser: source text -> typed `Expr`. Uses `jsep` for tokenising and operator-precedence parsing, then
 * converts its tree into our own AST (see `ast.ts`) so that nothing downstream depends on jsep.
 * jsep's configuration and hooks live in `jsep-setup.ts`.
 *
 * One jsep quirk is corrected during conversion: jsep binds unary operators tighter than any binary
 * operator, so `-2^2` arrives as `(-2)^2`. Mathematical convention (and ours) is `-(2^2)`: a power whose
 * left operand is an unparenthesised unary expression is rotated into the unary's operand.
 */
import jsep from 'jsep';
import type { BinaryOperator, Expr, Span } from './ast.js';
import { ExpressionError, type ExpressionContext } from './errors.js';
import { FUNCTION_NAMES, describeArity, functionSpec } from './functions.js';
import { PAREN, UNARY_OPERATORS, runJsep } from './jsep-setup.js';
import { didYouMean } from './suggest.js';

// ---------------------------------------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------------------------------------

/**
 * Parses one expression. Throws `ExpressionError` (with the 0-based `position` in `source`) on syntax
 * errors, unknown functions, wrong argument counts and unsupported constructs. Unknown *symbols* are not
 * an error here: they are reported by `emitJs` / `evaluate`, which know the symbol table.
 */
export function parseExpression(source: string, context: ExpressionContext = {}): Expr {
  return parseExpressionAt(source, 0, source.length, context);
}

/**
 * Parses `source.slice(start, end)` as an expression, with spans and error positions relative to the whole
 * of `source` (used by the statement parser so that messages can show the whole statement).
 */
export function parseExpressionAt(source: string, start: number, end: number, context: ExpressionContext = {}): Expr {
  const fail = (detail: string, position: number, hint?: string): never => {
    throw new ExpressionError(detail, source, position, context, hint);
  };
  prescan(source, start, end, fail);
  // Blank out the text before `start` so that jsep's offsets are offsets into `source`.
  const text = source.slice(0, start).replace(/[^\n]/g, ' ') + source.slice(start, end);
  const result = runJsep(text);
  if ('error' in result) return fail(result.error, result.index);
  return new Converter(text, fail).convert(result.node);
}

type Fail = (detail: string, position: number, hint?: string) => never;

/** Checks what jsep would accept silently or report badly: paren balance, `;`, top-level `,`. */
function prescan(source: string, start: number, end: number, fail: Fail): void {
  const opens: number[] = [];
  let any = false;
  for (let i = start; i < end; i++) {
    const c = source.charAt(i);
    if (!/\s/.test(c)) any = true;
    if (c === '(') opens.push(i);
    else if (c === ')') {
      if (opens.pop() === undefined) fail("unmatched ')'", i);
    } else if (c === '[') fail("'[' is not supported (no arrays or indexing)", i);
    else if (c === ';') fail("unexpected ';' (one statement per line, no ';')", i);
    else if (c === ',' && opens.length === 0) fail("unexpected ','", i);
  }
  const unclosed = opens.pop();
  if (unclosed !== undefined) fail("unclosed '('", unclosed);
  if (!any) fail('empty expression', start);
}

// ---------------------------------------------------------------------------------------------------------
// jsep tree -> Expr
// ---------------------------------------------------------------------------------------------------------

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BINARY_OPERATORS: ReadonlyMap<string, BinaryOperator> = new Map<string, BinaryOperator>([
  ['+', '+'],
  ['-', '-'],
  ['*', '*'],
  ['/', '/'],
  ['^', '^'],
  ['**', '^'],
  ['<', '<'],
  ['<=', '<='],
  ['>', '>'],
  ['>=', '>='],
  ['==', '=='],
  ['!=', '!='],
  ['&&', '&&'],
  ['||', '||'],
]);

const COMPARISONS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=', '==', '!=']);
const LOGICAL: ReadonlySet<string> = new Set(['&&', '||']);

class Converter {
  constructor(
    private readonly text: string,
    private readonly fail: Fail,
  ) {}

  convert(node: jsep.Expression): Expr {
    const span = this.span(node);
    switch (node.type) {
      case 'Literal': {
        const n = node as jsep.Literal;
        if (typeof n.value !== 'number') return this.fail('only numbers are supported as literals', span.start);
        if (!Number.isFinite(n.value)) return this.fail(`number '${n.raw}' is out of range`, span.start);
        return { kind: 'number', value: n.value, span };
      }
      case 'Identifier': {
        const name = (node as jsep.Identifier).name;
        if (!NAME.test(name)) {
          const bad = [...name].find((c) => !/[A-Za-z0-9_]/.test(c)) ?? name;
          return this.fail(
            `invalid character '${bad}' in name '${name}' (names use letters, digits and '_')`,
            span.start + name.indexOf(bad),
          );
        }
        return { kind: 'symbol', name, span };
      }
      case PAREN:
        return this.convert(this.child(node, 'expression'));
      case 'UnaryExpression': {
        const n = node as jsep.UnaryExpression;
        const op = UNARY_OPERATORS.find((o) => o === n.operator);
        if (op === undefined) return this.fail(`operator '${n.operator}' is not supported`, span.start);
        return { kind: 'unary', op, arg: this.convert(n.argument), span };
      }
      case 'BinaryExpression': {
        const n = node as jsep.BinaryExpression;
        const op = BINARY_OPERATORS.get(n.operator);
        if (op === undefined) return this.fail(`operator '${n.operator}' is not supported`, this.operatorPosition(n));
        if (op === '^') return this.power(n.left, this.convert(n.right), span.end);
        if (!LOGICAL.has(op) && n.left.type === 'UnaryExpression' && (n.left as jsep.UnaryExpression).operator === '!') {
          // `!A == B` is `(!A) == B` in C and JavaScript but `!(A == B)` in R and Fortran: make the user say.
          return this.fail(
            `ambiguous '!' before '${n.operator}'`,
            this.span(n.left).start,
            `(write '!(A ${n.operator} B)' or '(!A) ${n.operator} B')`,
          );
        }
        if (COMPARISONS.has(op) && (this.isComparison(n.left) || this.isComparison(n.right))) {
          return this.fail(
            'chained comparison',
            this.operatorPosition(n),
            "(write '(a < b) && (b < c)' for a range, or add parentheses if you mean to compare a comparison's 0/1)",
          );
        }
        return { kind: 'binary', op, left: this.convert(n.left), right: this.convert(n.right), span };
      }
      case 'ConditionalExpression': {
        const n = node as jsep.ConditionalExpression;
        return {
          kind: 'conditional',
          test: this.convert(n.test),
          then: this.convert(n.consequent),
          otherwise: this.convert(n.alternate),
          span,
        };
      }
      case 'CallExpression':
        return this.call(node as jsep.CallExpression, span);
      case 'Compound': {
        const body = (node as jsep.Compound).body;
        const first = body[0];
        if (first === undefined) return this.fail('empty expression', 0);
        this.convert(first);
        const at = this.nextNonSpace(this.span(first).end);
        return this.fail(`unexpected '${this.text.charAt(at)}'`, at, '(an operator is missing?)');
      }
      case 'SequenceExpression': {
        const first = (node as jsep.SequenceExpression).expressions[0];
        const at = first === undefined ? span.start : this.nextNonSpace(this.span(first).end);
        return this.fail(`unexpected '${this.text.charAt(at)}'`, at);
      }
      default:
        return this.fail(`unsupported syntax (${node.type})`, span.start);
    }
  }

  /** `left ^ right`, moving an unparenthesised unary operator out of `left`: `-a^b` is `-(a^b)`. */
  private power(left: jsep.Expression, right: Expr, end: number): Expr {
    if (left.type === 'UnaryExpression') {
      const u = left as jsep.UnaryExpression;
      const op = UNARY_OPERATORS.find((o) => o === u.operator);
      const start = this.span(left).start;
      if (op === undefined) return this.fail(`operator '${u.operator}' is not supported`, start);
      return { kind: 'unary', op, arg: this.power(u.argument, right, end), span: { start, end } };
    }
    const l = this.convert(left);
    return { kind: 'binary', op: '^', left: l, right, span: { start: this.span(left).start, end } };
  }

  private call(node: jsep.CallExpression, span: Span): Expr {
    const callee = node.callee;
    if (callee.type !== 'Identifier') return this.fail('only named functions can be called', span.start);
    const name = (callee as jsep.Identifier).name;
    const at = this.span(callee).start;
    const args = node.arguments.map((a) => this.convert(a));
    if (name === 'if') {
      const [test, then, otherwise] = args;
      if (args.length !== 3 || test === undefined || then === undefined || otherwise === undefined) {
        return this.fail(`function 'if' takes 3 arguments (condition, value if true, value if false), got ${args.length}`, at);
      }
      return { kind: 'conditional', test, then, otherwise, span };
    }
    const spec = functionSpec(name);
    if (spec === undefined) {
      const known = [...FUNCTION_NAMES, 'if'];
      const guess = didYouMean(name, known);
      return this.fail(`unknown function '${name}'`, at, `${guess !== undefined ? `${guess} ` : ''}(known: ${known.join(', ')})`);
    }
    if (args.length < spec.minArgs || args.length > spec.maxArgs) {
      return this.fail(`function '${name}' ${describeArity(spec)}, got ${args.length}`, at);
    }
    return { kind: 'call', fn: spec.name, args, span };
  }

  private child(node: jsep.Expression, key: string): jsep.Expression {
    const v = node[key];
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { type?: unknown }).type === 'string') {
      return v as jsep.Expression;
    }
    throw new Error(`internal error: jsep node ${node.type} has no '${key}'`);
  }

  /** Source span of a jsep node: recorded by the hooks for tokens, derived from the operands otherwise. */
  private span(node: jsep.Expression): Span {
    if (typeof node.start === 'number' && typeof node.end === 'number') return { start: node.start, end: node.end };
    switch (node.type) {
      case 'BinaryExpression': {
        const n = node as jsep.BinaryExpression;
        return { start: this.span(n.left).start, end: this.span(n.right).end };
      }
      case 'ConditionalExpression': {
        const n = node as jsep.ConditionalExpression;
        return { start: this.span(n.test).start, end: this.span(n.alternate).end };
      }
      case 'UnaryExpression':
        return this.span((node as jsep.UnaryExpression).argument);
      case 'Compound':
      case 'SequenceExpression': {
        const parts = node.type === 'Compound' ? (node as jsep.Compound).body : (node as jsep.SequenceExpression).expressions;
        const first = parts[0];
        const last = parts[parts.length - 1];
        return first !== undefined && last !== undefined ? { start: this.span(first).start, end: this.span(last).end } : { start: 0, end: 0 };
      }
      default:
        return { start: 0, end: this.text.length };
    }
  }

  /** An unparenthesised comparison (parenthesised groups are wrapped by the token hook). */
  private isComparison(node: jsep.Expression): boolean {
    return node.type === 'BinaryExpression' && COMPARISONS.has((node as jsep.BinaryExpression).operator);
  }

  private operatorPosition(node: jsep.BinaryExpression): number {
    const from = this.span(node.left).end;
    const at = this.text.indexOf(node.operator, from);
    return at === -1 ? from : at;
  }

  private nextNonSpace(from: number): number {
    let i = from;
    while (i < this.text.length && /\s/.test(this.text.charAt(i))) i++;
    return i;
  }
}
