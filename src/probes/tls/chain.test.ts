import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { KeyPairPem } from '../../pki/index.js';
import { createCa, createSelfSigned, issueCert } from '../../pki/index.js';
import { parseCert } from './certificate-info.js';
import { buildChain, trustAnchors } from './chain.js';

const der = (k: KeyPairPem) => Buffer.from(k.cert.rawData);
const kinds = (v: ReturnType<typeof buildChain>) => v.problems.map((p) => p.kind);

describe('buildChain', () => {
  let ca: KeyPairPem;
  let inter: KeyPairPem;
  let leaf: KeyPairPem;
  before(async () => {
    ca = await createCa('chain root');
    inter = await issueCert(ca, { subject: 'chain inter', isCa: true });
    leaf = await issueCert(inter, { dnsNames: ['site.test'] });
  });
  const now = new Date();

  it('builds leaf → intermediate → --ca root', () => {
    const v = buildChain([der(leaf), der(inter)].map(parseCert), trustAnchors([ca.certPem]), now);
    assert.deepEqual(kinds(v), []);
    assert.equal(v.trusted, true);
    assert.deepEqual(
      v.path.map((e) => [e.info.subject, e.served, e.anchor]),
      [
        ['CN=site.test', 0, null],
        ['CN=chain inter', 1, null],
        ['CN=chain root', null, 'ca-option'],
      ],
    );
  });
  it('does not trust the private root without --ca', () => {
    const v = buildChain([der(leaf), der(inter), der(ca)].map(parseCert), trustAnchors([]), now);
    assert.deepEqual(kinds(v), ['untrusted-root']);
    assert.equal(v.complete, true);
  });
  it('finds the missing intermediate', () => {
    const v = buildChain([der(leaf)].map(parseCert), trustAnchors([ca.certPem]), now);
    assert.deepEqual(kinds(v), ['incomplete']);
    assert.equal(v.complete, false);
  });
  it('reports a forged signature (right names, wrong key)', async () => {
    const impostor = await createCa('chain inter'); // same subject, different key
    const v = buildChain([der(leaf), der(impostor)].map(parseCert), trustAnchors([ca.certPem]), now);
    assert.equal(v.trusted, false);
    assert.ok(kinds(v).includes('bad-signature') || kinds(v).includes('incomplete'), kinds(v).join());
  });
  it('flags an issuer that is not a CA and one that expired', async () => {
    const notCa = await issueCert(ca, { subject: 'not a ca', dnsNames: ['x.test'] });
    const child = await issueCert(notCa, { dnsNames: ['site.test'] });
    const v1 = buildChain([der(child), der(notCa)].map(parseCert), trustAnchors([ca.certPem]), now);
    assert.deepEqual(kinds(v1), ['not-a-ca']);
    const old = await issueCert(ca, {
      subject: 'old inter',
      isCa: true,
      notBefore: new Date(Date.now() - 400 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const child2 = await issueCert(old, { dnsNames: ['site.test'] });
    const v2 = buildChain([der(child2), der(old)].map(parseCert), trustAnchors([ca.certPem]), now);
    assert.deepEqual(kinds(v2), ['expired-issuer']);
  });
  it('a self-signed leaf', async () => {
    const self = await createSelfSigned({ dnsNames: ['site.test'] });
    const v = buildChain([parseCert(der(self))], trustAnchors([]), now);
    assert.deepEqual(kinds(v), ['self-signed']);
  });
});

describe('parseCert', () => {
  it('reads key, signature, names and AIA', async () => {
    const ca = await createCa('p root', { key: { type: 'rsa', bits: 2048 } });
    const leaf = await issueCert(ca, {
      dnsNames: ['a.test'],
      ipAddresses: ['127.0.0.1'],
      hash: 'SHA-1',
      key: { type: 'ec', curve: 'P-384' },
      caIssuersUrl: 'http://ca.test/p.der',
    });
    const { info } = parseCert(der(leaf));
    assert.deepEqual(info.key, { type: 'ec', bits: 384, curve: 'secp384r1' });
    assert.deepEqual(info.signature, {
      oid: '1.2.840.113549.1.1.5',
      name: 'sha1WithRSAEncryption',
      hash: 'SHA-1',
    });
    assert.deepEqual(info.dnsNames, ['a.test']);
    assert.deepEqual(info.ipAddresses, ['127.0.0.1']);
    assert.deepEqual(info.caIssuers, ['http://ca.test/p.der']);
    assert.equal(info.isCa, false);
    assert.deepEqual(info.extKeyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(parseCert(der(ca)).info.extKeyUsage, null);
    const r = parseCert(
      der(await issueCert(ca, { dnsNames: ['b.test'], key: { type: 'rsa', bits: 1024 } })),
    ).info;
    assert.deepEqual(r.key, { type: 'rsa', bits: 1024, curve: null });
  });
  it('throws a one-line error on garbage', () => {
    assert.throws(() => parseCert(Buffer.from('not a certificate')), /unparseable certificate/);
  });
});
