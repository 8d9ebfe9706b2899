import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { plainHttpProbe } from '../../probes/http/plain-http.js';
import { sameHost } from '../../probes/http/page-fetch.js';
import { siteProbe } from '../../probes/site.js';

/** The statuses SPEC §3 accepts for the http → https redirect (303 is for answers to POSTs). */
const REDIRECTS = [301, 302, 307, 308];

export default defineCheck({
  id: 'http.redirect',
  area: 'http',
  title: 'Plain http redirects to https',
  severity: 'error',
  seed: 'Redirecting http to https',
  description:
    'Asks `http://<host>/` (or `--http-url`) and walks its redirects on plain http. Fails when it answers without a 301/302/307/308 redirect that reaches https:// on the same host name. A host with no plain-http service at all (connection refused) passes; when https itself is broken the check is skipped (the tls.* checks report it).',
  remediation:
    'Redirect every plain-http request to https on the same host name, e.g. nginx `server { listen 80; server_name example.org; return 301 https://$host$request_uri; }` or Apache `Redirect permanent / https://example.org/`.',
  references: [
    'https://docs.civicrm.org/sysadmin/en/latest/setup/security/#redirecting-http-to-https',
    'https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring#redirection',
  ],
  outcomes: {
    'not-redirected': { title: 'Plain http serves the site without redirecting to https', severity: 'error' },
    'other-host': {
      title: 'Plain http redirects to another host name',
      severity: 'error',
      remediation:
        'Redirect http://example.org/ to https://example.org/ first (same host name), so that the host’s HSTS policy is seen; redirect to another name only from https.',
    },
    'redirect-status': {
      title: 'Plain http redirects with an unexpected status',
      severity: 'error',
      remediation: 'Use 301 (or 308) for the http → https redirect.',
    },
  },
  probes: { plain: plainHttpProbe },
  optional: { site: siteProbe },
  mode: 'remote',
  run({ plain }, { target, optional: { site } }): Finding[] {
    if (!site.ok || !site.value.home) {
      const why = site.ok ? site.value.homeError : site.reason;
      return [{ status: 'skip', message: `https is not working (${why}); the tls.* checks report it` }];
    }
    const root = plain.root;
    const chain = root.hops.map((h) => ({ url: h.url, status: h.status, location: h.location }));
    const evidence = { url: root.url, chain, redirectsTo: root.unfollowed };
    if (root.error) {
      if (root.error.refused) {
        return [
          {
            status: 'pass',
            message: `nothing listens on ${target.httpUrl.host} for plain http (connection refused): no plain-http service to redirect`,
            evidence,
          },
        ];
      }
      return [{ status: 'error', message: `plain http: ${root.error.reason}`, evidence }];
    }
    if (root.stopped) return [{ status: 'error', message: `plain http: ${root.stopped}`, evidence }];
    const first = root.hops[0];
    if (first && first.status === 303 && root.unfollowed) {
      return [
        {
          outcome: 'redirect-status',
          status: 'fail',
          message: `${first.url} redirects with 303 See Other, not 301/302/307/308`,
          evidence,
        },
      ];
    }
    if (!root.unfollowed || !first || !REDIRECTS.includes(first.status)) {
      const last = root.final;
      const via = root.hops.length > 1 ? ` after ${root.hops.length - 1} redirect(s) on plain http` : '';
      return [
        {
          outcome: 'not-redirected',
          status: 'fail',
          message: `${root.url} answers ${last?.status ?? '?'}${via} instead of redirecting to https`,
          evidence,
        },
      ];
    }
    const to = new URL(root.unfollowed);
    const start = new URL(root.url);
    if (to.protocol !== 'https:' || !sameHost(to, start)) {
      const plainToo = to.protocol !== 'https:' ? ', still over plain http' : '';
      return [
        {
          outcome: 'other-host',
          status: 'fail',
          message: `${root.url} redirects to ${to.origin}${to.pathname} (another host name${plainToo}), not to https://${start.hostname}/`,
          evidence,
        },
      ];
    }
    const via = root.hops.length > 1 ? ` (after ${root.hops.length - 1} hop(s) on plain http)` : '';
    return [
      {
        status: 'pass',
        message: `${root.url} redirects (${root.hops[root.hops.length - 1]!.status}) to ${to.origin}${to.pathname}${via}`,
        evidence,
      },
    ];
  },
});
