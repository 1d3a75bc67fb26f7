/**
 * The results folder of a run, and how it survives interruptions:
 *
 *   config.json        the resolved config (reading it back gives the same experiment)
 *   run.json           how this folder was run: its shard, if any
 *   trials/NNNN-ID.json one file per finished trial, written the moment it finishes
 *   results.json       the whole document (design.md's schema), rewritten after every trial
 *
 * Every file is written to a temporary name and renamed into place, so a crash never leaves half
 * a record; `--resume` reads trials/ back and runs only what is missing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { Shard } from './shard.js';
import type { TrialResult } from './trial.js';

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

export function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`${what}: ${path} is missing`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${what}: ${path} is not valid JSON (${(err as Error).message})`);
  }
}

/** A new results folder: `results/<timestamp>-<name>/`, or `out` when given. */
export function createResultsDir(name: string, out: string | undefined, root = 'results'): string {
  const dir = out ?? join(root, `${new Date().toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z')}-${name}`);
  if (existsSync(join(dir, 'config.json'))) {
    throw new UserError(`${dir} already holds a run's results; continue it with --resume ${dir}, or give another --out`);
  }
  try {
    mkdirSync(join(dir, 'trials'), { recursive: true });
  } catch (err) {
    throw new UserError(`cannot create results folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return dir;
}

export interface RunInfo {
  shard: Shard | null;
}

export function writeRunInfo(dir: string, info: RunInfo): void {
  writeJsonAtomic(join(dir, 'run.json'), info);
}

export function readRunInfo(dir: string): RunInfo {
  return existsSync(join(dir, 'run.json')) ? (readJson(join(dir, 'run.json'), 'results folder') as RunInfo) : { shard: null };
}

/** Saves one finished trial under its position in the experiment and its id. */
export function writeTrial(dir: string, index: number, trial: TrialResult): void {
  mkdirSync(join(dir, 'trials'), { recursive: true });
  writeJsonAtomic(join(dir, 'trials', `${String(index).padStart(5, '0')}-${trial.id}.json`), trial);
}

/** Every trial saved in the folder (temporary files of an interrupted write are ignored). */
export function readTrials(dir: string): TrialResult[] {
  const folder = join(dir, 'trials');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => /^\d+-[0-9a-f]+\.json$/.test(f))
    .sort()
    .map((f) => readJson(join(folder, f), 'saved trial') as TrialResult);
}
