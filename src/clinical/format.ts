/** Times and values as people read them in a clinical summary. Pure. */

/** A value to about 3 significant digits (whole numbers from 100 up): 193.9 → "194", 0.48658 → "0.487". */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? '-' : x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 100) return String(Math.round(x));
  if (a >= 1e-3) return String(Number(x.toPrecision(3)));
  return x.toExponential(2);
}

/** A duration in hours as "40 min", "1 h 35 min", "2 d 3 h" (rounded to the minute, or to the hour from 2 days). */
export function formatDuration(hours: number): string {
  if (!Number.isFinite(hours)) return '-';
  const sign = hours < 0 ? '−' : '';
  const h = Math.abs(hours);
  if (h >= 48) {
    const total = Math.round(h);
    const d = Math.floor(total / 24);
    const rest = total - 24 * d;
    return `${sign}${d} d${rest > 0 ? ` ${rest} h` : ''}`;
  }
  const minutes = Math.round(h * 60);
  if (minutes < 60) return `${sign}${minutes} min`;
  const hh = Math.floor(minutes / 60);
  const mm = minutes - 60 * hh;
  return `${sign}${hh} h${mm > 0 ? ` ${mm} min` : ''}`;
}

/** An absolute time (hours from the start of day 0) as "day 2 09:40". */
export function formatClock(hours: number): string {
  if (!Number.isFinite(hours)) return '-';
  const minutes = Math.round(hours * 60);
  const day = Math.floor(minutes / 1440);
  const ofDay = minutes - 1440 * day;
  const hh = Math.floor(ofDay / 60);
  const mm = ofDay - 60 * hh;
  return `day ${day} ${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
}

/** "1, 2 and 3" */
export function formatList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] as string}`;
}

/** " mmHg", or nothing for dimensionless quantities and scores ("1", "score", "points"). */
export function unitSuffix(unit: string): string {
  const u = unit.trim();
  return u === '' || u === '1' || /^(score|points?)$/i.test(u) ? '' : ` ${u}`;
}

/** Whether b is larger than a beyond rounding (so that the first of equal peaks is kept). */
export function clearlyLarger(b: number, a: number): boolean {
  return b > a + 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}
