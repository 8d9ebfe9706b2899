import type { Finding, OutcomeSpec } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import type { PageFetch } from '../../probes/http/page-fetch.js';
import { pagesProbe } from '../../probes/http/pages.js';
import { ALL_SENSITIVE_PAGES } from '../../probes/http/sensitive-pages.js';

const ADMIN_ROLES = new Set(['login', 'cms-admin', 'civicrm-admin']);

const outcomes: Record<string, OutcomeSpec> = Object.fromEntries(
  ALL_SENSITIVE_PAGES.filter((p) => ADMIN_ROLES.has(p.role)).map((p) => [
    p.key,
    { title: `${p.title}: not open to everyone`, severity: 'notice' },
  ]),
);

const CLOSED: Record<number, string> = {
  401: 'asks for HTTP authentication (401)',
  403: 'is forbidden to this client (403)',
  404: 'is not found (404)',
  410: 'is gone (410)',
};

const PASSWORD_FIELD = /<input\b[^>]*\btype\s*=\s*["']?password/i;

/** `generic`: the CMS is unknown, so a 2xx counts only when it shows a password field (not a catch-all page). */
function judgePage(p: PageFetch, generic: boolean): Finding {
  const evidence = {
    url: p.url,
    chain: p.hops.map((h) => ({ url: h.url, status: h.status, location: h.location })),
    ...(p.unfollowed ? { redirectsTo: p.unfollowed } : {}),
  };
  const base = { outcome: p.key, evidence };
  if (p.error) {
    return p.error.refused
      ? { ...base, status: 'pass', message: `${p.url}: connection refused` }
      : { ...base, status: 'error', message: p.error.reason };
  }
  if (p.stopped) return { ...base, status: 'error', message: `${p.url}: ${p.stopped}` };
  const f = p.final;
  if (!f) return { ...base, status: 'error', message: `${p.url}: no response recorded` };
  if (p.unfollowed) {
    return {
      ...base,
      status: 'pass',
      message: `${p.url} redirects to ${p.unfollowed} (another host or scheme; not followed)`,
    };
  }
  const where = f.url !== p.url ? ` (after redirects, at ${f.url})` : '';
  if (f.status >= 200 && f.status <= 299) {
    if (generic && !PASSWORD_FIELD.test(f.body.toString('latin1'))) {
      return {
        ...base,
        status: 'pass',
        message: `${p.url} answers ${f.status}${where} but shows no login form (CMS unknown: not this CMS's page)`,
      };
    }
    return { ...base, status: 'fail', message: `${p.url} answers ${f.status} to anyone${where}` };
  }
  const closed = CLOSED[f.status];
  return {
    ...base,
    status: 'pass',
    message: closed ? `${p.url} ${closed}${where}` : `${p.url} answers ${f.status}, no page served${where}`,
  };
}

export default defineCheck({
  id: 'access.admin-exposed',
  area: 'access',
  title: 'Admin and login pages restricted',
  severity: 'notice',
  seed: 'VPN',
  description:
    'Fetches the CMS login, CMS admin and CiviCRM admin pages of the detected CMS over https (same-host redirects followed). A page that answers 2xx to an anonymous client on the internet fails (notice: the guide recommends reaching them only through a VPN or an allow-list); 401, 403, 404 or a refused connection pass.',
  remediation:
    'Allow the login and admin paths only from your VPN or office addresses, e.g. nginx `location ~ ^/(user/login|civicrm/admin|wp-login\\.php|wp-admin|administrator) { allow 10.8.0.0/24; deny all; ... }`, or put them behind HTTP authentication.',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/'],
  outcomes,
  probes: { pages: pagesProbe },
  mode: 'remote',
  run({ pages }): Finding[] {
    const admin = pages.pages.filter((p) => ADMIN_ROLES.has(p.role));
    if (admin.length === 0) return [{ status: 'skip', message: 'no admin or login pages were fetched' }];
    const generic = pages.cms === 'unknown';
    const pageSet = generic ? 'generic (CMS not detected)' : pages.cms;
    return admin.map((p) => {
      const f = judgePage(p, generic);
      return { ...f, evidence: { ...f.evidence, pageSet } };
    });
  },
});
