/** A `serve` process for tests, and a small HTTP client that can set any header (Host, Origin). */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { BIN, ROOT } from '../helpers.js';

export interface Served {
  child: ChildProcess;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  token: string;
  /** The printed URL (with the token). */
  url: string;
  stderr: () => string;
  /** SIGINT, as Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function serve(args: string[]): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before printing its URL: ${stderr}`)));
    child.stdout.on('data', (d) => {
      stdout += d;
      // Bound to all interfaces (0.0.0.0), the server is still reached on 127.0.0.1.
      const m = /http:\/\/[^/\s]+:(\d+)\/\?token=(\S+)/.exec(stdout);
      if (!m) return;
      child.removeAllListeners('exit');
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      resolve({ child, origin: `http://127.0.0.1:${m[1]}`, port: Number(m[1]), token: m[2], url: m[0], stderr: () => stderr, stop: () => (child.kill('SIGINT'), exited) });
    });
  });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

export function http(served: Served, method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request({ host: '127.0.0.1', port: served.port, method, path, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A state-changing request as the page makes it: token and same Origin. */
export function post(served: Served, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return http(served, 'POST', path, { body, headers: { origin: served.origin, 'x-init-bench-token': served.token, ...headers } });
}

export interface SseMessage {
  event: string;
  data: any;
}

/**
 * Reads a run's event stream; `onMessage` sees each message as it arrives. Resolves with all of
 * them when the server ends the stream (after `end`, or at once for a finished run).
 */
export function events(served: Served, id: string, onMessage: (m: SseMessage) => void = () => {}): Promise<SseMessage[]> {
  return new Promise((resolve, reject) => {
    const messages: SseMessage[] = [];
    const req = request({ host: '127.0.0.1', port: served.port, path: `/api/runs/${encodeURIComponent(id)}/events` }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buffer += d;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!event || data === undefined) continue;
          const m = { event, data: JSON.parse(data) };
          messages.push(m);
          onMessage(m);
        }
      });
      res.on('end', () => resolve(messages));
    });
    req.on('error', reject);
    req.end();
  });
}

export { ROOT };
