/**
 * What every adapter shares: options, the guard (inspect → decide → log), body reading with a size cap and
 * body parsing (urlencoded, JSON, multipart form fields, text). Fail closed: a body over the cap is refused
 * with 413, a body that cannot be read is refused with 400; neither is waved through uninspected.
 */
import type { IncomingMessage } from 'node:http';
import { CiviguardError } from '../../core/errors.js';
import type { EventLog, EventSink, IdsEvent } from '../event-log.js';
import { createEventLog, toEvent } from '../event-log.js';
import type { Ids, InspectInput } from '../inspect.js';
import { createIds } from '../inspect.js';
import type { IdsOptions } from '../options.js';
import type { InspectResult } from '../types.js';

export interface MiddlewareOptions extends IdsOptions {
  /** Where events (requests at or above the `log` threshold) go: a file path, a stream, a function, a log. */
  log?: EventSink | EventLog;
  /** Observe only: log and annotate, never block. */
  observeOnly?: boolean;
  /** Status for blocked requests (default 403). */
  blockStatus?: number;
  /** Body of the blocked response (default a short plain-text message). */
  blockMessage?: string;
  /** Largest body read (default 1 MiB); a larger one is refused with 413. */
  maxBodyBytes?: number;
  /** Take the client address from X-Forwarded-For (only behind a proxy you trust). */
  trustProxy?: boolean;
  /** Called for every event that is logged. */
  onEvent?: (event: IdsEvent, result: InspectResult) => void;
}

const MW_KEYS = [
  'log',
  'observeOnly',
  'blockStatus',
  'blockMessage',
  'maxBodyBytes',
  'trustProxy',
  'onEvent',
];

export interface Verdict {
  result: InspectResult;
  block: boolean;
}

export interface Guard {
  ids: Ids;
  maxBodyBytes: number;
  blockStatus: number;
  blockMessage: string;
  /** Inspects, logs at or above `log`, and says whether to block. */
  judge(
    input: InspectInput,
    ctx: { method?: string; client?: string; route?: string },
    notes?: string[],
  ): Verdict;
  /** Logs a refusal that happened before inspection (body too large, unreadable). */
  refuse(reason: string, ctx: { method?: string; client?: string; route?: string; status: number }): void;
  close(): Promise<void>;
}

export function createGuard(options: MiddlewareOptions = {}): Guard {
  const idsOptions: IdsOptions = {};
  for (const [k, v] of Object.entries(options)) {
    if (!MW_KEYS.includes(k)) (idsOptions as Record<string, unknown>)[k] = v;
  }
  const ids = createIds(idsOptions);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new CiviguardError(
      'E_CONFIG',
      `ids: maxBodyBytes must be a whole number ≥ 1, got ${JSON.stringify(options.maxBodyBytes)}`,
    );
  }
  const blockStatus = options.blockStatus ?? 403;
  if (!Number.isInteger(blockStatus) || blockStatus < 400 || blockStatus > 599) {
    throw new CiviguardError(
      'E_CONFIG',
      `ids: blockStatus must be an HTTP error status (400–599), got ${JSON.stringify(options.blockStatus)}`,
    );
  }
  const sink = options.log;
  const log: EventLog | undefined =
    sink === undefined
      ? undefined
      : typeof sink === 'object' && 'write' in sink && 'close' in sink && !('pipe' in sink)
        ? (sink as EventLog)
        : createEventLog(sink as EventSink);
  const emit = (ev: IdsEvent, result: InspectResult) => {
    log?.write(ev);
    options.onEvent?.(ev, result);
  };
  return {
    ids,
    maxBodyBytes,
    blockStatus,
    blockMessage:
      options.blockMessage ?? 'Forbidden: the request was refused by the intrusion detection system.\n',
    judge(input, ctx, notes) {
      const result = ids.inspect(input);
      if (notes?.length) result.notes.push(...notes);
      const block = result.decision === 'block' && !options.observeOnly;
      if (result.decision !== 'pass' && (log || options.onEvent)) {
        emit(
          toEvent(result, {
            ...ctx,
            route: ctx.route ?? input.path,
            ...(block ? { status: blockStatus } : {}),
          }),
          result,
        );
      }
      return { result, block };
    },
    refuse(reason, ctx) {
      if (!log && !options.onEvent) return;
      const result: InspectResult = { impact: 0, tags: [], fields: [], decision: 'block', notes: [reason] };
      emit(toEvent(result, ctx), result);
    },
    close: async () => {
      await log?.close();
    },
  };
}

