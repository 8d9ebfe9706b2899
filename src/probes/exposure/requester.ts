/**
 * Bounded HTTP requests for the exposure probe: at most `concurrency` at once through the shared
 * HttpClient, a request budget, a time budget after which nothing new starts and in-flight requests are
 * cut, and a breaker that stops when the site does not answer at all.
 */
import { CiviguardError, describeError } from '../../core/errors.js';
import type { HttpClient, HttpResponse } from '../net/http-fetch.js';
import type { Answer } from './types.js';

/** `dir`: a listing page (256 KiB); `file`: first 4 KiB by Range; `page`: a script's output (64 KiB). */
export type RequestKind = 'dir' | 'file' | 'page';

export const FILE_HEAD_BYTES = 4096;
const MAX_BYTES: Record<RequestKind, number> = { dir: 256 * 1024, file: FILE_HEAD_BYTES, page: 64 * 1024 };

export interface RequesterOptions {
  client: HttpClient;
  base: URL;
  /** The probe's signal (audit cancelled or the probe's own budget spent). */
  signal: AbortSignal;
  /** ≤ 6. */
  concurrency: number;
  requestTimeoutMs: number;
  /** Nothing starts after this many ms, and what is in flight is cut. */
  budgetMs: number;
  /** The whole budget this one is the rest of, for messages (default `budgetMs`). */
  totalBudgetMs?: number;
  maxRequests: number;
  /** Give up after this many failures when nothing ever answered (default 6). */
  failFast?: number;
}

export type Outcome = { answer: Answer; error: null } | { answer: null; error: string };

function toAnswer(res: HttpResponse): Answer {
  const range = /\/(\d+)\s*$/.exec(res.headers['content-range'] ?? '');
  const length = res.headers['content-length'];
  const size = range
    ? Number(range[1])
    : res.status === 200 && length && /^\d+$/.test(length)
      ? Number(length)
      : null;
  return {
    status: res.status,
    contentType: res.headers['content-type'] ?? null,
    size,
    location: res.headers['location'] ?? null,
    body: res.body,
    truncated: res.truncated,
  };
}

export class Requester {
  requests = 0;
  successes = 0;
  failures = 0;
  stopped: string | null = null;
  firstError: string | null = null;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly cut = new AbortController();
  private readonly signal: AbortSignal;
  private readonly timer: NodeJS.Timeout;
  private readonly failFast: number;

  constructor(private readonly opts: RequesterOptions) {
    if (opts.concurrency < 1 || opts.concurrency > 6) throw new RangeError('concurrency must be 1..6');
    this.signal = AbortSignal.any([opts.signal, this.cut.signal]);
    this.failFast = opts.failFast ?? 6;
    const total = opts.totalBudgetMs ?? opts.budgetMs;
    const label = total >= 1000 ? `${Math.round(total / 1000)} s` : `${Math.round(total)} ms`;
    this.timer = setTimeout(() => this.stop(`time budget of ${label} spent`), opts.budgetMs);
  }

  /** Stops: nothing new starts, requests in flight are cut. */
  stop(reason: string): void {
    if (this.cut.signal.aborted) return;
    this.stopped ??= reason;
    this.cut.abort(new CiviguardError('E_TIMEOUT', reason));
  }

  close(): void {
    clearTimeout(this.timer);
  }

  url(path: string): URL {
    return new URL(path, this.opts.base);
  }

  private async acquire(): Promise<void> {
    if (this.active < this.opts.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  async get(path: string, kind: RequestKind): Promise<Outcome> {
    await this.acquire();
    try {
      if (this.opts.signal.aborted) throw this.opts.signal.reason;
      if (this.stopped) return { answer: null, error: `not requested: ${this.stopped}` };
      if (this.requests >= this.opts.maxRequests) {
        // Nothing new starts; what is in flight may finish.
        this.stopped = `request budget of ${this.opts.maxRequests} spent`;
        return { answer: null, error: `not requested: ${this.stopped}` };
      }
      this.requests++;
      try {
        const res = await this.opts.client.fetch(this.url(path), {
          signal: this.signal,
          timeoutMs: this.opts.requestTimeoutMs,
          maxBytes: MAX_BYTES[kind],
          ...(kind === 'file' ? { headers: { range: `bytes=0-${FILE_HEAD_BYTES - 1}` } } : {}),
        });
        this.successes++;
        return { answer: toAnswer(res), error: null };
      } catch (e) {
        if (this.opts.signal.aborted) throw this.opts.signal.reason;
        if (this.cut.signal.aborted)
          return { answer: null, error: `cut short: ${describeError(this.cut.signal.reason)}` };
        const why = describeError(e);
        this.failures++;
        this.firstError ??= why;
        // A site that answers nothing is not worth the whole budget; one that answers some paths slowly
        // is judged path by path, within the time budget.
        if (this.successes === 0 && this.failures >= this.failFast)
          this.stop(`the site answered none of the first ${this.failures} requests (${this.firstError})`);
        return { answer: null, error: why };
      }
    } finally {
      this.release();
    }
  }
}
