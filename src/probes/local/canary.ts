import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CiviguardError, describeError } from '../../core/errors.js';
import { FactUnavailable, defineProbe } from '../../core/probe.js';
import type { AuditTarget } from '../../core/target.js';
import { httpClientProbe } from '../http-client.js';
import type { HttpClient } from '../net/http-fetch.js';
import type { DirKind, SiteLayout } from './layout.js';
import { PRIVATE_KINDS, layoutProbe } from './layout.js';

/**
 * The exact exposure test CiviCRM's own status page uses: write a random canary file into each private
 * data dir (upload, custom, ConfigAndLog, templates_c), fetch it at every URL the layout implies, and
 * compare the content. The dir URL is fetched too: a listing that names the canary is a listing.
 * The real log files are fetched by their own URLs. Canaries are ALWAYS deleted: in a finally block,
 * on the probe's abort signal (timeout, cancellation), in `dispose`, and on SIGINT/SIGTERM/exit.
 */

export interface FetchAttempt {
  url: string;
  /** HTTP status, or null when the request failed. */
  status: number | null;
  /** The body carried the canary token (or the log file's first bytes). */
  matched: boolean;
  error?: string;
  /** This plain-http attempt stands in for the https URL that gave no answer. */
  fallbackFor?: string;
  timedOut?: boolean;
}

export type CanaryStatus = 'reachable' | 'not-reachable' | 'skipped' | 'error';

export interface DirCanary {
  kind: DirKind;
  path: string | null;
  status: CanaryStatus;
  reason: string;
  file: string | null;
  attempts: FetchAttempt[];
  reachableUrl: string | null;
  /** The dir URL answered with a page that lists the canary's name. */
  listing: boolean;
  listingUrl: string | null;
  deleted: boolean;
}

export interface LogFetch {
  path: string;
  status: CanaryStatus;
  reason: string;
  attempts: FetchAttempt[];
  reachableUrl: string | null;
}

export interface CanaryFacts {
  base: string;
  dirs: DirCanary[];
  logs: LogFetch[];
  /** Files written; all deleted unless listed in `leftBehind`. */
  written: string[];
  leftBehind: string[];
}

// ---------------------------------------------------------------------------------------------
// Process-wide registry of canaries on disk, so that a signal or exit removes them synchronously.

const live = new Set<string>();
const handled = new Map<NodeJS.Signals, boolean>();
let installed = false;

function removeSync(file: string): boolean {
  try {
    unlinkSync(file);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') return false;
  }
  live.delete(file);
  return true;
}

/** Deletes every canary still on disk (synchronous: safe in exit and signal handlers). */
export function removeAllCanaries(): string[] {
  const failed: string[] = [];
  for (const f of [...live]) if (!removeSync(f)) failed.push(f);
  return failed;
}

const onExit = () => void removeAllCanaries();
function onSignal(sig: NodeJS.Signals): void {
  removeAllCanaries();
  uninstall();
  // When nobody else handles the signal, behave as if we had not been there: die by it.
  if (!handled.get(sig)) process.kill(process.pid, sig);
}
const signalHandlers = new Map<NodeJS.Signals, () => void>();

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) {
    handled.set(sig, process.listenerCount(sig) > 0);
    const h = () => onSignal(sig);
    signalHandlers.set(sig, h);
    process.on(sig, h);
  }
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  for (const [sig, h] of signalHandlers) process.off(sig, h);
  signalHandlers.clear();
}

function track(file: string): void {
  install();
  live.add(file);
}

function untrack(file: string): boolean {
  const ok = removeSync(file);
  if (live.size === 0) uninstall();
  return ok;
}

/** For tests: canaries currently on disk. */
export function liveCanaries(): string[] {
  return [...live];
}

// ---------------------------------------------------------------------------------------------

/** The site URL the layout's relative URLs hang off: --url, or its path from CIVICRM_UF_BASEURL. */
export function siteBase(target: AuditTarget, layout: SiteLayout): URL {
  const base = new URL(target.url.toString());
  const uf = layout.settings?.baseUrl;
  if (base.pathname === '/' && uf?.state === 'set') {
    try {
      const u = new URL(uf.value);
      if (u.hostname.toLowerCase() === base.hostname.toLowerCase()) base.pathname = u.pathname;
    } catch {
      /* not a URL: keep --url */
    }
  }
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return base;
}

