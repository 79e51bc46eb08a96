/**
 * # The ketasim model expression language
 *
 * Model files contain formulas such as
 *
 * ```
 * CL = TVCL * (WT / 70)^0.75 * exp(ETA_CL)
 * RATE2 = MODE == 1 ? RAT2 : 0
 * d/dt(CENTRAL) = KA * DEPOT - CL / V * CENTRAL
 * ```
 *
 * They are compiled once into plain JavaScript, so that simulations run at full speed.
 *
 * ## Expressions
 *
 * - **Numbers**: `3`, `0.5`, `.5`, `1e-3`, `2.5E+4`. No hexadecimal, no `true`/`false`.
 * - **Names**: letters, digits and `_`, not starting with a digit (`TVCL`, `ETA_CL`, `K12`). Case matters.
 *   What a name means (parameter, covariate, compartment amount, earlier assignment...) is decided by the
 *   model; an unknown name is an error, with a "did you mean" suggestion.
 * - **Operators**, from the tightest binding to the loosest:
 *
 *   | operators               | meaning                                   | associativity |
 *   |-------------------------|-------------------------------------------|---------------|
 *   | `( )`, `f(...)`         | grouping, function call                   |               |
 *   | `^`  `**`               | power (`**` is a synonym of `^`)          | right: `2^3^2 = 2^9 = 512` |
 *   | `-x`  `+x`  `!x`        | negation, plus, logical not               | prefix        |
 *   | `*`  `/`                | multiplication, division                  | left: `a/b/c = (a/b)/c` |
 *   | `+`  `-`                | addition, subtraction                     | left: `a-b-c = (a-b)-c` |
 *   | `<`  `<=`  `>`  `>=`    | comparison (1 if true, 0 if false)       | not chainable |
 *   | `==`  `!=`              | equal, not equal (1 or 0)                 | not chainable |
 *   | `&&`                    | logical and (1 or 0)                      | left          |
 *   | `\|\|`                  | logical or (1 or 0)                       | left          |
 *   | `c ? a : b`             | conditional: `a` if `c` is true, else `b` | right         |
 *
 *   A power binds tighter than a sign on its left: `-2^2 = -(2^2) = -4`, and `2^-1 = 0.5`. Write `(-2)^2`
 *   for 4. `!` binds like `-`; because languages disagree on `!A == B` (`(!A) == B` in C, `!(A == B)` in
 *   R), a `!` operand followed by an arithmetic or comparison operator is rejected: write `!(A == B)` or
 *   `(!A) == B`. `!A && B` is fine and means `(!A) && B`. A conditional is the loosest operator:
 *   `1 + c ? a : b` means `(1 + c) ? a : b`; write `1 + (c ? a : b)`.
 *   Chained comparisons such as `18 <= AGE < 65` are rejected (they would not mean what they seem to):
 *   write `AGE >= 18 && AGE < 65`.
 * - **Truth values**: comparisons and `&& || !` give 1 (true) or 0 (false), so they can be used in
 *   arithmetic (`CL = TVCL * (1 + 0.2 * (SEX == 1))`). A condition (the `c` of `c ? a : b`, the operands of
 *   `&& || !`) is true when it is not 0 (as in NONMEM); note that NaN counts as true.
 * - **Functions**:
 *   `exp(x)`, `log(x)` (natural), `log10(x)`, `sqrt(x)`, `abs(x)`, `min(a, b, ...)`, `max(a, b, ...)`
 *   (two or more arguments), `pow(x, y)` (= `x^y`), `floor(x)`, `ceil(x)`, `sign(x)` (-1, 0 or 1),
 *   `sin(x)`, `cos(x)`, `tan(x)`, `atan(x)` (radians), `expm1(x)` (= `exp(x) - 1`, accurate near 0),
 *   `log1p(x)` (= `log(1 + x)`, accurate near 0), `logit(p)` (= `log(p / (1 - p))`), `expit(x)`
 *   (= `1 / (1 + exp(-x))`, the inverse of `logit`) and `if(c, a, b)` (= `c ? a : b`).
 *   Other functions, wrong argument counts, strings, `%`, `&`, `|`, `~`, `a.b`, `a[i]` and `=` inside an
 *   expression are errors.
 * - Arithmetic follows IEEE doubles: `1/0` is `Infinity`, `log(-1)` is `NaN`; no error is raised.
 *
 * ## Statement blocks
 *
 * A block holds one statement per line:
 *
 * - `NAME = expression` assigns a name; later statements of the block can use it.
 * - `d/dt(NAME) = expression` defines the derivative of compartment `NAME` (in blocks that allow it).
 * - `#` or `//` start a comment, on its own line or after a statement. Blank lines are ignored.
 * - A statement continues on the next line while a parenthesis is open, or when the line ends with an
 *   operator (`+ - * / ^ < > = & | ! ? : ,`). A line that starts a new statement cannot begin with an
 *   operator: to split a long formula, end the first line with the operator (or open a parenthesis).
 * - A name can be assigned only once per block unless the model allows reassignment.
 * - Errors name the block, the line and the column: `individual line 3: unknown symbol 'TVCLL' at column 6
 *   in "CL = TVCLL * exp(ETA_CL)" (did you mean 'TVCL'?)`.
 *
 * ## Programming interface
 *
 * ```ts
 * const stmts = parseStatements(block, 'individual');
 * const slots = new Map<string, string>([['TVCL', 'theta[0]'], ['ETA_CL', 'eta[0]']]);
 * const body = emitStatements(stmts, {
 *   read: (name) => slots.get(name),
 *   write: (stmt) => {
 *     const slot = `env[${envIndex(stmt.target)}]`;
 *     slots.set(stmt.target, slot); // later statements read the new value
 *     return slot;
 *   },
 *   known: () => slots.keys(),
 * });
 * const individual = new Function('theta', 'eta', 'env', body);
 * ```
 *
 * `parseExpression` + `emitJs` do the same for a single expression; `evaluate` interprets a tree directly
 * (reference semantics, used to test the code generator).
 */
export {
  type Expr,
  type NumberLiteral,
  type SymbolRef,
  type UnaryExpr,
  type BinaryExpr,
  type ConditionalExpr,
  type CallExpr,
  type Span,
  type UnaryOperator,
  type BinaryOperator,
  type ArithmeticOperator,
  type ComparisonOperator,
  type LogicalOperator,
  children,
  visit,
  freeSymbols,
  calledFunctions,
  formatExpression,
} from './ast.js';
export { ExpressionError, UnknownSymbolError, type ExpressionContext } from './errors.js';
export { type FunctionName, type FunctionSpec, FUNCTION_NAMES, functionSpec, listFunctions } from './functions.js';
export { parseExpression } from './parse.js';
export { emitJs, type SymbolResolver, type EmitOptions } from './emit.js';
export { evaluate, type EvaluateOptions } from './evaluate.js';
export {
  parseStatements,
  emitStatements,
  statementError,
  type Statement,
  type StatementKind,
  type ParseStatementsOptions,
  type BlockScope,
} from './statements.js';
export { levenshtein, suggestNames, didYouMean } from './suggest.js';
