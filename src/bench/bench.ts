/**
 * `npm run bench`: training speed as ratios to PyTorch with one thread, measured in one run
 * (these machines are shared and noisy, so absolute times mean little across runs).
 *
 * Contenders: init-bench on wasm with the system BLAS (INIT_BENCH_BLAS=auto), init-bench on
 * wasm with XNNPACK only (INIT_BENCH_BLAS=off), and the PyTorch peer bench/torch_peer.py (same
 * network, digits and settings; Debian's python3-torch). Every comparison runs the contenders
 * alternately, ROUNDS times, and keeps each one's best: a neighbour's burst then hurts no side's
 * figure more than another's.
 *
 *   1. Seconds per epoch of training (8000 digits; the first epoch, with its warm-up, left out
 *      on both sides): the default MLP run (SGD with momentum 0.9, batch 64), the MLP with Adam
 *      at batch 128, the default CNN.
 *   2. Whole commands, start-up included: the default `init-bench run` (four trials) against a
 *      PyTorch script doing the same four; a sweep of 4 initializers x 3 seeds with --jobs 2
 *      against one sequential PyTorch process.
 *   3. Other backends that load here (tensorflow, cpu), and --jobs 1 against --jobs <cores>.
 *
 * Each ratio is printed beside its target. Not part of `npm test`. `--json` prints one
 * JSON document instead of the tables.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { digitsFolder } from '../data/embedded.js';

const exec = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(ROOT, 'bin', 'init-bench.js');
const PEER = join(ROOT, 'bench', 'torch_peer.py');
const PYTHON = '/usr/bin/python3';
const ROUNDS = 3;
const json = process.argv.includes('--json');
const log = (line: string) => process.stderr.write(`${line}\n`);
const outDir = () => ['--out', mkdtempSync(join(tmpdir(), 'init-bench-bench-'))];

interface Setting {
  name: string;
  model: 'mlp' | 'cnn';
  optimizer: 'momentum' | 'adam';
  lr: number;
  batchSize: number;
  /** Issue 12's target for init-bench with a BLAS, as a ratio to PyTorch. */
  target: number;
}

const SETTINGS: Setting[] = [
  { name: 'MLP, default run (momentum, batch 64)', model: 'mlp', optimizer: 'momentum', lr: 0.01, batchSize: 64, target: 1.5 },
  { name: 'MLP, Adam, batch 128', model: 'mlp', optimizer: 'adam', lr: 0.001, batchSize: 128, target: 2.5 },
  { name: 'CNN, default run (momentum, batch 64)', model: 'cnn', optimizer: 'momentum', lr: 0.01, batchSize: 64, target: 1.5 },
];

/** The two init-bench paths on wasm, chosen through the environment the CLI reads. */
const PATHS = [
  { name: 'BLAS', env: { INIT_BENCH_BLAS: 'auto' } },
  { name: 'XNNPACK', env: { INIT_BENCH_BLAS: 'off' } },
];

interface Timing {
  who: string;
  /** init-bench's wasm path, when this is one. */
  path?: string;
  seconds: number;
  testAccuracy?: number;
}

/** Mean of the epochs after the first (warm-up), or the only one. */
function steadyMean(xs: number[]): number {
  const steady = xs.length > 1 ? xs.slice(1) : xs;
  return steady.reduce((a, b) => a + b, 0) / steady.length;
}

const settingFlags = (s: Setting) => ['--model', s.model, '--optimizer', s.optimizer, '--lr', String(s.lr), '--batch-size', String(s.batchSize)];

async function ours(setting: Setting, path: (typeof PATHS)[number] | null, backend = 'wasm', trainSize = 8000, epochs = 3): Promise<Timing> {
  const args = [BIN, 'run', '--init', 'he', '--seed', '0', ...settingFlags(setting), '--epochs', String(epochs), '--train-size', String(trainSize), '--test-size', '2000', '--backend', backend, '--jobs', '1', '--quiet', '--json', ...outDir()];
  const { stdout } = await exec(process.execPath, args, { maxBuffer: 1 << 26, env: { ...process.env, ...path?.env } });
  const doc = JSON.parse(stdout);
  const trial = doc.trials[0];
  const perEpoch = steadyMean(trial.epochs.map((e: { trainSeconds: number }) => e.trainSeconds));
  return { who: `init-bench ${doc.backend}`, ...(path ? { path: path.name } : {}), seconds: (perEpoch * 8000) / trainSize, testAccuracy: trial.final.testAccuracy };
}

