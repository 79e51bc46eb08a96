import jsep from 'jsep';
import { describe, expect, it } from 'vitest';
import {
  ExpressionError,
  FUNCTION_NAMES,
  calledFunctions,
  formatExpression,
  freeSymbols,
  parseExpression,
} from '../../src/core/expr/index.js';
import { configureJsep } from '../../src/core/expr/jsep-setup.js';
import { KetasimError } from '../../src/core/errors.js';
import { bare, expressionError } from './helpers.js';

const show = (s: string): string => formatExpression(parseExpression(s));

describe('precedence and associativity', () => {
  it.each([
    ['-2^2', '(-(2 ^ 2))'],
    ['(-2)^2', '((-2) ^ 2)'],
    ['2^3^2', '(2 ^ (3 ^ 2))'],
    ['2**3**2', '(2 ^ (3 ^ 2))'],
    ['2^3**2', '(2 ^ (3 ^ 2))'],
    ['a - b - c', '((a - b) - c)'],
    ['a / b / c', '((a / b) / c)'],
    ['a - b + c', '((a - b) + c)'],
    ['a / b * c', '((a / b) * c)'],
    ['a + b * c', '(a + (b * c))'],
    ['a * b ^ c', '(a * (b ^ c))'],
    ['2^-1', '(2 ^ (-1))'],
    ['2^-3^2', '(2 ^ (-(3 ^ 2)))'],
    ['--2^2', '(-(-(2 ^ 2)))'],
    ['a * -b ^ 2', '(a * (-(b ^ 2)))'],
    ['-a^2 * 3', '((-(a ^ 2)) * 3)'],
    ['-a * b', '((-a) * b)'],
    ['(!a) == b', '((!a) == b)'],
    ['!(a == b)', '(!(a == b))'],
    ['!a && b', '((!a) && b)'],
    ['a == !b', '(a == (!b))'],
    ['!a^2', '(!(a ^ 2))'],
    ['a + b < c * d', '((a + b) < (c * d))'],
    ['a < b == c >= d', 'chained'],
    ['a == 1 && b != 2 || c', '(((a == 1) && (b != 2)) || c)'],
    ['a || b && c', '(a || (b && c))'],
    ['c ? a : b', '(c ? a : b)'],
    ['c ? a : d ? e : f', '(c ? a : (d ? e : f))'],
    ['c ? d ? 1 : 2 : 3', '(c ? (d ? 1 : 2) : 3)'],
    ['1 + c ? a : b', '((1 + c) ? a : b)'],
    ['x > 0 && y > 0 ? 1 : 0', '(((x > 0) && (y > 0)) ? 1 : 0)'],
    ['if(x > 1, a, b)', '((x > 1) ? a : b)'],
    ['TVCL * (WT / 70)^0.75 * exp(ETA_CL)', '((TVCL * ((WT / 70) ^ 0.75)) * exp(ETA_CL))'],
    ['MODE == 1 ? RAT2 : 0', '((MODE == 1) ? RAT2 : 0)'],
    ['x>0?.5:1', '((x > 0) ? 0.5 : 1)'],
    ['+a', '(+a)'],
  ])('%s', (src, expected) => {
    if (expected === 'chained') {
      expect(() => parseExpression(src)).toThrow(/chained comparison/);
    } else {
      expect(show(src)).toBe(expected);
    }
  });

  it('accepts whitespace, tabs and newlines anywhere between tokens', () => {
    expect(show(' \tCL *\n V ')).toBe('(CL * V)');
    expect(show('exp ( 1 )')).toBe('exp(1)');
  });
});

describe('numbers', () => {
  it.each([
    ['3', 3],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['1e-3', 0.001],
    ['2.5E+4', 25000],
    ['1E3', 1000],
    ['007', 7],
    ['5.', 5],
  ])('%s = %d', (src, value) => {
    expect(bare(parseExpression(src))).toEqual({ kind: 'number', value });
  });
});

describe('names', () => {
  it('accepts letters, digits and underscores, case-sensitive', () => {
    expect(bare(parseExpression('ETA_CL2'))).toEqual({ kind: 'symbol', name: 'ETA_CL2' });
    expect(bare(parseExpression('_x'))).toEqual({ kind: 'symbol', name: '_x' });
    expect([...freeSymbols(parseExpression('cl + CL'))].sort()).toEqual(['CL', 'cl']);
  });
  it('treats true/false/this as ordinary (unknown) names, not literals', () => {
    expect(bare(parseExpression('true'))).toEqual({ kind: 'symbol', name: 'true' });
    expect(bare(parseExpression('this'))).toEqual({ kind: 'symbol', name: 'this' });
  });
});

