/**
 * What stands between the web and a server that starts work on this machine:
 * - Host check: a request whose Host is not the bound address is refused, so a page on another
 *   site whose name is rebound to 127.0.0.1 (DNS rebinding) reaches nothing.
 * - State-changing requests need the per-server random token (it is in the printed URL and
 *   nowhere else) and an Origin equal to the page's own: another site's page can neither guess
 *   the token nor pass as this origin.
 * - Bound off loopback, every request needs the token (requestToken): another machine that can
 *   reach the port sees nothing without the printed URL.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { IncomingMessage } from 'node:http';

/** The header the page sends the token in. */
export const TOKEN_HEADER = 'x-init-bench-token';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const WILDCARD = new Set(['0.0.0.0', '::']);

/** How an address appears in a Host header: IPv6 in brackets. */
export function hostPart(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * The Host values accepted for a server bound to `host`:`port`: the bound address, `localhost`
 * when bound to loopback (it cannot be rebound), and every local interface address when bound
 * to all of them.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set([host.toLowerCase()]);
  if (LOOPBACK.has(host)) names.add('localhost');
  if (WILDCARD.has(host)) {
    names.add('localhost');
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase());
  }
  return new Set([...names].map((n) => `${hostPart(n)}:${port}`));
}

/** Null when the request may proceed; else why it is refused (HTTP 403). */
export function checkHost(req: IncomingMessage, allowed: Set<string>): string | null {
  const host = (req.headers.host ?? '').toLowerCase();
  return allowed.has(host) ? null : `Host "${host}" is not this server's address (${[...allowed][0]}); refused (DNS rebinding protection)`;
}

/** The cookie that carries the token on a server reachable from other machines (set when the printed URL is opened). */
export const TOKEN_COOKIE = 'init-bench-token';

/** Is `host` a loopback address? Anything else is reachable from other machines, and every request there needs the token. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase());
}

function sameToken(given: string | undefined, token: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Off loopback, every request (GETs too: runs, event streams, reports) needs the token: in the
 * header (the page's POSTs), the `token` query parameter (the printed URL), or the cookie the
 * server sets when that URL is opened (the page's GETs, its EventSource, report links).
 */
export function requestToken(req: IncomingMessage, url: URL, token: string): { ok: boolean; fromQuery: boolean } {
  const header = req.headers[TOKEN_HEADER];
  if (typeof header === 'string' && sameToken(header, token)) return { ok: true, fromQuery: false };
  if (sameToken(url.searchParams.get('token') ?? undefined, token)) return { ok: true, fromQuery: true };
  const cookie = (req.headers.cookie ?? '').split(';').map((c) => c.trim().split('=')).find(([k]) => k === TOKEN_COOKIE)?.[1];
  return { ok: sameToken(cookie, token), fromQuery: false };
}

/** Null when a state-changing request carries the token and comes from the page's own origin. */
export function checkStateChange(req: IncomingMessage, token: string): string | null {
  const origin = req.headers.origin;
  if (origin !== `http://${req.headers.host}`) return `Origin ${origin === undefined ? '(none)' : `"${origin}"`} is not this server's own; refused`;
  const given = req.headers[TOKEN_HEADER];
  if (!sameToken(typeof given === 'string' ? given : undefined, token)) return 'missing or wrong token: open the URL that `init-bench serve` printed (it carries the token)';
  return null;
}