async function peer(setting: Setting): Promise<Timing> {
  const { stdout } = await exec(PYTHON, [PEER, '--digits', digitsFolder(), ...settingFlags(setting), '--epochs', '3', '--threads', '1']);
  const r = JSON.parse(stdout.trim().split('\n').pop()!);
  return { who: `${r.peer} (1 thread)`, seconds: steadyMean(r.epochSeconds), testAccuracy: r.testAccuracy };
}

async function wallTime(who: string, command: string, args: string[], path?: (typeof PATHS)[number]): Promise<Timing> {
  const t = performance.now();
  await exec(command, args, { maxBuffer: 1 << 26, env: { ...process.env, ...path?.env } });
  return { who, ...(path ? { path: path.name } : {}), seconds: (performance.now() - t) / 1000 };
}

async function torchAvailable(): Promise<boolean> {
  if (!existsSync(PYTHON)) return false;
  try {
    await exec(PYTHON, ['-c', 'import torch']);
    return true;
  } catch {
    return false;
  }
}

/** Runs the contenders in turn, ROUNDS times; returns each one's fastest result. */
async function bestOf(contenders: (() => Promise<Timing>)[]): Promise<Timing[]> {
  const best: (Timing | null)[] = contenders.map(() => null);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, run] of contenders.entries()) {
      const t = await run();
      if (!best[i] || t.seconds < best[i]!.seconds) best[i] = t;
    }
  }
  return best as Timing[];
}

interface Comparison {
  name: string;
  unit: 's/epoch' | 's (whole command)';
  target: number | null;
  timings: (Timing & { ratio: number | null })[];
}

