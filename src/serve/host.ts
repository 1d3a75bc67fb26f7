/**
 * The process one run of `serve` lives in (forked by runs.ts): its own tfjs, so training never
 * blocks the web server, and SIGINT means exactly what Ctrl-C means for `init-bench run`: stop,
 * keep the finished trials, write the results folder. Events go to the server over IPC, each
 * stamped with the wall-clock time it was emitted (to measure how fast the page follows).
 */
import { UserError } from './engine.js';
import { resolveConfig, resumeExperiment, runExperiment, type ConfigInput, type RunEvent } from './engine.js';

/** A new run (its config, and the folder to create), or the continuation of the run in `resume`. */
export type HostRequest = { config: unknown; out: string; jobs: number } | { resume: string; jobs: number };

export type HostMessage = { type: 'event'; event: RunEvent; at: number } | { type: 'fatal'; message: string; user: boolean };

const controller = new AbortController();
const stop = (reason: string) => controller.abort(reason);
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('disconnect', () => stop('server gone'));

function send(message: HostMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

/** The most recent message's delivery: awaited before exiting, so nothing is lost. */
let sent: Promise<void> = Promise.resolve();

process.once('message', async (request: HostRequest) => {
  let code = 0;
  try {
    // `end` is passed on once the promise resolves: the folder (report.html too) is written then.
    let end: RunEvent | null = null;
    const onEvent = (event: RunEvent) => {
      if (event.type === 'end') end = event;
      else sent = send({ type: 'event', event, at: Date.now() });
    };
    const options = { jobs: request.jobs, signal: controller.signal, onEvent, writer: 'init-bench serve' };
    if ('resume' in request) await resumeExperiment(request.resume, options);
    else await runExperiment(resolveConfig(request.config as ConfigInput), { ...options, out: request.out });
    if (end) sent = send({ type: 'event', event: end, at: Date.now() });
  } catch (err) {
    const user = err instanceof UserError;
    await send({ type: 'fatal', message: err instanceof Error ? (user ? err.message : (err.stack ?? err.message)) : String(err), user });
    code = 1;
  }
  await sent; // IPC messages are delivered in order: the last one flushed means all are
  process.exit(code); // tfjs may keep handles open
});
