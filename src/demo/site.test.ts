import assert from 'node:assert/strict';
import type { X509Certificate } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAccessLogLine } from '../ids/index.js';
import { parseResolve } from '../probes/net/resolve.js';
import { HttpClient } from '../probes/net/http-fetch.js';
import type { DemoSite } from './site.js';
import { DEMO_HOST, startDemoSite } from './site.js';
import type { DemoTree } from './tree.js';
import { DEMO_DB_PASSWORD, createDemoTree } from './tree.js';

/** One TLS handshake to the demo site with the given version limits; the negotiated protocol or the error. */
function handshake(
  site: DemoSite,
  opts: {
    minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
    maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
    ciphers?: string;
    withoutCa?: boolean;
  },
): Promise<{ protocol: string | null; authorized: boolean; error: string | null; chain: number }> {
  return new Promise((resolve) => {
    const { withoutCa, ...tlsOpts } = opts;
    const s = connect({
      host: '127.0.0.1',
      port: site.httpsPort,
      servername: DEMO_HOST,
      ...(withoutCa ? {} : { ca: [site.caPem] }),
      rejectUnauthorized: false,
      ...tlsOpts,
    });
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
    s.once('secureConnect', () => {
      let chain = 0;
      let c = s.getPeerCertificate(true);
      const seen = new Set<string>();
      while (c && c.raw && !seen.has(c.fingerprint256)) {
        seen.add(c.fingerprint256);
        chain++;
        c = c.issuerCertificate;
      }
      resolve({ protocol: s.getProtocol(), authorized: s.authorized, error: null, chain });
      s.end();
    });
    s.once('error', (e) => resolve({ protocol: null, authorized: false, error: e.message, chain: 0 }));
  });
}

