/**
 * The runs `serve` knows: every results folder under its root (reopenable), and the ones it is
 * running, each in its own host process (host.ts). A run's id is its folder's name; ids from a
 * request are only ever looked up in the root's listing, never joined into a path unchecked.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, UserError } from './engine.js';
import { describeHolder, loadResults, lockHolder, resolveConfig, type ConfigInput, type ResultsDocument, type RunEvent } from './engine.js';
import type { HostMessage, HostRequest } from './host.js';
import { unwritable } from './writable.js';

const HOST = fileURLToPath(new URL('./host.js', import.meta.url));

/** The files of a results folder the page may open. */
export const RUN_FILES = ['report.html', 'results.json', 'metrics.csv', 'config.json'] as const;
export type RunFile = (typeof RUN_FILES)[number];

export type RunState = 'starting' | 'running' | 'stopping' | 'finished' | 'interrupted' | 'failed';

export interface RunInfo {
  id: string;
  name: string;
  state: RunState;
  createdAt: string;
  /** Trials finished (on disk) and in the whole experiment (null until known). */
  trials: number;
  total: number | null;
  /** Started by this server and still running: it can be stopped. */
  live: boolean;
  /** Another process writes the folder (a CLI run): neither resumable nor stoppable from here. */
  lockedBy?: string;
  files: RunFile[];
  error?: string;
}

/** An event as the page receives it: the engine's, with the time (ms since epoch) the host emitted it. */
export interface Stamped {
  event: RunEvent;
  at: number;
}

/** What a page opened at any moment needs to catch up: the folder's document, and the trials in flight. */
export interface Snapshot {
  run: RunInfo;
  /** The run's config as saved in config.json (known before the folder is). */
  config: Record<string, unknown> | null;
  doc: ResultsDocument | null;
  /** Per trial in progress: its trialStart and its epochs so far (not yet on disk). */
  inFlight: Stamped[];
}

/** Too many runs at once: HTTP 429. */
export class BusyError extends UserError {}

interface Live {
  child: ChildProcess;
  config: Record<string, unknown>;
  state: RunState;
  name: string;
  total: number | null;
  createdAt: string;
  error?: string;
  /** The `end` event has been sent: nothing more will come. */
  ended: boolean;
  /** trialStart and epoch events per trial index, until its trialEnd. */
  inFlight: Map<number, Stamped[]>;
  listeners: Set<(s: Stamped) => void>;
}

export interface RunsOptions {
  /** The results folder: every run lands here. */
  root: string;
  maxRuns: number;
  /** Worker processes per run. */
  jobs: number;
  /** The folder of model files a request may name (`serve --models DIR`). */
  models?: string;
}

/** A folder's document as last read, and the modification times it was read at. */
interface Cached {
  key: string;
  doc: ResultsDocument | null;
  error: string | null;
}

/** A model file the page may name: a plain file name ending in .json. */
const MODEL_NAME = /^[\w][\w.-]{0,99}\.json$/;

export class Runs {
  private readonly live = new Map<string, Live>();
  private readonly cache = new Map<string, Cached>();

  constructor(readonly options: RunsOptions) {}

  /** Validates the config (ConfigError: HTTP 400), checks the limit (BusyError: 429), starts the run. */
  start(input: unknown): RunInfo {
    // No key may name a file or a library (refused before anything looks at the path), and the
    // experiment's size is bounded before it is enumerated (resolveConfig): cheap, whatever the
    // request. `model.file` names one of the --models folder's files, looked up in its listing.
    const config = resolveConfig(this.withModelFiles(input) as ConfigInput, { paths: false });
    const readOnly = unwritable(this.options.root);
    if (readOnly) throw new UserError(readOnly);
    this.checkLimit();
    const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
    let id = `${stamp}-${config.name}`;
    for (let k = 2; existsSync(join(this.options.root, id)) || this.live.has(id); k++) id = `${stamp}-${config.name}-${k}`;
    return this.launch(id, config.resolved, config.name, { config: config.resolved, out: join(this.options.root, id), jobs: this.options.jobs });
  }

  /** The model files a request may name: the `.json` files directly in the --models folder (none without it). */
  modelNames(): string[] {
    const dir = this.options.models;
    if (dir === undefined || !existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isFile() && MODEL_NAME.test(d.name))
      .map((d) => d.name)
      .sort();
  }

