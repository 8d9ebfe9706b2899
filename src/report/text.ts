import pc from 'picocolors';
import type { Report, Result } from '../core/result.js';
import { checkStatus } from '../core/result.js';
import { redactDeep } from '../core/redact.js';
import type { Status } from '../core/severity.js';
import { severityRank, statusRank } from '../core/severity.js';
import type { RenderOptions } from './index.js';

const MARK: Record<Status, string> = { fail: 'FAIL', error: 'ERR ', pass: 'ok  ', skip: 'skip' };

/** Results grouped by area, the worst area first, and inside it the worst results first. */
export function orderResults(results: readonly Result[]): Map<string, Result[]> {
  const byArea = new Map<string, Result[]>();
  for (const r of results) {
    const area = r.check.split('.')[0]!;
    byArea.set(area, [...(byArea.get(area) ?? []), r]);
  }
  const weight = (r: Result) =>
    statusRank(r.status) * 10 + (r.status === 'fail' ? severityRank(r.severity) : 0);
  for (const list of byArea.values())
    list.sort((a, b) => weight(b) - weight(a) || a.check.localeCompare(b.check));
  return new Map([...byArea.entries()].sort((a, b) => weight(b[1][0]!) - weight(a[1][0]!)));
}

function evidenceLine(e: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(e)) {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    if (s === undefined) continue;
    parts.push(`${k}=${s.length > 120 ? s.slice(0, 117) + '...' : s}`);
    if (parts.join(' ').length > 300) break;
  }
  return parts.join('  ');
}

export function renderText(report: Report, opts: RenderOptions = {}): string {
  const c = pc.createColors(opts.color ?? false);
  const r = redactDeep(report);
  const paint: Record<Status, (s: string) => string> = {
    fail: c.red,
    error: c.magenta,
    pass: c.green,
    skip: c.dim,
  };
  const out: string[] = [];
  out.push(
    c.bold(`civiguard ${r.tool.version} audit of ${r.target.url}`) +
      (r.target.root ? ` (root ${r.target.root})` : ''),
  );
  out.push(`CMS: ${r.target.cms}   started ${r.startedAt}   took ${(r.durationMs / 1000).toFixed(1)} s`);
  for (const [area, results] of orderResults(r.results)) {
    out.push('');
    out.push(c.bold(`${area}  [${checkStatus(results)}]`));
    for (const res of results) {
      const sev = res.status === 'fail' ? ` ${res.severity}` : '';
      out.push(
        `  ${paint[res.status](MARK[res.status])}${sev ? c.bold(sev) : ''} ${res.id ?? res.check}: ${res.message}`,
      );
      if (res.status === 'fail' || res.status === 'error') {
        if (res.evidence) out.push(c.dim(`       evidence: ${evidenceLine(res.evidence)}`));
        if (res.remediation) out.push(`       fix: ${res.remediation}`);
      }
    }
  }
  const s = r.summary;
  out.push('');
  out.push(
    c.bold(`Summary: ${s.fail} failed, ${s.error} errors, ${s.pass} passed, ${s.skip} skipped`) +
      (s.worst ? ` — worst: ${s.worst}` : ''),
  );
  return out.join('\n') + '\n';
}
