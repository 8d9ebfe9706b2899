// The http.* and access.* checks through the real runner, against real https/http servers on loopback:
// a hardened site (everything passes) and a misconfigured one (exact failures).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTarget } from '../../audit/build-target.js';
import { accessChecks } from '../../checks/access/index.js';
import { httpChecks } from '../../checks/http/index.js';
import type { Result } from '../../core/result.js';
import { runChecks } from '../../core/runner.js';
import { createCa, issueCert } from '../../pki/index.js';
import type { RouteAnswer, TestServer, TlsIdentity } from './test-support/test-servers.js';
import { closedPort, webServer } from './test-support/test-servers.js';

const SESS = 'SSESS' + 'c0ffee'.repeat(5) + 'ab';

async function auditHttp(httpsPort: number, httpPort: number, timeoutMs = 3000) {
  const target = buildTarget({
    url: `https://site.test:${httpsPort}/`,
    httpUrl: `http://site.test:${httpPort}/`,
    resolve: [`site.test:${httpsPort}:127.0.0.1`, `site.test:${httpPort}:127.0.0.1`],
    timeoutMs,
  });
  const t0 = performance.now();
  const out = await runChecks(target, [...httpChecks, ...accessChecks]);
  return { results: out.results, ms: performance.now() - t0 };
}

const verdicts = (results: Result[]) => results.map((r) => `${r.id ?? r.check}:${r.status}`).sort();

