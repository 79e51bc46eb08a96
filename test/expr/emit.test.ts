import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  UnknownSymbolError,
  emitJs,
  evaluate,
  formatExpression,
  parseExpression,
  type Expr,
} from '../../src/core/expr/index.js';
import { NAMES, exprArb, printMinimal } from './arbitrary.js';
import { bare, expressionError, toFunction } from './helpers.js';

/** Compiles `src` into a function of the named arguments, symbols resolved to those arguments. */
function compile(src: string, names: readonly string[]): (...args: number[]) => number {
  const js = emitJs(parseExpression(src), (n) => (names.includes(n) ? n : undefined), { source: src });
  return toFunction(js, names);
}

function run(src: string, scope: Record<string, number> = {}): { compiled: number; evaluated: number } {
  const names = Object.keys(scope);
  return {
    compiled: compile(src, names)(...names.map((n) => scope[n] ?? NaN)),
    evaluated: evaluate(parseExpression(src), scope),
  };
}

describe('compiled functions give the right numbers', () => {
  it.each<[string, Record<string, number>, number]>([
    ['-2^2', {}, -4],
    ['(-2)^2', {}, 4],
    ['2^3^2', {}, 512],
    ['2**3**2', {}, 512],
    ['2^-1', {}, 0.5],
    ['a - b - c', { a: 10, b: 3, c: 2 }, 5],
    ['a / b / c', { a: 100, b: 5, c: 2 }, 10],
    ['1 + 2 * 3', {}, 7],
    ['(1 + 2) * 3', {}, 9],
    ['-x * 3', { x: 2 }, -6],
    ['TVCL * (WT / 70)^0.75 * exp(ETA_CL)', { TVCL: 10, WT: 70, ETA_CL: 0 }, 10],
    ['TVCL * (WT / 70)^0.75', { TVCL: 10, WT: 140 }, 10 * Math.pow(2, 0.75)],
    ['MODE == 1 ? RAT2 : 0', { MODE: 1, RAT2: 5 }, 5],
    ['MODE == 1 ? RAT2 : 0', { MODE: 2, RAT2: 5 }, 0],
    ['TVCL * (1 + 0.5 * (SEX == 1))', { TVCL: 10, SEX: 1 }, 15],
    ['TVCL * (1 + 0.5 * (SEX == 1))', { TVCL: 10, SEX: 0 }, 10],
    ['(AGE >= 18) + (AGE > 65)', { AGE: 70 }, 2],
    ['AGE >= 18 && AGE < 65', { AGE: 40 }, 1],
    ['AGE >= 18 && AGE < 65', { AGE: 70 }, 0],
    ['A < 0 || B < 0', { A: 1, B: -1 }, 1],
    ['A != 2', { A: 2 }, 0],
    ['A <= 2', { A: 2 }, 1],
    ['!A', { A: 0 }, 1],
    ['!A', { A: -3 }, 0],
    ['!!A', { A: 7 }, 1],
    ['if(A, 1, 2)', { A: 0 }, 2],
    ['if(A, 1, 2)', { A: -0.5 }, 1],
    ['c ? 1 : d ? 2 : 3', { c: 0, d: 1 }, 2],
    ['+a', { a: 4 }, 4],
    ['1e-3 * .5', {}, 0.0005],
  ])('%s with %j = %d', (src, scope, expected) => {
    const { compiled, evaluated } = run(src, scope);
    expect(compiled).toBeCloseTo(expected, 12);
    expect(evaluated).toBeCloseTo(expected, 12);
  });

  it('treats NaN as a true condition (non-zero)', () => {
    expect(run('A ? 1 : 2', { A: NaN })).toEqual({ compiled: 1, evaluated: 1 });
    expect(run('!A', { A: NaN })).toEqual({ compiled: 0, evaluated: 0 });
    expect(run('A > 0', { A: NaN })).toEqual({ compiled: 0, evaluated: 0 });
  });

  it('follows IEEE arithmetic without raising errors', () => {
    expect(run('1 / A', { A: 0 }).compiled).toBe(Infinity);
    expect(run('log(A)', { A: -1 }).compiled).toBeNaN();
  });
});

