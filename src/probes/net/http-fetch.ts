import { Agent, buildConnector, request } from 'undici';
import { CiviguardError, describeError } from '../../core/errors.js';
import type { ResolveMap } from '../../core/target.js';
import { defaultPort, pinnedAddress } from './resolve.js';

/** One HTTP exchange as facts: never follows redirects, caps everything it reads. */
export interface HttpResponse {
  url: string;
  status: number;
  /** Lower-case header names; repeated headers joined with ', ' except set-cookie. */
  headers: Record<string, string>;
  setCookies: string[];
  body: Buffer;
  /** The body was longer than `maxBytes` and was cut there. */
  truncated: boolean;
  durationMs: number;
}

export interface FetchOptions {
  method?: 'GET' | 'HEAD' | 'POST' | 'OPTIONS';
  headers?: Record<string, string>;
  body?: string;
  /** Body bytes kept (default 1 MiB); the rest is not read. */
  maxBytes?: number;
  /** Whole-exchange deadline (default 10 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpClientOptions {
  resolve?: ResolveMap;
  /** Header block limit in bytes (default 64 KiB); a larger block is an error, not a crash. */
  maxHeaderSize?: number;
  connections?: number;
}

export const USER_AGENT = 'civiguard/0.1 (+security audit)';

/** Response header lines kept; a response with more is an error (E_TOO_LARGE), not a silent cut. */
export const MAX_HEADERS = 500;

/**
 * HTTP(S) client for probes. Certificates are not verified here (the tls.* checks judge them), so
 * that a site with a bad certificate can still be audited. `--resolve` pins are honoured for every
 * connection while Host and SNI keep the real name.
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly maxHeaderSize: number;

  constructor(opts: HttpClientOptions = {}) {
    const resolve = opts.resolve ?? new Map<string, string>();
    this.maxHeaderSize = opts.maxHeaderSize ?? 64 * 1024;
    const base = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0, timeout: 10_000 });
    this.agent = new Agent({
      connections: opts.connections ?? 6,
      maxHeaderSize: this.maxHeaderSize,
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
      keepAliveTimeout: 2_000,
      connect: (o, cb) => {
        const port = Number(o.port) || (o.protocol === 'https:' ? 443 : 80);
        const addr = pinnedAddress(resolve, o.hostname, port);
        const servername = o.servername ?? (isIpLiteral(o.hostname) ? undefined : o.hostname);
        base({ ...o, hostname: addr, ...(servername ? { servername } : {}) }, cb);
      },
    });
  }

  async fetch(url: string | URL, opts: FetchOptions = {}): Promise<HttpResponse> {
    const u = typeof url === 'string' ? new URL(url) : url;
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new CiviguardError('E_HTTP', `not an http(s) URL: ${u.protocol}`);
    }
    const maxBytes = opts.maxBytes ?? 1024 * 1024;
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
    const t0 = performance.now();
    try {
      // Raced against the signal: undici may only notice an abort during a hanging TLS connect at its
      // connector timeout, and an interrupted audit must end at once.
      const res = await raceSignal(
        request(u, {
          dispatcher: this.agent,
          method: opts.method ?? 'GET',
          headers: { 'user-agent': USER_AGENT, accept: '*/*', ...opts.headers },
          ...(opts.body !== undefined ? { body: opts.body } : {}),
          signal,
          maxRedirections: 0,
        } as Parameters<typeof request>[1]),
        signal,
      );
      const headers: Record<string, string> = {};
      const setCookies: string[] = [];
      let count = 0;
      for (const [k, v] of Object.entries(res.headers)) {
        const vals = Array.isArray(v) ? v : v === undefined ? [] : [v];
        count += vals.length;
        if (count > MAX_HEADERS) {
          // Fail closed: a header past the cap (say Strict-Transport-Security) would otherwise be missed.
          discard(res.body);
          throw new CiviguardError(
            'E_TOO_LARGE',
            `${u.origin}${u.pathname}: more than ${MAX_HEADERS} response headers`,
          );
        }
        if (k === 'set-cookie') setCookies.push(...vals.slice(0, 100).map((c) => c.slice(0, 4096)));
        else headers[k] = vals.join(', ').slice(0, 8192);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      if (opts.method !== 'HEAD') {
        for await (const chunk of res.body) {
          const b = chunk as Buffer;
          if (size + b.length > maxBytes) {
            chunks.push(b.subarray(0, maxBytes - size));
            size = maxBytes;
            truncated = true;
            break;
          }
          chunks.push(b);
          size += b.length;
        }
      }
      if (truncated || opts.method === 'HEAD') discard(res.body);
      return {
        url: u.toString(),
        status: res.statusCode,
        headers,
        setCookies,
        body: Buffer.concat(chunks),
        truncated,
        durationMs: performance.now() - t0,
      };
    } catch (e) {
      if (e instanceof CiviguardError) throw e;
      if (deadline.aborted) {
        throw new CiviguardError(
          'E_TIMEOUT',
          `${u.origin} did not answer ${u.pathname} within ${timeoutMs} ms`,
        );
      }
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (networkErrorCode(e) === 'UND_ERR_HEADERS_OVERFLOW') {
        throw new CiviguardError(
          'E_TOO_LARGE',
          `${u.origin}${u.pathname}: response headers larger than ${Math.round(this.maxHeaderSize / 1024)} KiB`,
          { cause: e },
        );
      }
      throw new CiviguardError('E_NETWORK', `${u.origin}${u.pathname}: ${describeError(e)}`, { cause: e });
    }
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }
}

