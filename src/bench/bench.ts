/**
 * `npm run bench`: init-bench's training speed as ratios to PyTorch with one thread, and its
 * own scaling over cores, with the spread of every figure and the load of the machine it ran on.
 *
 * Contenders run alternately, round after round (the order flips every round), so that a slow
 * spell of the machine hurts no side more than the other; a round's ratio pairs the two runs of
 * that round, and where both sides are one thread they run on the same CPU (Measure.sameCpu).
 * Before each round the bench waits for the 1-minute load average (what `uptime`
 * shows) to fall to --max-load, and refuses the round when it does not; during the round it
 * measures the CPU time of every other process on the machine (/proc/stat minus its own and its
 * children's time, /proc/self/stat) and flags the round when others took more than
 * FOREIGN_FLAG cores on average. Figures are summarized over accepted rounds (not refused, not
 * flagged): min, median and max, and the median ratio is checked against its target.
 *
 * Measures (8000 training and 2000 test digits of the embedded MNIST unless said otherwise;
 * per-epoch figures are the mean of the steady epochs, the first, with its warm-up, left out on
 * both sides):
 *   - seconds per epoch of one trial against bench/torch_peer.py (same network, optimizer,
 *     batch, digits): the default MLP (momentum, batch 64), the MLP with Adam at batch 128, the
 *     CNN with momentum at batch 64 and with Adam at batch 128, a 20-layer ReLU MLP (width 256);
 *   - whole commands, start-up included: the default `init-bench run` against a PyTorch script
 *     doing the same four trials; a sweep of 4 initializers x 3 seeds with --jobs 2 against the
 *     same trials in one sequential PyTorch process;
 *   - scaling: one trial on every core (--blas-threads auto) against one core, on the CNN (Adam,
 *     batch 128: its batches shared among step partners) and on an MLP of two 1024-wide layers
 *     (momentum, batch 256: its products split by the BLAS), and
 *     8 trials x 2 epochs with --jobs 2 against --jobs 1;
 *   - with --data-dir (an IDX folder): seconds per epoch on the whole 60,000-digit train set.
 *
 * Each figure is also given as a fraction of the physical limit: the training FLOPs of the
 * figure (counted from the network's shapes, trainingFlops below) divided by this core's sgemm
 * rate, measured once at the start on a 1024^3 product through the same BLAS with one thread.
 *
 *   npm run bench [-- --json] [--rounds 5] [--max-load 1.0] [--wait 60] [--data-dir DIR]
 *                 [--only id,id] [--xnnpack] [--quick]
 *
 * --quick: one small round of every measure (a few hundred digits, 2 epochs), no targets, no
 * waiting and no refusal; the test suite runs it so that the bench cannot break unnoticed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { loadBlas } from '../backend/blas.js';
import { digitsFolder } from '../data/embedded.js';
import { PROBE_BATCH } from '../runner/trial.js';

const exec = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(ROOT, 'bin', 'init-bench.js');
const PEER = join(ROOT, 'bench', 'torch_peer.py');
const PYTHON = '/usr/bin/python3';
/** Other processes' CPU during a round, in cores on average, above which the round is flagged. */
const FOREIGN_FLAG = 0.25;
const log = (line: string) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------
// Options

export interface BenchOptions {
  quick: boolean;
  json: boolean;
  rounds: number;
  maxLoad: number;
  /** Seconds to wait for the load to fall to maxLoad before a round is refused. */
  wait: number;
  dataDir: string | null;
  only: string[] | null;
  /** Also time init-bench on wasm without the BLAS (XNNPACK only) in the per-epoch measures. */
  xnnpack: boolean;
}

class UsageError extends Error {}

function parseOptions(argv: string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        rounds: { type: 'string' },
        'max-load': { type: 'string', default: '1.0' },
        wait: { type: 'string', default: '60' },
        'data-dir': { type: 'string' },
        only: { type: 'string' },
        xnnpack: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
  const number = (flag: string, text: string, min: number, whole: boolean) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || (whole && !Number.isInteger(n))) throw new UsageError(`--${flag} ${text} must be a ${whole ? 'whole ' : ''}number >= ${min}`);
    return n;
  };
  const dataDir = values['data-dir'] ?? null;
  if (dataDir !== null && !existsSync(dataDir)) throw new UsageError(`--data-dir ${dataDir} does not exist`);
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : null;
  return {
    quick: values.quick!,
    json: values.json!,
    // Five: a process's speed can vary from one process to the next on a VM (docs/backends.md), and
    // the median of three rounds then moved by as much as a target's margin.
    rounds: values.rounds === undefined ? (values.quick ? 1 : 5) : number('rounds', values.rounds, 1, true),
    maxLoad: number('max-load', values['max-load']!, 0, false),
    wait: number('wait', values.wait!, 0, false),
    dataDir,
    only,
    xnnpack: values.xnnpack!,
  };
}

