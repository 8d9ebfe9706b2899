/**
 * `civiguard ids logs`: reads nginx/Apache access logs (plain or gzip), scores every request and summarises
 * the attempts: by tag, by source address, by path, and those answered 2xx (the attack may have worked).
 * Lines are read as a stream with a cap per line (a longer line is cut, counted, and not parsed past the cap).
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { CiviguardError } from '../core/errors.js';
import type { AccessLogEntry } from './access-log.js';
import { MAX_LINE, scoreAccessLogLine } from './access-log.js';
import type { Ids } from './inspect.js';
import { createIds } from './inspect.js';
import type { Decision, Tag } from './types.js';
import { DECISIONS } from './types.js';

export interface Attempt {
  file: string;
  line: number;
  time: string;
  client: string;
  method: string;
  target: string;
  status: number;
  impact: number;
  decision: Decision;
  tags: Tag[];
  rules: string[];
}

export interface LogReport {
  files: string[];
  lines: number;
  requests: number;
  unparseable: number;
  longLines: number;
  /** Requests at or above the threshold. */
  attempts: number;
  threshold: number;
  byTag: Record<string, number>;
  bySource: { client: string; attempts: number; tags: Tag[] }[];
  byPath: { path: string; attempts: number }[];
  byDecision: Record<Decision, number>;
  /** Attempts the server answered with 2xx (at most `maxListed`). */
  answered2xx: Attempt[];
  answered2xxTotal: number;
}

export interface LogReportOptions {
  ids?: Ids;
  /** Count requests at or above this decision (default `log`). */
  min?: Decision;
  top?: number;
  maxListed?: number;
}

/** Yields the lines of a file (gzip by magic bytes), each cut at MAX_LINE characters. */
export async function* readLines(file: string): AsyncGenerator<{ text: string; long: boolean }> {
  const head = await new Promise<Buffer>((resolve, reject) => {
    const s = createReadStream(file, { start: 0, end: 1 });
    const parts: Buffer[] = [];
    s.on('data', (c: string | Buffer) => {
      parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
    });
    s.on('end', () => resolve(Buffer.concat(parts)));
    s.on('error', (e) => reject(new CiviguardError('E_IO', `cannot read ${file}: ${e.message}`)));
  });
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  const raw = createReadStream(file);
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (e) => stream.destroy(e));
  let buf = '';
  let skipping = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (skipping) {
          skipping = false;
          continue;
        }
        yield { text: line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line, long: line.length > MAX_LINE };
      }
      if (buf.length > MAX_LINE && !skipping) {
        // a line longer than the cap: keep its start, drop the rest up to the next newline
        yield { text: buf.slice(0, MAX_LINE), long: true };
        skipping = true;
        buf = '';
      } else if (skipping) buf = '';
    }
  } catch (e) {
    throw new CiviguardError('E_IO', `cannot read ${file}: ${(e as Error).message}`);
  }
  if (buf && !skipping) yield { text: buf, long: false };
}

/** An ISO-8601 time from the log's `10/Oct/2000:13:55:36 -0700`, or the text as written. */
export function logTime(t: string): string {
  const m = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})$/.exec(t);
  if (!m) return t;
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const mon = months.indexOf(m[2]!);
  if (mon < 0) return t;
  const d = new Date(
    `${m[3]}-${String(mon + 1).padStart(2, '0')}-${m[1]}T${m[4]}:${m[5]}:${m[6]}${m[7]!.slice(0, 3)}:${m[7]!.slice(3)}`,
  );
  return Number.isNaN(d.getTime()) ? t : d.toISOString();
}

function topN<T>(m: Map<string, T>, n: number, weight: (v: T) => number): [string, T][] {
  return [...m].sort((a, b) => weight(b[1]) - weight(a[1]) || a[0].localeCompare(b[0])).slice(0, n);
}

