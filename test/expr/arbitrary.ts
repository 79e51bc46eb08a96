/** fast-check generators of expression trees, and an independent minimal-parentheses printer. */
import fc from 'fast-check';
import { FUNCTION_NAMES, functionSpec, type BinaryOperator, type Expr, type UnaryOperator } from '../../src/core/expr/index.js';

export const NAMES = ['a', 'b', 'c', 'd', 'e'] as const;
const SPAN = { start: 0, end: 0 };
const BINARY: readonly BinaryOperator[] = ['+', '-', '*', '/', '^', '<', '<=', '>', '>=', '==', '!=', '&&', '||'];
const UNARY: readonly UnaryOperator[] = ['-', '+', '!'];

const literal: fc.Arbitrary<Expr> = fc
  .oneof(fc.constantFrom(0, 1, 2, 0.5, 3, 10, 1e-3, 70), fc.double({ min: 0, max: 1e6, noNaN: true }).map(Math.abs))
  .map((value) => ({ kind: 'number', value, span: SPAN }));
const symbol: fc.Arbitrary<Expr> = fc.constantFrom(...NAMES).map((name) => ({ kind: 'symbol', name, span: SPAN }));

/** Random trees (non-negative literals only, as the parser produces), rich in operators. */
export const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => {
  const sub = tie('expr');
  return {
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { arbitrary: literal, weight: 1 },
      { arbitrary: symbol, weight: 2 },
      {
        arbitrary: fc.record({ op: fc.constantFrom(...UNARY), arg: sub }).map(({ op, arg }): Expr => ({ kind: 'unary', op, arg, span: SPAN })),
        weight: 2,
      },
      {
        arbitrary: fc
          .record({ op: fc.constantFrom(...BINARY), left: sub, right: sub })
          .map(({ op, left, right }): Expr => ({ kind: 'binary', op, left, right, span: SPAN })),
        weight: 6,
      },
      {
        arbitrary: fc
          .record({ test: sub, then: sub, otherwise: sub })
          .map(({ test, then, otherwise }): Expr => ({ kind: 'conditional', test, then, otherwise, span: SPAN })),
        weight: 1,
      },
      {
        arbitrary: fc.constantFrom(...FUNCTION_NAMES).chain((fn) => {
          const spec = functionSpec(fn);
          const min = spec?.minArgs ?? 1;
          const max = Math.min(spec?.maxArgs ?? 1, 3);
          return fc.array(sub, { minLength: min, maxLength: max }).map((args): Expr => ({ kind: 'call', fn, args, span: SPAN }));
        }),
        weight: 1,
      },
    ),
  };
}).expr;

/**
 * Prints a tree with as few parentheses as the documented precedence table allows (written from the
 * manual, independently of the parser): parsing the result must give the same tree back.
 */
export function printMinimal(e: Expr, style: { power: '^' | '**'; ifCall: boolean }): string {
  return print(e, style).text;
}

// Precedence levels (higher binds tighter).
const COND = 0;
const OR = 1;
const AND = 2;
const EQ = 3;
const REL = 4;
const ADD = 5;
const MUL = 6;
const UNARY_P = 7;
const POW = 8;
const ATOM = 9;

const LEVEL: Record<BinaryOperator, number> = {
  '||': OR,
  '&&': AND,
  '==': EQ,
  '!=': EQ,
  '<': REL,
  '<=': REL,
  '>': REL,
  '>=': REL,
  '+': ADD,
  '-': ADD,
  '*': MUL,
  '/': MUL,
  '^': POW,
};

function print(e: Expr, style: { power: '^' | '**'; ifCall: boolean }): { text: string; prec: number } {
  const wrap = (x: { text: string; prec: number }, parens: boolean): string => (parens ? `(${x.text})` : x.text);
  switch (e.kind) {
    case 'number':
      return { text: String(e.value), prec: ATOM };
    case 'symbol':
      return { text: e.name, prec: ATOM };
    case 'call':
      return { text: `${e.fn}(${e.args.map((a) => print(a, style).text).join(', ')})`, prec: ATOM };
    case 'unary': {
      const a = print(e.arg, style);
      return { text: `${e.op}${wrap(a, a.prec < UNARY_P)}`, prec: UNARY_P };
    }
    case 'conditional': {
      const t = print(e.test, style);
      const a = print(e.then, style);
      const b = print(e.otherwise, style);
      if (style.ifCall) return { text: `if(${t.text}, ${a.text}, ${b.text})`, prec: ATOM };
      return { text: `${wrap(t, t.prec <= COND)} ? ${a.text} : ${b.text}`, prec: COND };
    }
    case 'binary': {
      const p = LEVEL[e.op];
      const l = print(e.left, style);
      const r = print(e.right, style);
      let lp: boolean;
      let rp: boolean;
      if (p === POW) {
        lp = l.prec <= POW; // (-a)^b and (a^b)^c need parentheses
        rp = r.prec < UNARY_P; // a^-b and a^b^c do not
      } else if (p === EQ || p === REL) {
        lp = l.prec <= REL; // comparisons do not chain
        rp = r.prec <= REL;
      } else {
        lp = l.prec < p;
        rp = r.prec <= p;
      }
      // `!A op B` is rejected as ambiguous for arithmetic and comparison operators.
      if (p > AND && e.left.kind === 'unary' && e.left.op === '!') lp = true;
      const op = e.op === '^' ? style.power : e.op;
      return { text: `${wrap(l, lp)} ${op} ${wrap(r, rp)}`, prec: p };
    }
  }
}
