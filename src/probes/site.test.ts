import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTarget } from '../audit/build-target.js';
import type { AnyCheck } from '../core/check.js';
import { defineCheck } from '../core/check.js';
import { runChecks } from '../core/runner.js';
import type { CmsName } from '../core/target.js';
import { createCa, issueCert } from '../pki/index.js';
import { response } from '../test-support/facts.js';
import type { RouteAnswer, TestServer, TlsIdentity } from './http/test-support/test-servers.js';
import { webServer } from './http/test-support/test-servers.js';
import type { SiteFacts } from './site.js';
import { detectCms, siteProbe } from './site.js';

describe('detectCms (front page markers)', () => {
  const cases: {
    name: string;
    r: { url?: string; headers?: Record<string, string>; setCookies?: string[]; body?: string };
    cms: CmsName;
  }[] = [
    {
      name: 'WordPress paths',
      r: { body: '<link href="/wp-content/themes/x/style.css">' },
      cms: 'wordpress',
    },
    {
      name: 'WordPress Link header',
      r: { headers: { link: '<https://e.org/wp-json/>; rel="https://api.w.org/"' } },
      cms: 'wordpress',
    },
    {
      name: 'Drupal X-Generator',
      r: { headers: { 'x-generator': 'Drupal 10 (https://www.drupal.org)' } },
      cms: 'drupal',
    },
    {
      name: 'Drupal 7 settings',
      r: { body: '<script>jQuery.extend(Drupal.settings, {})</script>' },
      cms: 'drupal',
    },
    {
      name: 'Drupal 8+ drupalSettings',
      r: { body: '<script type="application/json" data-drupal-selector="drupal-settings-json">' },
      cms: 'drupal',
    },
    {
      name: 'Backdrop wins over shared Drupal markers',
      r: { headers: { 'x-generator': 'Backdrop CMS 1 (https://backdropcms.org)' }, body: 'Drupal.settings' },
      cms: 'backdrop',
    },
    { name: 'Backdrop cache header', r: { headers: { 'x-backdrop-cache': 'HIT' } }, cms: 'backdrop' },
    {
      name: 'Joomla generator',
      r: { body: '<meta name="generator" content="Joomla! - Open Source Content Management">' },
      cms: 'joomla',
    },
    {
      name: 'Joomla 4 script options',
      r: { body: '<script type="application/json" class="joomla-script-options new">' },
      cms: 'joomla',
    },
    { name: 'Standalone cookie', r: { setCookies: ['SESSCIVISO=abc; path=/'] }, cms: 'standalone' },
    {
      name: 'Standalone login page',
      r: { url: 'https://e.org/civicrm/login', body: '<div class="standalone-auth-form">' },
      cms: 'standalone',
    },
    { name: 'plain page', r: { body: '<h1>Hello</h1>' }, cms: 'unknown' },
  ];
  for (const c of cases)
    it(c.name, () =>
      assert.equal(detectCms(response({ ...c.r, body: Buffer.from(c.r.body ?? '') })).cms, c.cms),
    );
});

describe('siteProbe against real https servers', () => {
  let id: TlsIdentity;
  const servers: TestServer[] = [];
  before(async () => {
    id = await issueCert(await createCa('site test CA'), { dnsNames: ['site.test'] });
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  /** Runs only the site probe (through a one-off check) and returns its outcome. */
  async function site(route: (path: string) => RouteAnswer, cms: CmsName | 'auto' = 'auto') {
    const srv = await webServer((req) => route(req.url ?? '/'), id);
    servers.push(srv);
    const target = buildTarget({
      url: `https://site.test:${srv.port}/`,
      resolve: [`site.test:${srv.port}:127.0.0.1`],
      timeoutMs: 3000,
      cms,
    });
    const probeCheck: AnyCheck = defineCheck({
      id: 'http.hsts',
      area: 'http',
      title: 'probe harness',
      severity: 'warning',
      seed: '',
      description: 'runs the site probe',
      remediation: 'none',
      probes: { site: siteProbe },
      mode: 'remote',
      run: () => [{ status: 'pass', message: 'ok' }],
    });
    const out = await runChecks(target, [probeCheck]);
    return out.fact(siteProbe)!;
  }
  const value = (o: Awaited<ReturnType<typeof site>>): SiteFacts => {
    assert.ok(o.ok, o.ok ? '' : o.reason);
    return o.value;
  };

  it('finds Drupal by its login form when the front page says nothing', async () => {
    const f = value(
      await site((p) =>
        p === '/user/login'
          ? { status: 200, body: '<form class="user-login-form" id="user-login-form">' }
          : p === '/'
            ? { status: 200, body: '<h1>Welcome</h1>' }
            : { status: 404, body: 'not found' },
      ),
    );
    assert.equal(f.cms, 'drupal');
    assert.deepEqual(f.cmsEvidence, ['drupal login form at /user/login']);
  });

  it('stays unknown on a catch-all site (every login page answers the same)', async () => {
    const f = value(
      await site(() => ({ status: 200, body: '<form id="loginform" class="user-login-form com_login">' })),
    );
    assert.equal(f.cms, 'unknown');
  });

  it('follows same-site redirects and keeps the hops', async () => {
    const f = value(
      await site((p): RouteAnswer =>
        p === '/'
          ? { status: 302, headers: { location: '/home', 'set-cookie': 'PHPSESSID=1' } }
          : { status: 200, headers: { 'x-generator': 'Drupal 10' } },
      ),
    );
    assert.equal(f.cms, 'drupal');
    assert.equal(f.hops?.length, 2);
    assert.deepEqual(f.hops?.[0]?.setCookies, ['PHPSESSID=1']);
  });

  it('does not follow a redirect to another site', async () => {
    const f = value(
      await site(() => ({ status: 301, headers: { location: 'https://elsewhere.test/' } }), 'drupal'),
    );
    assert.equal(f.home?.status, 301);
  });

  it('a redirect loop on the front page is an error; with --cms the fact keeps the reason', async () => {
    const loop = (p: string): RouteAnswer => ({
      status: 302,
      headers: { location: p === '/a' ? '/b' : '/a' },
    });
    const o = await site(loop);
    assert.equal(o.ok, false);
    assert.match(o.ok ? '' : o.reason, /redirect loop/);
    const withCms = value(await site(loop, 'wordpress'));
    assert.equal(withCms.cms, 'wordpress');
    assert.equal(withCms.home, null);
    assert.match(withCms.homeError ?? '', /redirect loop/);
  });
});
