import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { tokenizeHtml } from '../../probes/http/html-tokens.js';
import { pageResponses } from '../../probes/http/page-fetch.js';
import { pagesProbe } from '../../probes/http/pages.js';
import { plainHttpProbe } from '../../probes/http/plain-http.js';

/** Headers that name software; `other-headers` groups the rarer ones. */
const HEADERS: Record<string, 'server' | 'x-powered-by' | 'x-generator' | 'other-headers'> = {
  server: 'server',
  'x-powered-by': 'x-powered-by',
  'x-generator': 'x-generator',
  'x-aspnet-version': 'other-headers',
  'x-aspnetmvc-version': 'other-headers',
  'x-php-version': 'other-headers',
  'x-drupal-version': 'other-headers',
  'x-civicrm-version': 'other-headers',
  'x-mod-pagespeed': 'other-headers',
  'x-page-speed': 'other-headers',
  'x-varnish-version': 'other-headers',
};

/** A version number: `nginx/1.22.1`, `PHP/8.2`, `WordPress 6.4.2`, `4.0.30319` (a bare major is not one). */
export function revealsVersion(value: string): string | null {
  const m = /\/v?\d+(?:\.\d+)*|\b\d+\.\d+(?:\.\d+)*\b/.exec(value);
  return m ? m[0].replace(/^\//, '') : null;
}

export default defineCheck({
  id: 'http.disclosure',
  area: 'http',
  title: 'Server software versions not disclosed',
  severity: 'notice',
  seed: '',
  description:
    'Reads the `Server`, `X-Powered-By`, `X-Generator` (and `X-AspNet-Version`, `X-PHP-Version`, …) headers of every response fetched, over https and plain http, and the HTML generator meta tag of the https pages. A value that carries a version number (`nginx/1.22.1`, `PHP/8.2.7`, `WordPress 6.4.2`) fails (notice): it tells an attacker which known vulnerabilities to try.',
  remediation:
    "Hide versions: nginx `server_tokens off;`, Apache `ServerTokens Prod` and `ServerSignature Off`, PHP `expose_php = Off`; remove the generator meta tag (WordPress: `remove_action('wp_head', 'wp_generator');`).",
  references: [
    'https://owasp.org/www-project-secure-headers/#div-bestpractices',
    'https://nginx.org/en/docs/http/ngx_http_core_module.html#server_tokens',
  ],
  outcomes: {
    server: { title: 'Server header reveals a version', severity: 'notice' },
    'x-powered-by': { title: 'X-Powered-By reveals a version', severity: 'notice' },
    'x-generator': { title: 'X-Generator reveals a version', severity: 'notice' },
    'other-headers': { title: 'Other headers reveal versions', severity: 'notice' },
    'generator-meta': { title: 'Generator meta tag reveals a version', severity: 'notice' },
  },
  probes: { pages: pagesProbe },
  optional: { plain: plainHttpProbe },
  mode: 'remote',
  run({ pages }, { optional: { plain } }): Finding[] {
    const responses = pages.pages.flatMap(pageResponses);
    if (plain.ok) responses.push(...pageResponses(plain.value.root));
    const byOutcome = new Map<string, { header: string; value: string; version: string; url: string }[]>();
    const seen = new Set<string>();
    const add = (outcome: string, header: string, value: string, version: string, url: string) => {
      const key = `${header}\0${value}`;
      if (seen.has(key)) return;
      seen.add(key);
      byOutcome.set(outcome, [...(byOutcome.get(outcome) ?? []), { header, value, version, url }]);
    };
    const clean: Record<string, string> = {};
    for (const r of responses) {
      for (const [name, outcome] of Object.entries(HEADERS)) {
        const value = r.headers[name];
        if (value === undefined) continue;
        const v = revealsVersion(value);
        if (v) add(outcome, name, value.slice(0, 200), v, r.url);
        else clean[name] = value.slice(0, 200);
      }
    }
    for (const p of pages.pages) {
      const f = p.final;
      if (!f || f.status < 200 || f.status > 299 || !/html/i.test(f.headers['content-type'] ?? 'html'))
        continue;
      for (const t of tokenizeHtml(f.body.toString('utf8'), { maxTags: 2000 })) {
        if (t.type !== 'tag') continue;
        if (t.name === 'body') break;
        if (t.name !== 'meta' || t.attrs.get('name')?.toLowerCase() !== 'generator') continue;
        const content = t.attrs.get('content') ?? '';
        const v = revealsVersion(content);
        if (v) add('generator-meta', '<meta name="generator">', content.slice(0, 200), v, f.url);
      }
    }
    if (responses.length === 0) return [{ status: 'skip', message: 'no response headers to read' }];
    const findings: Finding[] = [];
    for (const [outcome, items] of byOutcome) {
      findings.push({
        outcome,
        status: 'fail',
        message: items.map((i) => `${i.header}: ${i.value}`).join('; '),
        evidence: { disclosed: items },
      });
    }
    if (findings.length) return findings;
    const shown = Object.entries(clean).map(([k, v]) => `${k}: ${v}`);
    return [
      {
        status: 'pass',
        message: shown.length
          ? `no version numbers (${shown.join('; ')})`
          : 'no Server / X-Powered-By / X-Generator headers and no generator version',
        evidence: { headers: clean, responses: responses.length },
      },
    ];
  },
});
