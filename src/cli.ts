/**
 * The command-line program. The only place that reads argv and calls process.exit; commands are
 * loaded lazily so that `--help` and `list` do not wait for tfjs.
 */
import chalk from 'chalk';
import { Command, CommanderError, Option } from 'commander';
import { configOptions as configFlagOptions } from './config/flags.js';
import { UserError } from './errors.js';

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

/** The config-file option and the flags that set config keys (config/flags.ts), for run or probe. */
function configOptions(cmd: Command, which: 'run' | 'probe'): Command {
  cmd.option('-c, --config <file>', 'experiment config (YAML or JSON); flags override its values');
  for (const option of configFlagOptions(which)) cmd.addOption(option);
  return cmd;
}

configOptions(program.command('run'), 'run')
  .description('train one model per initializer and compare them (table, results folder)')
  .option('-o, --out <dir>', 'results folder (default results/<timestamp>-<name>)')
  .option('--json', 'print the results document (only it) on stdout')
  .option('-q, --quiet', 'no progress on stderr (same as --progress none)')
  .option('--progress <mode>', 'auto (a bar on a TTY, plain lines otherwise) | bar | plain | none')
  .option('--plot', 'print the terminal chart of test accuracy even when stdout is not a TTY')
  .option('-j, --jobs <n>', 'trials run in parallel worker processes (default: one per core)')
  .option('--resume <dir>', 'continue an interrupted run in its results folder: only the missing trials run')
  .option('--shard <i/n>', 'run shard i of n (1-based): the trials k with k mod n = i-1; auto/n reads JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID')
  .option('--expect <expr>', 'assertion checked after the run, e.g. "heNormal.testAccuracy >= 0.85" or "heNormal > zeros" (repeatable; exit 4 if one fails)', (v: string, acc: string[] = []) => [...acc, v])
  .option('--fail-fast', 'stop at the first failed trial')
  .option('--retries <n>', 'run a failed trial again up to n times (default 0)')
  .action(async (opts) => exitWith(await (await import('./commands/run.js')).runCommand(opts, interruption())));

configOptions(program.command('probe'), 'probe')
  .description('signal propagation at init, no training: per-layer statistics, problems, a recommendation')
  .option('--seed <n>', 'seed for the weights and the batch (default: the config\'s first seed)')
  .option('--batch <n>', 'training digits forwarded (default 256)')
  .option('--json', 'machine-readable: per initializer { init, layers: [...] }')
  .action(async (opts) => exitWith(await (await import('./commands/probe.js')).probeCommand(opts)));

program
  .command('report <dir>')
  .description('re-render the table, the terminal chart, report.html and metrics.csv of a results folder')
  .option('--json', 'print the results document instead of the table')
  .option('--plot', 'print the terminal chart even when stdout is not a TTY')
  .action(async (dir, opts) => exitWith(await (await import('./commands/report.js')).reportCommand(dir, opts)));

program
  .command('compare <dirA> <dirB>')
  .description("two runs' summaries side by side, with the differences")
  .option('--json', 'machine-readable output')
  .action(async (a, b, opts) => exitWith(await (await import('./commands/report.js')).compareCommand(a, b, opts)));

program
  .command('merge <dirs...>')
  .description('combine shard results folders into one (refuses folders of different experiments)')
  .option('-o, --out <dir>', 'the merged results folder')
  .option('--json', 'print the merged results document on stdout')
  .option('-q, --quiet', 'no notes on stderr (expectation results still print)')
  .option('--expect <expr>', 'assertion checked on the merged results, as for run (repeatable; exit 4 if one fails)', (v: string, acc: string[] = []) => [...acc, v])
  .option('--allow-partial', 'exit 0 even when trials are missing (default: exit 3)')
  .action(async (dirs, opts) => exitWith(await (await import('./commands/merge.js')).mergeCommand(dirs, opts)));

program
  .command('list [name]')
  .description('the initializer catalogue, or one initializer explained')
  .option('--json', 'machine-readable: an array of { name, aliases, distribution, formula, reference, parameters }')
  .action(async (name, opts) => exitWith(await (await import('./commands/list.js')).listCommand(name, opts)));

program
  .command('inspect')
  .description('sample one kernel and compare its statistics with the formula')
  .option('-i, --init <name>', 'initializer, e.g. heNormal or "orthogonal(gain=2)"')
  .option('--shape <dims>', 'kernel shape in tfjs layout: in,out (dense) or kh,kw,in,out (conv)')
  .option('--seed <n>', 'seed (default 0)')
  .option('--gain <g>', 'gain, for initializers that take one (a number or auto)')
  .option('--activation <name>', 'the activation after the kernel, for gain auto (default relu)')
  .option('--json', 'machine-readable output')
  .action(async (opts) => exitWith(await (await import('./commands/inspect.js')).inspectCommand(opts)));

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
// tfjs-backend-wasm and friends may keep handles open; the program is done.
process.exit(process.exitCode ?? 0);
