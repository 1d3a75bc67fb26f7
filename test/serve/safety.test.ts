/**
 * `serve` under attack and under faults: no code or path from a request, limits before work,
 * files served only as regular files inside their folder, the token everywhere off loopback,
 * runs that die or stop at once, folders that cannot be read or that another process writes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tempDir } from '../helpers.js';
import { events, http, post, serve, type Served } from './client.js';

const tiny = (over: Record<string, unknown> = {}) => ({
  name: 'tiny',
  initializers: ['he', 'zeros'],
  model: { hidden: [8] },
  data: { trainSize: 100, testSize: 50 },
  train: { epochs: 1, batchSize: 50 },
  ...over,
});

let served: Served;
let root: string;
/** A finished run's folder, made once over HTTP. */
let finished: string;

before(async () => {
  root = tempDir();
  served = await serve(['--results', root, '--jobs', '1', '--max-runs', '1']);
  const started = await post(served, '/api/runs', { config: tiny() });
  assert.equal(started.status, 201, started.body);
  finished = started.json().id;
  await events(served, finished);
  cpSync(join(root, finished), join(root, 'cached'), { recursive: true });
});

after(async () => {
  assert.equal(await served.stop(), 0, served.stderr());
});

const runInfo = async (id: string) => (await http(served, 'GET', '/api/runs')).json().find((r: { id: string }) => r.id === id);

test('a request names no library and no folder, and learns nothing of what exists', async () => {
  const a = await post(served, '/api/runs', { config: tiny({ blas: '/usr/lib/x86_64-linux-gnu/libopenblas.so.0' }) });
  const b = await post(served, '/api/runs', { config: tiny({ blas: '/no/such/library.so' }) });
  assert.equal(a.status, 400);
  assert.equal(b.status, 400);
  assert.equal(a.json().error.replace(/\/usr\S+/, 'PATH'), b.json().error.replace(/\/no\S+/, 'PATH'), 'same words for a library that exists and one that does not');
  assert.match(a.json().error, /`blas` names a file or a library on this machine, which a request may not do/);
  assert.equal((await post(served, '/api/runs', { config: tiny({ data: { dataDir: '/etc', trainSize: 10 } }) })).status, 400);
});

test('sizes are refused before any work: a 1000 x 1000 grid, 100,000 seeds, a 61 KB name, 500-deep nesting are 400s', async () => {
  const list = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
  let deep: unknown = 0;
  for (let i = 0; i < 500; i++) deep = [deep];
  const cases: [Record<string, unknown>, RegExp][] = [
    [tiny({ model: { depth: list(1000, (i) => i + 1) }, train: { lr: list(1000, (i) => (i + 1) / 1e5) } }), /`model.depth` lists 1000 values; it may list at most 100/],
    [tiny({ model: { depth: list(30, (i) => i + 1), width: 8 }, train: { lr: list(40, (i) => (i + 1) / 1e5) } }), /the grid has 1200 points \(depth: 30 x lr: 40\); at most 1000/],
    [tiny({ seeds: list(12_000, (i) => i) }), /`seeds` lists 12000 values; it may list at most 1000/],
    [tiny({ seeds: list(1000, (i) => i), initializers: list(11, (i) => ({ name: 'he', label: `he${i}` })) }), /the experiment has 11000 trials .*at most 10000/],
    [tiny({ name: 'n'.repeat(61_000) }), /`name` has 61000 characters; at most 100/],
    [tiny({ model: { depth: 10000 } }), /`model.depth` is 10000; it must be <= 100/],
    [tiny({ seeds: deep }), /nested more than 32 levels deep/],
  ];
  const folders = readdirSync(root);
  for (const [config, pattern] of cases) {
    const r = await post(served, '/api/runs', { config });
    assert.equal(r.status, 400, `${r.status}: ${r.body.slice(0, 300)}`);
    assert.match(r.json().error, pattern);
  }
  assert.deepEqual(readdirSync(root), folders, 'nothing started');
});

test('files are served only as regular files inside their folder: symlinks and folders are 404, and the server stays up', async () => {
  const secret = join(tempDir(), 'secret.txt');
  writeFileSync(secret, 'TOP-SECRET');
  rmSync(join(root, finished, 'metrics.csv'));
  symlinkSync(secret, join(root, finished, 'metrics.csv'));
  rmSync(join(root, finished, 'report.html'));
  mkdirSync(join(root, finished, 'report.html'));
  // A whole run folder that is a link to elsewhere is not a run.
  symlinkSync(join(root, finished), join(root, 'linked'));
  for (const path of [`/runs/${finished}/metrics.csv`, `/runs/${finished}/report.html`, '/runs/linked/config.json']) {
    const r = await http(served, 'GET', path);
    assert.equal(r.status, 404, `${path}: ${r.status}`);
    assert.doesNotMatch(r.body, /TOP-SECRET/);
  }
  const info = await runInfo(finished);
  assert.deepEqual(info.files, ['results.json', 'config.json']);
  assert.equal(await runInfo('linked'), undefined);
  assert.equal((await http(served, 'GET', `/runs/${finished}/results.json`)).status, 200, 'still serving');
});

