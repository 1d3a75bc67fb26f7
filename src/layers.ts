/**
 * The layers of src/, bottom first, declared once. A module may import its own layer and the
 * layers below it, never one above: data flows one way, from the command line down to the
 * backend, and results flow back up as plain values. test/layers.test.ts reads every import under
 * src/ and fails on an upward one, naming the file and line; docs/contributing.md's layout table
 * follows this list.
 *
 * Each entry is a folder of src/ (everything under it) or a single file at the top of src/.
 */
export interface Layer {
  /** Folders or top-level files of src/ that form this layer. */
  members: readonly string[];
  /** What lives there, and what it may not know about. */
  role: string;
}

export const LAYERS: readonly Layer[] = [
  { members: ['errors.ts', 'vocabulary.ts', 'layers.ts', 'util'], role: 'the two kinds of error, the names every layer shares (activations, optimizers), seeds and small helpers' },
  { members: ['results'], role: 'the results document: its schema (zod), grid-point keys, the per-initializer summary and its statistics; plain values, no I/O' },
  { members: ['backend'], role: 'starting tfjs (tensorflow, wasm, cpu), the system BLAS and the kernels registered on the wasm backend' },
  { members: ['data'], role: 'MNIST (embedded or IDX files), stratified splits and batches' },
  { members: ['initializers'], role: 'the catalogue (`catalogue/*.ts`), fans, gains, the variance-scaling sampler, linear algebra, LSUV and pretraining; what a data-dependent initializer needs from the model or the trainer comes through its context' },
  { members: ['model'], role: 'the networks as plain tfjs ops: the layer plan, kernels sampled per layer, the forward pass' },
  { members: ['diagnostics'], role: 'per-layer statistics of a model on a batch and the verdicts drawn from them; the training loop records them, so they sit below it' },
  { members: ['train'], role: 'the optimizers and the training loop; the fused training step of dense networks and plain CNNs on the system BLAS and its wasm SIMD kernels' },
  { members: ['config'], role: 'the experiment config: its schema, the flag table, loading (defaults < file < flags), the grid; validated against the catalogue and the model plan below it' },
  { members: ['runner'], role: 'trials in a stable order, the scheduler, executors (this process or workers), one trial top to bottom, the experiment and its events, shards, expectations, the probe' },
  { members: ['report'], role: 'the terminal table and chart, report.html, metrics.csv, progress: renderings of the results document' },
  { members: ['store'], role: "a results folder's life: create, lock, write as trials finish, read back validated, rebuild, merge; above the runner and the report, which it drives" },
  { members: ['api.ts'], role: 'the programmatic API, published as the package\'s `exports`' },
  { members: ['serve', 'tools', 'bench'], role: '`init-bench serve` (through the API only), the generators of schema/ and docs/, the benchmark' },
  { members: ['commands'], role: 'thin: parse a command\'s options, call one core function, print' },
  { members: ['cli.ts'], role: 'the one place of the command-line process that reads argv, wires signals and exits (worker and serve-host processes have their own entry points); commands load lazily' },
];

/** The layer index of a path relative to src/ (e.g. `runner/trial.ts`), or -1 when no layer claims it. */
export function layerOf(path: string): number {
  const top = path.split('/')[0]!;
  return LAYERS.findIndex((l) => l.members.includes(top));
}