  /**
   * `model.file` from a request names files of the --models folder's listing, never a path: each
   * name is looked up in the listing and only then joined to the folder. `model.fileSha256` is
   * the server's to record.
   */
  private withModelFiles(input: unknown): unknown {
    const model = (input as { model?: Record<string, unknown> } | null)?.model;
    if (typeof model !== 'object' || model === null || (model.file === undefined && model.fileSha256 === undefined)) return input;
    if (model.fileSha256 !== undefined) throw new ConfigError(['`model.fileSha256` cannot come from the page: the server records it']);
    const names = this.modelNames();
    if (this.options.models === undefined) throw new ConfigError(['`model.file`: this server has no model folder; start it with `init-bench serve --models DIR` to offer the model files in DIR']);
    const given = Array.isArray(model.file) ? model.file : [model.file];
    const unknown = given.filter((n) => typeof n !== 'string' || !names.includes(n));
    if (unknown.length) throw new ConfigError([`\`model.file\`: ${unknown.map((n) => JSON.stringify(n).slice(0, 60)).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not among this server's model files (${names.join(', ') || 'none'})`]);
    const paths = given.map((n) => join(this.options.models!, n as string));
    return { ...(input as object), model: { ...model, file: Array.isArray(model.file) ? paths : paths[0] } };
  }

  /** Continues an interrupted run in its folder: only the missing trials run. */
  resume(id: string): RunInfo {
    const run = this.info(id);
    if (!run) throw new UserError(`no run ${id}`);
    if (run.live) throw new UserError(`run ${id} is still running`);
    if (run.state === 'finished') throw new UserError(`run ${id} is complete: nothing to resume`);
    if (run.lockedBy) throw new UserError(`run ${id} is being written by ${run.lockedBy}: one writer per folder`);
    const dir = join(this.options.root, id);
    const doc = this.document(dir);
    if (!doc.doc) throw new UserError(`run ${id} cannot be resumed: ${doc.error}`);
    this.checkLimit();
    return this.launch(id, doc.doc.config as Record<string, unknown>, run.name, { resume: dir, jobs: this.options.jobs });
  }

  /** Ctrl-C for that run: SIGINT to its host, which keeps the finished trials and writes the folder. */
  stop(id: string): boolean {
    const run = this.live.get(id);
    if (!run || run.ended || run.state === 'stopping') return false;
    run.state = 'stopping';
    run.child.kill('SIGINT');
    return true;
  }

  /** Every run, newest first. */
  list(): RunInfo[] {
    const folders = this.folders();
    const ids = new Set([...this.live.keys(), ...folders]);
    return [...ids].flatMap((id) => this.info(id, folders) ?? []).sort((a, b) => b.id.localeCompare(a.id));
  }

  /** The run of an id from a request, or null: only known folders and live runs match. */
  info(id: string, folders = this.folders()): RunInfo | null {
    const live = this.live.get(id);
    const dir = folders.includes(id) ? join(this.options.root, id) : null;
    if (!live && !dir) return null;
    const read = dir ? this.document(dir) : null;
    const doc = read?.doc ?? null;
    const files = dir ? RUN_FILES.filter((f) => isRegularFile(join(dir, f))) : [];
    const error = live?.error ?? read?.error ?? undefined;
    const base = { id, trials: doc?.trials.length ?? 0, files, ...(error ? { error } : {}) };
    const holder = dir && !(live && !live.ended) ? lockHolder(dir) : null;
    const lockedBy = holder ? { state: 'running' as const, lockedBy: describeHolder(holder) } : {};
    if (live) return { ...base, name: live.name, state: live.state, createdAt: live.createdAt, total: live.total, live: !live.ended, ...lockedBy };
    const name = String((doc?.config as { name?: unknown } | undefined)?.name ?? id);
    // A folder another process writes is running; one that cannot be read is not offered for resume.
    const state: RunState = holder ? 'running' : !doc ? 'failed' : doc.complete ? 'finished' : 'interrupted';
    return { ...base, name, state, createdAt: doc?.createdAt ?? statSync(dir!).mtime.toISOString(), total: null, live: false, ...lockedBy };
  }

  snapshot(id: string): Snapshot | null {
    const run = this.info(id);
    if (!run) return null;
    const dir = run.files.includes('config.json') ? join(this.options.root, id) : null;
    const inFlight = [...(this.live.get(id)?.inFlight.values() ?? [])].flat();
    const doc = dir ? this.document(dir).doc : null;
    return { run, config: this.live.get(id)?.config ?? doc?.config ?? null, doc, inFlight };
  }

