/**
 * A worker process (started by executors.ts): its own tfjs and data, running the tasks the parent
 * sends, one at a time, and reporting progress and results over IPC.
 */
import type { Task } from './tasks.js';
import { createTrialRunner, type TrialRunner } from './trial-runner.js';
import type { RunnerConfig } from '../config/load.js';
import { UserError } from '../errors.js';

export type ToWorker = { type: 'init'; config: RunnerConfig } | { type: 'run'; task: Task };
export type FromWorker =
  | { type: 'ready'; backend: string; hint: string | null }
  | { type: 'epoch'; index: number; metrics: unknown }
  | { type: 'done'; index: number; trial: unknown }
  | { type: 'fatal'; message: string; user: boolean };

let runner: TrialRunner | null = null;
const send = (m: FromWorker) => process.send?.(m);

// The parent decides what an interruption means; a Ctrl-C reaching the whole process group
// must not kill a worker halfway through writing its message.
process.on('SIGINT', () => {});
process.on('disconnect', () => process.exit(0));

process.on('message', async (message: ToWorker) => {
  try {
    if (message.type === 'init') {
      runner = await createTrialRunner(message.config);
      send({ type: 'ready', backend: runner.backend, hint: runner.hint });
    } else if (message.type === 'run' && runner) {
      const { task } = message;
      const trial = await runner.run(task, { onEpoch: (metrics) => send({ type: 'epoch', index: task.index, metrics }) });
      send({ type: 'done', index: task.index, trial });
    }
  } catch (err) {
    const user = err instanceof UserError;
    send({ type: 'fatal', message: err instanceof Error ? (user ? err.message : (err.stack ?? err.message)) : String(err), user });
  }
});
