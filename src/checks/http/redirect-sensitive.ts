import type { Finding, OutcomeSpec } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import type { PageFetch } from '../../probes/http/page-fetch.js';
import { plainHttpProbe } from '../../probes/http/plain-http.js';
import { ALL_SENSITIVE_PAGES } from '../../probes/http/sensitive-pages.js';

const outcomes: Record<string, OutcomeSpec> = Object.fromEntries(
  ALL_SENSITIVE_PAGES.map((p) => [
    p.key,
    { title: `${p.title}: not served over plain http`, severity: 'error' },
  ]),
);

/** The judgement for one page asked over plain http. */
export function judgePlainPage(p: PageFetch): Finding {
  const evidence = {
    url: p.url,
    chain: p.hops.map((h) => ({ url: h.url, status: h.status, location: h.location })),
    ...(p.unfollowed ? { redirectsTo: p.unfollowed } : {}),
  };
  const base = { outcome: p.key, evidence };
  if (p.error) {
    return p.error.refused
      ? { ...base, status: 'pass', message: `${p.url}: connection refused (no plain-http service)` }
      : { ...base, status: 'error', message: p.error.reason };
  }
  if (p.stopped) return { ...base, status: 'error', message: `${p.url}: ${p.stopped}` };
  const f = p.final;
  if (!f) return { ...base, status: 'error', message: `${p.url}: no response recorded` };
  if (p.unfollowed) {
    const to = new URL(p.unfollowed);
    return to.protocol === 'https:'
      ? { ...base, status: 'pass', message: `${p.url} redirects to https (${to.origin}${to.pathname})` }
      : {
          ...base,
          status: 'pass',
          message: `${p.url} redirects away to ${to.origin}${to.pathname} (another host; not followed)`,
        };
  }
  const where = f.url !== p.url ? ` (after redirects, at ${f.url})` : '';
  if (f.status >= 200 && f.status <= 299) {
    if (f.body.length === 0) {
      return { ...base, status: 'pass', message: `${p.url} answers ${f.status} with an empty body${where}` };
    }
    return {
      ...base,
      status: 'fail',
      message: `${p.url} answers ${f.status} with content (${f.body.length}${f.truncated ? '+' : ''} bytes) over plain http${where} instead of redirecting to https`,
    };
  }
  if (f.status === 404 || f.status === 410) {
    return {
      ...base,
      status: 'pass',
      message: `${p.url}: ${f.status}, no such page over plain http${where}`,
    };
  }
  return { ...base, status: 'pass', message: `${p.url} answers ${f.status}, no page content${where}` };
}

export default defineCheck({
  id: 'http.redirect-sensitive',
  area: 'http',
  title: 'Sensitive pages are not served over plain http',
  severity: 'error',
  seed: 'Redirecting http to https ("just the login, online contribution…")',
  description:
    'Asks the login, CiviCRM admin, contribution/membership and event registration pages of the detected CMS (SPEC §4 URL forms; `--cms` overrides; an unknown CMS gets a generic set) over plain http, following redirects while they stay on plain http. A page that answers 2xx with content instead of redirecting to https fails (one result per page); a 404 is not a failure.',
  remediation:
    'Redirect the whole site to https (preferred), or at least the login, `civicrm/contribute/transact`, `civicrm/event/register` and `civicrm/admin` paths, and turn on CiviCRM’s "Force Secure URLs (SSL)" setting.',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/#redirecting-http-to-https'],
  outcomes,
  probes: { plain: plainHttpProbe },
  mode: 'remote',
  run({ plain }): Finding[] {
    const generic =
      plain.cms === 'unknown'
        ? { pageSet: `generic (CMS not detected${plain.siteError ? `: ${plain.siteError}` : ''})` }
        : { pageSet: plain.cms };
    const root = plain.root;
    if (root.error?.refused) {
      return [
        {
          status: 'pass',
          message: `nothing listens for plain http at ${new URL(root.url).host} (connection refused): no page can be served over it`,
          evidence: { url: root.url, ...generic },
        },
      ];
    }
    if (root.error) {
      return [
        {
          status: 'error',
          message: `plain http: ${root.error.reason}; the sensitive pages were not tried`,
          evidence: { url: root.url, ...generic },
        },
      ];
    }
    return plain.pages.map((p) => {
      const f = judgePlainPage(p);
      return { ...f, evidence: { ...f.evidence, ...generic } };
    });
  },
});
