/**
 * One writer per results folder: `run`, `run --resume`, `merge` and the runs `serve` starts take
 * `DIR/.lock` before writing and remove it when done. The file says who holds it (process id,
 * host, start time, command), so that the second writer is refused with a name; a lock whose
 * process is gone (same host, no such pid) is stale and taken over.
 *
 * The lock is created complete or not at all: written under a temporary name, then hard-linked to
 * `.lock`, which fails when the name exists (link(2) is atomic, as O_EXCL creation is, and the
 * reader never sees a half-written lock).
 */
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError, describeFsError } from '../errors.js';

export const LOCK_FILE = '.lock';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

/** Takes the folder's lock; returns its release. Throws a UserError naming the holder when another live process has it. */
export function lockFolder(dir: string, command: string): () => void {
  const path = join(dir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(mine)}\n`);
  } catch (err) {
    throw new UserError(`cannot write in results folder ${dir}: ${describeFsError(err)}`);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw new UserError(`cannot lock results folder ${dir}: ${describeFsError(err)}`);
        const holder = lockHolder(dir);
        if (holder) throw new UserError(`${dir} is being written by ${describeHolder(holder)}; one writer per folder: wait for it to finish (or, if that process is gone, delete ${path})`);
        removeQuietly(path); // stale: its process is gone
      }
    }
  } finally {
    removeQuietly(tmp);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const now = readHolder(path);
    if (now && now.pid === mine.pid && now.host === mine.host) removeQuietly(path);
  };
}

/** Who holds the folder's lock, or null when nobody does (no lock, or a stale one). */
export function lockHolder(dir: string): LockHolder | null {
  const holder = readHolder(join(dir, LOCK_FILE));
  if (!holder) return null;
  return holder.host !== hostname() || alive(holder.pid) ? holder : null;
}

export function describeHolder(h: LockHolder): string {
  return `${h.command} (process ${h.pid} on ${h.host}, since ${h.startedAt})`;
}

function readHolder(path: string): LockHolder | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof v.pid !== 'number' || typeof v.host !== 'string') return null;
    return { pid: v.pid, host: v.host, startedAt: String(v.startedAt ?? '?'), command: String(v.command ?? 'init-bench') };
  } catch {
    return null;
  }
}

/** Signal 0 checks that the process exists; EPERM means it exists under another user. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or a read-only folder: nothing to clean
  }
}
