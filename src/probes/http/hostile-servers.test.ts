// Hostile servers through the real runner: each audit ends within a bounded time with `error` results
// (and readable messages) for the checks that depend on the misbehaving side; never a crash or a hang.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTarget } from '../../audit/build-target.js';
import { accessChecks } from '../../checks/access/index.js';
import { httpChecks } from '../../checks/http/index.js';
import type { Result } from '../../core/result.js';
import { runChecks } from '../../core/runner.js';
import { createCa, issueCert } from '../../pki/index.js';
import type { Hostility, TestServer, TlsIdentity } from './test-support/test-servers.js';
import { HOSTILITIES, hostileServer, webServer } from './test-support/test-servers.js';

const TIMEOUT_MS = 3000;
/** Hang guard, not a speed assertion: the probes' budgets (≤ 4 × timeout) plus slack for a loaded machine. */
const BOUND_MS = 8 * TIMEOUT_MS;

/** Checks that read the https side (site front page, https pages). */
const HTTPS_SIDE = [
  'http.hsts',
  'http.cookies',
  'http.mixed-content',
  'http.disclosure',
  'access.admin-exposed',
];
/** Checks that read the plain-http side. */
const HTTP_SIDE = ['http.redirect', 'http.redirect-sensitive'];

/** What the error message must say, per misbehaviour. */
const READABLE: Record<Hostility, RegExp> = {
  silent: /within \d+ (ms|s)|no (complete )?answer/,
  dribble: /within \d+ (ms|s)|no (complete )?answer/,
  'huge-body': /./, // not an error: see below
  'redirect-loop': /redirect loop/,
  garbage: /parse|expected http|invalid|closed|socket/i,
  'many-headers': /header/i,
};

const statusOf = (results: Result[], check: string) => [
  ...new Set(results.filter((r) => r.check === check).map((r) => r.status)),
];

describe('hostile servers', { concurrency: true }, () => {
  let id: TlsIdentity;
  const servers: TestServer[] = [];
  before(async () => {
    id = await issueCert(await createCa('hostile test CA'), { dnsNames: ['site.test'] });
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  async function audit(httpsPort: number, httpPort: number) {
    const target = buildTarget({
      url: `https://site.test:${httpsPort}/`,
      httpUrl: `http://site.test:${httpPort}/`,
      resolve: [`site.test:${httpsPort}:127.0.0.1`, `site.test:${httpPort}:127.0.0.1`],
      timeoutMs: TIMEOUT_MS,
    });
    const t0 = performance.now();
    const out = await runChecks(target, [...httpChecks, ...accessChecks]);
    return { results: out.results, ms: performance.now() - t0 };
  }

  it('one page hangs: only its results are errors, the rest are judged', async (t) => {
    const srv = await webServer(
      (req) =>
        req.url === '/user/login'
          ? { status: 200, body: '', hang: true }
          : req.url === '/'
            ? {
                status: 200,
                headers: { 'x-generator': 'Drupal 10', 'strict-transport-security': 'max-age=31536000' },
                body: 'hi',
              }
            : { status: 403, body: 'Forbidden' },
      id,
    );
    servers.push(srv);
    const plain = await webServer((req) => ({
      status: 301,
      headers: { location: `https://site.test:${srv.port}${req.url}` },
    }));
    servers.push(plain);
    const { results, ms } = await audit(srv.port, plain.port);
    t.diagnostic(`one hanging page: ${Math.round(ms)} ms`);
    assert.ok(ms < BOUND_MS, `took ${Math.round(ms)} ms`);
    const admin = Object.fromEntries(
      results.filter((r) => r.check === 'access.admin-exposed').map((r) => [r.id, r.status]),
    );
    assert.deepEqual(admin, {
      'access.admin-exposed.user-login': 'error',
      'access.admin-exposed.drupal-admin': 'pass',
      'access.admin-exposed.civicrm-admin': 'pass',
    });
    assert.match(results.find((r) => r.id === 'access.admin-exposed.user-login')!.message, /within 3000 ms/);
    assert.equal(results.find((r) => r.check === 'http.hsts')!.status, 'pass');
  });

  for (const kind of HOSTILITIES) {
    it(`https side: ${kind}`, async (t) => {
      const bad = await hostileServer(kind, id);
      servers.push(bad);
      const good = await webServer((req) => ({
        status: 301,
        headers: { location: `https://site.test:${bad.port}${req.url}` },
      }));
      servers.push(good);
      const { results, ms } = await audit(bad.port, good.port);
      t.diagnostic(`${kind} on https: ${Math.round(ms)} ms`);
      assert.ok(ms < BOUND_MS, `took ${Math.round(ms)} ms`);
      if (kind === 'huge-body') {
        // 50 MB is cut at 1 MiB: the checks judge the headers and the first MiB, and say so.
        const mixed = results.find((r) => r.check === 'http.mixed-content')!;
        assert.equal(mixed.status, 'pass');
        assert.match(mixed.message, /first 1 MiB/);
        assert.equal(results.find((r) => r.check === 'http.hsts')!.id, 'http.hsts.missing');
        return;
      }
      for (const check of HTTPS_SIDE) {
        assert.deepEqual(
          statusOf(results, check),
          ['error'],
          `${check}: ${JSON.stringify(results.filter((r) => r.check === check))}`,
        );
        for (const r of results.filter((x) => x.check === check))
          assert.match(r.message, READABLE[kind], `${check}: ${r.message}`);
      }
      // https broken: http.redirect is skipped (tls.* report it); the plain-http pages still redirect.
      assert.deepEqual(statusOf(results, 'http.redirect'), ['skip']);
      assert.deepEqual(statusOf(results, 'http.redirect-sensitive'), ['pass']);
    });

    it(`plain-http side: ${kind}`, async (t) => {
      const bad = await hostileServer(kind);
      servers.push(bad);
      const good = await webServer(
        () => ({
          status: 403,
          headers: { 'strict-transport-security': 'max-age=31536000' },
          body: 'Forbidden',
        }),
        id,
      );
      servers.push(good);
      const { results, ms } = await audit(good.port, bad.port);
      t.diagnostic(`${kind} on http: ${Math.round(ms)} ms`);
      assert.ok(ms < BOUND_MS, `took ${Math.round(ms)} ms`);
      if (kind === 'huge-body') {
        // A 200 with a (cut) body instead of a redirect is simply a failure.
        assert.equal(results.find((r) => r.check === 'http.redirect')!.id, 'http.redirect.not-redirected');
        assert.deepEqual(statusOf(results, 'http.redirect-sensitive'), ['fail']);
        return;
      }
      for (const check of HTTP_SIDE) {
        assert.deepEqual(
          statusOf(results, check),
          ['error'],
          `${check}: ${JSON.stringify(results.filter((r) => r.check === check))}`,
        );
        for (const r of results.filter((x) => x.check === check))
          assert.match(r.message, READABLE[kind], `${check}: ${r.message}`);
      }
      assert.deepEqual(statusOf(results, 'http.hsts'), ['pass']);
    });
  }
});