describe('demo site', () => {
  let tree: DemoTree;
  let site: DemoSite;
  let client: HttpClient;
  before(async () => {
    tree = createDemoTree();
    site = await startDemoSite({ docroot: tree.webRoot, accessLog: tree.accessLog });
    client = new HttpClient({ resolve: parseResolve(site.resolve) });
  });
  after(async () => {
    await client.close();
    await site.close();
    tree.remove();
  });

  const get = (base: 'https' | 'http', path: string) =>
    client.fetch(new URL(path, base === 'https' ? site.url : site.httpUrl), { timeoutMs: 5000 });

  const routes: { path: string; status: number; body?: RegExp; header?: [string, RegExp] }[] = [
    { path: '/', status: 200, body: /Drupal 10/, header: ['x-generator', /Drupal/] },
    {
      path: '/',
      status: 200,
      body: /<script src="http:\/\/demo\.civiguard\.test:\d+\//,
      header: ['server', /^Apache\/2\.4\.1$/],
    },
    { path: '/user/login', status: 200, body: /name="pass"/, header: ['x-powered-by', /^PHP\/7\.2\.1$/] },
    { path: '/civicrm/admin', status: 200 },
    { path: '/admin', status: 200 },
    { path: '/civicrm/contribute/transact?reset=1&id=1', status: 200, body: /action="http:\/\// },
    { path: '/civicrm/event/register?reset=1&id=1', status: 200 },
    { path: '/sites/default/files/civicrm/upload', status: 301, header: ['location', /upload\/$/] },
    {
      path: '/sites/default/files/civicrm/upload/',
      status: 200,
      body: /<title>Index of \/sites\/default\/files\/civicrm\/upload\/<\/title>[\s\S]*contribution-receipt/,
    },
    {
      path: '/sites/default/files/civicrm/upload/contribution-receipt-2024-0042.pdf',
      status: 200,
      body: /^%PDF-1\.4/,
    },
    {
      path: '/sites/default/files/civicrm/ConfigAndLog/',
      status: 200,
      body: /href="CiviCRM\.[0-9a-f]+\.log"/,
    },
    {
      path: '/sites/default/files/civicrm/ConfigAndLog/CiviCRM.5f3a9c2e7b1d4086.log',
      status: 200,
      body: /\[info\]/,
    },
    { path: '/backup.sql', status: 200, body: /^-- MariaDB dump/ },
    { path: '/.git/HEAD', status: 200, body: /^ref: refs\/heads\/main\n$/ },
    { path: '/.git/config', status: 200, body: /^\[core\]/ },
    { path: '/.git/', status: 403 },
    { path: '/sites/default/settings.php', status: 200, body: /^$/ },
    { path: '/sites/default/civicrm.settings.php', status: 200, body: /^$/ },
    { path: '/sites/default/civicrm.settings.php.bak', status: 403 },
    { path: '/sites/default/settings.php~', status: 403 },
    { path: '/sites/default/files/civicrm/templates_c/', status: 403 },
    { path: '/sites/default/files/civicrm/custom/', status: 403 },
    { path: '/sites/default/files/civicrm/persist/contribute/', status: 403 },
    { path: '/sites/default/files/civicrm/persist/contribute/images/banner.png', status: 200 },
    { path: '/sites/default/files/css/css_demo.css', status: 200, body: /font-family/ },
    // Only the data dirs come from disk, and nothing outside them: dot segments are refused.
    { path: '/sites/default/files/civicrm/upload/%2e%2e/%2e%2e/civicrm.settings.php', status: 404 },
    { path: '/sites/default/files/civicrm/upload/..%2f..%2f..%2fcivicrm.settings.php', status: 404 },
    { path: '/sites/default/files/civicrm/persist/..%2F..%2F..%2Fsettings.php', status: 403 },
    { path: '/sites/default/files/civicrm/upload/no-such-file.pdf', status: 404 },
    { path: '/sites/default/files/civicrm/custom/volunteer-cv-0007.pdf', status: 403 },
    { path: '/phpinfo.php', status: 404 },
    { path: '/install.php', status: 404 },
    { path: '/wp-config.php', status: 404 },
    { path: '/a-page-that-does-not-exist-7f3a', status: 404, body: /Page not found/ },
  ];
  for (const base of ['https', 'http'] as const) {
    for (const r of routes) {
      it(`${base} ${r.path} → ${r.status}`, async () => {
        const res = await get(base, r.path);
        assert.equal(res.status, r.status);
        if (r.body) assert.match(res.body.toString('utf8'), r.body);
        if (r.header) assert.match(res.headers[r.header[0]] ?? '', r.header[1]);
        assert.ok(!res.body.toString('latin1').includes(DEMO_DB_PASSWORD), 'no settings source');
      });
    }
  }

  it('plain http does not redirect, has no HSTS, sets the session cookie without flags', async () => {
    for (const base of ['https', 'http'] as const) {
      const res = await get(base, '/');
      assert.equal(res.status, 200);
      assert.equal(res.headers['strict-transport-security'], undefined);
      assert.equal(res.setCookies.length, 1);
      assert.match(res.setCookies[0]!, /^SESS[0-9a-f]{32}=/);
      assert.doesNotMatch(res.setCookies[0]!, /secure|httponly|samesite/i);
    }
  });

  /** node:http directly: the probes' HttpClient (which encodes the target) is not what is under test. */
  const raw = (method: string, path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; length: string | undefined; body: number }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: site.httpPort, path, method, headers: { host: DEMO_HOST, ...headers } },
        (r) => {
          let body = 0;
          r.on('data', (d: Buffer) => (body += d.length));
          r.on('end', () =>
            resolve({ status: r.statusCode ?? 0, length: r.headers['content-length'], body }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('HEAD answers without a body', async () => {
    const res = await raw('HEAD', '/backup.sql');
    assert.equal(res.status, 200);
    assert.ok(Number(res.length) > 100);
    assert.equal(res.body, 0);
  });

  it('serves a chain that verifies to the demo CA for demo.civiguard.test, with the intermediate', async () => {
    const h = await handshake(site, {});
    assert.equal(h.error, null);
    assert.ok(h.authorized, 'chain verifies with the demo CA');
    // Without the CA nothing is added to what the server sent: leaf + intermediate.
    const served = await handshake(site, { withoutCa: true });
    assert.equal(served.chain, 2, 'leaf + intermediate served');
    const leaf = await new Promise<X509Certificate>((resolve, reject) => {
      const s = connect(
        { host: '127.0.0.1', port: site.httpsPort, servername: DEMO_HOST, ca: [site.caPem] },
        () => {
          resolve(s.getPeerX509Certificate()!);
          s.end();
        },
      );
      s.once('error', reject);
    });
    assert.equal(leaf.checkHost(DEMO_HOST), DEMO_HOST);
  });

  const versions: { name: string; opts: Parameters<typeof handshake>[1]; ok: boolean }[] = [
    {
      name: 'TLS 1.0 refused',
      opts: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
      ok: false,
    },
    {
      name: 'TLS 1.1 refused',
      opts: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' },
      ok: false,
    },
    { name: 'TLS 1.2 accepted', opts: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, ok: true },
    { name: 'TLS 1.3 accepted', opts: { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }, ok: true },
    {
      name: 'TLS 1.2 CBC suite refused',
      opts: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384' },
      ok: false,
    },
  ];
  for (const v of versions) {
    it(v.name, async () => {
      const h = await handshake(site, v.opts);
      assert.equal(h.error === null, v.ok, h.error ?? '');
    });
  }

  it('serves what is in the tree now: a file put into upload/ is listed and served, custom/ refuses', async () => {
    const name = `civiguard-canary-${process.pid}.txt`;
    const files = [join(tree.filesRoot, 'upload', name), join(tree.filesRoot, 'custom', name)];
    for (const f of files) writeFileSync(f, `token ${name}\n`);
    try {
      const listing = await get('https', '/sites/default/files/civicrm/upload/');
      assert.match(listing.body.toString(), new RegExp(`href="${name}"`));
      const up = await get('https', `/sites/default/files/civicrm/upload/${name}`);
      assert.equal(up.status, 200);
      assert.equal(up.body.toString(), `token ${name}\n`);
      const custom = await get('https', `/sites/default/files/civicrm/custom/${name}`);
      assert.equal(custom.status, 403);
      assert.doesNotMatch(custom.body.toString(), /token/);
    } finally {
      for (const f of files) rmSync(f, { force: true });
    }
    const gone = await get('http', `/sites/default/files/civicrm/upload/${name}`);
    assert.equal(gone.status, 404);
  });

  it('writes each request to the access log in combined format until stopAccessLog()', async () => {
    const before = site.logged;
    const res = await raw('GET', '/civicrm/event/register?reset=1&id=1"><script>alert(1)</script>', {
      'user-agent': 'Mozilla/5.0 "quoted"',
    });
    assert.equal(res.status, 200);
    const lines = readFileSync(tree.accessLog, 'utf8').trimEnd().split('\n');
    assert.equal(site.logged, before + 1);
    assert.equal(lines.length, site.logged);
    const last = lines.at(-1)!;
    // nginx escapes the quote inside the request line.
    assert.match(
      last,
      /^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET \/civicrm\/event\/register\?reset=1&id=1\\x22><script>/,
    );
    const parsed = parseAccessLogLine(last);
    assert.ok(parsed, last);
    assert.equal(parsed.status, 200);
    assert.equal(parsed.client, '127.0.0.1');
    assert.equal(parsed.userAgent, 'Mozilla/5.0 "quoted"'); // the parser undoes nginx's escape
    site.stopAccessLog();
    await get('http', '/');
    assert.equal(site.logged, before + 1);
    assert.equal(readFileSync(tree.accessLog, 'utf8').trimEnd().split('\n').length, lines.length);
  });

  it('stops: close() frees both ports, twice is harmless', async () => {
    const s = await startDemoSite({ docroot: tree.webRoot });
    const c = new HttpClient({ resolve: parseResolve(s.resolve) });
    // A kept-alive connection must not keep it open.
    assert.equal((await c.fetch(new URL('/', s.url))).status, 200);
    await s.close();
    await s.close();
    await assert.rejects(
      c.fetch(new URL('/', s.httpUrl), { timeoutMs: 3000 }),
      /ECONNREFUSED|refused|other side closed|SocketError/i,
    );
    await c.close();
  });
});