function compare(name: string, unit: Comparison['unit'], target: number | null, timings: Timing[], hasTorch: boolean): Comparison {
  const ref = hasTorch ? timings[timings.length - 1].seconds : null;
  const c = { name, unit, target, timings: timings.map((t, i) => ({ ...t, ratio: ref && !(hasTorch && i === timings.length - 1) ? t.seconds / ref : null })) };
  // Each figure as soon as it is measured: a long run interrupted still leaves what it measured.
  log(`  ${c.timings.map((t) => `${t.who} ${t.seconds.toFixed(3)}${t.ratio === null ? '' : ` (${t.ratio.toFixed(2)}x)`}`).join('; ')}`);
  return c;
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  const hasTorch = await torchAvailable();
  if (!hasTorch) log('PyTorch peer unavailable (apt-get install python3-torch libopenblas0-pthread): no ratios');
  const comparisons: Comparison[] = [];
  const withPeer = (runs: (() => Promise<Timing>)[], peerRun: () => Promise<Timing>) => (hasTorch ? [...runs, peerRun] : runs);

  for (const s of SETTINGS) {
    log(`timing ${s.name}: BLAS, XNNPACK${hasTorch ? ', PyTorch' : ''}, alternately, best of ${ROUNDS}...`);
    const timings = await bestOf(withPeer(PATHS.map((p) => () => ours(s, p)), () => peer(s)));
    comparisons.push(compare(s.name, 's/epoch', s.target, timings, hasTorch));
  }

  const peerArgs = (inits: string, seeds: string) => [PEER, '--digits', digitsFolder(), '--inits', inits, '--seeds', seeds, '--threads', '1'];
  log(`timing the default \`init-bench run\` (4 trials, --jobs ${cores}) against a PyTorch script doing the same, best of ${ROUNDS}...`);
  const defaultRun = await bestOf(
    withPeer(
      PATHS.map((p) => () => wallTime(`init-bench run, ${p.name}`, process.execPath, [BIN, 'run', '--quiet', ...outDir()], p)),
      () => wallTime('pytorch script (1 thread)', PYTHON, peerArgs('zeros,random,xavier,he', '0')),
    ),
  );
  comparisons.push(compare('default run, 4 trials, whole command', 's (whole command)', null, defaultRun, hasTorch));

  log(`timing the 4 x 3 sweep, init-bench --jobs 2 against one sequential PyTorch process, best of ${ROUNDS}...`);
  const sweepArgs = [BIN, 'run', '--init', 'he,xavier,zeros,random', '--seeds', '0,1,2', '--jobs', '2', '--quiet'];
  const sweep = await bestOf(
    withPeer(
      PATHS.map((p) => () => wallTime(`init-bench --jobs 2, ${p.name}`, process.execPath, [...sweepArgs, ...outDir()], p)),
      () => wallTime('pytorch sequential (1 thread)', PYTHON, peerArgs('he,xavier,zeros,random', '0,1,2')),
    ),
  );
  comparisons.push(compare('sweep 4 inits x 3 seeds, whole command', 's (whole command)', 1.8, sweep, hasTorch));

  const others: Timing[] = [];
  for (const backend of ['tensorflow', 'cpu']) {
    for (const s of [SETTINGS[0], SETTINGS[2]]) {
      // The pure-JS cpu backend is 30x (MLP) to 1000x (CNN) slower: a subset, scaled, keeps it short.
      const [size, epochs] = backend !== 'cpu' ? [8000, 3] : s.model === 'mlp' ? [2000, 1] : [256, 1];
      log(`timing init-bench on ${backend}, ${s.name}...`);
      try {
        others.push({ ...(await ours(s, null, backend, size, epochs)), who: `init-bench ${backend}, ${s.name}` });
      } catch (err) {
        log(`  ${backend} unavailable: ${String((err as { stderr?: string }).stderr ?? err).split('\n').find((l) => l.includes('error')) ?? 'failed'}`);
        break;
      }
    }
  }

  log(`timing 4 independent trials, --jobs 1 and --jobs ${cores}, alternately, best of ${ROUNDS}...`);
  const four = [BIN, 'run', '--init', 'he,xavier,lecun,random', '--quiet'];
  const [jobs1, jobsN] = await bestOf([1, cores].map((j) => () => wallTime(`--jobs ${j}`, process.execPath, [...four, '--jobs', String(j), ...outDir()])));

  const report = { cores, rounds: ROUNDS, comparisons, otherBackends: others, parallel: { trials: 4, jobs1Seconds: jobs1.seconds, jobsN: cores, jobsNSeconds: jobsN.seconds, speedup: jobs1.seconds / jobsN.seconds } };
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${render(report)}\n`);
}

function render(report: { rounds: number; comparisons: Comparison[]; otherBackends: Timing[]; parallel: { jobs1Seconds: number; jobsN: number; jobsNSeconds: number; speedup: number } }): string {
  const f = (x: number, d = 3) => x.toFixed(d);
  const lines = [`Best of ${report.rounds} alternating rounds; ratios are to PyTorch with 1 thread in the same run (a shared machine: compare ratios, not seconds).`];
  for (const c of report.comparisons) {
    lines.push('', `${c.name} (${c.unit})${c.target ? `, target for BLAS <= ${c.target}x` : ''}:`);
    for (const t of c.timings) {
      const verdict = c.target && t.ratio !== null && t.path === 'BLAS' ? (t.ratio <= c.target ? '  met' : '  missed') : '';
      lines.push(`  ${t.who.padEnd(40)} ${f(t.seconds).padStart(8)} ${t.testAccuracy === undefined ? '' : `acc ${f(t.testAccuracy)}`.padEnd(10)} ${t.ratio === null ? '' : `${f(t.ratio, 2)}x`}${verdict}`);
    }
  }
  if (report.otherBackends.length) {
    lines.push('', 'Other backends (s/epoch of 8000 digits; the cpu backend on a subset, scaled):');
    for (const t of report.otherBackends) lines.push(`  ${t.who.padEnd(60)} ${f(t.seconds).padStart(8)}`);
  }
  const p = report.parallel;
  lines.push('', `4 independent trials (whole command): --jobs 1 ${f(p.jobs1Seconds, 1)} s, --jobs ${p.jobsN} ${f(p.jobsNSeconds, 1)} s: ${f(p.speedup, 2)}x faster`);
  return lines.join('\n');
}

await main();