// ---------------------------------------------------------------------------------------------
// FLOPs and the physical limit

export interface Net {
  kind: 'mlp' | 'cnn';
  hidden: number[];
  filters: number[];
  kernelSize: number;
  pool: number;
}

const MLP = (hidden: number[]): Net => ({ kind: 'mlp', hidden, filters: [], kernelSize: 3, pool: 2 });
const CNN: Net = { kind: 'cnn', hidden: [], filters: [16, 32], kernelSize: 3, pool: 2 };

/**
 * Multiply-adds of each weight layer's product for one 28x28 example (valid convolutions, each
 * followed by max pooling, then dense layers to 10 classes), as [forward FLOPs, is first layer].
 */
function layerFlops(net: Net): number[] {
  const out: number[] = [];
  let width = 784;
  if (net.kind === 'cnn') {
    let side = 28;
    let channels = 1;
    for (const f of net.filters) {
      const o = side - net.kernelSize + 1;
      out.push(2 * o * o * net.kernelSize * net.kernelSize * channels * f);
      side = Math.floor(o / net.pool);
      channels = f;
    }
    width = side * side * channels;
  }
  for (const h of net.kind === 'mlp' ? net.hidden : []) {
    out.push(2 * width * h);
    width = h;
  }
  out.push(2 * width * 10);
  return out;
}

/**
 * FLOPs of one training step per example: the forward products F, the kernels' gradients
 * (another F) and the inputs' gradients of every layer but the first (its input is the data):
 * 3F - F_first. Elementwise work (activations, pooling, the optimizer) is left out: it is small
 * beside the products and memory-bound. Forward-only (evaluation) is F.
 */
export function trainingFlops(net: Net): { train: number; forward: number } {
  const layers = layerFlops(net);
  const forward = layers.reduce((a, b) => a + b, 0);
  return { train: 3 * forward - layers[0], forward };
}

/** FLOPs of `epochs` epochs of `trials` trials: training on trainSize examples, evaluating testSize. */
function runFlops(net: Net, trials: number, epochs: number, trainSize: number, testSize: number): number {
  const f = trainingFlops(net);
  return trials * epochs * (f.train * trainSize + f.forward * testSize);
}

/**
 * This core's sgemm rate through the system BLAS: the median of 5 products of size n^3, on
 * `threads` threads (the library's own threading; back to 1 thread after).
 */
async function measureSgemm(n: number, threads = 1): Promise<{ library: string | null; size: number; gflops: number[] } | null> {
  const found = await loadBlas('auto');
  if (!found.blas) return null;
  if (threads > 1 && !found.blas.setThreads(threads)) return null;
  try {
    const a = new Float32Array(n * n).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const b = new Float32Array(n * n).map((_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
    const c = new Float32Array(n * n);
    found.blas.sgemm(false, false, n, n, n, a, b, 0, c); // warm-up: page faults, the library's buffers, its threads
    const gflops: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      found.blas.sgemm(false, false, n, n, n, a, b, 0, c);
      gflops.push((2 * n ** 3) / ((performance.now() - t) * 1e6));
    }
    return { library: `${found.blas.name}${found.blas.version ? ` ${found.blas.version}` : ''}`, size: n, gflops };
  } finally {
    if (threads > 1) found.blas.setThreads(1);
  }
}

// ---------------------------------------------------------------------------------------------
// Load: the load average, and the CPU time other processes took during a round

interface CpuSnapshot {
  busy: number;
  total: number;
  own: number;
}

/** Whole-machine busy and total jiffies (/proc/stat), and this process's own and reaped children's (/proc/self/stat). */
function cpuSnapshot(): CpuSnapshot | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = cpu;
    const self = readFileSync('/proc/self/stat', 'utf8');
    const fields = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
    // utime, stime, cutime, cstime: fields 14-17 of proc(5), 11-14 after "pid (comm) ".
    const own = fields[11] + fields[12] + fields[13] + fields[14];
    return { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal, own };
  } catch {
    return null;
  }
}

/** Cores' worth of CPU that processes other than the bench and its children used between a and b. */
function foreignCores(a: CpuSnapshot | null, b: CpuSnapshot | null): number | null {
  if (!a || !b || b.total <= a.total) return null;
  return Math.max(0, ((b.busy - a.busy - (b.own - a.own)) / (b.total - a.total)) * availableParallelism());
}

const load1 = () => loadavg()[0];

/** Waits up to `seconds` for the 1-minute load average to fall to `max`; returns the last reading. */
async function waitForQuiet(max: number, seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let load = load1();
  while (load > max && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 2000));
    load = load1();
  }
  return load;
}

// ---------------------------------------------------------------------------------------------
// Contenders

interface Run {
  seconds: number;
  testAccuracy?: number;
  /** What ran, as the contender reports it (init-bench's backend label, PyTorch's version). */
  label?: string;
}