/** Stops reading a body; undici then emits 'error' (RequestAbortedError), which must not go unhandled. */
function discard(body: NodeJS.ReadableStream & { destroy(): unknown }): void {
  body.on('error', () => undefined);
  body.destroy();
}

function raceSignal<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      p.then(
        (r) => discardLater(r),
        () => undefined,
      );
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

/** A response that arrived after its request was abandoned: drop its body. */
function discardLater(r: unknown): void {
  const body = (r as { body?: NodeJS.ReadableStream & { destroy(): unknown } }).body;
  if (body) discard(body);
}

function isIpLiteral(h: string): boolean {
  return /^[\d.]+$/.test(h) || h.includes(':');
}

export interface RedirectHop {
  url: string;
  status: number;
  location: string | null;
  /** The hop's response headers (capped as in HttpResponse); redirects can set cookies too. */
  headers?: Record<string, string>;
  setCookies?: string[];
}

export interface RedirectChain {
  hops: RedirectHop[];
  final: HttpResponse | null;
  /** Why the walk stopped early: a loop, too many hops, or a bad Location. */
  stopped: string | null;
  /** The redirect target that `follow` declined (absolute URL); `final` is then that redirect. */
  unfollowed?: string | null;
}

export interface WalkOptions extends FetchOptions {
  maxHops?: number;
  /** Whether to follow a redirect to `next` (default: always). Declined targets end the walk normally. */
  follow?: (next: URL, from: URL) => boolean;
}

export const REDIRECT_STATUSES: readonly number[] = [301, 302, 303, 307, 308];

/** Follows redirects by hand (max `maxHops`), recording each hop; loops are detected and reported. */
export async function walkRedirects(
  client: HttpClient,
  start: string | URL,
  opts: WalkOptions = {},
): Promise<RedirectChain> {
  const maxHops = opts.maxHops ?? 10;
  const hops: RedirectHop[] = [];
  const seen = new Set<string>();
  let url = new URL(start.toString());
  for (let i = 0; i <= maxHops; i++) {
    const key = url.toString();
    if (seen.has(key)) return { hops, final: null, stopped: `redirect loop back to ${key}` };
    seen.add(key);
    const res = await client.fetch(url, opts);
    const isRedirect = REDIRECT_STATUSES.includes(res.status);
    const location = res.headers['location'] ?? null;
    hops.push({ url: key, status: res.status, location, headers: res.headers, setCookies: res.setCookies });
    if (!isRedirect) return { hops, final: res, stopped: null };
    if (!location) return { hops, final: res, stopped: `${res.status} without a Location header` };
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      return { hops, final: res, stopped: `unparseable Location '${location.slice(0, 200)}'` };
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      return { hops, final: res, stopped: `redirect to non-http scheme ${next.protocol}` };
    }
    if (opts.follow && !opts.follow(next, url)) {
      return { hops, final: res, stopped: null, unfollowed: next.toString() };
    }
    url = next;
  }
  return { hops, final: null, stopped: `more than ${maxHops} redirects` };
}

/** The OS/library error code (ECONNREFUSED, ECONNRESET, UND_ERR_…) anywhere in an error's cause chain. */
export function networkErrorCode(e: unknown): string | null {
  let cur: unknown = e;
  for (let depth = 0; depth < 6 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('E_')) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return null;
}

export { defaultPort };
