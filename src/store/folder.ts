/**
 * A results folder, from birth to merge:
 *
 *   config.json         the fully resolved config (reading it back runs the same experiment)
 *   run.json            how this folder was run: its shard, if any
 *   trials/NNNNN-ID.json one file per finished trial, written the moment it finishes
 *   results.json        the whole document, rewritten at most every few seconds and at the end
 *   report.html, metrics.csv   rendered from the document at the end (report/)
 *
 * Every file is written to a temporary name and renamed into place, so a crash never leaves half
 * a record (a failed write removes its temporary file; a resume removes those a killed process
 * left). One process writes a folder at a time (lock.ts). Everything read back is validated
 * against the results schema, and a trial that is not one of the folder's config is set aside;
 * trials/ is the durable record, from which results.json can always be rebuilt.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { resolveConfig, savedConfig, type ExperimentConfig, type Overrides } from '../config/load.js';
import { LIMITS } from '../config/schema.js';
import { UserError, describeFsError } from '../errors.js';
import { preloadReports, releaseReports, writeReports } from '../report/write.js';
import { emptyDocument } from '../runner/experiment.js';
import { enumerateTasks, type Task } from '../runner/tasks.js';
import { describeIssue } from '../util/issues.js';
import { canonical, differences } from '../util/json.js';
import { shellQuote } from '../util/text.js';
import { resultsSchema, shardSchema, trialSchema, type ResultsDocument, type ShardInfo, type TrialResult } from '../results/schema.js';
import { summarizeTrials } from '../results/summary.js';
import { lockFolder } from './lock.js';

/** What a run writes into its folder: a folder holding any of these is someone's results. */
export const FOLDER_FILES = ['config.json', 'run.json', 'results.json', 'report.html', 'metrics.csv', 'trials'] as const;

/** Minimum interval between rewrites of results.json during a run (trials/ is written at once). */
const RESULTS_EVERY_MS = 3000;

const runSchema = z.object({ shard: shardSchema.pick({ index: true, count: true }).nullable() });
export type RunInfo = z.output<typeof runSchema>;

/** Writes `value` to a temporary file and renames it into place; a failure (a full disk) removes the temporary file and says which file and why. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
    throw new UserError(`cannot write ${path}: ${describeFsError(err)}`);
  }
}

/** Removes the temporary files of writes a killed process left (`*.tmp`, in the folder and trials/); quietly where the folder is read-only. */
export function removeStaleTemporaries(dir: string): void {
  for (const folder of [dir, join(dir, 'trials')]) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => n.endsWith('.tmp'))) {
      try {
        unlinkSync(join(folder, name));
      } catch {
        // read-only, or removed meanwhile
      }
    }
  }
}

/**
 * Why `path` cannot be created, in words: Node's recursive mkdir reports a read-only or
 * unwritable parent as "no such file", so the nearest existing parent is asked.
 */
function whyNotCreated(path: string, err: unknown): string {
  let parent = resolve(path);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  try {
    accessSync(parent, constants.W_OK);
  } catch (e) {
    return `${describeFsError(e)} (${parent})`;
  }
  return describeFsError(err);
}

/**
 * Who reads a message: `how` is the command line's invocation ("npx init-bench"), and advice is
 * given in flags; without it, the caller is a script of the API, and advice names its functions.
 */
function resumeAdvice(dir: string, how: string | undefined): string {
  return how ? `${how} run --resume ${shellQuote(dir)}` : `resumeExperiment(${JSON.stringify(dir)})`;
}

/**
 * Checks, before anything is written, that `out` can become a new results folder: refused when
 * it is a file or already holds files a run writes (resume that run instead, or pick another).
 * `how`: the command line's invocation; absent, the message speaks to an API caller.
 */
