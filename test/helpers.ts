import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBackend, type BackendOptions, type Tf } from '../src/backend/select.js';

/** The repository root (tests run from dist/test/...). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'init-bench.js');

export function tempDir(prefix = 'init-bench-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a child process, as a user would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (child: ReturnType<typeof spawn>) => void): Promise<CliResult> {
  return runScript(BIN, args, { NO_COLOR: '1', ...env }, onSpawn);
}

/** Runs a script of the project under node as a child process, collecting its output. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (child: ReturnType<typeof spawn>) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    onSpawn?.(child);
  });
}

/** tfjs on the wasm backend (what a fresh clone has), shared by the tests of one file; `options.blas`: see startBackend. */
export async function wasmTf(options: BackendOptions = {}): Promise<Tf> {
  return (await startBackend('wasm', options)).tf;
}

/** Calls `action` once, the first time the child's stderr so far matches `pattern` (chunks may split lines). */
export function onStderr(child: ReturnType<typeof spawn>, pattern: RegExp, action: () => void): void {
  let seen = '';
  let done = false;
  child.stderr?.on('data', (d: Buffer) => {
    seen += d.toString();
    if (!done && pattern.test(seen)) {
      done = true;
      action();
    }
  });
}

/**
 * The environment that preloads `source` (CommonJS) into every node process of a CLI run, workers
 * included, through NODE_OPTIONS: a way to act from inside the run at an exact point of it.
 */
export function preload(source: string): NodeJS.ProcessEnv {
  const file = join(tempDir('init-bench-preload-'), 'preload.cjs');
  writeFileSync(file, source);
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${file}` };
}

/**
 * The environment under which the CLI process (not a worker) sends itself `signal` the first
 * time its own stderr so far matches `pattern`: as a user's Ctrl-C would, but at a known point.
 * Sent from the test on reading the line instead, a signal could arrive after the trial it was
 * meant to interrupt had ended, as trials of a few milliseconds do under load. The training loop
 * lets signals in every 16 steps, so a trial of more steps than that is stopped inside.
 */
export function signalOwnStderr(pattern: RegExp, signal: NodeJS.Signals): NodeJS.ProcessEnv {
  return {
    ...preload(`
if (!process.send) {
  const pattern = new RegExp(${JSON.stringify(pattern.source)}, ${JSON.stringify(pattern.flags)});
  const write = process.stderr.write.bind(process.stderr);
  let seen = '';
  let done = false;
  process.stderr.write = (chunk, ...rest) => {
    const written = write(chunk, ...rest);
    if (!done) {
      seen += String(chunk);
      if (pattern.test(seen)) { done = true; process.kill(process.pid, ${JSON.stringify(signal)}); }
    }
    return written;
  };
}
`),
  };
}

/** Debian's Chromium, which the browser tests drive through playwright-core (.ci/run installs it). */
const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when Chromium is installed. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `Debian's chromium is not installed (${CHROMIUM}); .ci/run installs it with apt-get install chromium`;
}

/** Headless Chromium with no background traffic of its own (this machine has no network but loopback). */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
