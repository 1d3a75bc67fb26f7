/**
 * The HTTP side of `init-bench serve`, on Node's own `http`: the page and its scripts, a small
 * JSON API, and Server-Sent Events per run. Every request passes the Host check; every POST the
 * token and Origin checks (security.ts). Nothing in a request names a path: runs are looked up
 * by id among the results folder's runs, files by name in a fixed list.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from './engine.js';
import { asset, formSpec, presets, type FormSpec } from './assets.js';
import { ConfigError } from './engine.js';
import { BusyError, Runs, type RunsOptions, type Stamped } from './runs.js';
import { TOKEN_COOKIE, allowedHosts, checkHost, checkStateChange, hostPart, isLoopback, newToken, requestToken } from './security.js';

export interface ServeOptions extends RunsOptions {
  host: string;
  /** 0: any free port. */
  port: number;
}

export interface RunningServer {
  url: string;
  token: string;
  runs: Runs;
  close(): Promise<void>;
}

/** Largest request body accepted (a config is a few hundred bytes). */
const MAX_BODY = 64 * 1024;
/** SSE comment sent this often so proxies and browsers keep the stream open. */
const KEEPALIVE_MS = 15000;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer', // the token is in the page's URL
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};
/** The page loads only its own scripts and styles, and talks only to this server. */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** report.html: inline CSS and SVG, no script at all. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly problems?: string[]) {
    super(message);
  }
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const runs = new Runs(options);
  const token = newToken();
  const streams = new Set<ServerResponse>();
  let allowed = new Set<string>();
  const exposed = !isLoopback(options.host);

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      const status = err instanceof HttpError ? err.status : err instanceof BusyError ? 429 : err instanceof UserError ? 400 : 500;
      if (status === 500) process.stderr.write(`serve: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      const problems = err instanceof HttpError ? err.problems : err instanceof ConfigError ? err.problems : undefined;
      if (!res.headersSent) sendJson(res, status, { error: status === 500 ? 'internal error (see the server log)' : (err as Error).message, ...(problems ? { problems } : {}) });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hostProblem = checkHost(req, allowed);
    if (hostProblem) throw new HttpError(403, hostProblem);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (exposed) {
      const given = requestToken(req, url, token);
      if (!given.ok) throw new HttpError(403, 'this server is reachable from other machines: every request needs its token; open the URL that `init-bench serve` printed');
      // The printed URL opened: the page's GETs, its event streams and report links carry the token as a cookie from now on.
      if (given.fromQuery) res.setHeader('set-cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw new HttpError(400, 'malformed URL');
    }
    if (req.method === 'POST') {
      const refused = checkStateChange(req, token);
      if (refused) throw new HttpError(403, refused);
      return post(req, res, parts);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} is not supported`);
    return get(req, res, parts);
  }

  async function post(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
    if (parts.join('/') === 'api/runs') {
      const body = (await readJsonBody(req)) as { config?: unknown };
      return sendJson(res, 201, runs.start(body?.config));
    }
    if (parts.length === 4 && parts[0] === 'api' && parts[1] === 'runs' && parts[3] === 'stop') {
      if (!runs.info(parts[2])) throw new HttpError(404, `no run ${parts[2]}`);
      return sendJson(res, 200, { stopping: runs.stop(parts[2]) });
    }
    if (parts.length === 4 && parts[0] === 'api' && parts[1] === 'runs' && parts[3] === 'resume') {
      if (!runs.info(parts[2])) throw new HttpError(404, `no run ${parts[2]}`);
      return sendJson(res, 201, runs.resume(parts[2]));
    }
    throw new HttpError(404, 'not found');
  }

  async function get(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
    const [a, b, c, d] = parts;
    if (parts.length === 0 || (a === 'assets' && parts.length === 2)) {
      const file = asset(parts.length ? b : 'index.html');
      if (!file) throw new HttpError(404, 'not found');
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': file.type, 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store' });
      return void res.end(req.method === 'HEAD' ? undefined : file.body);
    }
    if (a === 'api' && b === 'form' && parts.length === 2) return sendJson(res, 200, withModelMenu(formSpec(), runs.modelNames()));
    if (a === 'api' && b === 'presets' && parts.length === 2) return sendJson(res, 200, presets());
    if (a === 'api' && b === 'models' && parts.length === 2) return sendJson(res, 200, runs.modelNames());
    if (a === 'api' && b === 'runs' && parts.length === 2) return sendJson(res, 200, runs.list());
    if (a === 'api' && b === 'runs' && parts.length === 3) {
      const snapshot = runs.snapshot(c);
      if (!snapshot) throw new HttpError(404, `no run ${c}`);
      return sendJson(res, 200, snapshot);
    }
    if (a === 'api' && b === 'runs' && d === 'events' && parts.length === 4) return events(req, res, c);
    if (a === 'runs' && parts.length === 3) return sendFile(req, res, b, c);
    throw new HttpError(404, 'not found');
  }

  /**
   * One of a run's files: a regular file inside its folder, opened without following a symlink
   * (O_NOFOLLOW; the folder's own entries are checked with lstat by runs.ts), and a read error
   * mid-stream ends that response only.
   */
  async function sendFile(req: IncomingMessage, res: ServerResponse, id: string, name: string): Promise<void> {
    const path = runs.file(id, name);
    if (!path) throw new HttpError(404, `no file ${name} in run ${id}`);
    let handle;
    try {
      handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      throw new HttpError(404, `no file ${name} in run ${id}`);
    }
    const stats = await handle.stat().catch(() => null);
    if (!stats?.isFile()) {
      await handle.close();
      throw new HttpError(404, `no file ${name} in run ${id}`);
    }
    const type = name.endsWith('.html') ? 'text/html; charset=utf-8' : name.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': stats.size, 'content-security-policy': REPORT_CSP, 'cache-control': 'no-store' });
    if (req.method === 'HEAD') {
      await handle.close();
      return void res.end();
    }
    const stream = handle.createReadStream({ end: Math.max(0, stats.size - 1) });
    stream.on('error', () => res.destroy());
    if (stats.size === 0) {
      stream.destroy();
      return void res.end();
    }
    stream.pipe(res);
  }

  /** SSE: first a `snapshot` (what is on disk, and the trials in flight), then the run's events. */
  function events(req: IncomingMessage, res: ServerResponse, id: string): void {
    const snapshot = runs.snapshot(id);
    if (!snapshot) throw new HttpError(404, `no run ${id}`);
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
    const send = (s: Stamped) => {
      if (res.writableEnded) return;
      res.write(`event: run\ndata: ${JSON.stringify(s)}\n\n`);
      if (s.event.type === 'end') res.end(); // the page closes its EventSource on `end`
    };
    const unsubscribe = snapshot.run.live ? runs.subscribe(id, send) : null;
    if (!unsubscribe) return void res.end(); // a finished run: the snapshot is all there is
    streams.add(res);
    const keepalive = setInterval(() => res.writableEnded || res.write(': keepalive\n\n'), KEEPALIVE_MS);
    req.on('close', () => {
      clearInterval(keepalive);
      unsubscribe?.();
      streams.delete(res);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new UserError(`port ${options.port} on ${options.host} is in use; give another --port (0 picks a free one)`) : err));
    server.listen(options.port, options.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(options.host, port);
  return {
    url: `http://${hostPart(options.host)}:${port}/?token=${token}`,
    token,
    runs,
    async close() {
      await runs.stopAll();
      for (const res of streams) res.end();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'the body must be JSON (content-type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `the body is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * `model.file` as a menu of the --models folder's files (a request names one of them); the
 * server records their sha256, so `model.fileSha256` is not the page's to give.
 */
function withModelMenu(spec: FormSpec, models: string[]): FormSpec {
  const fields = spec.fields
    .filter((f) => f.key !== 'model.fileSha256')
    .map((f) => (f.key === 'model.file' && models.length ? { ...f, choices: models, description: `${f.description} Here: one of the files of this server's --models folder.` } : f));
  return { ...spec, fields: models.length ? fields : fields.filter((f) => f.key !== 'model.file') };
}