export function checkNewFolder(out: string, how?: string): void {
  if (!existsSync(out)) return;
  const option = how ? '--out' : 'the `out` option';
  if (!statSync(out).isDirectory()) throw new UserError(`${option} ${out} is a file, not a folder`);
  const ours = FOLDER_FILES.filter((f) => existsSync(join(out, f)));
  if (ours.length === 0) return;
  const resume = existsSync(join(out, 'config.json')) ? `continue that run with: ${resumeAdvice(out, how)}, or ` : '';
  throw new UserError(`${out} already holds ${ours.join(', ')}, which a run would overwrite; ${resume}give another ${how ? '--out' : '`out` (a new or empty folder)'}`);
}

/**
 * A new folder for `config`: `out`, or results/<timestamp>-<name>[-N], which two runs started at
 * once never share; locked (lock.ts) before anything is written into it. Returns the folder and
 * the lock's release.
 */
export function createFolder(config: ExperimentConfig, out: string | undefined, run: RunInfo, root = 'results', command = 'init-bench run'): { dir: string; release: () => void } {
  let dir = out;
  let release: () => void = () => {};
  const made: string[] = []; // what to take back if the folder cannot be completed
  try {
    if (dir !== undefined) {
      if (!existsSync(dir)) made.push(dir);
      mkdirSync(dir, { recursive: true });
    }
    else {
      mkdirSync(root, { recursive: true });
      const stem = join(root, `${new Date().toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z')}-${config.name}`);
      // mkdir without `recursive` fails when the folder exists: the first run to create a name owns it.
      for (let n = 1; dir === undefined; n++) {
        const candidate = n === 1 ? stem : `${stem}-${n}`;
        try {
          mkdirSync(candidate);
          made.push(candidate);
          dir = candidate;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
      }
    }
    release = lockFolder(dir, command);
    if (out !== undefined) checkNewFolder(out); // another run may have started in it since the first check
    for (const f of ['trials', 'config.json', 'run.json']) if (!existsSync(join(dir, f))) made.push(join(dir, f));
    mkdirSync(join(dir, 'trials'), { recursive: true });
    writeJsonAtomic(join(dir, 'config.json'), config.resolved);
    writeJsonAtomic(join(dir, 'run.json'), run);
  } catch (err) {
    release();
    for (const p of made.reverse()) takeBack(p);
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot create results folder ${dir ?? root}: ${whyNotCreated(dir ?? root, err)}`);
  }
  return { dir, release };
}

/** Removes a file, or an empty folder, this process made; anything else stays. */
function takeBack(path: string): void {
  try {
    if (statSync(path).isDirectory()) rmdirSync(path);
    else unlinkSync(path);
  } catch {
    // gone, not empty, or not removable: left as it is
  }
}

/** Saves trials as they finish and the document now and then; `finish` writes everything. */
export class FolderWriter {
  private lastWrite = -Infinity;

  constructor(
    readonly dir: string,
    private readonly shard: ShardInfo | null = null,
    /** Releases the folder's lock (lock.ts). */
    readonly close: () => void = () => {},
  ) {}

  trial(index: number, trial: TrialResult, doc: ResultsDocument): void {
    mkdirSync(join(this.dir, 'trials'), { recursive: true });
    writeJsonAtomic(join(this.dir, 'trials', `${String(index).padStart(5, '0')}-${trial.id}.json`), trial);
    // The whole document grows with the grid: rewrite it at most every few seconds, so a run of
    // thousands of trials does not write gigabytes. It is always written at the end.
    if (performance.now() - this.lastWrite > RESULTS_EVERY_MS) {
      writeJsonAtomic(join(this.dir, 'results.json'), this.withShard(doc));
      this.lastWrite = performance.now();
    }
  }

  /**
   * The trials start: what `finish` renders with is loaded meanwhile rather than after the last
   * trial. `inWorkers`: they run in worker processes, and this process waits for them (it loads
   * the renderer itself); else they train in this process (a thread of its own loads it).
   */
  trialsStart(inWorkers: boolean): void {
    preloadReports(inWorkers ? 'here' : 'thread');
  }

  /** Ends what `trialsStart` started, also when the run threw before `finish`. */
  trialsStopped(): void {
    releaseReports();
  }

  async finish(doc: ResultsDocument): Promise<ResultsDocument> {
    const full = this.withShard(doc);
    writeJsonAtomic(join(this.dir, 'results.json'), full);
    try {
      await writeReports(this.dir, full);
    } finally {
      releaseReports();
    }
    return full;
  }

  private withShard(doc: ResultsDocument): ResultsDocument {
    return this.shard ? { ...doc, shard: this.shard } : doc;
  }
}

/** A file read back and validated; a broken one is a UserError naming the file, what is wrong, and the way out. */
function readValidated<T extends z.ZodType>(path: string, schema: T, what: string, wayOut: string): z.output<T> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${path}: ${describeFsError(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${path} is not valid JSON (${(err as Error).message.split('\n')[0]}${text.length ? '' : '; the file is empty'}): ${wayOut}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) => describeIssue(i, { root: value }));
    throw new UserError(`${path} is not ${what} (${problems.join('; ')}): ${wayOut}`);
  }
  return parsed.data;
}

export interface FolderContents {
  dir: string;
  config: ExperimentConfig;
  run: RunInfo;
  /** The saved trials, validated, in the experiment's order. */
  trials: TrialResult[];
  /** The document: results.json, or rebuilt from trials/ when that is missing, stale or broken. */
  doc: ResultsDocument;
  /** Files that could not be read, or that belong to another experiment, each with what happens instead. */
  warnings: string[];
  /** results.json holds every saved trial: nothing needs writing when nothing runs. */
  upToDate: boolean;
}

/** Reads a results folder back, everything validated. */
export function readFolder(dir: string, how?: string): FolderContents {
  if (!existsSync(join(dir, 'config.json'))) throw new UserError(`${dir} is not a results folder (no config.json)`);
  let config: ExperimentConfig;
  let raw: Overrides;
  try {
    raw = readValidated(join(dir, 'config.json'), resultsSchema.shape.config, 'a config', 'restore it from a copy, or start the run again');
    config = resolveConfig(savedConfig(raw), {}, { maxTrials: LIMITS.folderTrials, data: false });
  } catch (err) {
    throw new UserError(`${join(dir, 'config.json')}: ${(err as Error).message}`);
  }
  const runFile = join(dir, 'run.json');
  const run: RunInfo = existsSync(runFile) ? readValidated(runFile, runSchema, 'a run record', 'delete it to treat the folder as a whole run') : { shard: null };
  const warnings: string[] = [];
  const tasks = enumerateTasks(config);
  const order = new Map(tasks.map((t) => [t.id, t.index]));
  const trials = ownTrials(readTrials(dir, how, warnings), tasks, join(dir, 'trials'), warnings).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  let saved: ResultsDocument | null = null;
  const resultsFile = join(dir, 'results.json');
  if (existsSync(resultsFile)) {
    try {
      saved = readValidated(resultsFile, resultsSchema, 'a results document', 'it is rebuilt from trials/');
    } catch (err) {
      warnings.push((err as Error).message);
    }
  }
  // results.json of another experiment (copied in, or config.json edited since): not this folder's document.
  const sameConfig = (c: unknown) => canonical(c) === canonical(raw) || canonical(c) === canonical(config.resolved);
  if (saved && (!sameConfig(saved.config) || saved.trials.some((t) => !order.has(t.id)))) {
    warnings.push(`${resultsFile} is not the document of this folder's config.json (an edited config.json, or a results.json copied from another run): it is rebuilt from trials/`);
    saved = null;
  }
  if (saved && saved.trials.length >= trials.length) return { dir, config, run, trials, doc: saved, warnings, upToDate: true };
  const doc = { ...emptyDocument(config, saved?.backend), ...(saved ? { createdAt: saved.createdAt } : {}) };
  doc.trials = trials;
  doc.summary = summarizeTrials(trials, config.initializers.map((s) => s.label));
  doc.complete = trials.length === tasks.length;
  if (run.shard) doc.shard = { ...run.shard, trials: tasks.filter((t) => t.index % run.shard!.count === run.shard!.index - 1).length };
  return { dir, config, run, trials, doc, warnings, upToDate: false };
}

/**
 * The trials that belong to the folder's experiment: a trial's id is the hash of its settings,
 * initializer and seed (runner/trial.ts), so a file whose id is not one of the config's tasks, or
 * whose initializer or seed differ from its task's, comes from another experiment (an edited
 * config.json, a file copied in). Those are set aside, with a warning, never counted.
 */
function ownTrials(trials: TrialResult[], tasks: Task[], folder: string, warnings: string[]): TrialResult[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const seen = new Set<string>();
  const own = trials.filter((t) => {
    const task = byId.get(t.id);
    if (!task || task.spec.label !== t.init || task.seed !== t.seed || seen.has(t.id)) return false;
    seen.add(t.id);
    return true;
  });
  const foreign = trials.length - own.length;
  if (foreign) warnings.push(`${foreign} file(s) in ${folder} are not trials of this folder's config.json (an edited config.json, files copied from another run, or a trial saved twice): left out of the results and their statistics`);
  return own;
}

/** Every trial saved in the folder (temporary files of an interrupted write are ignored); a broken one is skipped with a warning. */
function readTrials(dir: string, how: string | undefined, warnings: string[]): TrialResult[] {
  const folder = join(dir, 'trials');
  if (!existsSync(folder)) return [];
  const out: TrialResult[] = [];
  for (const f of readdirSync(folder).filter((f) => /^\d+-[0-9a-f]+\.json$/.test(f)).sort()) {
    try {
      out.push(readValidated(join(folder, f), trialSchema, 'a saved trial', `that trial runs again with: ${resumeAdvice(dir, how)}`));
    } catch (err) {
      warnings.push((err as Error).message);
    }
  }
  return out;
}

/** The results document of a folder, validated (rebuilt from trials/ when results.json is missing or stale). */
export function loadResults(dir: string): ResultsDocument {
  return readFolder(dir).doc;
}

/**
 * Combines folders of one experiment (shards, or a run resumed elsewhere) into `out`: the trials a
 * single-machine run would have, in its order. Folders whose configs differ are refused.
 */
export async function mergeFolders(dirs: string[], out: string, how?: string): Promise<{ doc: ResultsDocument; config: ExperimentConfig; missing: number; backends: string[]; warnings: string[] }> {
  if (dirs.length === 0) throw new UserError('merge needs at least one results folder');
  const folders = dirs.map((d) => readFolder(d, how));
  const sources = folders.map((f) => f.config.resolved as Overrides);
  const differing = folders.filter((_, i) => canonical(sources[i]) !== canonical(sources[0]));
  if (differing.length) {
    const i = folders.indexOf(differing[0]);
    throw new UserError(`cannot merge: the config of ${differing.map((f) => f.dir).join(', ')} differs from ${dirs[0]}'s (${differences(sources[0], sources[i]).join(', ')}); only shards of one experiment merge`);
  }
  checkNewFolder(out, how);
  const { config } = folders[0];
  const byId = new Map<string, TrialResult>();
  for (const f of folders) {
    for (const t of f.trials) {
      const kept = byId.get(t.id);
      if (!kept || (kept.status === 'failed' && t.status !== 'failed')) byId.set(t.id, t); // a finished trial beats a failed attempt
    }
  }
  const backends = [...new Set(folders.map((f) => f.doc.backend))];
  const { dir, release } = createFolder(config, out, { shard: null }, undefined, 'init-bench merge');
  const writer = new FolderWriter(dir, null, release);
  const doc = emptyDocument(config, backends[0]);
  if (backends.length > 1) doc.backends = backends;
  const tasks = enumerateTasks(config);
  for (const task of tasks) {
    const trial = byId.get(task.id);
    if (!trial) continue;
    doc.trials.push(trial);
    writer.trial(task.index, trial, doc);
  }
  doc.summary = summarizeTrials(doc.trials, config.initializers.map((s) => s.label));
  doc.complete = doc.trials.length === tasks.length;
  try {
    return { doc: await writer.finish(doc), config, missing: tasks.length - doc.trials.length, backends, warnings: folders.flatMap((f) => f.warnings) };
  } finally {
    writer.close();
  }
}
