import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { createCa, issueCert } from '../../pki/index.js';
import { allSuites, suiteName, suitesOf } from './cipher-suites.js';
import { buildClientHello, parseServerAnswer, rawHello } from './client-hello.js';
import type { TlsEndpoint } from './endpoint.js';
import { startScriptedHelloServer } from './test-support/scripted-hello-server.js';

const ep = (port: number): TlsEndpoint => ({
  host: 'site.test',
  port,
  address: '127.0.0.1',
  servername: 'site.test',
  via: 'resolve-pin',
});

describe('raw ClientHello against a real OpenSSL server (Node)', () => {
  let port: number;
  let legacyPort: number;
  const servers: tls.Server[] = [];
  before(async () => {
    const ca = await createCa('raw root', { key: { type: 'rsa', bits: 2048 } });
    const leaf = await issueCert(ca, { dnsNames: ['site.test'], key: { type: 'rsa', bits: 2048 } });
    const start = async (o: tls.TlsOptions) => {
      const s = tls.createServer({ key: leaf.keyPem, cert: leaf.certPem + ca.certPem, ...o }, (c) => c.end());
      s.on('tlsClientError', () => undefined);
      servers.push(s);
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      return (s.address() as AddressInfo).port;
    };
    port = await start({});
    legacyPort = await start({ minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
  });
  after(() => servers.forEach((s) => s.close()));

  it('gets a TLS 1.2 ServerHello and the certificates, which OpenSSL accepts as a valid hello', async () => {
    const r = await rawHello(ep(port), {
      version: 'TLSv1.2',
      suites: allSuites(),
      timeoutMs: 3000,
      wantCertificates: true,
    });
    assert.equal(r.kind, 'server-hello');
    if (r.kind !== 'server-hello') return;
    assert.equal(r.version, 'TLSv1.2');
    assert.match(suiteName(r.suite), /^TLS_ECDHE_RSA_WITH_AES_/);
    assert.equal(r.certificates.length, 2);
  });
  it('is refused for SSLv3, SSLv2, RC4 and 3DES', async () => {
    for (const [version, suites] of [
      ['SSLv3', allSuites()],
      ['SSLv2', []],
      ['TLSv1.2', suitesOf('rc4')],
      ['TLSv1.2', suitesOf('3des')],
    ] as const) {
      const r = await rawHello(ep(port), { version, suites: [...suites], timeoutMs: 3000 });
      assert.equal(r.kind, 'alert', `${version} ${JSON.stringify(r)}`);
    }
  });
  it('sees a TLS 1.0-only server answer TLS 1.0 to a TLS 1.2 hello', async () => {
    const r = await rawHello(ep(legacyPort), { version: 'TLSv1.2', suites: allSuites(), timeoutMs: 3000 });
    assert.equal(r.kind === 'server-hello' && r.version, 'TLSv1');
  });
});

describe('raw ClientHello against a scripted legacy server', () => {
  let srv: Awaited<ReturnType<typeof startScriptedHelloServer>>;
  before(async () => {
    srv = await startScriptedHelloServer({
      minVersion: 0x0300,
      maxVersion: 0x0301,
      suites: [0x0005, 0x000a],
      certificates: [Buffer.from([0x30, 0x00])],
      ssl2: true,
    });
  });
  after(() => srv.close());

  const cases: {
    name: string;
    version: 'SSLv2' | 'SSLv3' | 'TLSv1' | 'TLSv1.2';
    suites: number[];
    expect: string;
  }[] = [
    { name: 'SSLv2 offered', version: 'SSLv2', suites: [], expect: 'server-hello SSLv2' },
    {
      name: 'SSLv3 offered',
      version: 'SSLv3',
      suites: allSuites(),
      expect: 'server-hello SSLv3 TLS_RSA_WITH_RC4_128_SHA',
    },
    {
      name: 'RC4 at TLS 1.0',
      version: 'TLSv1',
      suites: suitesOf('rc4'),
      expect: 'server-hello TLSv1 TLS_RSA_WITH_RC4_128_SHA',
    },
    {
      name: '3DES at TLS 1.2 → answered at TLS 1.0',
      version: 'TLSv1.2',
      suites: suitesOf('3des'),
      expect: 'server-hello TLSv1 TLS_RSA_WITH_3DES_EDE_CBC_SHA',
    },
    { name: 'EXPORT refused', version: 'TLSv1', suites: suitesOf('export'), expect: 'alert' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await rawHello(ep(srv.port), { version: c.version, suites: c.suites, timeoutMs: 3000 });
      const got =
        r.kind === 'server-hello'
          ? `${r.kind} ${r.version}${r.version === 'SSLv2' ? '' : ` ${suiteName(r.suite)}`}`
          : r.kind;
      assert.equal(got, c.expect);
    });
  }
});

describe('parseServerAnswer on hostile input', () => {
  const o = { ssl2: false, wantCertificates: true, ended: false };
  it('waits for more bytes on a partial record', () => {
    assert.equal(parseServerAnswer(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x40, 0x02]), o), null);
  });
  it('recognises plain text', () => {
    const r = parseServerAnswer(Buffer.from('HTTP/1.1 400 Bad Request\r\n'), o);
    assert.equal(r?.kind, 'not-tls');
  });
  it('reports an early close', () => {
    assert.equal(parseServerAnswer(Buffer.from([0x16, 0x03]), { ...o, ended: true })?.kind, 'closed');
  });
  it('rejects an oversized record length', () => {
    assert.equal(parseServerAnswer(Buffer.from([0x16, 0x03, 0x03, 0xff, 0xff, 0]), o)?.kind, 'not-tls');
  });
  it('does not crash on a truncated ServerHello', () => {
    const hs = Buffer.from([0x02, 0x00, 0x00, 0x02, 0x03, 0x03]);
    const rec = Buffer.concat([Buffer.from([0x16, 0x03, 0x03, 0x00, hs.length]), hs]);
    assert.equal(parseServerAnswer(rec, o)?.kind, 'other');
  });
  it('builds a hello whose record length matches', () => {
    const h = buildClientHello('TLSv1.2', allSuites(), 'site.test');
    assert.equal(h.readUInt16BE(3), h.length - 5);
    assert.equal(h[5], 0x01);
  });
});