  /** Live events of a run; returns the unsubscribe function (null when the run is not live). */
  subscribe(id: string, listener: (s: Stamped) => void): (() => void) | null {
    const run = this.live.get(id);
    if (!run || run.ended) return null;
    run.listeners.add(listener);
    return () => run.listeners.delete(listener);
  }

  /** The path of one of a run's files, when the run and the file exist. */
  file(id: string, name: string): string | null {
    const run = this.info(id);
    const file = RUN_FILES.find((f) => f === name);
    return run && file && run.files.includes(file) ? join(this.options.root, id, file) : null;
  }

  /** Stops every live run and waits for its host to write its folder and exit. */
  async stopAll(): Promise<void> {
    // A child that died by a signal has no exit code but a signal code: it will not exit again.
    const exits = [...this.live.values()].filter((r) => r.child.exitCode === null && r.child.signalCode === null).map((r) => new Promise((resolve) => r.child.once('exit', resolve)));
    for (const id of this.live.keys()) this.stop(id);
    await Promise.all(exits);
  }

  private checkLimit(): void {
    const running = [...this.live.values()].filter((r) => !r.ended).length;
    if (running >= this.options.maxRuns) {
      throw new BusyError(`${running} run(s) already running, the limit of this server (--max-runs ${this.options.maxRuns}); stop one or wait for it to finish`);
    }
  }

  private launch(id: string, config: Record<string, unknown>, name: string, request: HostRequest): RunInfo {
    const child = fork(HOST, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const run: Live = { child, config, state: 'starting', ended: false, name, total: null, createdAt: new Date().toISOString(), inFlight: new Map(), listeners: new Set() };
    this.live.set(id, run);
    child.on('message', (m: HostMessage) => {
      if (m.type === 'fatal') run.error = m.message.split('\n')[0];
      else this.onEvent(run, { event: m.event, at: m.at });
    });
    child.on('exit', (code, signal) => {
      if (!run.ended) {
        // Stopped before the host had set up its handler (a stop right after the start): interrupted, as asked.
        const stopped = run.state === 'stopping';
        if (!stopped) {
          run.state = 'failed';
          run.error ??= `the run's process exited (${signal ?? `code ${code}`})`;
        }
        this.onEvent(run, { event: { type: 'end', complete: false, stopped: stopped ? 'interrupted' : null }, at: Date.now() });
      }
      run.listeners.clear();
    });
    child.send(request);
    return this.info(id)!;
  }

  private onEvent(run: Live, s: Stamped): void {
    const e = s.event;
    if (e.type === 'start') {
      run.total = e.total;
      if (run.state === 'starting') run.state = 'running';
    } else if (e.type === 'trialStart') run.inFlight.set(e.index, [s]);
    else if (e.type === 'epoch') run.inFlight.get(e.index)?.push(s);
    else if (e.type === 'trialEnd') run.inFlight.delete(e.index);
    else if (e.type === 'end') {
      run.ended = true;
      run.inFlight.clear();
      if (run.state !== 'failed') run.state = e.complete ? 'finished' : e.stopped || run.state === 'stopping' ? 'interrupted' : 'failed';
    }
    for (const listener of run.listeners) listener(s);
  }

  /** Folder names under the root that hold a run (a config.json); symbolic links are not followed. */
  private folders(): string[] {
    if (!existsSync(this.options.root)) return [];
    return readdirSync(this.options.root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && isRegularFile(join(this.options.root, d.name, 'config.json')))
      .map((d) => d.name);
  }

  /**
   * A folder's document, read again only when the folder changed: the modification times of the
   * folder, trials/ and the files read (a write renames a file into place, which changes them).
   * A folder that cannot be read is listed with the reason, its first line.
   */
  private document(dir: string): Cached {
    const key = [dir, join(dir, 'trials'), join(dir, 'config.json'), join(dir, 'results.json'), join(dir, 'run.json')].map(stamp).join('|');
    const cached = this.cache.get(dir);
    if (cached?.key === key) return cached;
    let read: Cached;
    try {
      read = { key, doc: loadResults(dir), error: null };
    } catch (err) {
      read = { key, doc: null, error: `cannot be read: ${(err as Error).message.split('\n')[0]}` };
    }
    this.cache.set(dir, read);
    return read;
  }
}

/** A regular file, not a symbolic link to one (lstat). */
function isRegularFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

function stamp(path: string): string {
  try {
    const s = lstatSync(path);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return '-';
  }
}
