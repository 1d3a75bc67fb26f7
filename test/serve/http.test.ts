import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { configKeys } from '../../src/config/fields.js';
import { CATALOGUE } from '../../src/initializers/registry.js';
import { ACTIVATIONS } from '../../src/vocabulary.js';
import { tempDir } from '../helpers.js';
import { events, http, post, serve, type Served, type SseMessage } from './client.js';

/** Tiny experiments: a few hundred digits, a 16-unit layer, one worker. */
const tiny = (over: Record<string, unknown> = {}) => ({
  name: 'tiny',
  initializers: ['he', 'zeros'],
  model: { hidden: [16] },
  data: { trainSize: 200, testSize: 100 },
  train: { epochs: 2, batchSize: 50 },
  ...over,
});

let served: Served;
let root: string;

before(async () => {
  root = tempDir();
  served = await serve(['--results', root, '--jobs', '1', '--max-runs', '1']);
});

after(async () => {
  assert.equal(await served.stop(), 0, served.stderr());
});

const runEvents = (messages: SseMessage[]) => messages.filter((m) => m.event === 'run').map((m) => m.data.event);

test('/api/form describes every config key and every initializer the server knows, each parameter with its description', async () => {
  const r = await http(served, 'GET', '/api/form');
  assert.equal(r.status, 200);
  const spec = r.json() as { fields: { key: string; type: string; axis: boolean; description: string; default?: unknown; choices?: unknown[] }[]; initializers: { name: string; parameters: { name: string; description: string }[] }[] };
  // Without --models the server offers no model file, and the file's hash is never the page's to give.
  assert.deepEqual(spec.fields.map((f) => f.key), configKeys().filter((k) => k !== 'model.file' && k !== 'model.fileSha256'));
  assert.deepEqual(spec.initializers.map((e) => e.name), CATALOGUE.map((e) => e.name));
  const lr = spec.fields.find((f) => f.key === 'train.lr')!;
  assert.deepEqual([lr.axis, lr.default, lr.type], [true, 0.01, 'number > 0, or a list of at most 100']);
  assert.deepEqual(spec.fields.find((f) => f.key === 'model.activation')!.choices, [...ACTIVATIONS]);
  for (const f of spec.fields) assert.ok(f.description.length > 0, f.key);
  for (const e of spec.initializers) for (const p of e.parameters) assert.ok(p.description.length > 0, `${e.name}.${p.name}`);
});

