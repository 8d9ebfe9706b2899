import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCa, issueCert } from '../../pki/index.js';
import type { RouteAnswer, TestServer, TlsIdentity } from '../http/test-support/test-servers.js';
import { closedPort, hostileServer, webServer } from '../http/test-support/test-servers.js';
import { HttpClient, MAX_HEADERS, networkErrorCode, walkRedirects } from './http-fetch.js';
import { parseResolve } from './resolve.js';

describe('HttpClient against real loopback servers', () => {
  let id: TlsIdentity;
  const servers: TestServer[] = [];
  const start = async (s: Promise<TestServer>) => {
    const srv = await s;
    servers.push(srv);
    return srv;
  };
  const client = (ports: number[]) =>
    new HttpClient({ resolve: parseResolve(ports.map((p) => `site.test:${p}:127.0.0.1`)) });

  before(async () => {
    const ca = await createCa('fetch test CA');
    id = await issueCert(ca, { dnsNames: ['site.test'] });
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('fetches over https with a --resolve pin, keeping Host and SNI, not following redirects', async () => {
    const srv = await start(
      webServer(
        (req) => ({
          status: 302,
          headers: { location: '/next', 'x-host': req.headers.host ?? '', 'set-cookie': ['a=1', 'b=2'] },
        }),
        id,
      ),
    );
    const c = client([srv.port]);
    try {
      const r = await c.fetch(`https://site.test:${srv.port}/`);
      assert.equal(r.status, 302);
      assert.equal(r.headers['location'], '/next');
      assert.equal(r.headers['x-host'], `site.test:${srv.port}`);
      assert.deepEqual(r.setCookies, ['a=1', 'b=2']);
    } finally {
      await c.close();
    }
  });

  it('cuts a body at maxBytes and says so', async () => {
    const srv = await start(webServer(() => ({ status: 200, body: Buffer.alloc(300_000, 'x') })));
    const c = client([srv.port]);
    try {
      const r = await c.fetch(`http://site.test:${srv.port}/`, { maxBytes: 100_000 });
      assert.equal(r.body.length, 100_000);
      assert.equal(r.truncated, true);
      const full = await c.fetch(`http://site.test:${srv.port}/`);
      assert.equal(full.body.length, 300_000);
      assert.equal(full.truncated, false);
    } finally {
      await c.close();
    }
  });

  it(`refuses more than ${MAX_HEADERS} headers (fail closed), and an oversized header block`, async () => {
    const many = await start(
      webServer(() => ({
        status: 200,
        headers: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`h${i}`, 'v'])),
      })),
    );
    const flood = await start(hostileServer('many-headers'));
    const c = client([many.port, flood.port]);
    try {
      await assert.rejects(c.fetch(`http://site.test:${many.port}/`), { code: 'E_TOO_LARGE' });
      await assert.rejects(c.fetch(`http://site.test:${flood.port}/`), (e: Error) => {
        assert.match(e.message, /header/i);
        return true;
      });
    } finally {
      await c.close();
    }
  });

  it('times out a silent server with a readable message', async () => {
    const srv = await start(hostileServer('silent'));
    const c = client([srv.port]);
    try {
      await assert.rejects(c.fetch(`http://site.test:${srv.port}/x`, { timeoutMs: 300 }), {
        code: 'E_TIMEOUT',
        message: `http://site.test:${srv.port} did not answer /x within 300 ms`,
      });
    } finally {
      await c.close();
    }
  });

  it('reports a refused connection with its code', async () => {
    const port = await closedPort();
    const c = client([port]);
    try {
      const e = await c.fetch(`http://site.test:${port}/`).then(
        () => null,
        (err: unknown) => err,
      );
      assert.equal(networkErrorCode(e), 'ECONNREFUSED');
    } finally {
      await c.close();
    }
  });

  it('walkRedirects: detects loops, honours follow(), records headers and cookies per hop', async () => {
    const srv = await start(
      webServer((req): RouteAnswer =>
        req.url === '/a'
          ? { status: 302, headers: { location: '/b', 'set-cookie': 'x=1' } }
          : req.url === '/b'
            ? { status: 301, headers: { location: '/a' } }
            : req.url === '/out'
              ? { status: 301, headers: { location: 'https://elsewhere.test/' } }
              : { status: 200, body: 'ok' },
      ),
    );
    const c = client([srv.port]);
    try {
      const loop = await walkRedirects(c, `http://site.test:${srv.port}/a`);
      assert.match(loop.stopped ?? '', /redirect loop/);
      assert.equal(loop.hops.length, 2);
      assert.deepEqual(loop.hops[0]!.setCookies, ['x=1']);
      const out = await walkRedirects(c, `http://site.test:${srv.port}/out`, {
        follow: (next) => next.hostname === 'site.test',
      });
      assert.equal(out.stopped, null);
      assert.equal(out.unfollowed, 'https://elsewhere.test/');
      assert.equal(out.final?.status, 301);
    } finally {
      await c.close();
    }
  });
});
