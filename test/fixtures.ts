/**
 * What many tests share: the smallest run that still trains, as `init-bench run` arguments, and
 * a results document or trial without its wall-clock times (the one thing allowed to differ
 * between two runs of the same config and seed), and a watch that tells whether files were written.
 */
import { readFileSync, statSync, utimesSync } from 'node:fs';

type Flag = `--${string}`;

/** Two initializers, 200 training digits, one hidden layer of 8 units, one epoch, in this process. */
export const TINY_RUN: Readonly<Record<Flag, string>> = {
  '--init': 'he,zeros',
  '--train-size': '200',
  '--test-size': '100',
  '--hidden': '8',
  '--epochs': '1',
  '--jobs': '1',
};

/**
 * The tiny run's flags with some changed (`null` drops one, e.g. `'--hidden': null` for a grid
 * of depths), then `extra` appended: `['run', ...tinyRun({ '--epochs': '2' }, '--json')]`.
 */
export function tinyRun(changes: Partial<Record<Flag, string | null>> = {}, ...extra: string[]): string[] {
  const flags: Record<string, string | null | undefined> = { ...TINY_RUN, ...changes };
  return [...Object.entries(flags).flatMap(([flag, value]) => (value === null || value === undefined ? [] : [flag, value])), ...extra];
}

/** The fields of the results document that hold wall-clock times (src/results/schema.ts). */
const TIME_KEYS = new Set(['seconds', 'trainSeconds', 'secondsPerEpoch']);

/** A copy of `value` (a document, a trial, an epoch) without its wall-clock times, at any depth. */
export function untimed<T>(value: T): T {
  if (Array.isArray(value)) return value.map(untimed) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !TIME_KEYS.has(k)).map(([k, v]) => [k, untimed(v)])) as T;
}

/** Long before any test ran: a file's mtime set here changes with any write, however soon after. */
const PAST = new Date('2001-01-01T00:00:00Z');

/**
 * Watches files for writes: their mtime is first set far in the past (so a write within the
 * file system's time granularity still shows), and their inode and content are kept. The
 * returned function lists the files written since: replaced (another inode), changed, or touched.
 */
export function watchWrites(paths: string[]): () => string[] {
  const before = paths.map((path) => {
    utimesSync(path, PAST, PAST);
    const stat = statSync(path);
    return { path, ino: stat.ino, mtimeMs: stat.mtimeMs, content: readFileSync(path) };
  });
  return () =>
    before
      .filter((b) => {
        const stat = statSync(b.path);
        return stat.ino !== b.ino || stat.mtimeMs !== b.mtimeMs || !readFileSync(b.path).equals(b.content);
      })
      .map((b) => b.path);
}