const MAX_URLS_PER_DIR = 4;
const MAX_LOGS = 5;

interface FetchCtx {
  client: HttpClient;
  signal: AbortSignal;
  timeoutMs: number;
  /** https base and its plain-http twin (`--http-url`): tried when https gives no answer at all. */
  base: URL;
  httpBase: URL;
}

async function fetchOne(
  f: FetchCtx,
  url: string,
  test: (body: Buffer, status: number) => boolean,
  headers: Record<string, string> = {},
): Promise<FetchAttempt> {
  try {
    const res = await f.client.fetch(url, {
      signal: f.signal,
      timeoutMs: f.timeoutMs,
      maxBytes: 256 * 1024,
      headers,
    });
    return { url, status: res.status, matched: res.status < 300 && test(res.body, res.status) };
  } catch (e) {
    if (f.signal.aborted) throw e;
    const timedOut = e instanceof CiviguardError && e.code === 'E_TIMEOUT';
    return { url, status: null, matched: false, error: describeError(e), ...(timedOut ? { timedOut } : {}) };
  }
}

/** Fetches over https; when that gets no answer at all (no TLS there), the same path over plain http. */
async function fetchBoth(
  f: FetchCtx,
  url: string,
  test: (body: Buffer, status: number) => boolean,
  headers: Record<string, string> = {},
): Promise<FetchAttempt[]> {
  const first = await fetchOne(f, url, test, headers);
  // A timeout is not "no https here": plain http would only time out too.
  if (first.status !== null || first.timedOut || !url.startsWith(f.base.origin)) return [first];
  const plain = new URL(url);
  plain.protocol = 'http:';
  plain.host = f.httpBase.host;
  const second = await fetchOne(f, plain.toString(), test, headers);
  return [first, { ...second, fallbackFor: url }];
}

function verdict(attempts: FetchAttempt[]): { status: CanaryStatus; reason: string; url: string | null } {
  const hit = attempts.find((a) => a.matched);
  if (hit) return { status: 'reachable', reason: `served at ${hit.url} (HTTP ${hit.status})`, url: hit.url };
  const answeredByFallback = new Set(
    attempts.filter((a) => a.fallbackFor && a.status !== null).map((a) => a.fallbackFor),
  );
  const failed = attempts.filter((a) => a.status === null && !answeredByFallback.has(a.url));
  if (attempts.length === 0) return { status: 'skipped', reason: 'no URL to try', url: null };
  if (failed.length)
    return {
      status: 'error',
      reason: `could not fetch ${failed.map((a) => `${a.url} (${a.error ?? 'no answer'})`).join(', ')}`,
      url: null,
    };
  return {
    status: 'not-reachable',
    reason: `not served: ${attempts
      .filter((a) => a.status !== null)
      .map((a) => `${a.url} → ${a.status}`)
      .join(', ')}`,
    url: null,
  };
}