interface Contender {
  who: string;
  /** `cpu`: the one CPU its process may run on (sameCpu), or null: any. */
  run(cpu: number | null): Promise<Run>;
}

const TASKSET = '/usr/bin/taskset';

/**
 * The CPUs this process may run on (/proc/self/status Cpus_allowed_list, e.g. `0-1`), when
 * `taskset` can pin a command to one of them; null elsewhere: nothing is pinned.
 */
export function pinnableCpus(status = (() => { try { return readFileSync('/proc/self/status', 'utf8'); } catch { return ''; } })(), taskset = existsSync(TASKSET)): number[] | null {
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
  if (!list || !taskset) return null;
  const cpus = list.split(',').flatMap((part) => {
    const [a, b = a] = part.split('-').map(Number);
    return Number.isInteger(a) && Number.isInteger(b) && a <= b ? Array.from({ length: b - a + 1 }, (_, i) => a + i) : [];
  });
  return cpus.length ? cpus : null;
}

/** `command args` run on `cpu` only (null: as given). */
function onCpu(cpu: number | null, command: string, args: string[]): [string, string[]] {
  return cpu === null ? [command, args] : [TASKSET, ['-c', String(cpu), command, ...args]];
}

/** Mean of the epochs after the first (warm-up), or the only one. */
function steadyMean(xs: number[]): number {
  const steady = xs.length > 1 ? xs.slice(1) : xs;
  return steady.reduce((a, b) => a + b, 0) / steady.length;
}

