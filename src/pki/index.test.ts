import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { describe, it } from 'node:test';
import { createCa, createSelfSigned, issueCert } from './index.js';
import type { KeyPairPem } from './index.js';

/** Serves `leaf` (+ extra chain PEMs) on loopback and connects with `ca` trusted; returns the handshake result. */
async function handshake(
  leaf: KeyPairPem,
  chain: string[],
  ca: string[],
  servername = 'site.test',
): Promise<{ authorized: boolean; error: string | null; peerSubject: string }> {
  const server = tls.createServer(
    { key: leaf.keyPem, cert: [leaf.certPem, ...chain].join(''), ciphers: 'DEFAULT@SECLEVEL=0' },
    (s) => s.end(),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const sock = tls.connect({
        host: '127.0.0.1',
        port,
        servername,
        ca,
        rejectUnauthorized: false,
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      sock.once('secureConnect', () => {
        resolve({
          authorized: sock.authorized,
          error: sock.authorizationError ? String(sock.authorizationError) : null,
          peerSubject: sock.getPeerCertificate().subject.CN as string,
        });
        sock.destroy();
      });
      sock.once('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('pki', () => {
  it('issues a leaf under a root that verifies and loads in a TLS server', async () => {
    const ca = await createCa('civiguard test root');
    const leaf = await issueCert(ca, {
      dnsNames: ['site.test', 'www.site.test'],
      ipAddresses: ['127.0.0.1'],
    });
    const r = await handshake(leaf, [], [ca.certPem]);
    assert.equal(r.error, null);
    assert.equal(r.authorized, true);
    assert.equal(r.peerSubject, 'site.test');
    const node = new X509Certificate(leaf.certPem);
    assert.equal(node.checkHost('www.site.test'), 'www.site.test');
    assert.equal(node.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(node.verify(new X509Certificate(ca.certPem).publicKey), true);
    assert.equal(new X509Certificate(ca.certPem).ca, true);
    assert.equal(node.ca, false);
  });

  it('builds a chain through an intermediate', async () => {
    const ca = await createCa('root', { key: { type: 'ec', curve: 'P-384' }, hash: 'SHA-384' });
    const inter = await issueCert(ca, { subject: 'intermediate', isCa: true, pathLength: 0 });
    const leaf = await issueCert(inter, { dnsNames: ['site.test'], key: { type: 'rsa', bits: 2048 } });
    assert.equal(leaf.cert.issuer, 'CN=intermediate');
    const full = await handshake(leaf, [inter.certPem], [ca.certPem]);
    assert.equal(full.authorized, true);
    const missing = await handshake(leaf, [], [ca.certPem]);
    assert.equal(missing.authorized, false);
    assert.match(missing.error ?? '', /UNABLE_TO_(GET_ISSUER_CERT_LOCALLY|VERIFY_LEAF_SIGNATURE)/);
  });

  it('makes weak certificates on request: RSA 1024 and SHA-1 signatures', async () => {
    const ca = await createCa('weak root', { key: { type: 'rsa', bits: 2048 } });
    const sha1 = await issueCert(ca, {
      dnsNames: ['site.test'],
      hash: 'SHA-1',
      key: { type: 'rsa', bits: 2048 },
    });
    assert.equal(sha1.cert.signatureAlgorithm.hash.name, 'SHA-1');
    const rsa1024 = await issueCert(ca, { dnsNames: ['site.test'], key: { type: 'rsa', bits: 1024 } });
    assert.equal(new X509Certificate(rsa1024.certPem).publicKey.asymmetricKeyDetails?.modulusLength, 1024);
    // Both load at SECLEVEL=0 and fail OpenSSL's default verification.
    const r1 = await handshake(sha1, [], [ca.certPem]);
    assert.equal(r1.peerSubject, 'site.test');
    const r2 = await handshake(rsa1024, [], [ca.certPem]);
    assert.equal(r2.peerSubject, 'site.test');
  });

  it('makes self-signed and dated certificates', async () => {
    const past = new Date(Date.now() - 10 * 86_400_000);
    const self = await createSelfSigned({
      dnsNames: ['site.test'],
      notBefore: new Date(past.getTime() - 86_400_000),
      notAfter: past,
    });
    assert.equal(self.cert.subject, self.cert.issuer);
    assert.equal(await self.cert.isSelfSigned(), true);
    assert.equal(self.cert.notAfter.getTime(), Math.floor(past.getTime() / 1000) * 1000);
    const r = await handshake(self, [], []);
    assert.equal(r.authorized, false);
    await assert.rejects(issueCert({ ...self }, { dnsNames: ['x.test'] }), /issuer must be/);
  });
});