function readHead(file: string, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

async function probeDir(
  f: FetchCtx,
  base: URL,
  kind: DirKind,
  layout: SiteLayout,
  written: string[],
): Promise<DirCanary> {
  const d = layout.dirs.find((x) => x.kind === kind)!;
  const out: DirCanary = {
    kind,
    path: d.path,
    status: 'skipped',
    reason: '',
    file: null,
    attempts: [],
    reachableUrl: null,
    listing: false,
    listingUrl: null,
    deleted: true,
  };
  if (!d.path) return { ...out, reason: `dir not known: ${d.source}` };
  if (!d.exists) return { ...out, reason: `${d.path} does not exist` };
  const id = randomBytes(12).toString('hex');
  const name = kind === 'log' ? `CiviCRM.civiguard-canary-${id}.log` : `civiguard-canary-${id}.txt`;
  const token = `civiguard-canary ${randomBytes(16).toString('hex')}`;
  const file = join(d.path, name);
  try {
    // Exclusive create: never touches an existing file. Tracked right after (no await in between,
    // so no signal handler can run before it is registered).
    writeFileSync(file, `${token}\nWritten by civiguard's exposure check; safe to delete.\n`, {
      flag: 'wx',
      mode: 0o644,
    });
    track(file);
  } catch (e) {
    return { ...out, status: 'error', reason: `cannot write a canary into ${d.path}: ${describeError(e)}` };
  }
  written.push(file);
  out.file = file;
  out.deleted = false;
  try {
    const urls = d.urls.slice(0, MAX_URLS_PER_DIR);
    for (const u of urls) {
      const fileUrl = new URL(`${u}${name}`, base).toString();
      const as = await fetchBoth(f, fileUrl, (body) => body.includes(token));
      out.attempts.push(...as);
      if (as.some((a) => a.matched)) break;
    }
    // A listing of the dir that names the canary (CiviCRM's isBrowsable test).
    for (const u of urls) {
      const dirUrl = new URL(u, base).toString();
      const hit = (await fetchBoth(f, dirUrl, (body) => body.includes(name))).find((a) => a.matched);
      if (hit) {
        out.listing = true;
        out.listingUrl = hit.url;
        break;
      }
    }
  } finally {
    out.deleted = untrack(file);
  }
  const v = verdict(out.attempts);
  return { ...out, status: v.status, reason: v.reason, reachableUrl: v.url };
}

async function probeLog(f: FetchCtx, base: URL, log: SiteLayout['logFiles'][number]): Promise<LogFetch> {
  let head: Buffer;
  try {
    head = readHead(log.path, 2048);
  } catch (e) {
    return {
      path: log.path,
      status: 'error',
      reason: `cannot read ${log.path}: ${describeError(e)}`,
      attempts: [],
      reachableUrl: null,
    };
  }
  if (head.length < 16)
    return {
      path: log.path,
      status: 'skipped',
      reason: 'log file is (nearly) empty: nothing to compare',
      attempts: [],
      reachableUrl: null,
    };
  const attempts: FetchAttempt[] = [];
  for (const u of log.urls.slice(0, MAX_URLS_PER_DIR)) {
    const url = new URL(u, base).toString();
    const as = await fetchBoth(f, url, (body) => body.subarray(0, head.length).equals(head), {
      range: `bytes=0-${head.length - 1}`,
    });
    attempts.push(...as);
    if (as.some((a) => a.matched)) break;
  }
  const v = verdict(attempts);
  return { path: log.path, status: v.status, reason: v.reason, attempts, reachableUrl: v.url };
}

export const canaryProbe = defineProbe<CanaryFacts>({
  name: 'exposure canary (--root)',
  // Up to ~8 sequential fetches per dir, each capped at the target's timeout (≤ 10 s).
  timeoutMs: (t) => Math.min(Math.max(t.timeoutMs * 4, 2_000), 120_000),
  async run(ctx) {
    const layout = await ctx.get(layoutProbe);
    const client = await ctx.get(httpClientProbe);
    const base = siteBase(ctx.target, layout);
    const written: string[] = [];
    // Timeout or cancellation: delete at once, even while a fetch is still hanging.
    const onAbort = () => {
      for (const w of written) untrack(w);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const httpBase = new URL(base.pathname, ctx.target.httpUrl.origin);
    const f: FetchCtx = {
      client,
      signal: ctx.signal,
      timeoutMs: Math.min(ctx.target.timeoutMs, 10_000),
      base,
      httpBase,
    };
    try {
      ctx.note(`canaries in ${PRIVATE_KINDS.join(', ')}, fetched under ${base.toString()}`);
      // One dir after the other inside, the four dirs (and then the logs) side by side.
      const dirs = await Promise.all(PRIVATE_KINDS.map((kind) => probeDir(f, base, kind, layout, written)));
      const logs = await Promise.all(layout.logFiles.slice(0, MAX_LOGS).map((log) => probeLog(f, base, log)));
      const leftBehind = written.filter((w) => !untrack(w));
      if (dirs.every((d) => d.status === 'skipped') && logs.length === 0) {
        throw new FactUnavailable(
          'skip',
          `no private data dir to test: ${dirs.map((d) => `${d.kind}: ${d.reason}`).join('; ')}`,
        );
      }
      return { base: base.toString(), dirs, logs, written, leftBehind };
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      for (const w of written) untrack(w);
    }
  },
  dispose(facts) {
    for (const w of facts.written) untrack(w);
  },
});