test('a request whose Host is not the bound address is refused (DNS rebinding)', async () => {
  const page = await http(served, 'GET', '/', { headers: { host: `attacker.example:${served.port}` } });
  assert.equal(page.status, 403);
  assert.match(page.json().error, /not this server's address/);
  const ok = await http(served, 'GET', '/');
  assert.equal(ok.status, 200);
  assert.match(String(ok.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
});

test('starting a run needs the token and the same Origin (403 otherwise, nothing started)', async () => {
  const noToken = await http(served, 'POST', '/api/runs', { body: { config: tiny() }, headers: { origin: served.origin } });
  assert.equal(noToken.status, 403);
  assert.match(noToken.json().error, /token/);
  const wrongToken = await post(served, '/api/runs', { config: tiny() }, { 'x-init-bench-token': 'x'.repeat(served.token.length) });
  assert.equal(wrongToken.status, 403);
  const foreign = await post(served, '/api/runs', { config: tiny() }, { origin: 'http://attacker.example' });
  assert.equal(foreign.status, 403);
  assert.match(foreign.json().error, /Origin/);
  assert.deepEqual(readdirSync(root), []);
});

test('a bad config is a 400 listing every problem, and starts nothing', async () => {
  const bad = await post(served, '/api/runs', { config: tiny({ initializers: ['hee'], train: { epochs: -1 } }) });
  assert.equal(bad.status, 400);
  const { problems } = bad.json();
  assert.equal(problems.length, 2, JSON.stringify(problems));
  assert.ok(problems.some((p: string) => /unknown initializer "hee"; did you mean he/.test(p)));
  assert.ok(problems.some((p: string) => /`train.epochs` is -1/.test(p)));
  const path = await post(served, '/api/runs', { config: tiny({ data: { dataDir: '/etc' } }) });
  assert.equal(path.status, 400);
  assert.match(path.json().error, /`data.dataDir` names a file or a library on this machine, which a request may not do/);
  const notJson = await post(served, '/api/runs', undefined, { 'content-type': 'text/plain' });
  assert.equal(notJson.status, 415);
  assert.deepEqual(readdirSync(root), []);
});

test('a run started over HTTP streams its events and lands in the results folder', async () => {
  const started = await post(served, '/api/runs', { config: tiny() });
  assert.equal(started.status, 201, started.body);
  const { id } = started.json();
  const messages = await events(served, id);
  assert.equal(messages[0].event, 'snapshot');
  const stream = runEvents(messages);
  assert.deepEqual([...new Set(stream.map((e) => e.type))], ['start', 'backend', 'trialStart', 'epoch', 'trialEnd', 'end']);
  const epochs = stream.filter((e) => e.type === 'epoch');
  assert.equal(epochs.length, 4, 'two trials of two epochs');
  for (const e of epochs) assert.equal(e.metrics.activationStds.length, 2, 'activation std of the hidden layer and the output, every epoch');
  const ends = stream.filter((e) => e.type === 'trialEnd');
  assert.deepEqual(ends.map((e) => e.trial.init), ['heNormal', 'zeros']);
  assert.equal(ends[1].summary.length, 2);
  assert.deepEqual(stream.at(-1), { type: 'end', complete: true, stopped: null });

  const dir = join(root, id);
  for (const f of ['config.json', 'results.json', 'report.html', 'metrics.csv']) assert.ok(existsSync(join(dir, f)), f);
  assert.equal(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).complete, true);
  const report = await http(served, 'GET', `/runs/${id}/report.html`);
  assert.equal(report.status, 200);
  assert.match(report.body, /<h1>init-bench: tiny<\/h1>/);
  // Only the fixed file names of a known run: no path comes from the request.
  for (const path of [`/runs/${id}/..%2F..%2Fpackage.json`, `/runs/${id}/trials`, '/runs/..%2F..%2F/config.json', '/assets/..%2Fserver.js']) {
    assert.equal((await http(served, 'GET', path)).status, 404, path);
  }
  // Reopened later: the snapshot alone, from disk.
  const again = await events(served, id);
  assert.equal(again.length, 1);
  assert.equal(again[0].data.doc.trials.length, 2);
  const listed = (await http(served, 'GET', '/api/runs')).json().find((r: { id: string }) => r.id === id);
  assert.equal(listed.state, 'finished');
  assert.deepEqual(listed.files, ['report.html', 'results.json', 'metrics.csv', 'config.json']);
});

test('one run at a time (429); a page opened mid-run catches up; stop keeps the finished trials; resume completes the run', async () => {
  // 8 trials of 40 epochs: the stop, sent after the first, arrives while seven remain (a trial of
  // 4 epochs on 200 digits ends in tens of milliseconds, fewer than a stop's round trip).
  const config = tiny({ name: 'stoppable', seeds: [0, 1, 2, 3], train: { epochs: 40, batchSize: 50 } });
  const started = await post(served, '/api/runs', { config });
  assert.equal(started.status, 201, started.body);
  const { id } = started.json();
  const busy = await post(served, '/api/runs', { config: tiny() });
  assert.equal(busy.status, 429);
  assert.match(busy.json().error, /--max-runs 1/);

  let late: Promise<SseMessage[]> | null = null;
  const first = events(served, id, (m) => {
    if (m.event !== 'run' || m.data.event.type !== 'trialEnd' || late) return;
    // After the first trial: a second page catches up from disk, and the user presses stop.
    late = events(served, id);
    void post(served, `/api/runs/${id}/stop`);
  });
  const stream = runEvents(await first);
  const caughtUp = await late!;
  assert.equal(caughtUp[0].event, 'snapshot');
  assert.ok(caughtUp[0].data.doc.trials.length >= 1, 'the finished trial is in the late snapshot');
  assert.deepEqual(stream.at(-1), { type: 'end', complete: false, stopped: 'interrupted' });
  assert.deepEqual(runEvents(caughtUp).at(-1), stream.at(-1));

  const saved = JSON.parse(readFileSync(join(root, id, 'results.json'), 'utf8'));
  assert.equal(saved.complete, false);
  const kept = readdirSync(join(root, id, 'trials')).length;
  assert.ok(kept >= 1 && kept < 8, `${kept} trial file(s) kept`);
  assert.equal((await http(served, 'GET', '/api/runs')).json().find((r: { id: string }) => r.id === id).state, 'interrupted');

  const resumed = await post(served, `/api/runs/${id}/resume`);
  assert.equal(resumed.status, 201, resumed.body);
  const rest = runEvents(await events(served, id));
  assert.equal(rest.filter((e) => e.type === 'trialStart').length, 8 - kept, 'only the missing trials run');
  assert.deepEqual(rest.at(-1), { type: 'end', complete: true, stopped: null });
  assert.equal(JSON.parse(readFileSync(join(root, id, 'results.json'), 'utf8')).trials.length, 8);
});
