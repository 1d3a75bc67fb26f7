/** Small text helpers shared by error messages. */

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/**
 * Up to `max` of `known` closest to `name` (case-insensitive edit distance), nearest first. Close
 * means a slip: at most one edit per three characters of the shorter word (at least one), so
 * "nope" suggests nothing rather than "one".
 */
export function closest(name: string, known: readonly string[], max = 3): string[] {
  if (name.length > 100) return []; // no name is that long: not worth the distance's cost
  const target = name.toLowerCase();
  return known
    .map((n) => ({ n, d: editDistance(target, n.toLowerCase()) }))
    .filter(({ n, d }) => d <= Math.max(1, Math.floor(Math.min(n.length, target.length) / 3)))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, max)
    .map(({ n }) => n);
}

/** A value as an error message shows it: strings quoted, lists in brackets; long ones cut (an error is one line, whatever the input). */
export function show(value: unknown, depth = 0): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (Array.isArray(value)) {
    if (depth >= 2) return value.length ? '[...]' : '[]';
    const items = value.slice(0, 10).map((v) => show(v, depth + 1));
    return `[${items.join(', ')}${value.length > 10 ? `, ... (${value.length} values)` : ''}]`;
  }
  if (value && typeof value === 'object') return 'an object';
  return String(value);
}

/** A file path as a shell can take it back: quoted when it holds anything but safe characters. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
