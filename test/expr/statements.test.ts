import { describe, expect, it } from 'vitest';
import {
  ExpressionError,
  UnknownSymbolError,
  emitStatements,
  formatExpression,
  parseStatements,
  statementError,
  type BlockScope,
  type Statement,
} from '../../src/core/expr/index.js';
import { expressionError } from './helpers.js';

const summary = (stmts: readonly Statement[]): string[] =>
  stmts.map((s) => `${s.line}: ${s.kind === 'derivative' ? `d/dt(${s.target})` : s.target} = ${formatExpression(s.expr)}`);

describe('parseStatements', () => {
  it('parses assignments and derivatives, one per line, keeping line numbers', () => {
    const block = ['CL = TVCL * exp(ETA_CL)', '', 'V = TVV', 'd/dt(CENTRAL) = KA * DEPOT - CL / V * CENTRAL'].join('\n');
    const stmts = parseStatements(block, 'model');
    expect(summary(stmts)).toEqual([
      '1: CL = (TVCL * exp(ETA_CL))',
      '3: V = TVV',
      '4: d/dt(CENTRAL) = ((KA * DEPOT) - ((CL / V) * CENTRAL))',
    ]);
    expect(stmts.map((s) => s.kind)).toEqual(['assign', 'assign', 'derivative']);
    expect(stmts[0]?.block).toBe('model');
    expect(stmts[2]?.text).toBe('d/dt(CENTRAL) = KA * DEPOT - CL / V * CENTRAL');
  });

  it('accepts spacing variants of the derivative form', () => {
    expect(summary(parseStatements('  d / dt ( A1 )=-K*A1', 'ode'))).toEqual(['1: d/dt(A1) = ((-K) * A1)']);
  });

  it('records the target position', () => {
    const [a] = parseStatements('   CL = 1', 'b');
    expect(a?.targetSpan).toEqual({ start: 3, end: 5 });
    const [d] = parseStatements('d/dt( CENTRAL ) = 1', 'b');
    expect(d?.targetSpan).toEqual({ start: 6, end: 13 });
  });

  it('strips # and // comments, whole-line or trailing', () => {
    const block = [
      '# typical values',
      'CL = TVCL # clearance',
      '   // volume',
      'V = TVV // litres',
      'Q = 2#no space',
      'R = 3 / 2 // not a division: a comment',
    ].join('\n');
    expect(summary(parseStatements(block, 'b'))).toEqual(['2: CL = TVCL', '4: V = TVV', '5: Q = 2', '6: R = (3 / 2)']);
  });

  it('handles CRLF and CR line endings', () => {
    expect(summary(parseStatements('A = 1\r\nB = 2\rC = 3', 'b'))).toEqual(['1: A = 1', '2: B = 2', '3: C = 3']);
  });

  it('returns nothing for an empty or comment-only block', () => {
    expect(parseStatements('', 'b')).toEqual([]);
    expect(parseStatements('\n  # nothing\n// here\n', 'b')).toEqual([]);
  });

  describe('continuation lines', () => {
    it('continues while parentheses are open', () => {
      const block = ['CL = TVCL * exp(', '  ETA_CL  # inter-individual', ')', 'V = 1'].join('\n');
      const stmts = parseStatements(block, 'b');
      expect(summary(stmts)).toEqual(['1: CL = (TVCL * exp(ETA_CL))', '4: V = 1']);
      expect(stmts[0]?.text).toBe('CL = TVCL * exp(\n  ETA_CL\n)');
    });

    it.each(['+', '-', '*', '/', '^', '**', '<', '<=', '>', '>=', '==', '!=', '&&', '||'])('continues after a trailing %s', (op) => {
      const stmts = parseStatements(`X = A ${op}\n    B\nY = 2`, 'b');
      expect(stmts.map((s) => s.target)).toEqual(['X', 'Y']);
      expect(stmts[0]?.expr.kind).toBe('binary');
    });

    it('continues after =, ? and :, and across blank and comment lines', () => {
      const block = ['RATE =', '  MODE == 1 ?', '', '  # first branch', '  R1 :', '  0', 'Z = 1'].join('\n');
      expect(summary(parseStatements(block, 'b'))).toEqual(['1: RATE = ((MODE == 1) ? R1 : 0)', '7: Z = 1']);
    });

    it('continues within a function call split after a comma', () => {
      expect(summary(parseStatements('M = max(A,\n        B)', 'b'))).toEqual(['1: M = max(A, B)']);
    });

    it('does not continue a complete line', () => {
      expect(parseStatements('A = 1\nB = 2', 'b')).toHaveLength(2);
    });
  });

  describe('reassignment', () => {
    it('rejects assigning a name twice by default, naming both lines', () => {
      const e = expressionError(() => parseStatements('CL = 1\nV = 2\n\n\nCL = 3', 'individual'));
      expect(e.message).toBe('individual line 5: \'CL\' is assigned twice (lines 1 and 5) at column 1 in "CL = 3"');
    });
    it('rejects defining a derivative twice', () => {
      const e = expressionError(() => parseStatements('d/dt(A) = 1\nd/dt(A) = 2', 'ode'));
      expect(e.detail).toBe('d/dt(A) is defined twice (lines 1 and 2)');
      expect(e.column).toBe(6);
    });
    it('allows reassignment when asked', () => {
      expect(summary(parseStatements('CL = 1\nCL = CL * 2', 'b', { allowReassign: true }))).toEqual(['1: CL = 1', '2: CL = (CL * 2)']);
    });
    it('does not confuse a name and the derivative of the same name', () => {
      expect(parseStatements('A = 1\nd/dt(A) = -A', 'b')).toHaveLength(2);
    });
  });

  describe('errors', () => {
    const cases: [string, number, number, string | RegExp][] = [
      // [block, line, column, detail]
      ['CL = 1\nV = lg(CL)', 2, 5, "unknown function 'lg'"],
      ['CL = 1\n  V = 2 +* 3', 2, 10, "expected an expression after '+'"],
      ['CL = TVCL *\n  (1 +\n   2 %)', 3, 6, "'%' (modulo) is not supported"],
      ['CL = exp(ETA\nV = 1', 1, 9, "unclosed '('"],
      ['CL = TVCL\n  * exp(ETA)', 2, 3, 'a statement cannot start with an operator'],
      ['dA/dt = -K * A', 1, 1, "write the derivative of A as 'd/dt(A) = ...'"],
      ['CL + 1 = 2', 1, 1, "the left-hand side of '=' must be a name or d/dt(NAME)"],
      ['2CL = 1', 1, 1, "the left-hand side of '=' must be a name or d/dt(NAME)"],
      ['  CL == 1', 1, 3, "expected 'NAME = expression' or 'd/dt(NAME) = expression'"],
      ['CL', 1, 1, "expected 'NAME = expression' or 'd/dt(NAME) = expression'"],
      ['A = 1\nCL =', 2, 5, "missing expression after '='"],
      ['CL = 1 +\n\n', 1, 9, "expected an expression after '+'"],
      ['CL = 1; V = 2', 1, 7, /^unexpected ';'/],
      ['CL = a = b', 1, 8, /^'=' cannot be used inside an expression/],
    ];
    it.each(cases)('%j fails on line %d, column %d', (block, line, column, detail) => {
      const e = expressionError(() => parseStatements(block, 'individual'));
      expect(e.line).toBe(line);
      expect(e.column).toBe(column);
      if (typeof detail === 'string') expect(e.detail).toBe(detail);
      else expect(e.detail).toMatch(detail);
      expect(e.message.startsWith(`individual line ${line}: `)).toBe(true);
    });

    it('shows the offending physical line in the message', () => {
      const e = expressionError(() => parseStatements('# header\nCL = TVCL *\n   exp(ETA) %', 'individual'));
      expect(e.message).toBe("individual line 3: '%' (modulo) is not supported at column 13 in \"   exp(ETA) %\"");
    });

    it('gives a hint for a line starting with an operator', () => {
      const e = expressionError(() => parseStatements('CL = TVCL\n  * exp(ETA)', 'b'));
      expect(e.hint).toBe('(to continue the previous statement, end its line with the operator)');
    });
  });

  it('statementError locates a caller-side problem at the target', () => {
    const [s] = parseStatements('\n\n  d/dt(DEPOT) = -KA * DEPOT', 'individual');
    if (s === undefined) throw new Error('no statement');
    const e = statementError(s, 'derivatives are not allowed in this block');
    expect(e.message).toBe('individual line 3: derivatives are not allowed in this block at column 8 in "  d/dt(DEPOT) = -KA * DEPOT"');
  });
});

