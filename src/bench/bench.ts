/**
 * `npm run bench`: training speed measured in one run, as ratios (these machines are shared and
 * noisy, so absolute times mean little across runs).
 *
 *   1. Seconds per epoch (training only) and samples/s of the default MLP (784-256-128-10) and
 *      the default CNN, Adam, batch 128, on each backend that loads here, and on the PyTorch peer
 *      (../shared/bench/torch_peer.py, when Debian's python3-torch is installed), with the ratio.
 *      init-bench on wasm and the peer run alternately, three rounds each, and each keeps its best
 *      time: on a shared machine a neighbour's burst then hurts neither side's figure.
 *   2. Four independent trials with --jobs 1 and --jobs <cores>: the speed-up.
 *   3. A sweep of 4 initializers x 3 seeds (the MLP, 3 epochs, 8000 digits): init-bench with
 *      --jobs <cores> against one sequential PyTorch process (1 thread), whole-command wall time.
 *
 * Not part of `npm test`. `--json` prints one JSON document instead of the tables.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { digitsFolder } from '../data/embedded.js';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(ROOT, 'bin', 'init-bench.js');
const PEER = resolve(ROOT, '..', 'shared', 'bench', 'torch_peer.py');
const PYTHON = '/usr/bin/python3';
const json = process.argv.includes('--json');
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Speed {
  who: string;
  model: 'mlp' | 'cnn';
  secondsPerEpoch: number;
  samplesPerSecond: number;
  testAccuracy: number;
  note?: string;
}

const COMMON = ['--optimizer', 'adam', '--lr', '0.001', '--batch-size', '128', '--seed', '0', '--init', 'he', '--quiet', '--json', '--jobs', '1'];

async function ours(backend: string, model: 'mlp' | 'cnn', trainSize: number, epochs: number): Promise<Speed> {
  const out = mkdtempSync(join(tmpdir(), 'init-bench-bench-'));
  const args = [BIN, 'run', ...COMMON, '--backend', backend, '--model', model, '--epochs', String(epochs), '--train-size', String(trainSize), '--test-size', '2000', '--out', out];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 26 });
  const trial = JSON.parse(stdout).trials[0];
  // The first epoch includes warm-up (kernel setup, XNNPACK plans): time the later ones when there are some.
  const timed = trial.epochs.length > 1 ? trial.epochs.slice(1) : trial.epochs;
  const perEpoch = timed.reduce((a: number, e: { trainSeconds: number }) => a + e.trainSeconds, 0) / timed.length;
  const scale = 8000 / trainSize; // seconds per epoch of 8000 digits
  return {
    who: `init-bench ${backend}`,
    model,
    secondsPerEpoch: perEpoch * scale,
    samplesPerSecond: trainSize / perEpoch,
    testAccuracy: trial.final.testAccuracy,
    ...(scale !== 1 ? { note: `measured on ${trainSize} digits, scaled to 8000` } : {}),
  };
}

async function torchAvailable(): Promise<boolean> {
  if (!existsSync(PEER) || !existsSync(PYTHON)) return false;
  try {
    await run(PYTHON, ['-c', 'import torch']);
    return true;
  } catch {
    return false;
  }
}

async function peer(model: 'mlp' | 'cnn', epochs: number): Promise<Speed> {
  const { stdout } = await run(PYTHON, [PEER, '--digits', digitsFolder(), '--model', model, '--hidden', '256,128', '--epochs', String(epochs), '--batch-size', '128', '--threads', '1']);
  const r = JSON.parse(stdout.trim().split('\n').pop()!);
  return { who: `${r.peer} (1 thread)`, model, secondsPerEpoch: r.secondsPerEpoch, samplesPerSecond: r.samplesPerSecond, testAccuracy: r.testAccuracy };
}

async function wallTime(command: string, args: string[]): Promise<number> {
  const t = performance.now();
  await run(command, args, { maxBuffer: 1 << 26 });
  return (performance.now() - t) / 1000;
}

/** Rounds per comparison: each side is timed this often, alternating, and its best time kept. */
const ROUNDS = 3;

