import pc from 'picocolors';
import type { Report } from '../core/result.js';
import { checkStatus } from '../core/result.js';
import { redactDeep } from '../core/redact.js';
import type { Status } from '../core/severity.js';
import { oneLine, showControls } from './escape.js';
import type { RenderOptions } from './index.js';
import { orderResults } from './order.js';

export { orderResults } from './order.js';

const MARK: Record<Status, string> = { fail: 'FAIL', error: 'ERR ', pass: 'ok  ', skip: 'skip' };

function evidenceLine(e: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(e)) {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    if (s === undefined) continue;
    parts.push(`${oneLine(k)}=${oneLine(s.length > 120 ? s.slice(0, 117) + '...' : s)}`);
    if (parts.join(' ').length > 300) break;
  }
  return parts.join('  ');
}

/**
 * The human report: grouped by area, the worst area and the worst results first, evidence and the fix
 * under each fail/error. Secrets are redacted and terminal control characters from hostile servers are
 * shown as escapes, never written raw.
 */
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
    c.bold(`civiguard ${oneLine(r.tool.version)} audit of ${oneLine(r.target.url)}`) +
      (r.target.root ? ` (root ${oneLine(r.target.root)})` : ''),
  );
  out.push(`CMS: ${r.target.cms}   started ${r.startedAt}   took ${(r.durationMs / 1000).toFixed(1)} s`);
  for (const [area, results] of orderResults(r.results)) {
    out.push('');
    out.push(c.bold(`${oneLine(area)}  [${checkStatus(results)}]`));
    for (const res of results) {
      const sev = res.status === 'fail' ? ` ${res.severity}` : '';
      out.push(
        `  ${paint[res.status](MARK[res.status])}${sev ? c.bold(sev) : ''} ${oneLine(res.id ?? res.check)}: ${showControls(res.message)}`,
      );
      if (res.status === 'fail' || res.status === 'error') {
        if (res.evidence) out.push(c.dim(`       evidence: ${evidenceLine(res.evidence)}`));
        if (res.remediation) out.push(`       fix: ${showControls(res.remediation)}`);
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
