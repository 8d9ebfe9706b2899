// End to end against Debian's nginx: a misconfigured and a hardened CiviCRM-on-Drupal server block (plus an
// expired and a mismatched certificate), audited through the real runner with --resolve and --ca. Asserts the
// exact set of failing result ids per host, and that nothing the audit could not see is reported as pass.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTarget } from '../src/audit/build-target.js';
import { runAudit } from '../src/audit/run-audit.js';
import type { Report } from '../src/core/result.js';
import type { NginxSites, SiteHost } from '../src/test-support/nginx-sites.js';
import { startNginxSites } from '../src/test-support/nginx-sites.js';
import { nginxAvailable } from '../src/test-support/servers/nginx.js';

const EXPECTED_FAILS: Record<SiteHost, string[]> = {
  'bad.test': [
    'tls.protocols.tls1_0',
    'tls.protocols.tls1_1',
    'tls.protocols.tls1_3',
    'tls.ciphers.modern-no-aead',
    'tls.ciphers.rsa-kx',
    'tls.ciphers.cbc',
    'http.redirect.not-redirected',
    'http.redirect-sensitive.user-login',
    'http.redirect-sensitive.contribute',
    'http.hsts.missing',
    'http.cookies.secure',
    'http.cookies.httponly',
    'http.cookies.samesite',
    'http.mixed-content.active',
    'http.disclosure.server',
    'http.disclosure.x-powered-by',
    'exposure.uploads.downloadable',
    'exposure.log.downloadable',
    'exposure.templates-c.listed',
    'exposure.listing',
    'exposure.vcs.git',
    'exposure.backups.dump',
    'access.admin-exposed.user-login',
  ],
  'good.test': [],
  'expired.test': [
    'tls.cert-expiry.expired',
    'tls.ciphers.cbc',
    'http.redirect.not-redirected',
    'http.redirect-sensitive.user-login',
    'http.redirect-sensitive.contribute',
    'http.hsts.missing',
    'http.disclosure.server',
    'http.disclosure.x-powered-by',
  ],
  'mismatch.test': [
    'tls.cert-hostname.mismatch',
    'tls.ciphers.cbc',
    'http.redirect.not-redirected',
    'http.redirect-sensitive.user-login',
    'http.redirect-sensitive.contribute',
    'http.hsts.missing',
    'http.disclosure.server',
    'http.disclosure.x-powered-by',
  ],
};

/** Checks that must pass on the hardened host (it does everything right that can be seen remotely). */
const GOOD_PASSES = [
  'tls.available',
  'tls.cert-trusted',
  'tls.cert-hostname',
  'tls.cert-expiry',
  'tls.cert-chain',
  'tls.cert-key',
  'tls.protocols',
  'tls.ciphers',
  'http.redirect',
  'http.redirect-sensitive',
  'http.hsts',
  'http.cookies',
  'http.mixed-content',
  'http.disclosure',
  'exposure.listing',
  'exposure.vcs',
  'exposure.backups',
  'access.admin-exposed',
];

describe('end to end against Debian nginx', { timeout: 120_000 }, () => {
  let sites: NginxSites | undefined;
  const reports = new Map<SiteHost, Report>();

  before(async () => {
    if (!nginxAvailable()) return;
    sites = await startNginxSites();
    for (const host of Object.keys(EXPECTED_FAILS) as SiteHost[]) {
      reports.set(host, await runAudit(buildTarget({ ...sites.inputs(host), timeoutMs: 10_000 })));
    }
  });
  after(async () => {
    await sites?.stop();
  });

  for (const host of Object.keys(EXPECTED_FAILS) as SiteHost[]) {
    it(`${host}: exactly the expected failures, no errors`, (t) => {
      if (!sites) return t.skip('Debian nginx is not installed (scripts/install-system-deps.sh)');
      const r = reports.get(host)!;
      const fails = [
        ...new Set(r.results.filter((x) => x.status === 'fail').map((x) => x.id ?? x.check)),
      ].sort();
      assert.deepEqual(fails, [...EXPECTED_FAILS[host]].sort());
      const errors = r.results.filter((x) => x.status === 'error');
      assert.deepEqual(errors, [], 'no check should error against a well-behaved nginx');
    });
  }

  it('good.test passes every remote check that can be judged remotely', (t) => {
    if (!sites) return t.skip('Debian nginx is not installed');
    const r = reports.get('good.test')!;
    for (const check of GOOD_PASSES) {
      const mine = r.results.filter((x) => x.check === check);
      assert.ok(mine.length > 0, `${check} gave no result`);
      assert.ok(
        mine.some((x) => x.status === 'pass') &&
          mine.every((x) => x.status === 'pass' || x.status === 'skip'),
        `${check}: ${mine.map((x) => `${x.id ?? x.check}=${x.status} ${x.message}`).join('; ')}`,
      );
    }
    assert.equal(r.target.cms, 'drupal');
  });

  it('private dirs that are denied are skip (needs --root), never pass, in remote mode', (t) => {
    if (!sites) return t.skip('Debian nginx is not installed');
    const r = reports.get('good.test')!;
    for (const check of ['exposure.uploads', 'exposure.custom-files', 'exposure.log']) {
      const mine = r.results.filter((x) => x.check === check);
      assert.ok(
        mine.length > 0 && mine.every((x) => x.status === 'skip'),
        `${check} should be skip: ${JSON.stringify(mine)}`,
      );
    }
  });
});
