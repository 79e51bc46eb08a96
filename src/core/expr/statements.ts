/**
 * Statement blocks: several lines of `NAME = expr` / `d/dt(NAME) = expr`, parsed into `Statement`s and
 * turned into JavaScript assignments by `emitStatements`. See the module documentation in `index.ts`.
 */
import type { Expr, Span } from './ast.js';
import { emitJs, type SymbolResolver } from './emit.js';
import { ExpressionError, UnknownSymbolError } from './errors.js';
import { parseExpressionAt } from './parse.js';

export type StatementKind = 'assign' | 'derivative';

export interface Statement {
  /** `assign` for `NAME = expr`, `derivative` for `d/dt(NAME) = expr`. */
  readonly kind: StatementKind;
  /** The assigned name, or the compartment whose derivative is defined. */
  readonly target: string;
  readonly expr: Expr;
  /** Name of the block, for messages (`individual`). */
  readonly block: string;
  /** 1-based line, within the block, where the statement starts. */
  readonly line: number;
  /**
   * The statement's text with comments removed; a statement continued over several lines keeps its
   * line breaks. Spans in `expr` and `targetSpan` are offsets into this text.
   */
  readonly text: string;
  readonly targetSpan: Span;
}

export interface ParseStatementsOptions {
  /** Allow a block to assign the same name (or define the same derivative) more than once. Default false. */
  readonly allowReassign?: boolean;
}

/** An `ExpressionError` about a statement, located in its block (for callers' own checks). */
export function statementError(stmt: Statement, detail: string, position = stmt.targetSpan.start, hint?: string): ExpressionError {
  return new ExpressionError(detail, stmt.text, position, { where: stmt.block, line: stmt.line }, hint);
}

/** Last characters that make a line continue on the next one (a trailing binary operator, `=`, `?`, `:`, `,`). */
const CONTINUES = /[-+*/^<>=&|!?:,(]$/;
const DERIVATIVE = /^(\s*)d\s*\/\s*dt\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*=(?!=)/;
const ASSIGNMENT = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/;
const OLD_DERIVATIVE = /^\s*d([A-Za-z_][A-Za-z0-9_]*)\s*\/\s*dt\s*=(?!=)/;
const LEADING_OPERATOR = /^\s*([-+*/^<>=&|?:,])/;

/**
 * Parses a block of statements, one per line. `#` and `//` start comments (whole line or trailing);
 * blank lines are ignored; a statement continues on the next line while its parentheses are unbalanced
 * or its line ends with an operator (`+ - * / ^ ** < > <= >= == != && || ! ? : , =`).
 * Errors are `ExpressionError`s located as `<blockName> line <n>: ... at column <c>`.
 */
export function parseStatements(text: string, blockName: string, options: ParseStatementsOptions = {}): Statement[] {
  const out: Statement[] = [];
  const firstLine = new Map<string, number>();
  const lines = text.split(/\r\n|\n|\r/);
  let pending: { line: number; parts: string[] } | undefined;

  const finish = (p: { line: number; parts: string[] }): void => {
    const stmt = parseStatement(p.parts.join('\n').replace(/\s+$/, ''), blockName, p.line);
    const key = `${stmt.kind}:${stmt.target}`;
    const previous = firstLine.get(key);
    if (previous !== undefined && options.allowReassign !== true) {
      const what = stmt.kind === 'assign' ? `'${stmt.target}' is assigned` : `d/dt(${stmt.target}) is defined`;
      throw statementError(stmt, `${what} twice (lines ${previous} and ${stmt.line})`);
    }
    if (previous === undefined) firstLine.set(key, stmt.line);
    out.push(stmt);
  };

  lines.forEach((raw, i) => {
    const code = stripComment(raw).replace(/\s+$/, '');
    if (pending === undefined) {
      if (code.trim() === '') return;
      pending = { line: i + 1, parts: [code] };
    } else {
      pending.parts.push(code);
    }
    const joined = pending.parts.join('\n');
    if (parenDepth(joined) > 0 || CONTINUES.test(joined.replace(/\s+$/, ''))) return;
    finish(pending);
    pending = undefined;
  });
  if (pending !== undefined) finish(pending);
  return out;
}

function stripComment(line: string): string {
  const hash = line.indexOf('#');
  const slashes = line.indexOf('//');
  const cut = [hash, slashes].filter((i) => i >= 0);
  return cut.length > 0 ? line.slice(0, Math.min(...cut)) : line;
}

function parenDepth(s: string): number {
  let depth = 0;
  for (const c of s) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
  }
  return depth;
}

