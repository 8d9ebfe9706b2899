/**
 * tls.* checks end to end: real Node TLS servers (and a few hostile plain-TCP ones) on loopback,
 * certificates made with src/pki, audited through the real runner with --resolve and --ca.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { buildTarget } from '../../audit/build-target.js';
import type { Result } from '../../core/result.js';
import { runChecks } from '../../core/runner.js';
import type { KeyPairPem } from '../../pki/index.js';
import { createCa, createSelfSigned, issueCert } from '../../pki/index.js';
import { startScriptedHelloServer } from '../../probes/tls/test-support/scripted-hello-server.js';
import { tlsChecks } from './index.js';

const DAY = 86_400_000;
const AEAD_ONLY = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305';

let dir: string;
let caFile: string;
let ca: KeyPairPem;
let inter: KeyPairPem;
const closers: (() => void)[] = [];

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  return (server.address() as AddressInfo).port;
}

async function tlsServer(leaf: KeyPairPem, chain: KeyPairPem[], opts: tls.TlsOptions = {}): Promise<number> {
  const server = tls.createServer(
    { key: leaf.keyPem, cert: [leaf, ...chain].map((c) => c.certPem).join(''), ...opts },
    (s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'),
  );
  server.on('tlsClientError', () => undefined);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  closers.push(() => sockets.forEach((s) => s.destroy()));
  return listen(server);
}

/** A plain TCP server that does something hostile with each connection. */
async function tcpServer(onConn: (s: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    onConn(s);
  });
  closers.push(() => sockets.forEach((s) => s.destroy()));
  return listen(server);
}

async function audit(
  port: number,
  timeoutMs = 4000,
  host = 'site.test',
): Promise<{ results: Result[]; ms: number }> {
  const target = buildTarget({
    url: `https://${host}:${port}/`,
    resolve: [`${host}:${port}:127.0.0.1`],
    ca: [caFile],
    timeoutMs,
  });
  const t0 = performance.now();
  const out = await runChecks(target, tlsChecks);
  return { results: out.results, ms: performance.now() - t0 };
}

/** `id:status` of every result that is not a pass (plus severity for fails). */
function notPassing(results: Result[]): string[] {
  return results
    .filter((r) => r.status !== 'pass')
    .map((r) => `${r.id ?? r.check}:${r.status}${r.status === 'fail' ? `:${r.severity}` : ''}`);
}

function byCheck(results: Result[], check: string): string[] {
  return results.filter((r) => r.check === check).map((r) => `${r.id ?? r.check}:${r.status}`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'civiguard-tls-'));
  ca = await createCa('civiguard test root');
  inter = await issueCert(ca, { subject: 'civiguard test intermediate', isCa: true, pathLength: 0 });
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ca.certPem);
});

after(() => {
  for (const c of closers) c();
  rmSync(dir, { recursive: true, force: true });
});

