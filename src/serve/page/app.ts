/**
 * The page of `init-bench serve`: the form, the list of runs, and one run's live view. A run's
 * view opens an EventSource on /api/runs/ID/events: a snapshot (what is on disk and the trials
 * in flight) and then every event; it is redrawn at most once per animation frame.
 */
import type { FormSpec, Preset } from '../assets.js';
import type { RunInfo, Snapshot, Stamped } from '../runs.js';
import { lineChart, esc } from './charts.js';
import { createForm, showErrors } from './form.js';
import { allZero, apply, epochSeries, fromSnapshot, lastEpoch, layerSeries, seriesDomain, seriesOf, type RunView } from './series.js';
import { comparisonTable } from './table.js';

const TOKEN_HEADER = 'x-init-bench-token';
const $ = <T extends HTMLElement>(sel: string) => document.querySelector<T>(sel)!;

/** The token comes in the printed URL; it is kept for this tab and taken out of the address bar. */
function takeToken(): string {
  const url = new URL(location.href);
  const given = url.searchParams.get('token');
  if (given) {
    sessionStorage.setItem('init-bench-token', given);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem('init-bench-token') ?? '';
}

const token = takeToken();

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

async function post(path: string, body?: unknown): Promise<{ ok: boolean; status: number; data: Record<string, unknown> }> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { [TOKEN_HEADER]: token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { ok: res.ok, status: res.status, data: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

interface Current {
  id: string;
  source: EventSource;
  view: RunView | null;
  info: RunInfo | null;
  /** Epoch to show in the per-layer charts; null follows the latest. */
  epoch: number | null;
  /** Emission times of the epoch events not yet drawn (to measure the page's delay). */
  pending: number[];
  latency: string;
}

let current: Current | null = null;
let frame = 0;

function openRun(id: string): void {
  current?.source.close();
  const source = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
  const run: Current = { id, source, view: null, info: null, epoch: null, pending: [], latency: '' };
  current = run;
  source.addEventListener('snapshot', (ev) => {
    const snapshot = JSON.parse((ev as MessageEvent<string>).data) as Snapshot;
    run.view = fromSnapshot(snapshot);
    run.info = snapshot.run;
    if (!snapshot.run.live) source.close(); // nothing more will come
    schedule();
  });
  source.addEventListener('run', (ev) => {
    const s = JSON.parse((ev as MessageEvent<string>).data) as Stamped;
    if (!run.view) return;
    if (apply(run.view, s.event) && s.event.type === 'epoch') run.pending.push(s.at);
    if (s.event.type === 'end') {
      source.close();
      void refreshRuns(); // the run's final state (finished, interrupted, failed) comes with the list
    }
    schedule();
  });
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) return;
    $('#notice').textContent = 'connection to the server lost; retrying…';
  };
  history.replaceState(null, '', `#run=${encodeURIComponent(id)}`);
  void refreshRuns();
}

function schedule(): void {
  if (!frame) frame = requestAnimationFrame(() => {
    frame = 0;
    draw();
  });
}

function draw(): void {
  if (!current?.view) return;
  const { view, info } = current;
  $('#notice').textContent = '';
  const last = lastEpoch(view);
  const shown = current.epoch === null ? last : Math.min(current.epoch, last);
  const finished = [...view.trials.values()].filter((t) => t.result).length;
  const domain = seriesDomain(view);
  const seeds = new Set([...view.trials.values()].map((t) => t.seed)).size;
  const band = seeds > 1 ? `Line: mean over ${seeds} seeds; band: min to max.` : 'One seed.';
  const epochs = Number((view.config?.train as { epochs?: unknown } | undefined)?.epochs) || null;
  const training = [...view.trials.values()].filter((t) => !t.result && !view.ended).map((t) => `${esc(seriesOf(t))}, seed ${t.seed}: epoch ${t.epochs.length}${epochs ? `/${epochs}` : ''}`);
  const state = stateOf(current);
  const error = info?.error ? `<p class="errors" id="run-error">${esc(info.error)}</p>` : '';
  const head = `<h2>${esc(info?.name ?? current.id)}</h2><p class="meta" id="run-status" data-state="${view.ended ? 'ended' : 'running'}">${esc(current.id)} · ${view.backend ? `${esc(view.backend)} backend · ` : ''}${progressText(finished, view.total)} · <span class="state state-${state}">${state}</span></p>${error}${training.length ? `<p class="meta" id="in-flight">training ${training.join('; ')}</p>` : ''}`;
  $('#run-head').innerHTML = head + `<p class="meta" id="latency">${esc(current.latency)}</p>`;
  // The list says the same as the header for the run shown (the list itself is fetched every few seconds).
  const progress = document.querySelector(`#runs li[data-run="${CSS.escape(current.id)}"] .progress`);
  if (progress) progress.textContent = progressText(finished, view.total);
  $('#table').innerHTML = comparisonTable(view.summary);
  const signal = layerSeries(view, 'activationStd', shown);
  const gradients = layerSeries(view, 'gradNorm', shown);
  const charts = [
    { id: 'accuracy', title: 'Test accuracy per epoch', caption: `${band} Higher is better.`, svg: lineChart(epochSeries(view, 'testAccuracy'), { xLabel: 'epoch', yLabel: 'test accuracy', domain, integerX: true }), zeros: [] as string[] },
    { id: 'loss', title: 'Training loss per epoch', caption: `${band} Log scale; a gap is a non-finite loss (divergence).`, svg: lineChart(epochSeries(view, 'trainLoss'), { xLabel: 'epoch', yLabel: 'train loss (cross-entropy)', log: true, domain, integerX: true }), zeros: [] },
    { id: 'signal', title: `Activation std per hidden layer, ${shown === 0 ? 'at initialization' : `after epoch ${shown}`}`, caption: 'On a fixed batch of training digits (first seed); the output layer is left out, as in report.html. Flat is healthy; a falling line is a vanishing signal, a rising one an exploding signal. Log scale; a gap is a dead (zero) signal.', svg: lineChart(signal, { xLabel: 'hidden layer', yLabel: 'activation std', log: true, domain, integerX: true }), zeros: allZero(signal) },
    { id: 'gradients', title: `Gradient norm per hidden layer, ${shown === 0 ? 'at initialization' : `epoch ${shown} (first batch)`}`, caption: "L2 norm of each hidden layer's kernel gradient (first seed); the output layer is left out, as in report.html. Log scale; a gap is an exactly zero gradient (no learning signal).", svg: lineChart(gradients, { xLabel: 'hidden layer', yLabel: 'gradient norm', log: true, domain, integerX: true }), zeros: allZero(gradients) },
  ];
  $('#charts').innerHTML = charts.map((c) => `<figure id="chart-${c.id}" data-chart="${c.id}"><h3>${esc(c.title)}</h3>${c.svg || (c.zeros.length ? '' : '<p class="warn">No data yet.</p>')}${zeroNote(c.zeros)}<figcaption>${esc(c.caption)}</figcaption></figure>`).join('');
  drawEpochPicker(last, shown);
  // The page is drawn: how long after each epoch ended (the host's clock, this machine's).
  const now = Date.now();
  if (current.pending.length) {
    const delays = current.pending.map((at) => now - at);
    current.pending = [];
    const el = $('#latency');
    el.dataset.latencyMs = delays.join(',');
    document.body.dataset.latencyLog = [document.body.dataset.latencyLog, ...delays].filter(Boolean).join(',');
    current.latency = `page updated ${Math.max(...delays)} ms after the epoch ended`;
    el.textContent = current.latency;
  }
}

/** Series whose every value is exactly 0 cannot be drawn on a log scale: said in words instead of "No data yet." */
function zeroNote(names: string[]): string {
  if (!names.length) return '';
  return `<p class="warn zero-note">Exactly 0 at every hidden layer for ${esc(names.join(', '))}: no signal to draw on a log scale (a zero or constant init gives every unit the same output and no gradient).</p>`;
}

/** "3 of 8 trial(s) finished": the header and the list say it alike. */
function progressText(finished: number, total: number | null): string {
  return `${finished} of ${total ?? '?'} trial(s) finished`;
}

/** The run's state as the server names it (running, interrupted, finished, failed...), the same in the header and the list. */
function stateOf(run: Current): string {
  return run.info?.state ?? (run.view?.ended ? 'ended' : 'running');
}

function drawEpochPicker(last: number, shown: number): void {
  const box = $('#epoch-pick');
  if (last === 0) return void (box.textContent = '');
  box.innerHTML = `per-layer charts at epoch <input type="range" id="epoch" min="0" max="${last}" step="1" value="${shown}"> <b>${shown === 0 ? 'init' : shown}</b> ${current?.epoch === null ? '(following the latest)' : '<button type="button" id="follow">follow the latest</button>'}`;
  box.querySelector<HTMLInputElement>('#epoch')!.addEventListener('input', (ev) => {
    current!.epoch = Number((ev.target as HTMLInputElement).value);
    schedule();
  });
  box.querySelector('#follow')?.addEventListener('click', () => {
    current!.epoch = null;
    schedule();
  });
}

async function refreshRuns(): Promise<void> {
  const runs = await getJson<RunInfo[]>('/api/runs');
  const shown = current && runs.find((r) => r.id === current!.id);
  if (current && shown) {
    current.info = shown;
    schedule();
  }
  const list = $('#runs');
  list.replaceChildren(
    ...runs.map((r) => {
      const li = document.createElement('li');
      li.dataset.run = r.id;
      if (r.id === current?.id) li.className = 'current';
      const files = r.files.map((f) => `<a href="/runs/${encodeURIComponent(r.id)}/${f}" target="_blank" rel="noopener">${f}</a>`);
      li.innerHTML = `<div><b>${esc(r.name)}</b> <span class="state state-${r.state}">${r.state}</span> · <span class="progress">${progressText(r.trials, r.total)}</span></div><div class="meta">${esc(r.id)}</div>${r.error ? `<div class="errors">${esc(r.error)}</div>` : ''}<div><button type="button" data-act="open">open</button>${r.live && r.state !== 'stopping' ? '<button type="button" data-act="stop">stop</button>' : ''}${!r.live && r.state === 'interrupted' ? '<button type="button" data-act="resume">resume</button>' : ''}</div><div class="files">${files.join('')}</div>`;
      li.querySelector('[data-act=open]')!.addEventListener('click', () => openRun(r.id));
      li.querySelector('[data-act=stop]')?.addEventListener('click', () => void act(r.id, 'stop'));
      li.querySelector('[data-act=resume]')?.addEventListener('click', () => void act(r.id, 'resume'));
      return li;
    }),
  );
}

async function act(id: string, action: 'stop' | 'resume'): Promise<void> {
  const res = await post(`/api/runs/${encodeURIComponent(id)}/${action}`);
  if (!res.ok) $('#notice').textContent = String(res.data.error ?? `HTTP ${res.status}`);
  if (action === 'resume' && res.ok) openRun(id);
  else await refreshRuns();
}

async function main(): Promise<void> {
  const [spec, presets] = await Promise.all([getJson<FormSpec>('/api/form'), getJson<Preset[]>('/api/presets')]);
  const form = $<HTMLFormElement>('#run-form');
  createForm(form, spec, presets, async (config) => {
    const res = await post('/api/runs', { config });
    if (!res.ok) return showErrors(form, String(res.data.error ?? `HTTP ${res.status}`), (res.data.problems as string[] | undefined) ?? []);
    showErrors(form, '', []);
    form.querySelector('#form-errors')!.replaceChildren();
    openRun(String((res.data as unknown as RunInfo).id));
  });
  if (!token) $('#notice').textContent = 'No token: open the URL `init-bench serve` printed to start or stop runs.';
  const wanted = new URLSearchParams(location.hash.slice(1)).get('run');
  if (wanted) openRun(wanted);
  else {
    // A page opened while a run is in progress shows it (the newest live one).
    const runs = await getJson<RunInfo[]>('/api/runs');
    const live = runs.find((r) => r.live);
    if (live) openRun(live.id);
    else await refreshRuns();
  }
  setInterval(() => void refreshRuns(), 5000);
}

void main();
