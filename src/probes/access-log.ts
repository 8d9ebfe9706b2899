import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { describeError } from '../core/errors.js';
import { defineProbe, FactUnavailable } from '../core/probe.js';
import { parseAccessLogLine, scoreAccessLogLine } from '../ids/index.js';
import { maskPan } from './pci/pan.js';
import { findPans } from './pci/pan-scanner.js';

/**
 * Attack attempts in web server access logs (nginx/Apache "combined" format, gzip allowed), counted by
 * tag and by source, with the ones the server answered with a 2xx kept apart. Everything is capped:
 * bytes and lines per file, line length, kept examples.
 *
 * Scoring: the IDS engine (`scoreAccessLogLine` from src/ids: path, query, User-Agent and Referer inspected
 * as the live IDS would; a decision above `pass` is an attempt, with the engine's tags), plus a few
 * signatures of our own for what is not a payload: probes for secret files (`recon`), known CiviCRM
 * exploit paths (`exploit`) and scanner user agents (`scanner`).
 */

export interface LogRequest {
  source: string;
  time: string;
  method: string;
  /** Request target as logged (still URL-encoded). */
  target: string;
  status: number;
  userAgent: string;
  referer: string;
}

export interface RequestScore {
  tags: string[];
  /** Rule and signature ids that matched (first ten). */
  hits: string[];
  /** The IDS engine's impact score. */
  impact: number;
}

interface Signature {
  id: string;
  tag: string;
  /** Where to look: the decoded request target, or the User-Agent/Referer. */
  on: 'target' | 'headers';
  re: RegExp;
}

/** Non-payload signatures: what the IDS engine does not judge (it scores payloads). */
const SIGNATURES: Signature[] = [
  {
    id: 'recon.secrets',
    tag: 'recon',
    on: 'target',
    re: /\/\.(?:git|svn|hg)\/|\/\.env\b|\/\.(?:aws|ssh)\/|(?:wp-config|civicrm\.settings|settings|configuration|config)\.php(?:\.bak|\.old|\.orig|\.save|\.swp|~|\.txt)\b|\.(?:sql|sql\.gz|bak)(?:\?|$)/i,
  },
  {
    id: 'recon.civicrm-exploits',
    tag: 'exploit',
    on: 'target',
    re: /ofc_upload_image\.php|\/dompdf\.php|\/packages\/OpenFlashChart\/|\/civicrm\/(?:install|packages\/kcfinder)\b|\/sites\/all\/modules\/civicrm\/(?:install|packages)\//i,
  },
  {
    id: 'scanner.user-agent',
    tag: 'scanner',
    on: 'headers',
    re: /\b(?:sqlmap|nikto|nmap|masscan|zgrab|nuclei|wpscan|acunetix|netsparker|dirbuster|gobuster|wfuzz|feroxbuster|hydra|jaeles|whatweb)\b/i,
  },
];

