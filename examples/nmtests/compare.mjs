#!/usr/bin/env node
// Compare ketasim's output with NONMEM's for the nmtests dosing scenarios.
//   npx ketasim simulate --model examples/nmtests/advan2-nmtests.yaml --data dosing-data.csv --out out.csv
//   node examples/nmtests/compare.mjs out.csv dosing-nonmem.csv
// Rows are matched in order (one per record, as NONMEM's $TABLE). A value agrees when it rounds to NONMEM's
// printed value at 5 significant digits. Exit code 1 if any record disagrees.
import { readFileSync } from 'node:fs';

const [oursPath, nonmemPath, column = 'CP'] = process.argv.slice(2);
if (oursPath === undefined || nonmemPath === undefined) {
  console.error('usage: node examples/nmtests/compare.mjs <ketasim-out.csv> <nonmem.csv> [column]');
  process.exit(2);
}
const read = (path) => {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split(/\r?\n/).map((l) => l.split(','));
  const idx = (name) => header.findIndex((h) => h.trim().toUpperCase() === name);
  return rows.map((r) => ({ id: r[idx('ID')], time: Number(r[idx('TIME')]), value: Number(r[idx(column)]) }));
};
const ours = read(oursPath);
const theirs = read(nonmemPath);
if (ours.length !== theirs.length) {
  console.error(`row count differs: ketasim ${ours.length}, NONMEM ${theirs.length}`);
  process.exit(1);
}
/** Does x round to y at 5 significant digits (y as NONMEM printed it)? */
const agrees = (x, y) => {
  if (y === 0) return Math.abs(x) < 5e-6;
  const scale = 10 ** (Math.floor(Math.log10(Math.abs(y))) - 4);
  return Math.abs(x - y) <= 0.5 * scale * (1 + 1e-9);
};
const perId = new Map();
let bad = 0;
ours.forEach((o, i) => {
  const t = theirs[i];
  const s = perId.get(t.id) ?? { n: 0, bad: 0, first: undefined };
  s.n++;
  if (o.id !== t.id || o.time !== t.time || !agrees(o.value, t.value)) {
    s.bad++;
    bad++;
    s.first ??= `row ${i + 2}: ID ${o.id} TIME ${o.time}: ketasim ${o.value}, NONMEM ${t.value} (ID ${t.id} TIME ${t.time})`;
  }
  perId.set(t.id, s);
});
for (const [id, s] of perId) console.log(`ID ${id.padStart(3)}: ${s.n - s.bad}/${s.n} records agree${s.first ? `; first difference ${s.first}` : ''}`);
console.log(bad === 0 ? `all ${ours.length} records agree with NONMEM to its 5 significant digits` : `${bad} of ${ours.length} records differ`);
process.exit(bad === 0 ? 0 : 1);
