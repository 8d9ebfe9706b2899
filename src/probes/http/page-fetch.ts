import { describeError } from '../../core/errors.js';
import type { HttpClient, HttpResponse, RedirectHop } from '../net/http-fetch.js';
import { networkErrorCode, walkRedirects } from '../net/http-fetch.js';
import type { PageRole } from './sensitive-pages.js';

/** Why a page gave no response: a network error, a timeout, a protocol violation. */
export interface PageError {
  reason: string;
  /** ECONNREFUSED, ECONNRESET, UND_ERR_HEADERS_OVERFLOW, … when known. */
  code: string | null;
  /** Nothing listens there: the connection was refused. */
  refused: boolean;
}

/** One page of the site as fetched: every hop of its redirect chain, and where it ended. */
export interface PageFetch {
  /** 'front' or a SensitivePage key. */
  key: string;
  role: PageRole | 'front';
  title: string;
  /** The URL asked for. */
  url: string;
  /** Every response in order, with headers and cookies (a redirect can set cookies too). */
  hops: RedirectHop[];
  /** The last response: the page, or the redirect that was not followed. Null on error or loop. */
  final: HttpResponse | null;
  /** The walk ended early: loop, too many hops, a Location that cannot be followed. */
  stopped: string | null;
  /** A redirect target deliberately not fetched (another host, the other scheme). */
  unfollowed: string | null;
  error: PageError | null;
}

export interface FetchPageOptions {
  signal: AbortSignal;
  /** Deadline for the whole chain of this page. */
  timeoutMs: number;
  maxHops?: number;
  maxBytes?: number;
  follow?: (next: URL, from: URL) => boolean;
}

/**
 * Fetches one page, walking its redirects, and turns a failure into a PageError (so one bad page does
 * not cost the others). Only the audit's own cancellation or time budget escapes as a throw.
 */
export async function fetchPage(
  client: HttpClient,
  url: URL,
  meta: { key: string; role: PageRole | 'front'; title: string },
  opts: FetchPageOptions,
): Promise<PageFetch> {
  const base = { ...meta, url: url.toString() };
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  try {
    const chain = await walkRedirects(client, url, {
      signal: AbortSignal.any([opts.signal, deadline]),
      timeoutMs: opts.timeoutMs,
      maxHops: opts.maxHops ?? 5,
      ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
      ...(opts.follow ? { follow: opts.follow } : {}),
    });
    return {
      ...base,
      hops: chain.hops,
      final: chain.final,
      stopped: chain.stopped,
      unfollowed: chain.unfollowed ?? null,
      error: null,
    };
  } catch (e) {
    if (opts.signal.aborted) throw opts.signal.reason;
    const code = networkErrorCode(e);
    const reason = deadline.aborted
      ? `${url.origin}${url.pathname}: no complete answer within ${opts.timeoutMs} ms`
      : describeError(e);
    return {
      ...base,
      hops: [],
      final: null,
      stopped: null,
      unfollowed: null,
      error: { reason, code, refused: code === 'ECONNREFUSED' },
    };
  }
}

/** Maps with at most `limit` calls in flight, keeping the input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export const MAX_CONCURRENT_FETCHES = 6;

/** The same host name (ports may differ: an http side on :8080 redirecting to https on :8443). */
export function sameHost(a: URL, b: URL): boolean {
  return a.hostname.toLowerCase() === b.hostname.toLowerCase();
}

/** A response seen while fetching a page (a redirect hop or the page itself). */
export interface SeenResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  setCookies: string[];
}

/** Every response of a page's chain, in order (the final page included). */
export function pageResponses(p: PageFetch): SeenResponse[] {
  const out: SeenResponse[] = p.hops.map((h) => ({
    url: h.url,
    status: h.status,
    headers: h.headers ?? {},
    setCookies: h.setCookies ?? [],
  }));
  // Hops built without headers (or none at all): the final response still counts.
  const f = p.final;
  if (f && !p.hops.some((h) => h.url === f.url && h.headers)) {
    const i = out.findIndex((o) => o.url === f.url);
    const full = { url: f.url, status: f.status, headers: f.headers, setCookies: f.setCookies };
    if (i >= 0) out[i] = full;
    else out.push(full);
  }
  return out;
}
