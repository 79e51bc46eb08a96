/**
 * The typed syntax tree of the model expression language. Produced by `parseExpression`, consumed by the
 * code generator and the evaluator. Nothing here depends on the parser library.
 */
import type { FunctionName } from './functions.js';

/** 0-based character offsets `[start, end)` of a node in the text it was parsed from. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface NumberLiteral {
  readonly kind: 'number';
  readonly value: number;
  readonly span: Span;
}

export interface SymbolRef {
  readonly kind: 'symbol';
  readonly name: string;
  readonly span: Span;
}

export type UnaryOperator = '-' | '+' | '!';

export interface UnaryExpr {
  readonly kind: 'unary';
  readonly op: UnaryOperator;
  readonly arg: Expr;
  readonly span: Span;
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '^';
export type ComparisonOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type LogicalOperator = '&&' | '||';
/** `**` in the source is stored as `^`. */
export type BinaryOperator = ArithmeticOperator | ComparisonOperator | LogicalOperator;

export interface BinaryExpr {
  readonly kind: 'binary';
  readonly op: BinaryOperator;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

/** `test ? then : otherwise`, also produced by `if(test, then, otherwise)`. */
export interface ConditionalExpr {
  readonly kind: 'conditional';
  readonly test: Expr;
  readonly then: Expr;
  readonly otherwise: Expr;
  readonly span: Span;
}

export interface CallExpr {
  readonly kind: 'call';
  readonly fn: FunctionName;
  readonly args: readonly Expr[];
  readonly span: Span;
}

export type Expr = NumberLiteral | SymbolRef | UnaryExpr | BinaryExpr | ConditionalExpr | CallExpr;

const COMPARISONS: ReadonlySet<string> = new Set<ComparisonOperator>(['<', '<=', '>', '>=', '==', '!=']);
const LOGICALS: ReadonlySet<string> = new Set<LogicalOperator>(['&&', '||']);

export function isComparison(op: BinaryOperator): op is ComparisonOperator {
  return COMPARISONS.has(op);
}

export function isLogical(op: BinaryOperator): op is LogicalOperator {
  return LOGICALS.has(op);
}

/** Direct sub-expressions, left to right. */
export function children(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'number':
    case 'symbol':
      return [];
    case 'unary':
      return [expr.arg];
    case 'binary':
      return [expr.left, expr.right];
    case 'conditional':
      return [expr.test, expr.then, expr.otherwise];
    case 'call':
      return expr.args;
  }
}

/** Every symbol (variable name) read by the expression. */
export function freeSymbols(expr: Expr): Set<string> {
  const out = new Set<string>();
  visit(expr, (e) => {
    if (e.kind === 'symbol') out.add(e.name);
  });
  return out;
}

/** Every function called by the expression (`if(...)` is a conditional, not a call). */
export function calledFunctions(expr: Expr): Set<FunctionName> {
  const out = new Set<FunctionName>();
  visit(expr, (e) => {
    if (e.kind === 'call') out.add(e.fn);
  });
  return out;
}

/** Pre-order traversal. */
export function visit(expr: Expr, fn: (e: Expr) => void): void {
  fn(expr);
  for (const c of children(expr)) visit(c, fn);
}

/**
 * Fully parenthesised text of an expression, in the language's own syntax (`^` for powers).
 * Meant for tests, debugging and messages: `formatExpression(parseExpression('-2^2'))` is `(-(2 ^ 2))`.
 */
export function formatExpression(expr: Expr): string {
  switch (expr.kind) {
    case 'number':
      return String(expr.value);
    case 'symbol':
      return expr.name;
    case 'unary':
      return `(${expr.op}${formatExpression(expr.arg)})`;
    case 'binary':
      return `(${formatExpression(expr.left)} ${expr.op} ${formatExpression(expr.right)})`;
    case 'conditional':
      return `(${formatExpression(expr.test)} ? ${formatExpression(expr.then)} : ${formatExpression(expr.otherwise)})`;
    case 'call':
      return `${expr.fn}(${expr.args.map(formatExpression).join(', ')})`;
  }
}