describe('functions', () => {
  const oneArg = FUNCTION_NAMES.filter((f) => !['min', 'max', 'pow'].includes(f));
  it.each(oneArg)('%s takes exactly one argument', (fn) => {
    expect(bare(parseExpression(`${fn}(x)`))).toEqual({ kind: 'call', fn, args: [{ kind: 'symbol', name: 'x' }] });
    expect(expressionError(() => parseExpression(`${fn}(x, y)`)).detail).toBe(`function '${fn}' takes 1 argument, got 2`);
    expect(expressionError(() => parseExpression(`${fn}()`)).detail).toBe(`function '${fn}' takes 1 argument, got 0`);
  });
  it.each(['min', 'max'])('%s takes two or more arguments', (fn) => {
    expect(formatExpression(parseExpression(`${fn}(a, b)`))).toBe(`${fn}(a, b)`);
    expect(formatExpression(parseExpression(`${fn}(a, b, c, 1)`))).toBe(`${fn}(a, b, c, 1)`);
    const e = expressionError(() => parseExpression(`${fn}(a)`));
    expect(e.detail).toBe(`function '${fn}' takes 2 or more arguments, got 1`);
    expect(e.position).toBe(0);
  });
  it('pow takes two arguments', () => {
    expect(formatExpression(parseExpression('pow(a, 2)'))).toBe('pow(a, 2)');
    expect(expressionError(() => parseExpression('pow(a)')).detail).toBe("function 'pow' takes 2 arguments, got 1");
  });
  it('if takes three arguments and becomes a conditional', () => {
    expect(bare(parseExpression('if(c, a, b)'))).toEqual(bare(parseExpression('c ? a : b')));
    expect(expressionError(() => parseExpression('if(c, a)')).detail).toMatch(/^function 'if' takes 3 arguments/);
  });
  it('accepts expressions, nested calls and conditionals as arguments', () => {
    expect(show('max(a + 1, min(b, c) * 2, d ? 1 : 2)')).toBe('max((a + 1), (min(b, c) * 2), (d ? 1 : 2))');
  });
  it('has the documented whitelist', () => {
    expect([...FUNCTION_NAMES].sort()).toEqual(
      ['abs', 'atan', 'ceil', 'cos', 'exp', 'expit', 'expm1', 'floor', 'log', 'log10', 'log1p', 'logit', 'max', 'min', 'pow', 'sign', 'sin', 'sqrt', 'tan'].sort(),
    );
  });
});

describe('freeSymbols and calledFunctions', () => {
  const e = parseExpression('TVCL * (WT / 70)^0.75 * exp(ETA_CL + log(WT)) + if(SEX == 1, max(A, B), 0)');
  it('lists the symbols read', () => {
    expect([...freeSymbols(e)].sort()).toEqual(['A', 'B', 'ETA_CL', 'SEX', 'TVCL', 'WT']);
  });
  it('lists the functions called (if is not a function)', () => {
    expect([...calledFunctions(e)].sort()).toEqual(['exp', 'log', 'max']);
  });
  it('gives empty sets for a constant', () => {
    expect(freeSymbols(parseExpression('1 + 2')).size).toBe(0);
    expect(calledFunctions(parseExpression('1 + 2')).size).toBe(0);
  });
});

describe('spans', () => {
  it('records the 0-based position of names and calls', () => {
    const e = parseExpression('CL * exp(ETA)');
    if (e.kind !== 'binary' || e.right.kind !== 'call') throw new Error('unexpected tree');
    expect(e.left.span).toEqual({ start: 0, end: 2 });
    expect(e.right.span).toEqual({ start: 5, end: 13 });
    expect(e.right.args[0]?.span).toEqual({ start: 9, end: 12 });
    expect(e.span).toEqual({ start: 0, end: 13 });
  });
  it('gives a rotated unary power the whole span', () => {
    const e = parseExpression(' -x^2');
    expect(e.kind).toBe('unary');
    expect(e.span).toEqual({ start: 1, end: 5 });
  });
});