function parseStatement(text: string, block: string, line: number): Statement {
  const context = { where: block, line };
  const fail = (detail: string, position: number, hint?: string): never => {
    throw new ExpressionError(detail, text, position, context, hint);
  };
  const firstChar = text.length - text.trimStart().length;

  let kind: StatementKind;
  let target: string;
  let targetStart: number;
  let rhsStart: number;
  const d = DERIVATIVE.exec(text);
  const a = d === null ? ASSIGNMENT.exec(text) : null;
  if (d !== null) {
    kind = 'derivative';
    target = d[2] ?? '';
    targetStart = text.indexOf(target, text.indexOf('(', (d[1] ?? '').length));
    rhsStart = d[0].length;
  } else if (a !== null) {
    kind = 'assign';
    target = a[2] ?? '';
    targetStart = (a[1] ?? '').length;
    rhsStart = a[0].length;
  } else {
    const old = OLD_DERIVATIVE.exec(text);
    if (old !== null) return fail(`write the derivative of ${old[1] ?? ''} as 'd/dt(${old[1] ?? ''}) = ...'`, firstChar);
    if (LEADING_OPERATOR.test(text)) {
      return fail(
        'a statement cannot start with an operator',
        firstChar,
        '(to continue the previous statement, end its line with the operator)',
      );
    }
    const eq = /(?<![=<>!])=(?!=)/.exec(text);
    if (eq !== null) return fail("the left-hand side of '=' must be a name or d/dt(NAME)", firstChar);
    return fail("expected 'NAME = expression' or 'd/dt(NAME) = expression'", firstChar);
  }
  if (text.slice(rhsStart).trim() === '') return fail("missing expression after '='", rhsStart);
  const expr = parseExpressionAt(text, rhsStart, text.length, context);
  return { kind, target, expr, block, line, text, targetSpan: { start: targetStart, end: targetStart + target.length } };
}

/**
 * How `emitStatements` reads symbols and writes targets. Calls happen in statement order: for statement
 * `i`, `read` is called (for each symbol of its expression) after `write` was called for statements
 * `0..i-1` and before `write` for statement `i` — so a scope that registers targets in `write` lets later
 * statements read earlier results, and makes `CL = CL * 2` read the *previous* value of `CL`.
 */
export interface BlockScope {
  /** JS code reading `name` at this point of the block, or `undefined` if unknown. */
  read: SymbolResolver;
  /** JS lvalue for the statement's target (e.g. `env[7]`, `dy[0]`). May throw (`statementError`) to reject it. */
  write(stmt: Statement): string;
  /** Names readable at this point (for "did you mean" suggestions); called only when reporting an error. */
  known?(): Iterable<string>;
}

/**
 * JavaScript statements, one per line: `<write(stmt)> = <expression>;`. The caller wraps them into a
 * function body. Unknown symbols throw `ExpressionError`s located in the block; a symbol that is only
 * assigned later in the block is reported as used before assignment.
 */
export function emitStatements(stmts: readonly Statement[], scope: BlockScope): string {
  const lines: string[] = [];
  stmts.forEach((stmt, i) => {
    const options = { source: stmt.text, where: stmt.block, line: stmt.line, knownSymbols: () => scope.known?.() ?? [] };
    let rhs: string;
    try {
      rhs = emitJs(stmt.expr, scope.read, options);
    } catch (e) {
      throw usedBeforeAssignment(e, stmts, i) ?? e;
    }
    lines.push(`${scope.write(stmt)} = ${rhs};`);
  });
  return lines.join('\n');
}

/** Rewrites an unknown-symbol error when the symbol is assigned by this or a later statement. */
function usedBeforeAssignment(e: unknown, stmts: readonly Statement[], i: number): ExpressionError | undefined {
  const stmt = stmts[i];
  if (!(e instanceof UnknownSymbolError) || stmt === undefined) return undefined;
  const name = e.symbol;
  const later = stmts.slice(i).find((s) => s.kind === 'assign' && s.target === name);
  if (later === undefined) return undefined;
  const where = later === stmt ? 'by this statement' : `on line ${later.line}`;
  return new UnknownSymbolError(name, `'${name}' is used before it is assigned ${where}`, e.source, e.position, e.context);
}
