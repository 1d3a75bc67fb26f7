/**
 * Whether runs can land in the results folder: checked at start-up (a warning) and before each
 * start (the form shows the refusal), by creating and removing an empty folder there, since
 * permission bits alone do not tell (a read-only mount, an administrator's account).
 */
import { existsSync, mkdtempSync, rmdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Null when a run could write under `root`, else why not, in one line. Creates nothing that stays. */
export function unwritable(root: string): string | null {
  // The folder itself, or the nearest one above it that exists (a run creates the rest).
  let dir = resolve(root);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    rmdirSync(mkdtempSync(join(dir, '.init-bench-write-check-')));
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'a read-only file system' : code === 'ENOTDIR' ? 'a file is in the way' : (err as Error).message;
    return `the results folder ${root} is not writable (${why}): runs cannot be started here; its runs can still be viewed. Give serve --results a folder you can write to`;
  }
}
