/**
 * # Data sets (NONMEM-style CSV)
 *
 * ketasim reads data sets in the format NONMEM and mrgsolve users already have: one record (row) per event,
 * a header row with column names, comma-separated values.
 *
 * ## File format
 * - The first line that is not blank and not a comment is the **header**; it is required.
 * - Cells are separated by commas. Spaces and tabs around a cell are ignored. Cells may be quoted with double
 *   quotes (`"a, b"`, `""` for a quote inside a quoted cell), as spreadsheets write them.
 * - Line endings LF, CRLF or CR; a UTF-8 byte-order mark at the start and trailing empty lines are ignored.
 * - Blank lines and lines whose first non-blank character is `#` are skipped (comments).
 * - Every other line is a record and must have as many cells as the header (except rows skipped by the C column).
 * - Error messages give the line number in the file (the header being line 1 if it is the first line).
 *
 * ## Standard columns
 * Matched case-insensitively (`ID`, `id`, `Time` ...); each may appear only once:
 *
 * | column | meaning | if absent or '.'/empty |
 * | --- | --- | --- |
 * | ID | subject identifier: a number, kept as first written (`1` and `1.0` are the same subject) | required |
 * | TIME | time of the record, ≥ 0 | required |
 * | AMT | dose amount | 0 |
 * | RATE | > 0 infusion rate; 0 bolus; -1 rate given by the model; -2 duration given by the model or DUR | 0 |
 * | DUR | infusion duration for RATE = -2 doses (ketasim extension) | 0 |
 * | CMT | compartment number (1-based, in the model's order); 0 = the model's default | 0 |
 * | EVID | 0 observation, 1 dose, 2 other event, 3 reset, 4 reset and dose | inferred, see below |
 * | II | interdose interval | 0 |
 * | ADDL | number of additional doses, every II after this one | 0 |
 * | SS | 0 none; 1 steady state (replacing the state), then this dose; 2 steady state added to the state | 0 |
 * | MDV | 1 if the record has no dependent variable | inferred, see below |
 *
 * In standard columns, `.` and an empty cell mean 0 (the NONMEM convention), except in ID and TIME, which
 * must be given. If there is no EVID column, EVID is 1 where AMT ≠ 0, else 2 where MDV = 1, else 0. If there is no
 * MDV column, MDV is 1 where EVID ≠ 0, else 0.
 *
 * Numbers are written in decimal or scientific notation, with an optional sign: `12`, `-0.5`, `+3`, `.5`, `1e-3`,
 * `2.5E+04`. Not numbers: `NaN`, `Inf`, hexadecimal (`0x10`), decimal commas (`1,5`), trailing text (`12abc`).
 *
 * ## Other columns
 * Every other column (DV, covariates such as WT, per-record parameters such as LAGT) is kept under its name as written
 * in the header. A column whose cells are all numbers (or `.`/empty, read as missing) is available to models as
 * numbers; missing cells are an error only if a model uses that value. A column with any other cell (e.g. a
 * drug name) is kept aside as a text column: it is not an error, but a model that uses it gets an error naming
 * the first non-numeric cell.
 *
 * ## Comments: the C column
 * A column named `C` (NONMEM's `IGNORE=C` habit) marks records to skip: a record whose C cell is anything other
 * than `.`, empty or `0` is skipped (and counted in the "rows ignored" message); skipped records are not checked.
 * The C column is not available to models. No other record is ever dropped.
 *
 * ## Checks
 * A data set is checked when it is read; the first problem is reported with the file, line, ID, column,
 * the value as written and what was expected.
 * - A standard column holds something that is not a number; ID or TIME is missing; TIME is negative.
 * - EVID not 0–4; SS not 0, 1 or 2; MDV not 0 or 1; ADDL not a non-negative integer; CMT not a non-negative
 *   integer (whether the compartment exists is checked against the model when simulating); II or DUR negative;
 *   RATE other than a positive number, 0, -1 or -2.
 * - Dose records (EVID 1 or 4):
 *   - AMT must not be negative, and must be > 0 ("dose with zero amount"), except for a steady-state constant
 *     infusion (SS=1, II=0, RATE > 0, AMT=0) and for RATE = -1/-2 (amount 0 with a modelled rate or duration);
 *   - a duration (DUR > 0) goes with RATE = -2: DUR with RATE = 0 (a bolus), with RATE > 0 or with RATE = -1 is an error;
 *   - steady state (SS 1 or 2) needs II > 0, except SS=1 with II=0 for a constant infusion (RATE > 0 or -1, AMT=0);
 *   - ADDL > 0 needs II > 0 (II > 0 without ADDL or SS is allowed, and does nothing).
 * - Non-dose records (EVID 0, 2, 3) must not set AMT, RATE, DUR, II, ADDL or SS (0 or '.' is fine).
 * - TIME must not decrease within a subject, except at a reset record (EVID 3 or 4), where time may restart.
 * - The records of a subject must be contiguous: an ID that appears again after another subject is an error
 *   (NONMEM would silently start a new individual with the same ID; ketasim refuses, to avoid that mistake).
 *
 * Subjects are kept in file order, records in file order within a subject. Each record remembers its line number.
 *
 * ## Data sets built in code
 * `datasetFromRows` takes one object per record (`{ ID: 1, TIME: 0, AMT: 100, EVID: 1, WT: 70 }`) and applies
 * the same rules: a key absent from a row is a missing cell; NaN is accepted (as missing) only in non-standard
 * columns; errors name the record as `rows[i]`.
 *
 * ## API
 * - `readNonmemCsv(text, { source })`: parse CSV text (no file access; works in browsers).
 * - `datasetFromRows(rows, source)`: build a data set in code from `{ ID, TIME, AMT, ... }` objects, same checks.
 * - `summarizeDataset(ds)`, `formatDatasetSummary(ds)`: counts of subjects, records, doses and observations.
 */
export { readNonmemCsv, type ReadNonmemCsvOptions } from './read-csv.js';
export { datasetFromRows } from './from-rows.js';
export { summarizeDataset, formatDatasetSummary, type DatasetSummary } from './summary.js';
export { STANDARD_COLUMNS, type StandardColumn } from './columns.js';
export { parseStrictNumber } from './number.js';