describe('tls.* against real servers', { timeout: 120_000 }, () => {
  it('a good server: every result passes', async () => {
    const leaf = await issueCert(inter, { dnsNames: ['site.test'] });
    const port = await tlsServer(leaf, [inter], { ciphers: AEAD_ONLY, minVersion: 'TLSv1.2' });
    const { results, ms } = await audit(port);
    assert.deepEqual(notPassing(results), []);
    assert.equal(results.length, 22);
    console.log(`# good server: ${results.length} tls results in ${ms.toFixed(0)} ms`);
  });

  it('a good server without --ca: the chain is not trusted (the test root is private)', async () => {
    const leaf = await issueCert(inter, { dnsNames: ['site.test'] });
    const port = await tlsServer(leaf, [inter], { ciphers: AEAD_ONLY });
    const target = buildTarget({
      url: `https://site.test:${port}/`,
      resolve: [`site.test:${port}:127.0.0.1`],
    });
    const { results } = await runChecks(target, tlsChecks);
    // The private root is neither sent nor known, and nothing says where to fetch it.
    assert.deepEqual(byCheck(results, 'tls.cert-trusted'), ['tls.cert-trusted.unknown-issuer:fail']);
  });

  it('a server that also sends its private root, audited without --ca: untrusted root', async () => {
    const leaf = await issueCert(inter, { dnsNames: ['site.test'] });
    const port = await tlsServer(leaf, [inter, ca], { ciphers: AEAD_ONLY });
    const target = buildTarget({
      url: `https://site.test:${port}/`,
      resolve: [`site.test:${port}:127.0.0.1`],
    });
    const { results } = await runChecks(target, tlsChecks);
    assert.deepEqual(notPassing(results), ['tls.cert-trusted.untrusted-root:fail:error']);
  });

  it('expired', async () => {
    const leaf = await issueCert(inter, {
      dnsNames: ['site.test'],
      notBefore: new Date(Date.now() - 100 * DAY),
      notAfter: new Date(Date.now() - 10 * DAY),
    });
    const { results } = await audit(await tlsServer(leaf, [inter], { ciphers: AEAD_ONLY }));
    assert.deepEqual(notPassing(results), ['tls.cert-expiry.expired:fail:critical']);
    const r = results.find((x) => x.check === 'tls.cert-expiry')!;
    assert.equal(r.evidence?.lifetimeDays, 90);
    assert.equal(r.evidence?.issuer, 'CN=civiguard test intermediate');
  });

  it('not yet valid', async () => {
    const leaf = await issueCert(inter, {
      dnsNames: ['site.test'],
      notBefore: new Date(Date.now() + 10 * DAY),
      notAfter: new Date(Date.now() + 100 * DAY),
    });
    const { results } = await audit(await tlsServer(leaf, [inter], { ciphers: AEAD_ONLY }));
    assert.deepEqual(notPassing(results), ['tls.cert-expiry.not-yet-valid:fail:critical']);
  });

  it('renewal overdue (5 of 90 days left) is an error, 12 of 90 a warning', async () => {
    const soon = await issueCert(inter, {
      dnsNames: ['site.test'],
      notBefore: new Date(Date.now() - 85 * DAY),
      notAfter: new Date(Date.now() + 5 * DAY),
    });
    const late = await issueCert(inter, {
      dnsNames: ['site.test'],
      notBefore: new Date(Date.now() - 78 * DAY),
      notAfter: new Date(Date.now() + 12 * DAY),
    });
    const a = await audit(await tlsServer(soon, [inter], { ciphers: AEAD_ONLY }));
    const b = await audit(await tlsServer(late, [inter], { ciphers: AEAD_ONLY }));
    assert.deepEqual(notPassing(a.results), ['tls.cert-expiry.expires-soon:fail:error']);
    assert.deepEqual(notPassing(b.results), ['tls.cert-expiry.renewal-overdue:fail:warning']);
  });

  it('wrong host', async () => {
    const leaf = await issueCert(inter, { dnsNames: ['other.test', 'www.other.test'] });
    const { results } = await audit(await tlsServer(leaf, [inter], { ciphers: AEAD_ONLY }));
    assert.deepEqual(notPassing(results), ['tls.cert-hostname.mismatch:fail:error']);
    assert.match(results.find((r) => r.check === 'tls.cert-hostname')!.message, /other\.test/);
  });

  it('a wildcard covers one label, not the bare domain nor a public suffix', async () => {
    const leaf = await issueCert(inter, { subject: 'wild', dnsNames: ['*.site.test', '*.test'] });
    const port = await tlsServer(leaf, [inter], { ciphers: AEAD_ONLY });
    const www = await audit(port, 4000, 'www.site.test');
    const bare = await audit(port, 4000, 'site.test');
    assert.deepEqual(byCheck(www.results, 'tls.cert-hostname'), ['tls.cert-hostname:pass']);
    assert.deepEqual(byCheck(bare.results, 'tls.cert-hostname'), ['tls.cert-hostname.mismatch:fail']);
  });

  it('self-signed', async () => {
    const self = await createSelfSigned({ dnsNames: ['site.test'] });
    const { results } = await audit(await tlsServer(self, [], { ciphers: AEAD_ONLY }));
    assert.deepEqual(notPassing(results), ['tls.cert-trusted.self-signed:fail:error']);
  });

  it('missing intermediate, with an AIA pointer: chain fails, trust cannot be decided', async () => {
    const leaf = await issueCert(inter, {
      dnsNames: ['site.test'],
      caIssuersUrl: 'http://ca.site.test/inter.der',
    });
    const { results } = await audit(await tlsServer(leaf, [], { ciphers: AEAD_ONLY }));
    assert.deepEqual(notPassing(results), [
      'tls.cert-trusted:skip',
      'tls.cert-chain.incomplete:fail:warning',
    ]);
  });

  it('missing intermediate, no AIA: nobody can verify it', async () => {
    const leaf = await issueCert(inter, { dnsNames: ['site.test'] });
    const { results } = await audit(await tlsServer(leaf, [], { ciphers: AEAD_ONLY }));
    assert.deepEqual(notPassing(results), [
      'tls.cert-trusted.unknown-issuer:fail:error',
      'tls.cert-chain.incomplete:fail:warning',
    ]);
  });

  it('served root and an extra unrelated certificate do not hurt', async () => {
    const leaf = await issueCert(inter, { dnsNames: ['site.test'] });
    const stray = await createSelfSigned({ dnsNames: ['stray.test'] });
    const { results } = await audit(await tlsServer(leaf, [inter, ca, stray], { ciphers: AEAD_ONLY }));
    assert.deepEqual(notPassing(results), []);
  });

  it('a client-authentication certificate served as a server certificate', async () => {
    const leaf = await issueCert(inter, { dnsNames: ['site.test'], extKeyUsage: ['1.3.6.1.5.5.7.3.2'] });
    const { results } = await audit(await tlsServer(leaf, [inter], { ciphers: AEAD_ONLY }));
    assert.deepEqual(notPassing(results), ['tls.cert-trusted.wrong-purpose:fail:error']);
  });

  it('RSA 1024 leaf', async () => {
    const leaf = await issueCert(inter, { dnsNames: ['site.test'], key: { type: 'rsa', bits: 1024 } });
    const { results } = await audit(
      await tlsServer(leaf, [inter], { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256@SECLEVEL=0' }),
    );
    assert.deepEqual(notPassing(results), ['tls.cert-key.weak-key:fail:error']);
  });

  it('SHA-1 signed leaf: OpenSSL would refuse the chain, civiguard names the reason and still judges trust', async () => {
    const rsaCa = await createCa('civiguard rsa root', { key: { type: 'rsa', bits: 2048 } });
    writeFileSync(join(dir, 'rsa-ca.pem'), rsaCa.certPem);
    const leaf = await issueCert(rsaCa, { dnsNames: ['site.test'], hash: 'SHA-1' });
    // The server itself must drop to SECLEVEL 0 to load a SHA-1 certificate at all.
    const port = await tlsServer(leaf, [], { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256@SECLEVEL=0' });
    const target = buildTarget({
      url: `https://site.test:${port}/`,
      resolve: [`site.test:${port}:127.0.0.1`],
      ca: [join(dir, 'rsa-ca.pem')],
    });
    const { results } = await runChecks(target, tlsChecks);
    assert.deepEqual(notPassing(results), ['tls.cert-key.weak-signature:fail:error']);
    assert.deepEqual(byCheck(results, 'tls.cert-trusted'), ['tls.cert-trusted:pass']);
  });

  it('TLS 1.0 only', async () => {
    const leaf = await issueCert(inter, { dnsNames: ['site.test'] });
    const port = await tlsServer(leaf, [inter], {
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    const { results } = await audit(port);
    assert.deepEqual(notPassing(results), [
      'tls.protocols.tls1_0:fail:warning',
      'tls.protocols.tls1_2:fail:error',
      'tls.protocols.tls1_3:fail:notice',
      'tls.ciphers.modern-no-fs:skip',
      'tls.ciphers.modern-no-aead:skip',
      'tls.ciphers.cbc:fail:notice',
    ]);
    assert.match(results.find((r) => r.check === 'tls.available')!.message, /only a legacy client/);
  });

  it('TLS 1.2 without 1.3, offering static-RSA CBC first: modern client warnings and notices', async () => {
    const rsaLeaf = await issueCert(inter, { dnsNames: ['site.test'], key: { type: 'rsa', bits: 2048 } });
    const port = await tlsServer(rsaLeaf, [inter], {
      maxVersion: 'TLSv1.2',
      ciphers: 'AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256',
      honorCipherOrder: true,
    });
    const { results } = await audit(port);
    assert.deepEqual(notPassing(results), [
      'tls.protocols.tls1_3:fail:notice',
      'tls.ciphers.modern-no-fs:fail:warning',
      'tls.ciphers.modern-no-aead:fail:warning',
      'tls.ciphers.rsa-kx:fail:notice',
      'tls.ciphers.cbc:fail:notice',
    ]);
  });

  it('NULL and anonymous suites accepted', async () => {
    const rsaLeaf = await issueCert(inter, { dnsNames: ['site.test'], key: { type: 'rsa', bits: 2048 } });
    const port = await tlsServer(rsaLeaf, [inter], {
      ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-NULL-SHA:ADH-AES128-GCM-SHA256@SECLEVEL=0',
      dhparam: 'auto',
    });
    const { results } = await audit(port);
    assert.deepEqual(notPassing(results), ['tls.ciphers.null:fail:error', 'tls.ciphers.anon:fail:error']);
  });

  it(
    'OpenSSL s_client agrees on the TLS 1.0-only server',
    { skip: !hasOpenssl() && 'no openssl binary' },
    async () => {
      const leaf = await issueCert(inter, { dnsNames: ['site.test'] });
      const port = await tlsServer(leaf, [inter], {
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      // Asynchronous: the server runs in this process, so a blocking spawn would starve it.
      const s = (flag: string) =>
        new Promise<{ status: number | null; stdout: string }>((resolve) => {
          const child = spawn(
            'openssl',
            [
              's_client',
              '-connect',
              `127.0.0.1:${port}`,
              '-servername',
              'site.test',
              flag,
              '-cipher',
              'DEFAULT@SECLEVEL=0',
            ],
            { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 },
          );
          let stdout = '';
          child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
          child.on('close', (status) => resolve({ status, stdout }));
        });
      const tls10 = await s('-tls1');
      const tls12 = await s('-tls1_2');
      assert.match(tls10.stdout, /Protocol\s*:\s*TLSv1\b/);
      assert.notEqual(tls12.status, 0);
      const { results } = await audit(port);
      assert.deepEqual(byCheck(results, 'tls.protocols').slice(2, 5), [
        'tls.protocols.tls1_0:fail',
        'tls.protocols.tls1_1:pass',
        'tls.protocols.tls1_2:fail',
      ]);
    },
  );
});

describe('tls.* against a scripted legacy server (SSLv3/TLS 1.0 with 3DES only)', { timeout: 60_000 }, () => {
  it('is found through hand-built ClientHellos: legacy-only, SSLv3, 3DES; certificates still judged', async () => {
    const leaf = await issueCert(inter, { dnsNames: ['site.test'], key: { type: 'rsa', bits: 2048 } });
    const srv = await startScriptedHelloServer({
      minVersion: 0x0300,
      maxVersion: 0x0301,
      suites: [0x000a],
      certificates: [Buffer.from(leaf.cert.rawData), Buffer.from(inter.cert.rawData)],
    });
    closers.push(srv.close);
    const { results } = await audit(srv.port);
    assert.deepEqual(notPassing(results), [
      'tls.available.legacy-only:fail:error',
      'tls.protocols.sslv3:fail:warning',
      'tls.protocols.tls1_0:fail:warning',
      'tls.protocols.tls1_2:fail:error',
      'tls.protocols.tls1_3:fail:notice',
      'tls.ciphers.3des:fail:error',
      'tls.ciphers.modern-no-fs:skip',
      'tls.ciphers.modern-no-aead:skip',
      'tls.ciphers.rsa-kx:fail:notice',
      'tls.ciphers.cbc:fail:notice',
    ]);
    assert.match(
      results.find((r) => r.id === 'tls.ciphers.3des')!.message,
      /TLS_RSA_WITH_3DES_EDE_CBC_SHA at TLSv1/,
    );
  });
});

describe('tls.* against hostile servers', { timeout: 60_000 }, () => {
  const onlyAvailable = (results: Result[]) => ({
    available: byCheck(results, 'tls.available'),
    others: [...new Set(results.filter((r) => r.check !== 'tls.available').map((r) => r.status))],
  });

  it('never answers: a timeout failure within the budget, the rest skipped', async () => {
    const port = await tcpServer(() => undefined);
    const { results, ms } = await audit(port, 1500);
    assert.deepEqual(onlyAvailable(results), { available: ['tls.available.timeout:fail'], others: ['skip'] });
    assert.ok(ms < 15_000, `hang guard: took ${ms} ms`);
  });

  it('dribbles a TLS record header one byte at a time: bounded', async () => {
    const port = await tcpServer((s) => {
      const bytes = [0x16, 0x03, 0x03, 0x40, 0x00, 0x02, 0x00, 0x3f, 0xfc, 0x03, 0x03];
      let i = 0;
      const t = setInterval(() => {
        if (s.destroyed || i >= 200) return clearInterval(t);
        s.write(Buffer.from([bytes[i % bytes.length]!]));
        i++;
      }, 100);
      s.on('close', () => clearInterval(t));
    });
    const { results, ms } = await audit(port, 1500);
    assert.deepEqual(onlyAvailable(results), { available: ['tls.available.timeout:fail'], others: ['skip'] });
    assert.ok(ms < 15_000, `hang guard: took ${ms} ms`);
  });

  it('garbage instead of TLS (an HTTP answer): not-tls, with the bytes shown', async () => {
    const port = await tcpServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const { results } = await audit(port, 1500);
    assert.deepEqual(onlyAvailable(results), { available: ['tls.available.not-tls:fail'], others: ['skip'] });
    assert.match(results[0]!.message, /HTTP\/1\.1 400 Bad Request/);
  });

  it('resets the connection', async () => {
    const port = await tcpServer((s) => s.once('data', () => s.resetAndDestroy()));
    const { results } = await audit(port, 1500);
    assert.deepEqual(onlyAvailable(results), { available: ['tls.available.closed:fail'], others: ['skip'] });
  });

  it('nothing listening', async () => {
    const port = await tcpServer(() => undefined);
    closers.pop()!(); // close it again: the port is now (very likely) free
    await new Promise((r) => setTimeout(r, 50));
    const { results } = await audit(port, 1500);
    assert.deepEqual(onlyAvailable(results), {
      available: ['tls.available.no-service:fail'],
      others: ['skip'],
    });
  });
});

function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
}
