/**
 * The command-line program: the one place of the `init-bench` process that reads argv and calls
 * process.exit (the processes it starts have their own entry points: runner/worker.ts for trials,
 * serve/host.ts for a served run). Commands are loaded lazily so that `--help` and `list` do not
 * wait for tfjs.
 */
import chalk from 'chalk';
import { Command, CommanderError, Option } from 'commander';
import { configOptions as configFlagOptions } from './config/flags.js';
import { UserError } from './errors.js';
import { LIMITS } from './config/schema.js';

// chalk does not honour NO_COLOR by itself (https://no-color.org).
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') chalk.level = 0;

const program = new Command();
program
  .name('init-bench')
  .description('Which weight initialization should this network use, and why? Trains the same model once per initializer on MNIST and compares.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (text, write) => write(text) })
  // Commander's own errors (unknown option or command, missing argument) are usage errors: exit 2.
  .exitOverride();

/** An Examples section at the end of a command's --help. */
function examples(cmd: Command, lines: [string, string][]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map(([c, what]) => `  # ${what}\n  $ ${c}`).join('\n')}`);
}

/** The config-file option and the flags that set config keys (config/flags.ts), for run or probe. */
function configOptions(cmd: Command, which: 'run' | 'probe'): Command {
  cmd.option('-c, --config <file>', 'experiment config (YAML or JSON); flags override its values');
  for (const option of configFlagOptions(which)) cmd.addOption(option);
  return cmd;
}

configOptions(program.command('run'), 'run')
  .description('train one model per initializer and compare them (table, results folder)')
  .option('-o, --out <dir>', 'results folder (default: results/<timestamp>-<name>)')
  .option('--json', 'print the results document (only it) on stdout')
  .option('-q, --quiet', 'no progress on stderr (same as --progress none); expectation results still print')
  .option('--progress <mode>', 'auto (a bar on a TTY, plain lines otherwise) | bar | plain | none (default: auto)')
  .option('--plot', 'print the terminal chart of test accuracy even when stdout is not a TTY')
  .option('-j, --jobs <n>', 'trials run in parallel worker processes (default: one per core)')
  .option('--resume <dir>', 'continue an interrupted run in its results folder: only the missing trials run')
  .option('--shard <i/n>', 'run shard i of n (1-based): the trials k with k mod n = i-1; auto/n reads JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID (default: all trials)')
  .option('--expect <expr>', 'assertion checked after the run, e.g. "heNormal.testAccuracy >= 0.85" or "heNormal > zeros" (repeatable; exit 4 if one fails)', (v: string, acc: string[] = []) => [...acc, v])
  .option('--fail-fast', 'stop at the first failed trial')
  .option('--retries <n>', 'run a failed trial again up to n times (default: 0)')
  .option('--max-trials <n>', `refuse an experiment of more trials than this (default: ${LIMITS.trials}; grid points x initializers x seeds)`)
  .action(async (opts) => exitWith(await (await import('./commands/run.js')).runCommand(opts, interruption())));
examples(program.commands.find((c) => c.name() === 'run')!, [
  ['init-bench run', 'zeros, random, Xavier and He on a 784-256-128-10 MLP'],
  ['init-bench run --init he,xavier --depth 20 --seeds 0,1,2', 'deep ReLU net, three seeds, a t-test'],
  ['init-bench run --config configs/grid-depth.yaml --jobs 2', 'a grid, two worker processes'],
  ['init-bench run --config configs/smoke.yaml --expect "heNormal > zeros"', 'CI: exit 4 if it fails'],
  ['init-bench run --resume results/<folder>', 'finish an interrupted run'],
]);

configOptions(program.command('probe'), 'probe')
  .description('signal propagation at init, no training: per-layer statistics, problems, a recommendation')
  .option('--seed <n>', 'seed for the weights and the batch (default: the config\'s first seed)')
  .option('--batch <n>', 'training digits forwarded (default: 256)')
  .option('--json', 'machine-readable: per initializer { init, layers: [...] }')
  .action(async (opts) => exitWith(await (await import('./commands/probe.js')).probeCommand(opts)));
examples(program.commands.find((c) => c.name() === 'probe')!, [
  ['init-bench probe --init he,xavier,tfjs:heNormal --depth 20', 'why He wins on a deep ReLU net'],
  ['init-bench probe --config configs/deep-tanh.yaml --json', 'machine-readable'],
]);

configOptions(program.command('coord-check'), 'run')
  .description('coordinate check: the scale of each layer\'s activations against width over the first training steps, per parametrization')
  .option('--widths <list>', 'widths of the hidden layers (or channels) to compare (default: 64,128,256,512,1024,2048); one initializer (--init, default heNormal)')
  .option('--steps <n>', 'training steps; steps 0 to n are measured (default: 5)')
  .option('--batch <n>', 'examples per step and in the measured batch (default: 64)')
  .option('--json', 'print the measurements, the fitted slopes and the verdicts as JSON')
  .option('--html <file>', 'write the chart (one panel per layer, one line per step) to this HTML file')
  .action(async (opts) => exitWith(await (await import('./commands/coord-check.js')).coordCheckCommand(opts)));
examples(program.commands.find((c) => c.name() === 'coord-check')!, [
  ['init-bench coord-check --init he --depth 3 --optimizer adam --lr 0.01', 'standard, ntk and mup over widths 64..2048'],
  ['init-bench coord-check --parametrization standard,mup --widths 64,256,1024 --html coord.html', 'two of them, with a chart'],
]);

program
  .command('report <dir>')
  .description('re-render the table, the terminal chart, report.html and metrics.csv of a results folder')
  .option('--json', 'print the results document instead of the table')
  .option('--plot', 'print the terminal chart even when stdout is not a TTY')
  .action(async (dir, opts) => exitWith(await (await import('./commands/report.js')).reportCommand(dir, opts)));
examples(program.commands.find((c) => c.name() === 'report')!, [
  ['init-bench report results/<folder>', 'the table again; report.html and metrics.csv brought up to date'],
  ['init-bench report artifact/ --json', 'the results document of a downloaded (read-only) folder'],
]);

program
  .command('compare <dirA> <dirB>')
  .description("two runs' summaries side by side, with the differences")
  .option('--json', 'machine-readable output')
  .action(async (a, b, opts) => exitWith(await (await import('./commands/report.js')).compareCommand(a, b, opts)));
examples(program.commands.find((c) => c.name() === 'compare')!, [['init-bench compare results/<a> results/<b>', 'per initializer: B - A and a t-test']]);

program
  .command('merge <dirs...>')
  .description('combine shard results folders into one (refuses folders of different experiments)')
  .option('-o, --out <dir>', 'the merged results folder (required)')
  .option('--json', 'print the merged results document on stdout')
  .option('-q, --quiet', 'no notes on stderr (expectation results still print)')
  .option('--expect <expr>', 'assertion checked on the merged results, as for run (repeatable; exit 4 if one fails)', (v: string, acc: string[] = []) => [...acc, v])
  .option('--allow-partial', 'exit 0 even when trials are missing (default: exit 3)')
  .action(async (dirs, opts) => exitWith(await (await import('./commands/merge.js')).mergeCommand(dirs, opts)));
examples(program.commands.find((c) => c.name() === 'merge')!, [
  ['init-bench merge shard-* --out merged', 'exit 3 if a shard is missing'],
  ['init-bench merge shard-* --out merged --expect "heNormal > zeros"', 'CI on the whole experiment'],
]);

program
  .command('list [name]')
  .description('the initializer catalogue, or one initializer explained')
  .option('--json', 'machine-readable: an array of { name, aliases, distribution, formula, reference, parameters }')
  .option('--compare', 'the trade-offs: per initializer what it suits, what it costs, how it fails, and the presets that show it')
  .option('--parametrizations', 'the width-scaling rules of model.parametrization (ntk, mup) and the branch scales of model.branchScale, with their sources')
  .action(async (name, opts) => exitWith(await (await import('./commands/list.js')).listCommand(name, opts)));
examples(program.commands.find((c) => c.name() === 'list')!, [
  ['init-bench list', 'every initializer: aliases, parameters, formula'],
  ['init-bench list kaiming', 'one explained: why, what it suits, pitfalls, the paper'],
]);

program
  .command('inspect')
  .description('sample one kernel and compare its statistics with the formula')
  .option('-i, --init <name>', 'initializer, e.g. heNormal or "orthogonal(gain=2)"; `init-bench list NAME` describes its parameters (required)')
  .option('--shape <dims>', 'kernel shape in tfjs layout: in,out (dense) or kh,kw,in,out (conv) (required)')
  .option('--seed <n>', 'seed (default: 0)')
  .option('--gain <g>', 'gain, for initializers that take one (a number or auto)')
  .option('--activation <name>', 'the activation after the kernel, for gain auto (default: relu)')
  .option('--json', 'machine-readable output')
  .action(async (opts) => exitWith(await (await import('./commands/inspect.js')).inspectCommand(opts)));
examples(program.commands.find((c) => c.name() === 'inspect')!, [
  ['init-bench inspect --init he --shape 784,256', 'std against sqrt(2 / fanIn)'],
  ['init-bench inspect --init orthogonal --shape 3,3,16,32', 'a conv kernel and its orthogonality error'],
]);
examples(program, [
  ['init-bench run', 'compare four initializers (a table, results/<folder>/report.html)'],
  ['init-bench probe --depth 20', 'signal propagation at init, no training'],
  ['init-bench list he', 'one initializer explained'],
]);

// `serve`: a local page that starts runs and shows them live (src/serve/).
program
  .command('serve')
  .description('a local web page that starts runs and shows them live (charts, table, reports)')
  .option('--port <n>', 'port (default 8321; 0 picks a free one)')
  .option('--host <address>', 'address to bind (default 127.0.0.1; anything else is reachable from other machines)')
  .option('--open', 'open the page in the default browser')
  .option('--results <dir>', 'results folder where runs land and are listed from (default results)')
  .option('--max-runs <n>', 'runs allowed at the same time (default 1)')
  .option('-j, --jobs <n>', 'worker processes per run (default 1)')
  .option('--models <dir>', 'folder of Keras/tfjs model files (*.json) the page may choose from by name (model.file); none without it')
  .action(async (opts) => exitWith(await (await import('./commands/serve.js')).serveCommand(opts, interruption())));

/**
 * SIGINT/SIGTERM abort the running command, which keeps what it finished and exits 130; a second
 * signal quits at once.
 */
function interruption(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

async function exitWith(code: number): Promise<void> {
  process.exitCode = code;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2; // --help and --version exit 0; commander printed the message
  } else if (err instanceof UserError) {
    process.stderr.write(`${chalk.red('error:')} ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.stderr.write('init-bench stopped on an unexpected error: this is a bug; please report it with the command you ran.\n');
    process.exitCode = 1;
  }
}
// tfjs-backend-wasm and friends may keep handles open; the program is done. What was written to a
// pipe may still be queued (a --json document of hundreds of kB): exit once it is flushed.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
process.exit(process.exitCode ?? 0);
