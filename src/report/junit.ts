import { redactDeep } from '../core/redact.js';
import type { Report, Result } from '../core/result.js';
import { escapeXmlAttr, escapeXmlText } from './escape.js';
import { areaOf } from './order.js';

/** The body of a <failure>/<error>: message, evidence and the fix, as plain text. */
function detail(r: Result): string {
  const lines = [r.message];
  if (r.evidence) lines.push('', 'evidence:', JSON.stringify(r.evidence, null, 2));
  if (r.remediation) lines.push('', `fix: ${r.remediation}`);
  if (r.references?.length) lines.push('', ...r.references.map((ref) => `see: ${ref}`));
  return lines.join('\n');
}

/**
 * JUnit XML: one <testsuite> per area, one <testcase> per result (classname `civiguard.<area>`, name the
 * result id). fail → <failure type="<severity>">, error → <error>, skip → <skipped>; pass is an empty
 * testcase. Repeated result ids get a ` #n` suffix so CI tools that key on the name keep them apart.
 */
export function renderJunit(report: Report): string {
  const r = redactDeep(report);
  const byArea = new Map<string, Result[]>();
  for (const res of r.results) {
    const list = byArea.get(areaOf(res));
    if (list) list.push(res);
    else byArea.set(areaOf(res), [res]);
  }
  const count = (list: readonly Result[], s: Result['status']) => list.filter((x) => x.status === s).length;
  const seconds = (r.durationMs / 1000).toFixed(3);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const a = escapeXmlAttr;
  out.push(
    `<testsuites name="${a(`civiguard audit of ${r.target.url}`)}" tests="${r.results.length}" failures="${r.summary.fail}" errors="${r.summary.error}" skipped="${r.summary.skip}" time="${seconds}" timestamp="${a(r.startedAt)}">`,
  );
  for (const [area, list] of byArea) {
    out.push(
      `  <testsuite name="${a(area)}" tests="${list.length}" failures="${count(list, 'fail')}" errors="${count(list, 'error')}" skipped="${count(list, 'skip')}" time="0" timestamp="${a(r.startedAt)}">`,
    );
    out.push('    <properties>');
    out.push(`      <property name="target" value="${a(r.target.url)}"/>`);
    out.push(`      <property name="cms" value="${a(r.target.cms)}"/>`);
    out.push(`      <property name="civiguard.version" value="${a(r.tool.version)}"/>`);
    out.push('    </properties>');
    const seen = new Map<string, number>();
    for (const res of list) {
      const id = res.id ?? res.check;
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      const name = n === 1 ? id : `${id} #${n}`;
      const open = `    <testcase classname="${a(`civiguard.${area}`)}" name="${a(name)}" time="0"`;
      const summary = `${res.title}: ${res.message}`;
      switch (res.status) {
        case 'pass':
          out.push(`${open}/>`);
          break;
        case 'skip':
          out.push(`${open}>`, `      <skipped message="${a(summary)}"/>`, '    </testcase>');
          break;
        case 'fail':
          out.push(
            `${open}>`,
            `      <failure type="${a(res.severity)}" message="${a(summary)}">${escapeXmlText(detail(res))}</failure>`,
            '    </testcase>',
          );
          break;
        case 'error':
          out.push(
            `${open}>`,
            `      <error type="check-error" message="${a(summary)}">${escapeXmlText(detail(res))}</error>`,
            '    </testcase>',
          );
          break;
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
