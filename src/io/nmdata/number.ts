/**
 * Strict number parsing for data-set cells: decimal or scientific notation with an optional sign
 * (`12`, `-0.5`, `+3`, `.5`, `5.`, `1e-3`, `2.5E+04`). Everything else is not a number:
 * `NaN`, `Inf`, hexadecimal (`0x10`), a decimal comma (`1,5`), trailing text (`12abc`), thousands separators.
 * (JavaScript's `Number()` accepts some of these and `parseFloat()` ignores trailing text, so neither is used alone.)
 */

const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;

/** The value of `s` if it is a plain decimal or scientific number, else NaN. `s` must already be trimmed. */
export function parseStrictNumber(s: string): number {
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === PLUS || c === MINUS) c = s.charCodeAt(++i);
  let digits = 0;
  while (c >= ZERO && c <= NINE) {
    digits++;
    c = s.charCodeAt(++i);
  }
  if (c === DOT) {
    c = s.charCodeAt(++i);
    while (c >= ZERO && c <= NINE) {
      digits++;
      c = s.charCodeAt(++i);
    }
  }
  if (digits === 0) return NaN;
  if (c === LOWER_E || c === UPPER_E) {
    c = s.charCodeAt(++i);
    if (c === PLUS || c === MINUS) c = s.charCodeAt(++i);
    let expDigits = 0;
    while (c >= ZERO && c <= NINE) {
      expDigits++;
      c = s.charCodeAt(++i);
    }
    if (expDigits === 0) return NaN;
  }
  if (i !== n) return NaN;
  const v = Number(s);
  // Overflow ('1e999') gives Infinity: not a usable data value either.
  return Number.isFinite(v) ? v : NaN;
}

/** True for the cells NONMEM reads as "no value": '.' and the empty cell. */
export function isMissingCell(s: string): boolean {
  return s.length === 0 || s === '.';
}

/** A hint for a cell that is not a number, for error messages. */
export function badNumberHint(s: string): string {
  if (/^[+-]?\d+,\d+$/.test(s)) return " (use '.' as the decimal separator: write 1.5, not 1,5)";
  if (/^[+-]?(nan|na|n\/a|null|none|missing)$/i.test(s)) return " (for a missing value write '.' or leave the cell empty)";
  if (/^[+-]?inf(inity)?$/i.test(s)) return ' (infinite values are not allowed)';
  if (/^[+-]?0[xob]/i.test(s)) return ' (hexadecimal, octal and binary notations are not allowed)';
  if (/^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$/.test(s)) return ' (the number is too large)';
  return '';
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Parse `s.slice(start, end)` like `parseStrictNumber` and store it in `out[index]`; false (nothing stored) if it is
 * not a number. Works on the text in place: a number with at most 15 significant digits and no exponent is computed
 * as m / 10^k, which is exact (m < 2^53 and 10^k ≤ 10^22 are exact doubles and IEEE division rounds correctly: the
 * classic fast path of strtod), so the result equals `Number()`. Storing instead of returning the value keeps the
 * double unboxed (no allocation per cell).
 */
export function parseNumberInto(s: string, start: number, end: number, out: Float64Array, index: number): boolean {
  let i = start;
  let c = s.charCodeAt(i);
  let negative = false;
  if (c === PLUS || c === MINUS) {
    negative = c === MINUS;
    c = ++i < end ? s.charCodeAt(i) : -1;
  }
  let m = 0;
  let digits = 0;
  let frac = 0;
  while (c >= ZERO && c <= NINE) {
    m = m * 10 + (c - ZERO);
    digits++;
    c = ++i < end ? s.charCodeAt(i) : -1;
  }
  if (c === DOT) {
    c = ++i < end ? s.charCodeAt(i) : -1;
    while (c >= ZERO && c <= NINE) {
      m = m * 10 + (c - ZERO);
      digits++;
      frac++;
      c = ++i < end ? s.charCodeAt(i) : -1;
    }
  }
  if (digits === 0) return false;
  if (i === end && digits <= 15) {
    const v = frac === 0 ? m : m / (POW10[frac] as number);
    out[index] = negative ? -v : v;
    return true;
  }
  const v = parseStrictNumber(s.slice(start, end));
  if (Number.isNaN(v)) return false;
  out[index] = v;
  return true;
}
