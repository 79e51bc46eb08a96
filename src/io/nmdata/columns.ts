/** The standard NONMEM data items that ketasim interprets (matched case-insensitively in headers and row keys). */
export const STANDARD_COLUMNS = ['ID', 'TIME', 'AMT', 'RATE', 'DUR', 'CMT', 'EVID', 'II', 'ADDL', 'SS', 'MDV'] as const;
export type StandardColumn = (typeof STANDARD_COLUMNS)[number];

/** The comment column (NONMEM's IGNORE=C convention). */
export const COMMENT_COLUMN = 'C';

const STANDARD_BY_UPPER = new Map<string, StandardColumn>(STANDARD_COLUMNS.map((c) => [c, c]));

/** The standard column `name` denotes, if any (case-insensitive). */
export function standardColumn(name: string): StandardColumn | undefined {
  return STANDARD_BY_UPPER.get(name.toUpperCase());
}

export function isCommentColumn(name: string): boolean {
  return name.toUpperCase() === COMMENT_COLUMN;
}

/** True if a comment-column cell flags its row to be skipped: anything but '.', empty or '0'. */
export function isCommentFlag(cell: string): boolean {
  return !(cell.length === 0 || cell === '.' || cell === '0');
}