describe('every function', () => {
  it.each<[string, number]>([
    ['exp(1)', Math.E],
    ['log(exp(2))', 2],
    ['log10(1000)', 3],
    ['sqrt(16)', 4],
    ['abs(-3)', 3],
    ['min(3, 1, 2)', 1],
    ['min(3, 4)', 3],
    ['max(3, 1, 2)', 3],
    ['max(-3, -4)', -3],
    ['pow(2, 10)', 1024],
    ['floor(-1.5)', -2],
    ['ceil(-1.5)', -1],
    ['sign(-3)', -1],
    ['sign(0)', 0],
    ['sign(2.5)', 1],
    ['sin(0)', 0],
    ['cos(0)', 1],
    ['tan(0)', 0],
    ['atan(1)', Math.PI / 4],
    ['expm1(1e-10)', 1.00000000005e-10],
    ['log1p(1e-10)', 9.9999999995e-11],
    ['logit(0.5)', 0],
    ['logit(0.75)', Math.log(3)],
    ['expit(0)', 0.5],
    ['expit(log(3))', 0.75],
    ['expit(logit(0.3))', 0.3],
    ['expit(-800)', 0],
    ['expit(800)', 1],
  ])('%s = %d', (src, expected) => {
    const { compiled, evaluated } = run(src);
    expect(compiled).toBeCloseTo(expected, 14);
    expect(evaluated).toBeCloseTo(expected, 14);
    expect(Math.abs(compiled - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-12);
  });
});

describe('emitJs', () => {
  it('emits fully parenthesised JS with Math.pow for powers', () => {
    const slots: Record<string, string> = { TVCL: 'theta[0]', WT: 'cov[2]' };
    expect(emitJs(parseExpression('TVCL * (WT / 70)^0.75'), (n) => slots[n])).toBe('(theta[0] * Math.pow((cov[2] / 70), 0.75))');
  });

  it('emits comparisons as 1/0 numbers, and as booleans inside conditions', () => {
    const id = (n: string): string => n;
    expect(emitJs(parseExpression('SEX == 1'), id)).toBe('((SEX === 1) ? 1 : 0)');
    expect(emitJs(parseExpression('SEX == 1 ? a : b'), id)).toBe('((SEX === 1) ? a : b)');
    expect(emitJs(parseExpression('F ? a : b'), id)).toBe('((F !== 0) ? a : b)');
    expect(emitJs(parseExpression('x > 0 && !F'), id)).toBe('(((x > 0) && (!(F !== 0))) ? 1 : 0)');
  });

  it('parenthesises resolver code that is not a plain or indexed name', () => {
    const js = emitJs(parseExpression('2 * X'), () => 'a + b');
    expect(js).toBe('(2 * (a + b))');
    expect(toFunction(js, ['a', 'b'])(1, 2)).toBe(6);
  });

  it('emits negative and non-finite literals of hand-built trees safely', () => {
    const span = { start: 0, end: 0 };
    const lit = (value: number): Expr => ({ kind: 'number', value, span });
    for (const v of [-2, -0, Infinity, -Infinity, NaN, 1e-300, 1e300]) {
      const tree: Expr = { kind: 'unary', op: '-', arg: lit(v), span };
      expect(Object.is(toFunction(emitJs(tree, () => undefined), [])(), -v)).toBe(true);
    }
  });

  it('reports an unknown symbol with its position, location and suggestions', () => {
    const src = 'TVCLL * exp(ETA_CL)';
    const e = expressionError(() =>
      emitJs(parseExpression(src), () => undefined, { source: src, where: 'parameters.CL', knownSymbols: ['TVCL', 'ETA_CL', 'V'] }),
    );
    expect(e).toBeInstanceOf(UnknownSymbolError);
    expect((e as UnknownSymbolError).symbol).toBe('TVCLL');
    expect(e.position).toBe(0);
    expect(e.message).toBe(`parameters.CL: unknown symbol 'TVCLL' at column 1 in "${src}" (did you mean 'TVCL'?)`);
  });

  it('reports the first unknown symbol, at its column', () => {
    const src = 'CL / VV + KK';
    const e = expressionError(() => emitJs(parseExpression(src), (n) => (n === 'CL' ? 'cl' : undefined), { source: src }));
    expect(e.detail).toBe("unknown symbol 'VV'");
    expect(e.column).toBe(6);
  });

  it('suggests names differing only by case, and several equally close names', () => {
    const src = 'cl + Q';
    const e = expressionError(() => emitJs(parseExpression(src), () => undefined, { source: src, knownSymbols: ['CL', 'Q2', 'V'] }));
    expect(e.hint).toBe("(did you mean 'CL'?)");
    const e2 = expressionError(() => emitJs(parseExpression('Q'), () => undefined, { knownSymbols: ['Q2', 'Q3', 'CL'] }));
    expect(e2.hint).toBe("(did you mean 'Q2' or 'Q3'?)");
  });

  it('gives no suggestion when nothing is close', () => {
    const e = expressionError(() => emitJs(parseExpression('WEIGHT'), () => undefined, { knownSymbols: ['CL', 'V'] }));
    expect(e.hint).toBeUndefined();
  });

  it('points out a function used without arguments', () => {
    const e = expressionError(() => emitJs(parseExpression('exp * 2'), () => undefined));
    expect(e.hint).toBe("('exp' is a function: call it as exp(...))");
  });

  it('asks a knownSymbols function only when reporting an error', () => {
    const known = vi.fn(() => ['CL']);
    emitJs(parseExpression('CL'), () => 'x', { knownSymbols: known });
    expect(known).not.toHaveBeenCalled();
    expect(() => emitJs(parseExpression('CLL'), () => undefined, { knownSymbols: known })).toThrow(/did you mean 'CL'/);
    expect(known).toHaveBeenCalledTimes(1);
  });
});

describe('evaluate', () => {
  it('reports unknown symbols with suggestions from the scope', () => {
    const src = 'CL / VV';
    const e = expressionError(() => evaluate(parseExpression(src), { CL: 1, V: 2 }, { source: src }));
    expect(e.message).toBe(`unknown symbol 'VV' at column 6 in "${src}" (did you mean 'V'?)`);
  });
  it('reads own properties of the scope only', () => {
    expect(() => evaluate(parseExpression('constructor + toString'), {})).toThrow(UnknownSymbolError);
  });
});

describe('properties (fast-check)', () => {
  const scopeArb = fc.record(
    Object.fromEntries(NAMES.map((n) => [n, fc.oneof(fc.double(), fc.constantFrom(0, 1, -1, 2, 0.5))])) as Record<
      (typeof NAMES)[number],
      fc.Arbitrary<number>
    >,
  );

  it('compiled code and the evaluator agree bit for bit', () => {
    fc.assert(
      fc.property(exprArb, fc.array(scopeArb, { minLength: 1, maxLength: 5 }), (expr, scopes) => {
        const f = toFunction(
          emitJs(expr, (n) => `arg_${n}`),
          NAMES.map((n) => `arg_${n}`),
        );
        for (const scope of scopes) {
          const a = f(...NAMES.map((n) => scope[n]));
          const b = evaluate(expr, scope);
          if (!Object.is(a, b)) throw new Error(`${formatExpression(expr)} at ${JSON.stringify(scope)}: compiled ${a}, evaluated ${b}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parses minimally parenthesised text back to the same tree (precedence table)', () => {
    fc.assert(
      fc.property(exprArb, fc.constantFrom<'^' | '**'>('^', '**'), fc.boolean(), (expr, power, ifCall) => {
        const text = printMinimal(expr, { power, ifCall });
        expect(bare(parseExpression(text)), text).toEqual(bare(expr));
      }),
      { numRuns: 2500 },
    );
  });

  it('formatExpression output parses back to the same tree', () => {
    fc.assert(
      fc.property(exprArb, (expr) => {
        expect(bare(parseExpression(formatExpression(expr)))).toEqual(bare(expr));
      }),
      { numRuns: 300 },
    );
  });
});
