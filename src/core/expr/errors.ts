import { KetasimError } from '../errors.js';

/** Where an expression came from, for error messages. */
export interface ExpressionContext {
  /** Where in the model the text lives, e.g. `individual` (a block name) or `parameters.CL.value`. */
  readonly where?: string;
  /**
   * 1-based line number (within the block named by `where`) of the first line of the source text.
   * When set, messages read `individual line 4: ...` and report the line that contains the error.
   */
  readonly line?: number;
}

/**
 * An expression or statement that cannot be parsed or compiled.
 *
 * `source` is the text that was being processed (an expression, or a whole statement — possibly several
 * physical lines joined with `\n`), `position` the 0-based character offset of the problem in `source`.
 * The message shows the physical line containing the problem and a 1-based column, e.g.
 * `individual line 3: unknown function 'lg' at column 6 in "CL = lg(TVCL)" (did you mean 'log'?)`.
 */
export class ExpressionError extends KetasimError {
  /** 1-based line number in the block, when the context gave one. */
  readonly line: number | undefined;
  /** 1-based column of `position` within its physical line (what an editor shows). */
  readonly column: number;

  constructor(
    readonly detail: string,
    readonly source: string,
    readonly position: number,
    readonly context: ExpressionContext = {},
    /** Appended after the location, e.g. `(did you mean 'CL'?)`. */
    readonly hint?: string,
  ) {
    const loc = locate(source, position);
    const line = context.line !== undefined ? context.line + loc.lineOffset : undefined;
    const prefix = [context.where, line !== undefined ? `line ${line}` : undefined].filter((s) => s !== undefined && s !== '');
    const quoted = source.trim() === '' ? '' : ` in "${loc.lineText}"`;
    super(
      `${prefix.length > 0 ? `${prefix.join(' ')}: ` : ''}${detail} at column ${loc.column}${quoted}${hint !== undefined ? ` ${hint}` : ''}`,
    );
    this.line = line;
    this.column = loc.column;
  }
}

interface Located {
  readonly lineOffset: number;
  readonly column: number;
  readonly lineText: string;
}

function locate(source: string, position: number): Located {
  const pos = Math.max(0, Math.min(position, source.length));
  const before = source.slice(0, pos);
  const lineStart = before.lastIndexOf('\n') + 1;
  const nextBreak = source.indexOf('\n', pos);
  const lineEnd = nextBreak === -1 ? source.length : nextBreak;
  let lineOffset = 0;
  for (const ch of before) if (ch === '\n') lineOffset++;
  return { lineOffset, column: pos - lineStart + 1, lineText: source.slice(lineStart, lineEnd).replace(/\r$/, '') };
}

/** An `ExpressionError` for a symbol that is not defined where it is used. */
export class UnknownSymbolError extends ExpressionError {
  constructor(
    /** The unknown name. */
    readonly symbol: string,
    detail: string,
    source: string,
    position: number,
    context: ExpressionContext = {},
    hint?: string,
  ) {
    super(detail, source, position, context, hint);
  }
}