describe('errors', () => {
  // [source, 0-based position, detail (exact or pattern)]
  const cases: [string, number, string | RegExp][] = [
    ['lg(CL)', 0, "unknown function 'lg'"],
    ['V * expp(2)', 4, "unknown function 'expp'"],
    ['CL(2)', 0, "unknown function 'CL'"],
    ['a.b', 1, /^'\.' is not supported/],
    ['x.5', 1, /^'\.' is not supported/],
    ['(a).b', 3, /^'\.' is not supported/],
    ['a[0]', 1, /^'\[' is not supported/],
    ['[1, 2]', 0, /^'\[' is not supported/],
    ['"abc"', 0, 'strings are not supported'],
    ["x + 'abc'", 4, 'strings are not supported'],
    ['a % b', 2, "'%' (modulo) is not supported"],
    ['a & b', 2, "'&' is not supported (logical and is '&&')"],
    ['a | b', 2, "'|' is not supported (logical or is '||')"],
    ['~a', 0, "'~' is not supported (logical not is '!')"],
    ['a >> 1', 3, /^unexpected '>'/],
    ['a << 1', 3, /^unexpected '<'/],
    ['a = b', 2, /^'=' cannot be used inside an expression/],
    ['a === b', 4, /^'=' cannot be used inside an expression/],
    ['()', 0, "empty parentheses '()'"],
    ['(a, b)', 2, "unexpected ','"],
    ['a, b', 1, "unexpected ','"],
    ['a; b', 1, /^unexpected ';'/],
    ['a b', 2, "unexpected 'b'"],
    ['2 (a)', 2, "unexpected '('"],
    ['f(a,)', 4, "unexpected ')'"],
    ['max(a b)', 6, /^expected ',' or '\)'/],
    ['exp(a', 3, "unclosed '('"],
    ['(a + (b)', 0, "unclosed '('"],
    ['a)', 1, "unmatched ')'"],
    ['a + ', 4, "expected an expression after '+'"],
    ['a * * b', 4, /^expected an expression after '\*'/],
    ['-', 1, 'expected an expression after the unary operator'],
    ['a ? b', 5, /^expected ':'/],
    ['2x', 1, /^names cannot start with a digit/],
    ['1e', 2, /^malformed number/],
    ['1.2.3', 3, "unexpected '.'"],
    ['1e999', 0, "number '1e999' is out of range"],
    ['µg', 0, /^invalid character 'µ' in name/],
    ['a $ b', 2, "unexpected '$'"],
    ['', 0, 'empty expression'],
    ['   ', 0, 'empty expression'],
    ['0 < x < 1', 6, 'chained comparison'],
    ['a == b == c', 7, 'chained comparison'],
    ['a == (b < c)', -1, ''],
    ['!a == b', 0, "ambiguous '!' before '=='"],
    ['x + !a * b', 4, "ambiguous '!' before '*'"],
    ['!a - 1', 0, "ambiguous '!' before '-'"],
  ];
  it.each(cases)('%j fails at %d', (src, position, detail) => {
    if (position < 0) {
      expect(() => parseExpression(src)).not.toThrow();
      return;
    }
    const e = expressionError(() => parseExpression(src));
    expect(e).toBeInstanceOf(KetasimError);
    expect(e.source).toBe(src);
    if (typeof detail === 'string') expect(e.detail).toBe(detail);
    else expect(e.detail).toMatch(detail);
    expect(e.position).toBe(position);
    expect(e.column).toBe(position + 1);
  });

  it('formats the message with a 1-based column, the source and suggestions', () => {
    const e = expressionError(() => parseExpression('lg(CL)'));
    expect(e.message).toBe(
      "unknown function 'lg' at column 1 in \"lg(CL)\" (did you mean 'log'?) (known: exp, log, log10, sqrt, abs, min, max, pow, floor, ceil, sign, sin, cos, tan, atan, expm1, log1p, logit, expit, if)",
    );
    expect(e.name).toBe('ExpressionError');
  });

  it('prefixes the location given by the context', () => {
    const e = expressionError(() => parseExpression('TVCL *', { where: 'parameters.CL.value' }));
    expect(e.message).toBe("parameters.CL.value: expected an expression after '*' at column 7 in \"TVCL *\"");
  });

  it('reports the physical line of a multi-line source', () => {
    const e = expressionError(() => parseExpression('a +\n  b +\n  c %', { where: 'individual', line: 10 }));
    expect(e.line).toBe(12);
    expect(e.column).toBe(5);
    expect(e.message).toBe("individual line 12: '%' (modulo) is not supported at column 5 in \"  c %\"");
  });
});

describe('jsep configuration', () => {
  it('is idempotent: configuring again changes nothing', () => {
    const hooks = jsep.hooks as unknown as Record<string, unknown[] | undefined>;
    const before = [hooks['gobble-token']?.length, hooks['after-token']?.length];
    configureJsep();
    configureJsep();
    expect([hooks['gobble-token']?.length, hooks['after-token']?.length]).toEqual(before);
    expect(show('-2^2 + a')).toBe('((-(2 ^ 2)) + a)');
  });
  it('keeps our hooks inert for direct jsep calls', () => {
    const node = jsep('a.b');
    expect(node.type).toBe('MemberExpression');
  });
  it('is not confused by a failed parse (state is reset)', () => {
    expect(() => parseExpression('exp(-(a +))')).toThrow(ExpressionError);
    expect(show('exp(a) * b')).toBe('(exp(a) * b)');
  });
});
