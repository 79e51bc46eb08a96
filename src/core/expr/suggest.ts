/** "Did you mean ...?" suggestions for misspelt names. */

/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * Known names close to `name`: those at the smallest edit distance found, if it is <= `maxDistance`
 * (a case-only difference counts as distance 0), alphabetical; at most `limit` names.
 * Keeping only the closest tier avoids noise such as suggesting `if` for `lg` next to `log`.
 */
export function suggestNames(name: string, known: Iterable<string>, maxDistance = 2, limit = 3): string[] {
  const lower = name.toLowerCase();
  const scored: { name: string; d: number }[] = [];
  for (const k of new Set(known)) {
    if (k === name) continue;
    const d = k.toLowerCase() === lower ? 0 : levenshtein(name, k);
    if (d <= maxDistance) scored.push({ name: k, d });
  }
  const best = Math.min(...scored.map((s) => s.d));
  return scored
    .filter((s) => s.d === best)
    .map((s) => s.name)
    .sort()
    .slice(0, limit);
}

/** `(did you mean 'CL'?)`, `(did you mean 'CL' or 'CLQ'?)`, or undefined when there is nothing close. */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  const s = suggestNames(name, known);
  if (s.length === 0) return undefined;
  const quoted = s.map((n) => `'${n}'`);
  const last = quoted.pop() ?? '';
  return `(did you mean ${quoted.length > 0 ? `${quoted.join(', ')} or ${last}` : last}?)`;
}