test('a folder whose config.json is corrupt is listed with the reason, not offered for resume, and never a 500', async () => {
  const dir = join(root, 'broken');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), '{"name": "broken", ');
  const info = await runInfo('broken');
  assert.equal(info.state, 'failed');
  assert.match(info.error, /cannot be read: .*config.json is not valid JSON/);
  const resumed = await post(served, '/api/runs/broken/resume');
  assert.equal(resumed.status, 400, resumed.body);
  assert.equal((await http(served, 'GET', '/api/runs/broken')).status, 200);
});

test('a folder another process writes is shown running and cannot be resumed from the page', async () => {
  const dir = join(root, finished);
  const trials = readdirSync(join(dir, 'trials'));
  writeFileSync(join(dir, 'trials', trials[0]), '{'); // an interrupted run, as it were
  writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: 'init-bench run --resume' }));
  const info = await runInfo(finished);
  assert.equal(info.state, 'running');
  assert.match(info.lockedBy, new RegExp(`init-bench run --resume \\(process ${process.pid} on `));
  const resumed = await post(served, `/api/runs/${finished}/resume`);
  assert.equal(resumed.status, 400);
  assert.match(resumed.json().error, /is being written by init-bench run --resume/);
  rmSync(join(dir, '.lock'));
});

test('GET /api/runs reads a folder again only when it changed (modification times)', async () => {
  const dir = join(root, 'cached');
  rmSync(join(dir, 'results.json')); // the listing now comes from trials/
  assert.equal((await runInfo('cached')).trials, 2);
  const trials = join(dir, 'trials');
  // A trial rewritten in place changes no time the cache keys on: the listing is not read again.
  writeFileSync(join(trials, readdirSync(trials).sort()[0]), '{}');
  assert.equal((await runInfo('cached')).trials, 2, 'cached');
  const later = new Date(Date.now() + 5000);
  utimesSync(trials, later, later);
  assert.equal((await runInfo('cached')).trials, 1, 'trials/ changed: read again');
});

test('a stop right after the start marks the run interrupted, not failed', async () => {
  const started = await post(served, '/api/runs', { config: tiny({ name: 'quick-stop' }) });
  assert.equal(started.status, 201, started.body);
  const { id } = started.json();
  const stop = await post(served, `/api/runs/${id}/stop`);
  assert.equal(stop.status, 200);
  await events(served, id);
  let info = await runInfo(id);
  for (let i = 0; i < 100 && info.live; i++) info = (await new Promise((r) => setTimeout(r, 100)), await runInfo(id));
  assert.equal(info.state, 'interrupted', JSON.stringify(info) + served.stderr());
  assert.equal(info.error, undefined);
});

test('a run whose process is killed by a signal is failed; Ctrl-C still stops serve', { timeout: 120_000 }, async () => {
  const own = await serve(['--results', tempDir(), '--jobs', '1']);
  const started = await post(own, '/api/runs', { config: tiny({ train: { epochs: 50, batchSize: 10 } }) });
  assert.equal(started.status, 201, started.body);
  const host = execFileSync('pgrep', ['-P', String(own.child.pid)]).toString().trim().split('\n')[0];
  process.kill(Number(host), 'SIGKILL');
  const ended = await events(own, started.json().id);
  assert.ok(ended.length >= 1);
  const list = (await http(own, 'GET', '/api/runs')).json();
  assert.equal(list[0].state, 'failed');
  assert.match(list[0].error, /SIGKILL/);
  assert.equal(await own.stop(), 0, own.stderr());
});

test('bound off loopback, every request needs the token; the printed URL sets a cookie for the page', async () => {
  const exposed = await serve(['--host', '0.0.0.0', '--results', tempDir()]);
  try {
    assert.match(exposed.stderr(), /reachable from other machines: every request \(the page, runs, event streams, reports\) needs the token/);
    for (const path of ['/', '/api/runs', '/api/catalogue', '/assets/app.js', '/api/runs/x/events', '/runs/x/report.html']) {
      const r = await http(exposed, 'GET', path);
      assert.equal(r.status, 403, `${path}: ${r.status}`);
      assert.match(r.json().error, /every request needs its token/);
    }
    const page = await http(exposed, 'GET', `/?token=${exposed.token}`);
    assert.equal(page.status, 200);
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    assert.match(String(page.headers['set-cookie']), /HttpOnly; SameSite=Strict; Path=\//);
    assert.equal((await http(exposed, 'GET', '/api/runs', { headers: { cookie } })).status, 200);
    assert.equal((await http(exposed, 'GET', '/assets/app.js', { headers: { cookie } })).status, 200);
    assert.equal((await http(exposed, 'GET', '/api/runs', { headers: { cookie: 'init-bench-token=wrong' } })).status, 403);
  } finally {
    assert.equal(await exposed.stop(), 0);
  }
});
