import { createHash } from 'node:crypto';
import { checkStatus } from '../core/result.js';
import type { Report, Result } from '../core/result.js';
import { redactDeep } from '../core/redact.js';
import type { Status } from '../core/severity.js';
import { maxSeverity } from '../core/severity.js';
import { escapeHtml as h } from './escape.js';
import { orderResults } from './order.js';

const MAX_EVIDENCE_CHARS = 16 * 1024;

const STYLE = `
:root{--fail:#b42318;--error:#7a2e98;--pass:#067647;--skip:#667085;--critical:#7a0916;--sev-error:#b42318;
--warning:#b54708;--notice:#175cd3;--info:#475467;--bg:#f8f9fb;--card:#fff;--line:#e4e7ec;--text:#101828}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main,.summary{max-width:70rem;margin:0 auto;padding:1rem 1.5rem}
header{border-bottom:1px solid var(--line)}
h1{font-size:1.5rem;margin:.5rem 0}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.5rem 0}
dl.meta dt{color:var(--skip)}dl.meta dd{margin:0;word-break:break-all}
.verdict{font-weight:600;font-size:1.05rem}
table{border-collapse:collapse;width:100%;background:var(--card)}
th,td{border:1px solid var(--line);padding:.35rem .6rem;text-align:left}
th{background:#f2f4f7}td.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:.3rem;padding:0 .45rem;font-size:.8rem;font-weight:700;color:#fff;
text-transform:uppercase;letter-spacing:.02em;vertical-align:1px}
.st-fail{background:var(--fail)}.st-error{background:var(--error)}.st-pass{background:var(--pass)}.st-skip{background:var(--skip)}
.sev-critical{background:var(--critical)}.sev-error{background:var(--sev-error)}.sev-warning{background:var(--warning)}
.sev-notice{background:var(--notice)}.sev-info{background:var(--info)}
article.result{background:var(--card);border:1px solid var(--line);border-left:.35rem solid var(--skip);
border-radius:.4rem;padding:.6rem .9rem;margin:.5rem 0}
article.fail{border-left-color:var(--fail)}article.error{border-left-color:var(--error)}article.pass{border-left-color:var(--pass)}
.rid{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;color:#344054}
.message{margin:.3rem 0;white-space:pre-wrap;word-break:break-word}
pre{background:#f2f4f7;border-radius:.3rem;padding:.6rem;overflow:auto;max-height:24rem;font-size:.82rem;
white-space:pre-wrap;word-break:break-all}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;background:#f2f4f7;
padding:0 .2rem;border-radius:.2rem}
.fix{border-top:1px dashed var(--line);margin-top:.4rem;padding-top:.4rem}
.fix strong{color:var(--pass)}
.refs{font-size:.85rem;color:var(--skip);word-break:break-all}
details.quiet>summary{cursor:pointer;color:var(--skip);margin:.5rem 0}
footer{max-width:70rem;margin:2rem auto;padding:0 1.5rem;color:var(--skip);font-size:.85rem}
`.trim();

