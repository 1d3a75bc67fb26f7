/** Comparing configs: a canonical JSON form (sorted keys) and the keys whose values differ. */

export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Top-level keys (a.b for nested) whose values differ. */
export function differences(a: Record<string, unknown>, b: Record<string, unknown>, prefix = ''): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.flatMap((k) => {
    const [x, y] = [a[k], b[k]];
    if (canonical(x) === canonical(y)) return [];
    const bothObjects = x && y && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x) && !Array.isArray(y);
    return bothObjects ? differences(x as Record<string, unknown>, y as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`];
  });
}
