/**
 * One Vega-Lite line chart, or a column of them (a facet row per grid point), and its rendering
 * to SVG in Node. x is a whole number (epoch or layer), labelled as one; y may be on a log scale.
 */
import { Worker } from 'node:worker_threads';

export type Row = Record<string, string | number | null>;

const WIDTH = 460;
const HEIGHT = 260;
/** Height of one small multiple in a grid. */
const PANEL_HEIGHT = 150;

export interface Colour {
  domain: string[];
  range: string[];
}

export function lineSpec(values: Row[], x: { field: string; title: string }, y: { title: string; log?: boolean }, band: boolean, colour: Colour): object {
  const scale = y.log ? { type: 'log' } : { zero: false };
  const maxX = Math.max(1, ...values.map((r) => Number(r[x.field])));
  // Whole numbers only, given as values: every one while they fit, else 1 and multiples of 5 (or
  // 10, ...). A tickMinStep below 1 keeps vega from thinning them (it allows span / step ticks).
  const every = maxX <= 12 ? 1 : 5 * Math.ceil(maxX / 50);
  const ticks = [...new Set([1, ...Array.from({ length: Math.floor(maxX / every) }, (_, i) => (i + 1) * every)])];
  const xEnc = {
    field: x.field,
    type: 'quantitative',
    title: x.title,
    scale: { domain: [1, Math.max(2, maxX)], nice: false },
    axis: { format: 'd', values: ticks, tickMinStep: 0.5, labelOverlap: false },
  };
  const color = { field: 'init', type: 'nominal', title: 'initializer', scale: colour, sort: colour.domain };
  const layers: object[] = [];
  if (band) layers.push({ mark: { type: 'area', opacity: 0.18 }, encoding: { x: xEnc, y: { field: 'min', type: 'quantitative', scale }, y2: { field: 'max' }, color } });
  layers.push({ mark: { type: 'line', point: true }, encoding: { x: xEnc, y: { field: band ? 'mean' : 'value', type: 'quantitative', title: y.title, scale }, color } });
  const grid = new Set(values.map((r) => r.point)).size > 1;
  const config = { font: 'sans-serif', legend: { orient: 'bottom', columns: 3, labelLimit: 360, symbolOpacity: 1, symbolType: 'circle' } };
  const schema = 'https://vega.github.io/schema/vega-lite/v6.json';
  if (!grid) return { $schema: schema, width: WIDTH, height: HEIGHT, data: { values }, layer: layers, config };
  return {
    $schema: schema,
    data: { values },
    facet: { row: { field: 'point', type: 'nominal', title: null, sort: { field: 'pointOrder', op: 'min' }, header: { labelAngle: 0, labelAlign: 'left', labelOrient: 'top', labelFontSize: 12, labelFontWeight: 'bold' } } },
    spec: { width: WIDTH, height: PANEL_HEIGHT, layer: layers },
    resolve: { scale: { x: 'shared', y: 'shared' } },
    config,
  };
}

let renderer: Promise<[typeof import('vega'), typeof import('vega-lite')]> | null = null;

/** Vega and Vega-Lite, imported once per thread (a few hundred ms of module loading). */
export function loadRenderer(): Promise<[typeof import('vega'), typeof import('vega-lite')]> {
  renderer ??= Promise.all([import('vega'), import('vega-lite')]);
  return renderer;
}

/** One chart to SVG in this thread. */
export async function renderHere(spec: object): Promise<string> {
  const [vega, vl] = await loadRenderer();
  const view = new vega.View(vega.parse(vl.compile(spec as never).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A thread that loaded the renderer (render-thread.ts) and renders what it is sent, in order. */
interface RenderThread {
  worker: Worker;
  pending: Map<number, { resolve(svg: string): void; reject(err: Error): void }>;
  next: number;
}

let thread: RenderThread | null = null;

/**
 * Starts loading the renderer now, without waiting, so that the charts do not wait for it after
 * the last trial: `here`, in this thread (a run whose trials go to worker processes: this thread
 * is idle meanwhile), or in a thread of its own (a run that trains in this thread: it loads on
 * another core). A failure is left for `render` to report; a thread that cannot start or dies
 * leaves the rendering to this thread.
 */
export function preloadRenderer(where: 'here' | 'thread'): void {
  if (where === 'here') {
    loadRenderer().catch(() => {});
    return;
  }
  if (thread) return;
  let worker: Worker;
  try {
    worker = new Worker(new URL('./render-thread.js', import.meta.url));
  } catch {
    return;
  }
  worker.unref(); // loading does not keep the process alive; a render waited for does (below)
  const started: RenderThread = { worker, pending: new Map(), next: 0 };
  const fail = (why: string) => {
    if (thread === started) thread = null;
    for (const p of started.pending.values()) p.reject(new ThreadGone(why));
    started.pending.clear();
  };
  worker.on('message', (m: RenderReply) => {
    const p = started.pending.get(m.id);
    started.pending.delete(m.id);
    if (started.pending.size === 0) worker.unref();
    if (p && 'svg' in m) p.resolve(m.svg);
    else if (p && 'error' in m) p.reject(new Error(m.error));
  });
  worker.on('error', (err) => fail(err.message));
  worker.on('exit', (code) => fail(`exit code ${code}`));
  thread = started;
}

/** Ends the render thread, if any (after the report is written, or when the run stops). */
export function releaseRenderer(): void {
  const t = thread;
  thread = null;
  if (t) void t.worker.terminate();
}

export type RenderRequest = { id: number; spec: object };
export type RenderReply = { id: number; svg: string } | { id: number; error: string };

/** The render thread ended before answering: this thread renders instead. */
class ThreadGone extends Error {}

export async function render(spec: object): Promise<string> {
  const t = thread;
  if (!t) return renderHere(spec);
  try {
    return await new Promise<string>((resolve, reject) => {
      const id = t.next++;
      t.pending.set(id, { resolve, reject });
      t.worker.ref();
      t.worker.postMessage({ id, spec } satisfies RenderRequest);
    });
  } catch (err) {
    if (err instanceof ThreadGone) return renderHere(spec);
    throw err;
  }
}
