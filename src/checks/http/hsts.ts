import { defineCheck } from '../../core/check.js';
import { siteProbe } from '../../probes/site.js';

const SIX_MONTHS = 15_552_000;

export interface HstsPolicy {
  maxAge: number | null;
  includeSubDomains: boolean;
  preload: boolean;
}

/** Parses a Strict-Transport-Security value (RFC 6797 §6.1); null when it is not a valid policy. */
export function parseHsts(value: string): HstsPolicy | null {
  const seen = new Set<string>();
  const policy: HstsPolicy = { maxAge: null, includeSubDomains: false, preload: false };
  for (const part of value.split(';')) {
    const m = /^\s*([A-Za-z-]+)\s*(?:=\s*"?([^";]*)"?)?\s*$/.exec(part);
    if (!m) {
      if (part.trim() === '') continue;
      return null;
    }
    const name = m[1]!.toLowerCase();
    if (seen.has(name)) return null; // duplicated directives make the header invalid
    seen.add(name);
    if (name === 'max-age') {
      if (!/^\d+$/.test(m[2] ?? '')) return null;
      policy.maxAge = Number(m[2]);
    } else if (name === 'includesubdomains') policy.includeSubDomains = true;
    else if (name === 'preload') policy.preload = true;
  }
  return policy.maxAge === null ? null : policy;
}

export default defineCheck({
  id: 'http.hsts',
  area: 'http',
  title: 'HTTP Strict Transport Security',
  severity: 'warning',
  seed: 'Unauthorised data access (session hijack)',
  description:
    'Reads the Strict-Transport-Security header of the https front page. Fails when it is missing, invalid, or its max-age is under six months (15552000 s).',
  remediation:
    'Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every https response (nginx: `add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;`).',
  references: [
    'https://www.rfc-editor.org/rfc/rfc6797',
    'https://infosec.mozilla.org/guidelines/web_security#http-strict-transport-security',
  ],
  outcomes: {
    missing: { title: 'No HSTS header', severity: 'warning' },
    invalid: { title: 'HSTS header cannot be parsed', severity: 'warning' },
    'short-max-age': { title: 'HSTS max-age under six months', severity: 'warning' },
  },
  probes: { site: siteProbe },
  mode: 'remote',
  run({ site }) {
    if (!site.home) {
      // Only with --cms given can the site fact exist without a page; an https failure is the target's.
      return site.homeError
        ? [{ status: 'error', message: site.homeError }]
        : [{ status: 'skip', message: 'no https page was fetched, so no header to read' }];
    }
    const raw = site.home.headers['strict-transport-security'];
    const evidence = { url: site.home.url, status: site.home.status, header: raw ?? null };
    if (raw === undefined) {
      return [
        {
          outcome: 'missing',
          status: 'fail',
          message: 'the https front page sends no Strict-Transport-Security header',
          evidence,
        },
      ];
    }
    // Several headers joined by the client: browsers use only the first.
    const policy = parseHsts(raw.split(',')[0]!);
    if (!policy)
      return [
        {
          outcome: 'invalid',
          status: 'fail',
          message: `Strict-Transport-Security '${raw.slice(0, 200)}' is not a valid policy`,
          evidence,
        },
      ];
    if (policy.maxAge! < SIX_MONTHS) {
      return [
        {
          outcome: 'short-max-age',
          status: 'fail',
          message: `max-age=${policy.maxAge} is under six months (${SIX_MONTHS} s)`,
          evidence: { ...evidence, ...policy },
        },
      ];
    }
    return [
      {
        status: 'pass',
        message: `HSTS max-age=${policy.maxAge}${policy.includeSubDomains ? '; includeSubDomains' : ''}`,
        evidence: { ...evidence, ...policy },
      },
    ];
  },
});
