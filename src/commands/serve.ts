/**
 * `init-bench serve`: a local page that starts runs and shows them live (src/serve/). Prints the
 * URL (with its token), keeps serving until the signal, then stops its runs the way Ctrl-C stops
 * `run` (finished trials kept, folders written) and returns. Only cli.ts exits.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { UserError } from '../errors.js';
import { startServer } from '../serve/server.js';
import { unwritable } from '../serve/writable.js';

export interface ServeFlags {
  port?: string;
  host?: string;
  open?: boolean;
  results?: string;
  maxRuns?: string;
  jobs?: string;
  models?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function serveCommand(flags: ServeFlags, signal?: AbortSignal): Promise<number> {
  const port = whole(flags.port ?? '8321', '--port', 0, 65535);
  const host = flags.host ?? '127.0.0.1';
  const maxRuns = whole(flags.maxRuns ?? '1', '--max-runs', 1, 64);
  const jobs = whole(flags.jobs ?? '1', '--jobs', 1, availableParallelism() * 4);
  if (flags.models !== undefined && !(existsSync(flags.models) && statSync(flags.models).isDirectory())) throw new UserError(`--models ${flags.models} is not a folder`);
  const server = await startServer({ host, port, root: flags.results ?? 'results', maxRuns, jobs, ...(flags.models !== undefined ? { models: flags.models } : {}) });
  if (!LOOPBACK.has(host)) process.stderr.write(`warning: serving on ${host}, reachable from other machines: every request (the page, runs, event streams, reports) needs the token in the URL below; anyone who has that URL can see the runs and start runs on this machine\n`);
  process.stdout.write(`init-bench serve: ${server.url}\n`);
  const readOnly = unwritable(flags.results ?? 'results');
  if (readOnly) process.stderr.write(`warning: ${readOnly}\n`);
  else process.stderr.write(`runs land in ${flags.results ?? 'results'}/; at most ${maxRuns} at a time, ${jobs} worker process(es) each. Ctrl-C stops.\n`);
  if (flags.open) await openBrowser(server.url);
  await new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  process.stderr.write('stopping: runs in progress keep their finished trials (resume them from the page or with `init-bench run --resume DIR`)\n');
  await server.close();
  return 0;
}

function whole(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`${flag} ${text} must be a whole number from ${min} to ${max}`);
  return n;
}

/** The platform's opener; a failure to open is only a note (the URL is printed). */
async function openBrowser(url: string): Promise<void> {
  const { spawn } = await import('node:child_process');
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`could not open a browser (${command}); open the URL above\n`));
  child.unref();
}
