/**
 * Access logs: parse one line of the nginx/Apache "combined" (or "common") format and score the request it
 * records (path, query, user agent, referer) with the IDS. The audit's `ids.events` check and
 * `civiguard ids logs` use `scoreAccessLogLine`. Lines are capped at MAX_LINE characters; the line regex is
 * linear (proved by the ReDoS gate).
 */
import type { Ids } from './inspect.js';
import { createIds } from './inspect.js';
import type { InspectResult } from './types.js';

export const MAX_LINE = 16 * 1024;

export interface AccessLogEntry {
  client: string;
  user: string;
  /** The time as written in the log (`10/Oct/2000:13:55:36 -0700`). */
  time: string;
  method: string;
  /** The request target as sent: path and query, percent-encoded. */
  target: string;
  protocol: string;
  status: number;
  bytes: number;
  referer: string;
  userAgent: string;
}

const LINE =
  /^(\S+) (\S+) (\S+) \[([^\]]*)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\S+)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;

/** Undoes the log's escaping: nginx and Apache write `\xHH` for unsafe bytes, Apache `\"` and `\\`. */
function unescapeLog(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 && s[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
      bytes.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (c === 92 && (s[i + 1] === '"' || s[i + 1] === '\\')) {
      bytes.push(s.charCodeAt(i + 1));
      i++;
    } else if (c < 128) bytes.push(c);
    else for (const b of Buffer.from(s[i]!, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Parses one combined/common log line; null when it is not one. */
export function parseAccessLogLine(line: string): AccessLogEntry | null {
  const l = line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line;
  const m = LINE.exec(l);
  if (!m) return null;
  const request = unescapeLog(m[5] ?? '');
  // "METHOD target PROTOCOL"; a malformed request keeps everything as the target
  const first = request.indexOf(' ');
  const last = request.lastIndexOf(' ');
  let method = '';
  let target = request;
  let protocol = '';
  if (first > 0) {
    method = request.slice(0, first);
    if (last > first && request.slice(last + 1).startsWith('HTTP/')) {
      target = request.slice(first + 1, last);
      protocol = request.slice(last + 1);
    } else target = request.slice(first + 1);
  }
  const bytes = Number(m[7]);
  return {
    client: m[1]!,
    user: m[3]!,
    time: m[4]!,
    method,
    target,
    protocol,
    status: Number(m[6]),
    bytes: Number.isFinite(bytes) ? bytes : 0,
    referer: unescapeLog(m[8] ?? '-'),
    userAgent: unescapeLog(m[9] ?? '-'),
  };
}

export interface ScoredLogLine {
  entry: AccessLogEntry;
  result: InspectResult;
}

let shared: Ids | undefined;

/**
 * Parses and scores one access-log line (null if it is not a combined/common log line). The request's
 * path, query, user agent and referer are inspected as the IDS would have inspected them live (the
 * body is not in the log).
 */
export function scoreAccessLogLine(line: string, ids?: Ids): ScoredLogLine | null {
  const entry = parseAccessLogLine(line);
  if (!entry) return null;
  const engine = ids ?? (shared ??= createIds());
  const q = entry.target.indexOf('?');
  const path = q >= 0 ? entry.target.slice(0, q) : entry.target;
  const headers: Record<string, string> = {};
  if (entry.userAgent !== '-') headers['user-agent'] = entry.userAgent;
  if (entry.referer !== '-') headers.referer = entry.referer;
  const result = engine.inspect({
    path,
    query: q >= 0 ? entry.target.slice(q + 1) : undefined,
    headers,
  });
  return { entry, result };
}
