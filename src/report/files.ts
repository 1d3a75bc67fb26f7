/**
 * The results folder: `results/<timestamp>-<name>/` (or --out DIR) holding config.json (the
 * resolved config) and results.json (design.md's schema). Files are written atomically: a
 * temporary file renamed into place, so a crash never leaves half a document.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';

export function resultsDir(name: string, out: string | undefined, root = 'results'): string {
  const dir = out ?? join(root, `${new Date().toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z')}-${name}`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`cannot create results folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return dir;
}

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}
