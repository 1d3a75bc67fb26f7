/**
 * Progress on stderr, never on stdout (which --json keeps for the document):
 *   bar    one status line redrawn in place (a TTY): trials done, the latest epoch's loss;
 *          gone for good after end(), so nothing is drawn under the last line
 *   plain  one line per trial start and per epoch (logs, CI)
 *   none   nothing but errors
 * `auto` is bar on a TTY, plain otherwise.
 */
import type { EpochMetrics } from '../results/schema.js';
import { num, pct } from './format.js';

export type ProgressMode = 'auto' | 'bar' | 'plain' | 'none';
export const PROGRESS_MODES: ProgressMode[] = ['auto', 'bar', 'plain', 'none'];

export interface TrialRef {
  init: string;
  seed: number;
  index: number;
  total: number;
}

export interface Progress {
  /** A message line (backend, trial starts, warnings). */
  log(line: string): void;
  epoch(trial: TrialRef, m: EpochMetrics, epochs: number): void;
  trialDone(): void;
  /** Clears the bar; call before printing results. */
  end(): void;
}

/**
 * `env`: NO_COLOR or TERM=dumb mean no escape sequences; the bar is then redrawn with a carriage
 * return and spaces, and `auto` on a dumb terminal prints plain lines.
 */
export function createProgress(mode: ProgressMode, stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY' | 'columns'> = process.stderr, env: NodeJS.ProcessEnv = process.env): Progress {
  const dumb = env.TERM === 'dumb';
  const resolved = mode === 'auto' ? (stream.isTTY && !dumb ? 'bar' : 'plain') : mode;
  if (resolved === 'none') return { log: () => {}, epoch: () => {}, trialDone: () => {}, end: () => {} };
  const epochLine = (t: TrialRef, m: EpochMetrics, epochs: number) =>
    `[${t.index}/${t.total}] ${t.init} seed ${t.seed} epoch ${m.epoch}/${epochs}: loss ${num(m.trainLoss)}, test acc ${pct(m.testAccuracy)} (${m.seconds.toFixed(1)} s)`;
  if (resolved === 'plain') {
    return { log: (line) => stream.write(`${line}\n`), epoch: (t, m, e) => stream.write(`  ${epochLine(t, m, e)}\n`), trialDone: () => {}, end: () => {} };
  }
  const escapes = !dumb && env.NO_COLOR === undefined;
  let done = 0;
  let total = 0;
  let status = 'starting';
  /** Columns of the bar on screen (0: none). */
  let shown = 0;
  // After end() the bar is never drawn again: what follows (the results line, expectations) is
  // the last output, and the shell prompt must land on a clean line.
  let ended = false;
  const width = () => Math.max(40, (stream.columns ?? 100) - 1);
  const clear = () => {
    if (shown) stream.write(escapes ? '\r\x1b[2K' : `\r${' '.repeat(shown)}\r`);
    shown = 0;
  };
  const draw = () => {
    if (ended) return;
    const slots = 20;
    const filled = total ? Math.round((slots * done) / total) : 0;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(slots - filled)}] ${done}/${total || '?'} trials  ${status}`.slice(0, width());
    if (escapes) stream.write(`\r\x1b[2K${line}`);
    else stream.write(`\r${line.padEnd(shown)}`);
    shown = line.length;
  };
  return {
    log(line) {
      clear();
      stream.write(`${line}\n`);
      const m = /^trial \d+\/(\d+)/.exec(line);
      if (m) total = Number(m[1]);
      draw();
    },
    epoch(t, m, epochs) {
      total = t.total;
      status = epochLine(t, m, epochs);
      draw();
    },
    trialDone() {
      done++;
      draw();
    },
    end() {
      clear();
      ended = true;
    },
  };
}