/** A scope like the model compiler's: parameters in `theta`, assigned names in `env`, derivatives in `dy`. */
function makeScope(params: readonly string[], compartments: readonly string[] = []): BlockScope & { writes: string[] } {
  const slots = new Map<string, string>();
  params.forEach((p, i) => slots.set(p, `theta[${i}]`));
  compartments.forEach((c, i) => slots.set(c, `y[${i}]`));
  const env = new Map<string, number>();
  const writes: string[] = [];
  return {
    writes,
    read: (name) => slots.get(name),
    write: (stmt) => {
      writes.push(stmt.target);
      if (stmt.kind === 'derivative') {
        const i = compartments.indexOf(stmt.target);
        if (i < 0) throw statementError(stmt, `'${stmt.target}' is not a compartment`);
        return `dy[${i}]`;
      }
      const index = env.get(stmt.target) ?? env.size;
      env.set(stmt.target, index);
      const slot = `env[${index}]`;
      slots.set(stmt.target, slot);
      return slot;
    },
    known: () => slots.keys(),
  };
}

describe('emitStatements', () => {
  it('emits one assignment per statement, later statements reading earlier results', () => {
    const stmts = parseStatements('CL = TVCL * exp(ETA_CL)\nV = TVV\nK = CL / V', 'individual');
    const scope = makeScope(['TVCL', 'TVV', 'ETA_CL']);
    const body = emitStatements(stmts, scope);
    expect(body).toBe(['env[0] = (theta[0] * Math.exp(theta[2]));', 'env[1] = theta[1];', 'env[2] = (env[0] / env[1]);'].join('\n'));
    const f = new Function('theta', 'env', body) as (theta: number[], env: number[]) => void;
    const env: number[] = [];
    f([10, 50, Math.log(2)], env);
    expect(env).toEqual([20, 50, 0.4]);
  });

  it('reads the previous value when a name is reassigned', () => {
    const stmts = parseStatements('CL = TVCL\nCL = CL * 2\nCL = CL + 1', 'b', { allowReassign: true });
    const body = emitStatements(stmts, makeScope(['TVCL']));
    const env: number[] = [];
    (new Function('theta', 'env', body) as (t: number[], e: number[]) => void)([3], env);
    expect(env).toEqual([7]);
  });

  it('compiles a one-compartment model with first-order absorption', () => {
    const block = [
      '# one-compartment, first-order absorption',
      'CL = TVCL * (WT / 70)^0.75',
      'V = TVV * WT / 70',
      'd/dt(DEPOT) = -KA * DEPOT',
      'd/dt(CENTRAL) = KA * DEPOT -',
      '                CL / V * CENTRAL',
    ].join('\n');
    const scope = makeScope(['TVCL', 'TVV', 'KA', 'WT'], ['DEPOT', 'CENTRAL']);
    const body = emitStatements(parseStatements(block, 'model'), scope);
    expect(scope.writes).toEqual(['CL', 'V', 'DEPOT', 'CENTRAL']);
    const rhs = new Function('theta', 'y', 'env', 'dy', body) as (t: number[], y: number[], e: number[], dy: number[]) => void;
    const dy = [0, 0];
    rhs([5, 35, 1.5, 140], [100, 20], [], dy);
    const cl = 5 * Math.pow(2, 0.75);
    expect(dy[0]).toBeCloseTo(-150, 12);
    expect(dy[1]).toBeCloseTo(150 - (cl / 70) * 20, 12);
  });

  it('reports an unknown symbol on the right line and column, with suggestions', () => {
    const stmts = parseStatements('CL = TVCL\n\nV = TVV * (WT / 70)\nK = CLL / V', 'individual');
    const e = expressionError(() => emitStatements(stmts, makeScope(['TVCL', 'TVV', 'WT'])));
    expect(e).toBeInstanceOf(UnknownSymbolError);
    expect(e.message).toBe('individual line 4: unknown symbol \'CLL\' at column 5 in "K = CLL / V" (did you mean \'CL\'?)');
  });

  it('reports the line of a symbol in a continuation line', () => {
    const stmts = parseStatements('CL = TVCL *\n  exp(ETA_XX)', 'individual');
    const e = expressionError(() => emitStatements(stmts, makeScope(['TVCL', 'ETA_CL'])));
    expect(e.message).toBe('individual line 2: unknown symbol \'ETA_XX\' at column 7 in "  exp(ETA_XX)" (did you mean \'ETA_CL\'?)');
  });

  it('reports a name used before its assignment', () => {
    const stmts = parseStatements('K = CL / V\nCL = 1\nV = 2', 'individual');
    const e = expressionError(() => emitStatements(stmts, makeScope([])));
    expect(e).toBeInstanceOf(UnknownSymbolError);
    expect(e.message).toBe('individual line 1: \'CL\' is used before it is assigned on line 2 at column 5 in "K = CL / V"');
  });

  it('reports a name used in its own first definition', () => {
    const e = expressionError(() => emitStatements(parseStatements('CL = CL * 2', 'b'), makeScope([])));
    expect(e.detail).toBe("'CL' is used before it is assigned by this statement");
  });

  it('lets the scope reject a target', () => {
    const stmts = parseStatements('d/dt(PERIPH) = 1', 'model');
    const e = expressionError(() => emitStatements(stmts, makeScope([], ['CENTRAL'])));
    expect(e).toBeInstanceOf(ExpressionError);
    expect(e.message).toBe('model line 1: \'PERIPH\' is not a compartment at column 6 in "d/dt(PERIPH) = 1"');
  });

  it('calls read for a statement after write for the earlier ones, and before its own write', () => {
    const log: string[] = [];
    const scope: BlockScope = {
      read: (n) => {
        log.push(`read ${n}`);
        return n === 'X' || n === 'A' ? n : undefined;
      },
      write: (s) => {
        log.push(`write ${s.target}`);
        return s.target;
      },
    };
    emitStatements(parseStatements('A = X\nB = A + X', 'b'), scope);
    expect(log).toEqual(['read X', 'write A', 'read A', 'read X', 'write B']);
  });
});
