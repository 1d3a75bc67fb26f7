/**
 * The render thread (chart-spec.ts `preloadRenderer('thread')`): loads Vega and Vega-Lite as it
 * starts, then renders the charts it is sent, one at a time, and answers each with its SVG or
 * the error's message.
 */
import { parentPort } from 'node:worker_threads';
import { loadRenderer, renderHere, type RenderReply, type RenderRequest } from './chart-spec.js';

loadRenderer().catch(() => {}); // a failure is answered to the first request

parentPort?.on('message', async ({ id, spec }: RenderRequest) => {
  let reply: RenderReply;
  try {
    reply = { id, svg: await renderHere(spec) };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