/** The client address: the socket's, or the first X-Forwarded-For hop when the proxy is trusted. */
export function clientAddress(req: IncomingMessage, trustProxy = false): string | undefined {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  return req.socket?.remoteAddress;
}

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

/**
 * Reads a node request body, giving up once it passes `limit` bytes. Callback style: the caller runs in
 * the request's `end` event, so that its response is written in the same turn (no promise hop).
 */
export function readBodyCb(
  req: IncomingMessage,
  limit: number,
  done: (err: Error | null, body: Buffer) => void,
): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    done(new BodyTooLarge(limit), Buffer.alloc(0));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  req.on('data', (c: Buffer) => {
    if (finished) return;
    size += c.length;
    if (size > limit) {
      finished = true;
      req.resume();
      done(new BodyTooLarge(limit), Buffer.alloc(0));
      return;
    }
    chunks.push(c);
  });
  req.on('end', () => {
    if (finished) return;
    finished = true;
    done(null, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  });
  req.on('error', (e) => {
    if (finished) return;
    finished = true;
    done(e, Buffer.alloc(0));
  });
}

/** Promise form of readBodyCb. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    readBodyCb(req, limit, (err, body) => (err ? reject(err) : resolve(body)));
  });
}

export interface ParsedBody {
  /** For inspect(): an object (form, multipart fields), or a string with bodyType. */
  inspect: unknown;
  bodyType?: 'form' | 'json' | 'text';
  /** For the application: the parsed value (objects for form/JSON, a string for text). */
  value: unknown;
  /** Set when part of the body could not be inspected (files, unknown types). */
  note?: string;
}

/** application/x-www-form-urlencoded → a plain object; repeated names become arrays. */
export function formToObject(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

const MAX_PARTS = 1000;

/** multipart/form-data text fields (files are not inspected, only noted). */
export function parseMultipart(
  buf: Buffer,
  contentType: string,
): { fields: Record<string, string | string[]>; files: number } {
  const m = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new Error('multipart body without a boundary');
  const delim = Buffer.from(`--${boundary}`);
  const fields: Record<string, string | string[]> = {};
  let files = 0;
  let pos = buf.indexOf(delim);
  let parts = 0;
  while (pos >= 0 && parts++ < MAX_PARTS) {
    const start = pos + delim.length;
    if (buf[start] === 0x2d && buf[start + 1] === 0x2d) break; // closing delimiter
    const next = buf.indexOf(delim, start);
    if (next < 0) break;
    const part = buf.subarray(start, next);
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd >= 0) {
      const head = part.subarray(0, headEnd).toString('latin1');
      let body = part.subarray(headEnd + 4);
      if (body.length >= 2 && body[body.length - 2] === 0x0d && body[body.length - 1] === 0x0a)
        body = body.subarray(0, body.length - 2);
      const disp = /content-disposition:[^\r\n]*/i.exec(head)?.[0] ?? '';
      const name = /\bname="([^"]{0,200})"/i.exec(disp)?.[1];
      if (/\bfilename\*?=/i.test(disp)) files++;
      else if (name !== undefined) {
        const v = body.toString('utf8');
        const prev = fields[name];
        if (prev === undefined) fields[name] = v;
        else if (Array.isArray(prev)) prev.push(v);
        else fields[name] = [prev, v];
      }
    }
    pos = next;
  }
  return { fields, files };
}

/** Parses a body by its content type for inspection and for the application. */
export function parseBody(buf: Buffer, contentType: string | undefined): ParsedBody {
  const ct = (contentType ?? '').toLowerCase();
  if (buf.length === 0) return { inspect: undefined, value: undefined };
  if (ct.includes('json')) {
    const text = buf.toString('utf8');
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // inspected as JSON mode anyway: an unparseable document is inspected as text
    }
    return { inspect: text, bodyType: 'json', value };
  }
  if (ct.startsWith('multipart/form-data')) {
    const { fields, files } = parseMultipart(buf, contentType ?? '');
    return {
      inspect: fields,
      value: fields,
      ...(files ? { note: `${files} uploaded file(s) not inspected` } : {}),
    };
  }
  if (ct.startsWith('text/')) {
    const text = buf.toString('utf8');
    return { inspect: text, bodyType: 'text', value: text };
  }
  if (ct === '' || ct.startsWith('application/x-www-form-urlencoded')) {
    const value = formToObject(buf.toString('utf8'));
    return { inspect: value, value };
  }
  // Other types (XML, binary): inspected as text, so that XXE and the like are still seen.
  const text = buf.toString('utf8');
  return { inspect: text, bodyType: 'text', value: buf };
}