export async function analyseLogs(
  files: readonly string[],
  options: LogReportOptions = {},
): Promise<LogReport> {
  const ids = options.ids ?? createIds();
  const min = options.min ?? 'log';
  const minRank = DECISIONS.indexOf(min);
  const top = options.top ?? 10;
  const maxListed = options.maxListed ?? 20;
  const report: LogReport = {
    files: [...files],
    lines: 0,
    requests: 0,
    unparseable: 0,
    longLines: 0,
    attempts: 0,
    threshold: min === 'pass' ? 0 : ids.options.thresholds[min],
    byTag: {},
    bySource: [],
    byPath: [],
    byDecision: { pass: 0, log: 0, warn: 0, block: 0 },
    answered2xx: [],
    answered2xxTotal: 0,
  };
  const sources = new Map<string, { attempts: number; tags: Set<Tag> }>();
  const paths = new Map<string, number>();
  for (const file of files) {
    let n = 0;
    for await (const { text, long } of readLines(file)) {
      n++;
      report.lines++;
      if (long) report.longLines++;
      if (!text.trim()) continue;
      const scored = scoreAccessLogLine(text, ids);
      if (!scored) {
        report.unparseable++;
        continue;
      }
      report.requests++;
      const { entry, result } = scored;
      report.byDecision[result.decision]++;
      if (DECISIONS.indexOf(result.decision) < minRank || result.decision === 'pass') continue;
      report.attempts++;
      for (const t of result.tags) report.byTag[t] = (report.byTag[t] ?? 0) + 1;
      const s = sources.get(entry.client) ?? { attempts: 0, tags: new Set<Tag>() };
      s.attempts++;
      for (const t of result.tags) s.tags.add(t);
      sources.set(entry.client, s);
      const path = pathOf(entry);
      paths.set(path, (paths.get(path) ?? 0) + 1);
      if (entry.status >= 200 && entry.status < 300) {
        report.answered2xxTotal++;
        if (report.answered2xx.length < maxListed) {
          report.answered2xx.push({
            file,
            line: n,
            time: logTime(entry.time),
            client: entry.client,
            method: entry.method,
            target: entry.target.length > 300 ? entry.target.slice(0, 300) + '…' : entry.target,
            status: entry.status,
            impact: result.impact,
            decision: result.decision,
            tags: result.tags,
            rules: [...new Set(result.fields.flatMap((f) => f.hits.map((h) => h.id)))],
          });
        }
      }
    }
  }
  report.bySource = topN(sources, top, (v) => v.attempts).map(([client, v]) => ({
    client,
    attempts: v.attempts,
    tags: [...v.tags].sort(),
  }));
  report.byPath = topN(paths, top, (v) => v).map(([path, attempts]) => ({ path, attempts }));
  return report;
}

function pathOf(e: AccessLogEntry): string {
  const q = e.target.indexOf('?');
  const p = q >= 0 ? e.target.slice(0, q) : e.target;
  return p.length > 200 ? p.slice(0, 200) + '…' : p;
}

export function formatLogReport(r: LogReport): string {
  const out: string[] = [];
  out.push(
    `${r.files.length} file(s), ${r.lines} lines: ${r.requests} requests, ${r.unparseable} not access-log lines${r.longLines ? `, ${r.longLines} cut at ${MAX_LINE} characters` : ''}`,
  );
  out.push(
    `attempts (impact ≥ ${r.threshold}): ${r.attempts}  [log ${r.byDecision.log}, warn ${r.byDecision.warn}, block ${r.byDecision.block}]`,
  );
  if (r.attempts === 0) return out.join('\n') + '\n';
  const tags = Object.entries(r.byTag).sort((a, b) => b[1] - a[1]);
  out.push(`by tag:    ${tags.map(([t, n]) => `${t} ${n}`).join('  ')}`);
  out.push('by source:');
  for (const s of r.bySource)
    out.push(`  ${s.client.padEnd(40)} ${String(s.attempts).padStart(6)}  ${s.tags.join(', ')}`);
  out.push('by path:');
  for (const p of r.byPath) out.push(`  ${p.path.padEnd(60)} ${String(p.attempts).padStart(6)}`);
  out.push(`answered 2xx (the attack may have worked): ${r.answered2xxTotal}`);
  for (const a of r.answered2xx) {
    out.push(
      `  ${a.time}  ${a.client}  ${a.method} ${a.target}  → ${a.status}  impact ${a.impact} [${a.tags.join(', ')}]`,
    );
  }
  if (r.answered2xxTotal > r.answered2xx.length)
    out.push(`  … and ${r.answered2xxTotal - r.answered2xx.length} more`);
  return out.join('\n') + '\n';
}