/** Decodes %XX twice at most (double encoding is an evasion) and `+` in the query. */
function decodeTarget(raw: string): string {
  let s = raw.replace(/\+/g, ' ');
  for (let i = 0; i < 2 && /%[0-9a-f]{2}/i.test(s); i++) {
    try {
      s = decodeURIComponent(s);
    } catch {
      s = s.replace(/%([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    }
  }
  return s;
}

/**
 * Verdicts by request (method, target, User-Agent, Referer): logs repeat the same requests (assets, the
 * same pages, the same bots) and the engine's verdict depends only on these. Bounded; cleared when full.
 */
const verdicts = new Map<string, RequestScore>();
const MAX_CACHED = 50_000;

/** Parses and scores one log line (null when it is not a combined/common line). The one scoring function. */
export function scoreLine(line: string): { req: LogRequest; score: RequestScore } | null {
  const e = parseAccessLogLine(line);
  if (!e) return null;
  const req: LogRequest = {
    source: e.client,
    time: e.time,
    method: e.method.slice(0, 16),
    target: e.target,
    status: e.status,
    userAgent: e.userAgent,
    referer: e.referer,
  };
  const key = `${e.method}\n${e.target}\n${e.userAgent}\n${e.referer}`;
  const cached = verdicts.get(key);
  if (cached) return { req, score: cached };
  const s = scoreAccessLogLine(line);
  if (!s) return null;
  const tags = new Set<string>();
  const hits: string[] = [];
  if (s.result.decision !== 'pass') {
    s.result.tags.forEach((t) => tags.add(t));
    for (const f of s.result.fields) for (const h of f.hits) if (hits.length < 10) hits.push(h.id);
  }
  const target = decodeTarget(e.target.slice(0, 8192));
  const headers = `${e.userAgent}\n${e.referer}`;
  for (const sig of SIGNATURES) {
    if (sig.re.test(sig.on === 'target' ? target : headers)) {
      tags.add(sig.tag);
      hits.push(sig.id);
    }
  }
  const score: RequestScore = { tags: [...tags], hits, impact: s.result.impact };
  if (verdicts.size >= MAX_CACHED) verdicts.clear();
  if (key.length < 4096) verdicts.set(key, score);
  return { req, score };
}

/* ---------------------------------------------------------------- aggregation */

export interface AttackExample {
  file: string;
  line: number;
  source: string;
  time: string;
  method: string;
  /** Request target, capped, card-like numbers masked. */
  target: string;
  status: number;
  tags: string[];
  hits: string[];
}

export interface LogFileSummary {
  file: string;
  bytes: number;
  lines: number;
  unparsed: number;
  gzip: boolean;
  /** Why only part of the file was read, or null. */
  truncated: string | null;
  /** It could not be read at all. */
  error: string | null;
}

export interface AccessLogFacts {
  files: LogFileSummary[];
  requests: number;
  attempts: number;
  byTag: Record<string, number>;
  /** Top sources by attempts (at most 20), with their tags. */
  bySource: { source: string; attempts: number; tags: string[] }[];
  sources: number;
  /** Attempts answered 2xx: counted, first ones kept. */
  answered2xx: number;
  answered: AttackExample[];
  /** First attempts of each tag, for context. */
  examples: AttackExample[];
  first: string | null;
  last: string | null;
  scorer: string;
}

export interface ReadLogOptions {
  maxBytesPerFile?: number;
  maxLinesPerFile?: number;
  maxLineLength?: number;
  signal?: AbortSignal;
}

/** A request target fit for a report: capped, anything card-like masked (GET forms may carry one). */
function safeTarget(t: string): string {
  return t
    .slice(0, 300)
    .replace(/\d[\d -]{11,22}\d/g, (m) => (findPans(m).length ? maskPan(m.replace(/\D/g, '')) : m));
}

/** A plain file's bytes in 1 MiB blocks read into one reused buffer (no allocation per block). */
async function* plainChunks(file: string): AsyncGenerator<Buffer> {
  const h = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await h.read(buf, 0, buf.length, null);
      if (bytesRead <= 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await h.close();
  }
}

export async function readAccessLogs(
  files: readonly string[],
  o: ReadLogOptions = {},
): Promise<AccessLogFacts> {
  const maxBytes = o.maxBytesPerFile ?? 1 << 30;
  const maxLines = o.maxLinesPerFile ?? 2_000_000;
  const maxLine = o.maxLineLength ?? 16 * 1024;
  const facts: AccessLogFacts = {
    files: [],
    requests: 0,
    attempts: 0,
    byTag: {},
    bySource: [],
    sources: 0,
    answered2xx: 0,
    answered: [],
    examples: [],
    first: null,
    last: null,
    scorer: 'civiguard IDS engine (scoreAccessLogLine) + recon/exploit/scanner signatures',
  };
  const sources = new Map<string, { attempts: number; tags: Set<string> }>();
  const exampleTags = new Set<string>();

  for (const file of files) {
    const sum: LogFileSummary = {
      file,
      bytes: 0,
      lines: 0,
      unparsed: 0,
      gzip: false,
      truncated: null,
      error: null,
    };
    facts.files.push(sum);
    let gzip = false;
    try {
      const h = await open(file, 'r');
      try {
        const head = Buffer.alloc(2);
        await h.read(head, 0, 2, 0);
        gzip = head[0] === 0x1f && head[1] === 0x8b;
      } finally {
        await h.close();
      }
    } catch (e) {
      sum.error = describeError(e);
      continue;
    }
    sum.gzip = gzip;
    const input = gzip ? createReadStream(file, { highWaterMark: 1 << 20 }) : null;
    const stream = input ? input.pipe(createGunzip()) : null;
    input?.on('error', (e) => stream?.destroy(e));
    let stop: string | null = null;
    const onLine = (line: string) => {
      sum.lines++;
      const scored = scoreLine(line.length > maxLine ? line.slice(0, maxLine) : line);
      if (!scored) {
        sum.unparsed++;
        return;
      }
      const { req: r, score } = scored;
      facts.requests++;
      facts.first ??= r.time;
      facts.last = r.time;
      if (!score.tags.length) return;
      facts.attempts++;
      for (const t of score.tags) facts.byTag[t] = (facts.byTag[t] ?? 0) + 1;
      const src = sources.get(r.source) ?? { attempts: 0, tags: new Set<string>() };
      src.attempts++;
      score.tags.forEach((t) => src.tags.add(t));
      if (sources.size < 100_000 || sources.has(r.source)) sources.set(r.source, src);
      const ex = (): AttackExample => ({
        file,
        line: sum.lines,
        source: r.source,
        time: r.time,
        method: r.method,
        target: safeTarget(r.target),
        status: r.status,
        tags: score.tags,
        hits: score.hits,
      });
      const only = score.tags.every((t) => t === 'scanner');
      if (r.status >= 200 && r.status < 300 && !only) {
        facts.answered2xx++;
        if (facts.answered.length < 50) facts.answered.push(ex());
      }
      if (score.tags.some((t) => !exampleTags.has(t)) && facts.examples.length < 30) {
        score.tags.forEach((t) => exampleTags.add(t));
        facts.examples.push(ex());
      }
    };
    // Lines are cut on bytes (memchr) and only their first maxLine bytes become a string, so a file of
    // NULs or one endless line costs no more than reading it.
    let pending: Buffer[] = [];
    let pendingLen = 0;
    const flush = (tail: Buffer) => {
      const parts = pendingLen ? [...pending, tail] : [tail];
      const line =
        parts.length === 1 ? tail : Buffer.concat(parts, Math.min(maxLine, pendingLen + tail.length));
      onLine(line.toString('utf8', 0, Math.min(line.length, maxLine)));
      pending = [];
      pendingLen = 0;
    };
    try {
      for await (const chunk of stream ? (stream as AsyncIterable<Buffer>) : plainChunks(file)) {
        if (o.signal?.aborted) throw o.signal.reason;
        sum.bytes += chunk.length;
        let start = 0;
        let nl: number;
        while ((nl = chunk.indexOf(10, start)) !== -1) {
          flush(chunk.subarray(start, nl));
          start = nl + 1;
          if (sum.lines >= maxLines) {
            stop = `stopped after ${maxLines} lines`;
            break;
          }
        }
        if (stop) break;
        if (start < chunk.length && pendingLen < maxLine) {
          const keep = chunk.subarray(start, start + (maxLine - pendingLen));
          pending.push(Buffer.from(keep));
          pendingLen += keep.length;
        }
        if (sum.bytes >= maxBytes) {
          stop = `stopped after ${Math.round(maxBytes / 1048576)} MiB${gzip ? ' (decompressed)' : ''}`;
          break;
        }
      }
      if (pendingLen) flush(Buffer.alloc(0));
    } catch (e) {
      if (o.signal?.aborted) throw e;
      sum.error = `${gzip ? 'gzip: ' : ''}${describeError(e)}${sum.lines ? ` after ${sum.lines} lines` : ''}`;
    } finally {
      input?.destroy();
      stream?.destroy();
    }
    sum.truncated = stop;
  }
  facts.sources = sources.size;
  facts.bySource = [...sources.entries()]
    .sort((a, b) => b[1].attempts - a[1].attempts)
    .slice(0, 20)
    .map(([source, s]) => ({ source, attempts: s.attempts, tags: [...s.tags].sort() }));
  return facts;
}

export const accessLogProbe = defineProbe<AccessLogFacts>({
  name: 'access logs',
  timeoutMs: (t) => Math.max(t.timeoutMs, 600_000),
  async run(ctx) {
    const files = ctx.target.accessLogs;
    if (!files.length) throw new FactUnavailable('skip', 'no --access-log FILE given');
    ctx.note(`reading ${files.length} access log${files.length === 1 ? '' : 's'}`);
    return readAccessLogs(files.slice(0, 100), { signal: ctx.signal });
  },
});