describe('http checks against real servers', () => {
  let id: TlsIdentity;
  const servers: TestServer[] = [];
  const start = async (route: (path: string) => RouteAnswer, tls?: TlsIdentity) => {
    const s = await webServer((req) => route(req.url ?? '/'), tls);
    servers.push(s);
    return s;
  };
  before(async () => {
    id = await issueCert(await createCa('http checks test CA'), { dnsNames: ['site.test'] });
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('hardened Drupal site: every check passes', async () => {
    const secure = {
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      server: 'nginx',
      'content-type': 'text/html; charset=utf-8',
    };
    const https = await start((path) => {
      if (path === '/') {
        return {
          status: 200,
          headers: { ...secure, 'x-generator': 'Drupal 10 (https://www.drupal.org)' },
          body: '<html><head><link rel="stylesheet" href="/core/themes/olivero/css/base.css"><script src="//cdn.test/a.js"></script></head><body><img src="/logo.svg"></body></html>',
        };
      }
      if (path.startsWith('/civicrm/contribute') || path.startsWith('/civicrm/event')) {
        return {
          status: 200,
          headers: { ...secure, 'set-cookie': `${SESS}=abc; path=/; secure; HttpOnly; SameSite=Lax` },
          body: '<form method="post" action="/civicrm/contribute/transact"><input name="amount"></form>',
        };
      }
      // Login and admin pages: allow-listed.
      return { status: 403, headers: secure, body: 'Forbidden' };
    }, id);
    const http = await start((path) => ({
      status: 301,
      headers: { location: `https://site.test:${https.port}${path}`, server: 'nginx' },
    }));
    const { results } = await auditHttp(https.port, http.port);
    assert.deepEqual(verdicts(results), [
      'access.admin-exposed.civicrm-admin:pass',
      'access.admin-exposed.drupal-admin:pass',
      'access.admin-exposed.user-login:pass',
      'http.cookies.httponly:pass',
      'http.cookies.samesite:pass',
      'http.cookies.secure:pass',
      'http.disclosure:pass',
      'http.hsts:pass',
      'http.mixed-content:pass',
      'http.redirect-sensitive.civicrm-admin:pass',
      'http.redirect-sensitive.contribute:pass',
      'http.redirect-sensitive.drupal-admin:pass',
      'http.redirect-sensitive.event-register:pass',
      'http.redirect-sensitive.user-login:pass',
      'http.redirect:pass',
    ]);
  });

  it('misconfigured WordPress site: the exact failures', async () => {
    let httpsPort = 0;
    const wpRoute =
      (scheme: 'http' | 'https') =>
      (path: string): RouteAnswer => {
        const base = `${scheme}://site.test:${scheme === 'https' ? httpsPort : httpPort}`;
        const common = {
          server: 'Apache/2.4.57 (Debian)',
          'x-powered-by': 'PHP/8.2.7',
          'content-type': 'text/html',
        };
        if (path === '/') {
          return {
            status: 200,
            headers: { ...common, link: `<${base}/wp-json/>; rel="https://api.w.org/"` },
            body: '<html><head><meta name="generator" content="WordPress 6.4.2"><script src="http://cdn.test/jquery.js"></script><link rel="stylesheet" href="/wp-content/themes/t/style.css"></head><body><img src="http://cdn.test/banner.png"></body></html>',
          };
        }
        if (path.startsWith('/wp-login.php')) {
          return {
            status: 200,
            headers: {
              ...common,
              'set-cookie': ['wordpress_test_cookie=WP%20Cookie%20check; path=/', 'PHPSESSID=s3cr3t; path=/'],
            },
            body: '<form name="loginform" id="loginform" action="/wp-login.php" method="post"><input type="password" name="pwd"></form>',
          };
        }
        if (path.startsWith('/wp-admin/')) {
          return {
            status: 302,
            headers: { ...common, location: `${base}/wp-login.php?redirect_to=x&reauth=1` },
          };
        }
        if (path.includes('civicrm/contribute/transact')) {
          return {
            status: 200,
            headers: common,
            body: '<form method="post" action="http://site.test/civicrm/contribute/transact"></form>',
          };
        }
        return { status: 404, headers: common, body: 'Not Found' };
      };
    let httpPort = 0;
    const https = await start(wpRoute('https'), id);
    httpsPort = https.port;
    const http = await start(wpRoute('http'));
    httpPort = http.port;
    const { results } = await auditHttp(https.port, http.port);
    assert.deepEqual(verdicts(results), [
      'access.admin-exposed.wp-admin:fail',
      'access.admin-exposed.wp-civicrm-admin:fail',
      'access.admin-exposed.wp-login:fail',
      'http.cookies.httponly:fail',
      'http.cookies.samesite:fail',
      'http.cookies.secure:fail',
      'http.disclosure.generator-meta:fail',
      'http.disclosure.server:fail',
      'http.disclosure.x-powered-by:fail',
      'http.hsts.missing:fail',
      'http.mixed-content.active:fail',
      'http.mixed-content.form:fail',
      'http.mixed-content.passive:fail',
      'http.redirect-sensitive.wp-admin:fail',
      'http.redirect-sensitive.wp-civicrm-admin:fail',
      'http.redirect-sensitive.wp-contribute-page:fail',
      'http.redirect-sensitive.wp-contribute:fail',
      'http.redirect-sensitive.wp-event-register-page:pass',
      'http.redirect-sensitive.wp-event-register:pass',
      'http.redirect-sensitive.wp-login:fail',
      'http.redirect.not-redirected:fail',
    ]);
    const secure = results.find((r) => r.id === 'http.cookies.secure')!;
    assert.match(secure.message, /PHPSESSID \(PHP session/);
    assert.ok(!JSON.stringify(results).includes('s3cr3t'), 'cookie values stay out of the report');
  });

  it('no plain-http service at all: http.redirect passes with that reason', async () => {
    const https = await start(
      () => ({ status: 200, headers: { 'strict-transport-security': 'max-age=31536000' }, body: 'hi' }),
      id,
    );
    const { results } = await auditHttp(https.port, await closedPort());
    const redirect = results.find((r) => r.check === 'http.redirect')!;
    assert.equal(redirect.status, 'pass');
    assert.match(redirect.message, /connection refused/);
    assert.deepEqual(
      results.filter((r) => r.check === 'http.redirect-sensitive').map((r) => r.status),
      ['pass'],
    );
  });
});