/** Runs `a` and `b` alternately ROUNDS times; returns each side's fastest result. */
async function bestOf<T>(a: () => Promise<T>, b: () => Promise<T>, time: (x: T) => number): Promise<[T, T]> {
  const as: T[] = [];
  const bs: T[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    as.push(await a());
    bs.push(await b());
  }
  const best = (xs: T[]) => xs.reduce((m, x) => (time(x) < time(m) ? x : m));
  return [best(as), best(bs)];
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  const hasTorch = await torchAvailable();
  const speeds: Speed[] = [];
  for (const model of ['mlp', 'cnn'] as const) {
    log(`timing ${model}: init-bench wasm${hasTorch ? ' and the PyTorch peer, alternately' : ''}, best of ${ROUNDS}...`);
    if (hasTorch) speeds.push(...(await bestOf(() => ours('wasm', model, 8000, 3), () => peer(model, 3), (s) => s.secondsPerEpoch)));
    else speeds.push(await ours('wasm', model, 8000, 3));
  }
  if (!hasTorch) log('PyTorch peer unavailable (apt-get install python3-torch libopenblas0-pthread): no ratios');
  for (const backend of ['tensorflow', 'cpu']) {
    for (const model of ['mlp', 'cnn'] as const) {
      // The pure-JS cpu backend is 30x (MLP) to 1000x (CNN) slower: a subset, scaled, keeps it short.
      const [size, epochs] = backend !== 'cpu' ? [8000, 3] : model === 'mlp' ? [2000, 1] : [256, 1];
      log(`timing init-bench on ${backend}, ${model}...`);
      try {
        speeds.push(await ours(backend, model, size, epochs));
      } catch (err) {
        log(`  ${backend} unavailable: ${String((err as { stderr?: string }).stderr ?? err).split('\n').find((l) => l.includes('error')) ?? 'failed'}`);
        break;
      }
    }
  }

  const tmp = () => ['--out', mkdtempSync(join(tmpdir(), 'init-bench-bench-'))];
  log(`timing 4 independent trials, --jobs 1 and --jobs ${cores}, alternately, best of ${ROUNDS}...`);
  const four = [BIN, 'run', '--init', 'he,xavier,lecun,random', '--optimizer', 'adam', '--lr', '0.001', '--batch-size', '128', '--epochs', '3', '--quiet'];
  const [jobs1, jobsN] = await bestOf(() => wallTime(process.execPath, [...four, '--jobs', '1', ...tmp()]), () => wallTime(process.execPath, [...four, '--jobs', String(cores), ...tmp()]), (x) => x);

  log(`timing the 4 x 3 sweep${hasTorch ? ' against PyTorch, alternately' : ''}, best of ${ROUNDS}...`);
  const sweep = [BIN, 'run', '--init', 'he,xavier,zeros,random', '--seeds', '0,1,2', '--optimizer', 'adam', '--lr', '0.001', '--batch-size', '128', '--epochs', '3', '--quiet'];
  const peerSweep = [PEER, '--digits', digitsFolder(), '--model', 'mlp', '--hidden', '256,128', '--epochs', '3', '--batch-size', '128', '--inits', 'he,xavier,zeros,random', '--seeds', '0,1,2', '--threads', '1'];
  const oursSweep = () => wallTime(process.execPath, [...sweep, '--jobs', String(cores), ...tmp()]);
  const [sweepOurs, sweepPeer] = hasTorch ? await bestOf(oursSweep, () => wallTime(PYTHON, peerSweep), (x) => x) : [await oursSweep(), null];

  const peerOf = (model: string) => speeds.find((s) => s.model === model && s.who.startsWith('pytorch'));
  const rows = speeds.map((s) => ({ ...s, ratioToPeer: peerOf(s.model) && !s.who.startsWith('pytorch') ? s.secondsPerEpoch / peerOf(s.model)!.secondsPerEpoch : null }));
  const report = {
    cores,
    rounds: ROUNDS,
    perEpoch: rows,
    parallel: { trials: 4, jobs1Seconds: jobs1, jobsN: cores, jobsNSeconds: jobsN, speedup: jobs1 / jobsN },
    sweep: { trials: 12, initBenchSeconds: sweepOurs, jobs: cores, pytorchSeconds: sweepPeer, ratio: sweepPeer ? sweepOurs / sweepPeer : null },
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const f = (x: number, d = 3) => x.toFixed(d);
  const lines = [`Seconds per epoch of 8000 digits (training only; Adam, batch 128; best of ${ROUNDS} alternating rounds where compared):`, ''];
  lines.push(`  ${'who'.padEnd(34)} ${'model'.padEnd(5)} ${'s/epoch'.padStart(8)} ${'samples/s'.padStart(10)} ${'test acc'.padStart(8)} ${'x peer'.padStart(7)}`);
  for (const r of rows) {
    lines.push(`  ${r.who.padEnd(34)} ${r.model.padEnd(5)} ${f(r.secondsPerEpoch).padStart(8)} ${Math.round(r.samplesPerSecond).toString().padStart(10)} ${f(r.testAccuracy).padStart(8)} ${(r.ratioToPeer === null ? '-' : f(r.ratioToPeer, 2)).padStart(7)}${r.note ? `  (${r.note})` : ''}`);
  }
  lines.push('', `4 independent trials (whole command): --jobs 1 ${f(jobs1, 1)} s, --jobs ${cores} ${f(jobsN, 1)} s: ${f(jobs1 / jobsN, 2)}x faster`);
  lines.push(`Sweep 4 inits x 3 seeds (whole command): init-bench --jobs ${cores} ${f(sweepOurs, 1)} s` + (sweepPeer ? `, PyTorch sequential (1 thread) ${f(sweepPeer, 1)} s: ratio ${f(sweepOurs / sweepPeer, 2)}` : ' (no PyTorch peer)'));
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