/** Escaped text with `code` spans (the remediation texts use Markdown backticks). */
function withCode(s: string): string {
  return h(s).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function badge(kind: 'st' | 'sev', value: string, label = value): string {
  return `<span class="badge ${kind}-${h(value)}">${h(label)}</span>`;
}

function evidenceBlock(e: Record<string, unknown>): string {
  let text = JSON.stringify(e, null, 2);
  if (text.length > MAX_EVIDENCE_CHARS) {
    text = `${text.slice(0, MAX_EVIDENCE_CHARS)}\n… (${text.length - MAX_EVIDENCE_CHARS} more characters)`;
  }
  return `<details open><summary>Evidence</summary><pre>${h(text)}</pre></details>`;
}

function referenceLinks(refs: readonly string[]): string {
  const items = refs.map((ref) =>
    /^https:\/\/[^\s"'<>`]+$/.test(ref)
      ? `<a href="${h(ref)}" rel="noopener noreferrer">${h(ref)}</a>`
      : h(ref),
  );
  return `<p class="refs">References: ${items.join(' · ')}</p>`;
}

function resultCard(r: Result): string {
  const loud = r.status === 'fail' || r.status === 'error';
  const parts = [
    `<article class="result ${r.status}">`,
    `<div>${badge('st', r.status)}${r.status === 'fail' ? ' ' + badge('sev', r.severity) : ''} ` +
      `<strong>${h(r.title)}</strong> <span class="rid">${h(r.id ?? r.check)}</span></div>`,
    `<p class="message">${h(r.message)}</p>`,
  ];
  if (loud && r.evidence) parts.push(evidenceBlock(r.evidence));
  if (loud && r.remediation)
    parts.push(`<div class="fix"><strong>How to fix:</strong> ${withCode(r.remediation)}</div>`);
  if (loud && r.references?.length) parts.push(referenceLinks(r.references));
  parts.push('</article>');
  return parts.join('\n');
}

const count = (list: readonly Result[], s: Status) => list.filter((r) => r.status === s).length;

/**
 * One self-contained HTML file: inline CSS only, no scripts, no remote fonts or images; a
 * Content-Security-Policy (`default-src 'none'`, the stylesheet allowed by its hash) makes sure nothing
 * is loaded even if a browser found something to load. Every value is HTML-escaped (evidence comes
 * from hostile servers) and secrets are redacted. Results are grouped by area, the worst area first;
 * fails and errors show evidence and the fix, passes and skips are folded away.
 */
export function renderHtml(report: Report): string {
  const r = redactDeep(report);
  const styleHash = createHash('sha256').update(STYLE).digest('base64');
  const csp = `default-src 'none'; style-src 'sha256-${styleHash}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const grouped = orderResults(r.results);
  const s = r.summary;
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>civiguard: ${h(r.target.url)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>civiguard audit of ${h(r.target.url)}</h1>`,
    '<dl class="meta">',
    `<dt>Target</dt><dd>${h(r.target.url)}</dd>`,
    `<dt>CMS</dt><dd>${h(r.target.cms)}</dd>`,
    ...(r.target.root ? [`<dt>Root</dt><dd>${h(r.target.root)}</dd>`] : []),
    `<dt>Started</dt><dd>${h(r.startedAt)}</dd>`,
    `<dt>Duration</dt><dd>${(r.durationMs / 1000).toFixed(1)} s</dd>`,
    `<dt>civiguard</dt><dd>${h(r.tool.version)}</dd>`,
    '</dl>',
    `<p class="verdict">${s.fail} failed, ${s.error} errors, ${s.pass} passed, ${s.skip} skipped` +
      (s.worst ? ` — worst: ${badge('sev', s.worst)}` : '') +
      '</p>',
    '</header>',
    '<section class="summary">',
    '<h2>Summary by area</h2>',
    '<table>',
    '<thead><tr><th>Area</th><th>Status</th><th>Fail</th><th>Error</th><th>Pass</th><th>Skip</th><th>Worst</th></tr></thead>',
    '<tbody>',
  ];
  for (const [area, list] of grouped) {
    const worst = maxSeverity(list.filter((x) => x.status === 'fail').map((x) => x.severity));
    out.push(
      `<tr><td><a href="#area-${h(area)}">${h(area)}</a></td><td>${badge('st', checkStatus(list))}</td>` +
        `<td class="n">${count(list, 'fail')}</td><td class="n">${count(list, 'error')}</td>` +
        `<td class="n">${count(list, 'pass')}</td><td class="n">${count(list, 'skip')}</td>` +
        `<td>${worst ? badge('sev', worst) : ''}</td></tr>`,
    );
  }
  out.push('</tbody>', '</table>', '</section>', '<main>');
  for (const [area, list] of grouped) {
    out.push(`<section id="area-${h(area)}">`, `<h2>${h(area)} ${badge('st', checkStatus(list))}</h2>`);
    const loud = list.filter((x) => x.status === 'fail' || x.status === 'error');
    const quiet = list.filter((x) => x.status === 'pass' || x.status === 'skip');
    for (const res of loud) out.push(resultCard(res));
    if (quiet.length) {
      out.push(
        `<details class="quiet"${loud.length ? '' : ' open'}><summary>${count(quiet, 'pass')} passed, ` +
          `${count(quiet, 'skip')} skipped</summary>`,
        ...quiet.map(resultCard),
        '</details>',
      );
    }
    out.push('</section>');
  }
  out.push(
    '</main>',
    `<footer>Generated by civiguard ${h(r.tool.version)}. This file loads nothing from the network.</footer>`,
    '</body>',
    '</html>',
  );
  return out.join('\n') + '\n';
}