/** A results folder for one run, removed afterwards (the bench leaves nothing behind). */
async function withOut<T>(fn: (out: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'init-bench-bench-'));
  try {
    return await fn(join(dir, 'r'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Setting {
  net: Net;
  optimizer: 'momentum' | 'adam';
  lr: number;
  batchSize: number;
}

interface Data {
  trainSize: number | null;
  testSize: number | null;
  epochs: number;
  dataDir?: string;
}

const netFlags = (net: Net) => (net.kind === 'mlp' ? ['--model', 'mlp', '--hidden', net.hidden.join(',')] : ['--model', 'cnn', '--filters', net.filters.join(',')]);
const settingFlags = (s: Setting) => [...netFlags(s.net), '--optimizer', s.optimizer, '--lr', String(s.lr), '--batch-size', String(s.batchSize)];
const dataFlags = (d: Data) => [...(d.dataDir ? ['--data-dir', d.dataDir] : []), ...(d.trainSize ? ['--train-size', String(d.trainSize)] : []), ...(d.testSize ? ['--test-size', String(d.testSize)] : []), '--epochs', String(d.epochs)];
const peerData = (d: Data) => [...(d.dataDir ? ['--idx', d.dataDir] : ['--digits', digitsFolder(), '--train-size', String(d.trainSize), '--test-size', String(d.testSize)]), '--epochs', String(d.epochs)];

/** init-bench, one trial: steady seconds per epoch of training. */
function oursPerEpoch(who: string, s: Setting, d: Data, env: NodeJS.ProcessEnv, extra: string[] = []): Contender {
  return {
    who,
    run: (cpu) =>
      withOut(async (out) => {
        const args = [BIN, 'run', '--init', 'he', '--seed', '0', ...settingFlags(s), ...dataFlags(d), '--backend', 'wasm', '--jobs', '1', ...extra, '--quiet', '--json', '--out', out];
        const { stdout } = await exec(...onCpu(cpu, process.execPath, args), { maxBuffer: 1 << 28, env: { ...process.env, ...env } });
        const doc = JSON.parse(stdout) as { backend: string; trials: { epochs: { trainSeconds: number }[]; final: { testAccuracy: number } | null }[] };
        const trial = doc.trials[0];
        return { seconds: steadyMean(trial.epochs.map((e) => e.trainSeconds)), testAccuracy: trial.final?.testAccuracy, label: `init-bench ${doc.backend}` };
      }),
  };
}

/** The PyTorch peer, one trial, one thread: steady seconds per epoch of training. */
function peerPerEpoch(s: Setting, d: Data): Contender {
  return {
    who: 'PyTorch, 1 thread',
    async run(cpu) {
      const { stdout } = await exec(...onCpu(cpu, PYTHON, [PEER, ...peerData(d), ...settingFlags(s), '--threads', '1']), { maxBuffer: 1 << 26 });
      const r = JSON.parse(stdout.trim().split('\n').pop()!) as { peer: string; epochSeconds: number[]; testAccuracy: number };
      return { seconds: steadyMean(r.epochSeconds), testAccuracy: r.testAccuracy, label: r.peer };
    },
  };
}

/** A whole command, start-up included. */
function wallClock(who: string, command: string, args: () => string[], env: NodeJS.ProcessEnv = {}): Contender {
  return {
    who,
    async run(cpu) {
      const t = performance.now();
      await exec(...onCpu(cpu, command, args()), { maxBuffer: 1 << 28, env: { ...process.env, ...env } });
      return { seconds: (performance.now() - t) / 1000 };
    },
  };
}

/** `init-bench run FLAGS`, start-up included, into a results folder removed afterwards. */
function ourCommand(who: string, flags: string[], env: NodeJS.ProcessEnv = {}): Contender {
  return { who, run: (cpu) => withOut((out) => wallClock(who, process.execPath, () => [BIN, 'run', ...flags, '--quiet', '--out', out], env).run(cpu)) };
}

async function torchVersion(): Promise<string | null> {
  if (!existsSync(PYTHON) || !existsSync(PEER)) return null;
  try {
    const { stdout } = await exec(PYTHON, ['-c', 'import torch; print(torch.__version__)']);
    return stdout.trim();
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Measures

/**
 * How contenders[0] is compared with the reference: `ratio` = its seconds / the reference's
 * (PyTorch; lower is better, the target is a maximum); `speedup` = the reference's seconds / its
 * (one core, --jobs 1; higher is better, the target is a minimum).
 */
export type Comparison = 'ratio' | 'speedup';

interface Measure {
  id: string;
  title: string;
  unit: 's/epoch' | 's';
  compare: Comparison;
  /** The target of the median of the rounds' figures (null: none, as in --quick). */
  target: number | null;
  /** Training (and evaluation) FLOPs of one figure, for its fraction of the limit. */
  flops: number;
  contenders: Contender[];
  /** Index of the reference contender (PyTorch, or the one-core / --jobs 1 run); null when absent. */
  reference: number | null;
  /** What the contenders do differently beyond what is timed, said with the figure (null: the same work). */
  note?: string;
  /**
   * One thread against one thread: both contenders of a round run on the same CPU (taskset), the
   * rounds taking the CPUs in turn. On a VM two vCPUs can run at different speeds for minutes
   * (docs/backends.md), and a process mostly stays where it started: unpinned, a round's ratio
   * would partly be the ratio of the CPUs its two processes landed on.
   */
  sameCpu?: boolean;
}

/**
 * The whole commands do not do the same work: init-bench does strictly more than the PyTorch
 * script, and all of it is in its time (src/train/loop.ts, src/runner/trial.ts, src/store/folder.ts).
 */
export function wholeRunNote(testSize: number): string {
  return `init-bench does more than the script: each epoch it also evaluates ${testSize} training digits as it does the ${testSize} test digits (the script: the test digits only) and records gradient norms, weight norms and activation stds; each trial measures every layer at init and after training (a forward and backward pass on ${PROBE_BATCH} digits); the command writes trials/*.json, results.json, metrics.csv and report.html (five Vega-Lite charts) and prints the table`;
}

/** The measures, in the order they run; `peer` false leaves PyTorch out. */
function measures(o: BenchOptions, peer: boolean, cores: number): Measure[] {
  const q = o.quick;
  const small: Data = q ? { trainSize: 256, testSize: 128, epochs: 2 } : { trainSize: 8000, testSize: 2000, epochs: 3 };
  const blas = { INIT_BENCH_BLAS: 'auto' };
  const oneThread = ['--blas-threads', '1'];
  const out: Measure[] = [];
  const withPeer = (ours: Contender[], p: Contender): { contenders: Contender[]; reference: number | null } =>
    peer ? { contenders: [...ours, p], reference: ours.length } : { contenders: ours, reference: null };

  const perEpoch = (id: string, title: string, s: Setting, target: number, d = small) => {
    const ours = [oursPerEpoch('init-bench, BLAS', s, d, blas, oneThread), ...(o.xnnpack ? [oursPerEpoch('init-bench, XNNPACK', s, d, { INIT_BENCH_BLAS: 'off' })] : [])];
    out.push({ id, title, unit: 's/epoch', compare: 'ratio', target: q ? null : target, flops: trainingFlops(s.net).train * (d.trainSize ?? 60000), ...withPeer(ours, peerPerEpoch(s, d)), sameCpu: true });
  };
  const mlp = MLP([256, 128]);
  perEpoch('mlp-momentum-b64', 'default MLP, momentum, batch 64', { net: mlp, optimizer: 'momentum', lr: 0.01, batchSize: 64 }, 1.2);
  perEpoch('mlp-adam-b128', 'MLP, Adam, batch 128', { net: mlp, optimizer: 'adam', lr: 0.001, batchSize: 128 }, 1.3);
  perEpoch('cnn-momentum-b64', 'CNN, momentum, batch 64', { net: CNN, optimizer: 'momentum', lr: 0.01, batchSize: 64 }, 1.0);
  perEpoch('cnn-adam-b128', 'CNN, Adam, batch 128', { net: CNN, optimizer: 'adam', lr: 0.001, batchSize: 128 }, 1.2);
  const deep: Setting = { net: MLP(Array(20).fill(256)), optimizer: 'momentum', lr: 0.01, batchSize: 64 };
  perEpoch('mlp-20x256', '20-layer ReLU MLP, width 256, momentum, batch 64', deep, 1.2);

  // Whole commands. The default run: four initializers, seed 0, the default MLP, --jobs = cores.
  const sizes = q ? ['--train-size', String(small.trainSize), '--test-size', String(small.testSize), '--epochs', String(small.epochs)] : [];
  const peerRun = (inits: string, seeds: string) => () => [PEER, '--digits', digitsFolder(), ...sizes, '--inits', inits, '--seeds', seeds, '--threads', '1'];
  const wholeFlops = (trials: number, epochs = small.epochs) => runFlops(mlp, trials, epochs, small.trainSize!, small.testSize!);
  out.push({
    id: 'default-run',
    title: `default \`init-bench run\` (4 trials, --jobs ${cores}) vs a PyTorch script doing the same`,
    unit: 's',
    compare: 'ratio',
    target: q ? null : 1.0,
    flops: wholeFlops(4),
    note: wholeRunNote(small.testSize!),
    ...withPeer([ourCommand('init-bench run', sizes, blas)], wallClock('PyTorch script, 1 thread', PYTHON, peerRun('zeros,randomNormal,glorotUniform,heNormal', '0'))),
  });
  // --quick keeps every measure but makes the sweeps small: start-up dominates them anyway.
  const [inits, seeds] = q ? [['he', 'zeros'], ['0', '1']] : [['he', 'xavier', 'zeros', 'random'], ['0', '1', '2']];
  out.push({
    id: 'sweep-4x3-jobs2',
    title: `${inits.length} initializers x ${seeds.length} seeds, init-bench --jobs 2 vs PyTorch sequential`,
    unit: 's',
    compare: 'ratio',
    target: q ? null : 0.8,
    flops: wholeFlops(inits.length * seeds.length),
    note: wholeRunNote(small.testSize!),
    ...withPeer([ourCommand('init-bench --jobs 2', ['--init', inits.join(','), '--seeds', seeds.join(','), '--jobs', '2', ...sizes], blas)], wallClock('PyTorch sequential, 1 thread', PYTHON, peerRun(inits.join(','), seeds.join(',')))),
  });

  // Scaling over the cores: one trial on every core (blas.ts, step-partners.ts); trials on every core.
  const oneTrial = (id: string, what: string, s: Setting) =>
    out.push({
      id,
      title: `one trial (${what}), ${cores} threads (--blas-threads auto) vs 1`,
      unit: 's/epoch',
      compare: 'speedup',
      target: q ? null : 1.25,
      flops: trainingFlops(s.net).train * small.trainSize!,
      contenders: [oursPerEpoch(`${cores} threads`, s, small, blas, ['--blas-threads', 'auto']), oursPerEpoch('1 thread', s, small, blas, oneThread)],
      reference: 1,
    });
  oneTrial('one-trial-all-cores', 'CNN, Adam, batch 128', { net: CNN, optimizer: 'adam', lr: 0.001, batchSize: 128 });
  // The same on a network whose products are large enough to split (blas.ts productThreads).
  oneTrial('one-trial-wide-mlp', 'MLP 784-1024-1024-10, momentum, batch 256', { net: MLP([1024, 1024]), optimizer: 'momentum', lr: 0.01, batchSize: 256 });
  const [inits8, seeds8] = q ? [['he', 'zeros'], ['0']] : [['he', 'xavier', 'lecun', 'random'], ['0', '1']];
  const trials8 = inits8.length * seeds8.length;
  const eight = ['--init', inits8.join(','), '--seeds', seeds8.join(','), ...sizes.slice(0, 4), '--epochs', '2'];
  out.push({
    id: 'jobs2-vs-jobs1',
    title: `${trials8} trials x 2 epochs (default MLP), --jobs 2 vs --jobs 1`,
    unit: 's',
    compare: 'speedup',
    target: q ? null : 1.4,
    flops: wholeFlops(trials8, 2),
    contenders: [ourCommand('--jobs 2', [...eight, '--jobs', '2'], blas), ourCommand('--jobs 1', [...eight, '--jobs', '1'], blas)],
    reference: 1,
  });

  if (o.dataDir) {
    const full: Data = { trainSize: null, testSize: null, epochs: 2, dataDir: o.dataDir };
    for (const [id, title, s] of [
      ['full-mnist-mlp', 'full MNIST (60,000), default MLP, momentum, batch 64', { net: mlp, optimizer: 'momentum', lr: 0.01, batchSize: 64 }],
      ['full-mnist-cnn', 'full MNIST (60,000), CNN, momentum, batch 64', { net: CNN, optimizer: 'momentum', lr: 0.01, batchSize: 64 }],
    ] as const) {
      out.push({ id, title, unit: 's/epoch', compare: 'ratio', target: null, flops: trainingFlops(s.net).train * 60000, ...withPeer([oursPerEpoch('init-bench, BLAS', s, full, blas, oneThread)], peerPerEpoch(s, full)), sameCpu: true });
    }
  }
  const ids = out.map((m) => m.id).join();
  if (ids !== [...MEASURE_IDS, ...(o.dataDir ? FULL_MNIST_IDS : [])].join()) throw new Error(`the measures (${ids}) and MEASURE_IDS disagree`);
  if (o.only) {
    const unknown = o.only.filter((id) => !out.some((m) => m.id === id));
    if (unknown.length) throw new UsageError(`--only: no measure ${unknown.join(', ')} (measures: ${out.map((m) => m.id).join(', ')})`);
    return out.filter((m) => o.only!.includes(m.id));
  }
  return out;
}

/** Every measure's id, in order, without --data-dir (the quick test checks the JSON has them all). */
export const MEASURE_IDS = ['mlp-momentum-b64', 'mlp-adam-b128', 'cnn-momentum-b64', 'cnn-adam-b128', 'mlp-20x256', 'default-run', 'sweep-4x3-jobs2', 'one-trial-all-cores', 'one-trial-wide-mlp', 'jobs2-vs-jobs1'];
/** With --data-dir, these follow. */
export const FULL_MNIST_IDS = ['full-mnist-mlp', 'full-mnist-cnn'];

// ---------------------------------------------------------------------------------------------
// Rounds and their summary

/** The line that says why a command failed: its last stderr line mentioning an error, else the message's first. */
function failure(err: unknown): string {
  const stderr = String((err as { stderr?: string }).stderr ?? '');
  const line = stderr.split('\n').reverse().find((l) => /error/i.test(l));
  return (line ?? (err instanceof Error ? err.message : String(err)).split('\n')[0]).trim().slice(0, 300);
}

interface Round {
  /** 1-minute load average before and after the round. */
  loadBefore: number;
  loadAfter: number | null;
  /** Other processes' CPU during the round, in cores on average (null off Linux). */
  foreignCores: number | null;
  /** refused: the load stayed above --max-load; flagged: other processes took more than FOREIGN_FLAG cores; failed: a contender's command failed (`error`). */
  status: 'ok' | 'flagged' | 'refused' | 'failed';
  error?: string;
  /** Seconds per contender, in the measure's contender order (absent when refused). */
  seconds: number[];
  /** contenders[0] against the reference this round, as the measure compares them. */
  ratio: number | null;
  /** The CPU both contenders ran on (a sameCpu measure where taskset is found), else null. */
  cpu: number | null;
}

interface Spread {
  min: number;
  median: number;
  max: number;
}

function spread(xs: number[]): Spread | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { min: s[0], median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, max: s[s.length - 1] };
}

export interface MeasureResult {
  id: string;
  title: string;
  unit: string;
  compare: Comparison;
  target: number | null;
  flops: number;
  /** The FLOPs at this core's sgemm rate, seconds (null without a BLAS). */
  limitSeconds: number | null;
  contenders: { who: string; label: string | null; seconds: Spread | null; testAccuracy: number | null; fractionOfLimit: number | null }[];
  rounds: Round[];
  /** Over the rounds used (the accepted ones; all that ran when none was accepted, then `noisy`). */
  ratio: Spread | null;
  noisy: boolean;
  verdict: 'met' | 'missed' | null;
  /** What the contenders do differently beyond what is timed (null: the same work). */
  note: string | null;
}

async function runMeasure(m: Measure, o: BenchOptions, gflops: number | null, pinnable: number[] | null): Promise<MeasureResult> {
  const rounds: Round[] = [];
  const accuracies: (number | undefined)[] = m.contenders.map(() => undefined);
  const labels: (string | null)[] = m.contenders.map(() => null);
  let accepted = 0;
  for (let attempt = 0; accepted < o.rounds && attempt < (o.quick ? 1 : 2 * o.rounds); attempt++) {
    const loadBefore = o.quick ? load1() : await waitForQuiet(o.maxLoad, o.wait);
    if (!o.quick && loadBefore > o.maxLoad) {
      log(`  round ${attempt + 1}: refused, load ${loadBefore.toFixed(2)} > --max-load ${o.maxLoad} after waiting ${o.wait} s`);
      rounds.push({ loadBefore, loadAfter: null, foreignCores: null, status: 'refused', seconds: [], ratio: null, cpu: null });
      continue;
    }
    const cpu = m.sameCpu && pinnable ? pinnable[attempt % pinnable.length] : null;
    const before = cpuSnapshot();
    const seconds: number[] = [];
    const order = m.contenders.map((_, i) => i);
    if (attempt % 2) order.reverse();
    let error: string | null = null;
    for (const i of order) {
      try {
        const r = await m.contenders[i].run(cpu);
        seconds[i] = r.seconds;
        accuracies[i] = r.testAccuracy;
        labels[i] = r.label ?? null;
      } catch (err) {
        error = `${m.contenders[i].who}: ${failure(err)}`;
        break;
      }
    }
    if (error !== null) {
      log(`  round ${attempt + 1}: FAILED, ${error}`);
      rounds.push({ loadBefore, loadAfter: load1(), foreignCores: null, status: 'failed', error, seconds: [], ratio: null, cpu });
      continue;
    }
    const foreign = foreignCores(before, cpuSnapshot());
    const loadAfter = load1();
    const ratio = m.reference === null ? null : m.compare === 'speedup' ? seconds[m.reference] / seconds[0] : seconds[0] / seconds[m.reference];
    const status = foreign !== null && foreign > FOREIGN_FLAG ? 'flagged' : 'ok';
    if (status === 'ok') accepted++;
    rounds.push({ loadBefore, loadAfter, foreignCores: foreign, status, seconds, ratio, cpu });
    log(`  round ${attempt + 1}: ${m.contenders.map((c, i) => `${c.who} ${seconds[i].toFixed(3)}`).join('; ')}${ratio === null ? '' : `; ${m.compare} ${ratio.toFixed(2)}x`} (${cpu === null ? '' : `both on cpu ${cpu}, `}load ${loadBefore.toFixed(2)} -> ${loadAfter.toFixed(2)}${foreign === null ? '' : `, others ${foreign.toFixed(2)} cores`})${status === 'flagged' ? ' FLAGGED: other processes were busy' : ''}`);
  }
  const ran = rounds.filter((r) => r.status === 'ok' || r.status === 'flagged');
  const used = ran.filter((r) => r.status === 'ok').length ? ran.filter((r) => r.status === 'ok') : ran;
  const limitSeconds = gflops ? m.flops / (gflops * 1e9) : null;
  const ratio = spread(used.flatMap((r) => (r.ratio === null ? [] : [r.ratio])));
  const verdict = m.target === null || !ratio ? null : (m.compare === 'ratio' ? ratio.median <= m.target : ratio.median >= m.target) ? 'met' : 'missed';
  return {
    id: m.id,
    title: m.title,
    unit: m.unit,
    compare: m.compare,
    target: m.target,
    flops: m.flops,
    limitSeconds,
    contenders: m.contenders.map((c, i) => {
      const s = spread(used.map((r) => r.seconds[i]));
      return { who: c.who, label: labels[i], seconds: s, testAccuracy: accuracies[i] ?? null, fractionOfLimit: s && limitSeconds ? limitSeconds / s.median : null };
    }),
    rounds,
    ratio,
    noisy: used.length > 0 && used.every((r) => r.status !== 'ok'),
    verdict,
    note: m.note ?? null,
  };
}


// ---------------------------------------------------------------------------------------------
// The report

export interface BenchReport {
  bench: 'init-bench';
  startedAt: string;
  seconds: number;
  quick: boolean;
  machine: { cores: number; cpu: string; node: string; loadAtStart: number[] };
  options: { rounds: number; maxLoad: number; wait: number; foreignFlagCores: number; dataDir: string | null };
  sgemm: { library: string | null; size: number; gflops: Spread; runs: number[] } | null;
  /**
   * The same product on every core's thread: the most a second BLAS thread can give on this
   * machine, on a product far larger than a training step's (the ceiling of one-trial-all-cores).
   */
  sgemmAllCores: { threads: number; gflops: Spread; runs: number[]; speedup: number } | null;
  pytorch: string | null;
  measures: MeasureResult[];
}

function render(r: BenchReport): string {
  const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? '-' : x.toFixed(d));
  const sp = (s: Spread | null, d = 3) => (s ? `${f(s.median, d)} [${f(s.min, d)}-${f(s.max, d)}]` : '-');
  const lines = [
    `init-bench bench, ${r.startedAt}, ${r.machine.cores} cores (${r.machine.cpu}), node ${r.machine.node}, ${r.pytorch ? `PyTorch ${r.pytorch}` : 'no PyTorch (apt-get install python3-torch): no ratios to it'}`,
    r.sgemm ? `sgemm ${r.sgemm.size}^3 through ${r.sgemm.library}, 1 thread: ${sp(r.sgemm.gflops, 1)} GFLOP/s (the physical limit below: a figure's FLOPs at the median rate)` : 'no system BLAS: no physical limit',
    ...(r.sgemmAllCores ? [`sgemm ${r.sgemm!.size}^3 on ${r.sgemmAllCores.threads} threads: ${sp(r.sgemmAllCores.gflops, 1)} GFLOP/s, ${f(r.sgemmAllCores.speedup, 2)}x one thread (what splitting a large product gains here)`] : []),
    `Figures: median [min-max] of the accepted rounds (load average before each round <= ${r.options.maxLoad}, other processes < ${r.options.foreignFlagCores} cores during it); ratios pair the contenders of a round.`,
    '',
  ];
  for (const m of r.measures) {
    const target = m.target === null ? '' : `${m.compare === 'ratio' ? '<=' : '>='} ${m.target}x`;
    lines.push(`${m.title} (${m.unit}; ${(m.flops / 1e9).toFixed(1)} GFLOP${m.limitSeconds === null ? '' : `, limit ${f(m.limitSeconds)} s`})`);
    if (m.note) lines.push(`  (${m.note})`);
    for (const c of m.contenders) {
      lines.push(`  ${c.who.padEnd(30)} ${sp(c.seconds).padEnd(26)} ${c.testAccuracy === null ? ''.padEnd(10) : `acc ${f(c.testAccuracy)}`.padEnd(10)} ${c.fractionOfLimit === null ? '' : `${(100 * c.fractionOfLimit).toFixed(0)}% of limit`}`);
    }
    lines.push(`  ${m.compare} ${sp(m.ratio, 2)}${target ? `, target ${target}: ${m.verdict ?? '-'}` : ''}${m.noisy ? ' (NOISY: every round flagged)' : ''}; rounds: ${m.rounds.map((x) => (x.status === 'refused' ? `refused (load ${f(x.loadBefore, 2)})` : x.status === 'failed' ? `FAILED (${x.error})` : `${f(x.ratio, 2)}x${x.cpu === null ? '' : ` cpu ${x.cpu}`} load ${f(x.loadBefore, 2)}->${f(x.loadAfter, 2)}${x.foreignCores === null ? '' : ` others ${f(x.foreignCores, 2)}`}${x.status === 'flagged' ? ' FLAGGED' : ''}`)).join('; ') || 'none'}`);
    lines.push('');
  }
  const met = r.measures.filter((m) => m.verdict === 'met').length;
  const judged = r.measures.filter((m) => m.verdict !== null).length;
  if (judged) lines.push(`targets met: ${met} of ${judged}`);
  lines.push(`bench took ${r.seconds.toFixed(0)} s`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  let o: BenchOptions;
  try {
    o = parseOptions(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      log(`bench: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const cores = availableParallelism();
  try {
    measures(o, false, cores); // --only checked before anything slow starts
  } catch (err) {
    if (err instanceof UsageError) {
      log(`bench: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const pytorch = await torchVersion();
  if (!pytorch) log('PyTorch peer unavailable (/usr/bin/python3 with Debian\'s python3-torch): no ratios to PyTorch');
  let list: Measure[];
  try {
    list = measures(o, pytorch !== null, cores);
  } catch (err) {
    if (err instanceof UsageError) {
      log(`bench: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const sg = await measureSgemm(o.quick ? 256 : 1024);
  const sgemm = sg ? { library: sg.library, size: sg.size, gflops: spread(sg.gflops)!, runs: sg.gflops } : null;
  log(sgemm ? `sgemm ${sgemm.size}^3 (${sgemm.library}, 1 thread): ${sgemm.gflops.median.toFixed(1)} GFLOP/s` : 'no system BLAS: figures are not compared with a physical limit');
  const all = sgemm && cores > 1 ? await measureSgemm(sgemm.size, cores) : null;
  const sgemmAllCores = all && sgemm ? { threads: cores, gflops: spread(all.gflops)!, runs: all.gflops, speedup: spread(all.gflops)!.median / sgemm.gflops.median } : null;
  if (sgemmAllCores) log(`sgemm ${sgemm!.size}^3 on ${cores} threads: ${sgemmAllCores.gflops.median.toFixed(1)} GFLOP/s (${sgemmAllCores.speedup.toFixed(2)}x one thread)`);
  const pinnable = pinnableCpus();
  if (!pinnable) log(`${TASKSET} or /proc/self/status not found: one-thread contenders run on any CPU, not on the same one`);
  const results: MeasureResult[] = [];
  for (const m of list) {
    log(`${m.title}: ${m.contenders.map((c) => c.who).join(', ')}${o.quick ? '' : `, alternately, ${o.rounds} round(s)`}...`);
    results.push(await runMeasure(m, o, sgemm?.gflops.median ?? null, pinnable));
  }
  const report: BenchReport = {
    bench: 'init-bench',
    startedAt,
    seconds: (performance.now() - started) / 1000,
    quick: o.quick,
    machine: { cores, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadAtStart: loadavg() },
    options: { rounds: o.rounds, maxLoad: o.maxLoad, wait: o.wait, foreignFlagCores: FOREIGN_FLAG, dataDir: o.dataDir },
    sgemm,
    sgemmAllCores,
    pytorch,
    measures: results,
  };
  process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${render(report)}\n`);
  // A failed command is a broken bench (or peer), whatever else was measured.
  const failed = results.filter((m) => m.rounds.some((r) => r.status === 'failed')).map((m) => m.id);
  if (failed.length) log(`bench: a command failed in ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

// Run as a script (npm run bench), not when a test imports MEASURE_IDS.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
