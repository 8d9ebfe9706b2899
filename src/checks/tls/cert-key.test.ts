import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import type { CertInfo } from '../../probes/tls/certificate-info.js';
import certKey from './cert-key.js';
import { certFacts, certInfo, ROOT } from './test-support/fact-builders.js';

const SHA1_RSA = { oid: '1.2.840.113549.1.1.5', name: 'sha1WithRSAEncryption', hash: 'SHA-1' };
const MD5_RSA = { oid: '1.2.840.113549.1.1.4', name: 'md5WithRSAEncryption', hash: 'MD5' };

describe('tls.cert-key', () => {
  const cases: { name: string; leaf: Partial<CertInfo>; inter?: Partial<CertInfo>; expect: string[] }[] = [
    {
      name: 'EC P-256, SHA-256 (root is SHA-1 self-signed: ignored)',
      leaf: {},
      expect: ['tls.cert-key:pass'],
    },
    {
      name: 'RSA 2048',
      leaf: { key: { type: 'rsa', bits: 2048, curve: null } },
      expect: ['tls.cert-key:pass'],
    },
    {
      name: 'Ed25519',
      leaf: { key: { type: 'ed25519', bits: 256, curve: null } },
      expect: ['tls.cert-key:pass'],
    },
    {
      name: 'RSA 1024 leaf',
      leaf: { key: { type: 'rsa', bits: 1024, curve: null } },
      expect: ['tls.cert-key.weak-key:fail'],
    },
    {
      name: 'EC P-224 leaf',
      leaf: { key: { type: 'ec', bits: 224, curve: 'secp224r1' } },
      expect: ['tls.cert-key.weak-key:fail'],
    },
    {
      name: 'SHA-1 signed leaf',
      leaf: { signature: SHA1_RSA },
      expect: ['tls.cert-key.weak-signature:fail'],
    },
    {
      name: 'MD5 signed intermediate',
      leaf: {},
      inter: { signature: MD5_RSA },
      expect: ['tls.cert-key.weak-signature:fail'],
    },
    {
      name: 'RSA 1024 intermediate and SHA-1 leaf',
      leaf: { signature: SHA1_RSA },
      inter: { key: { type: 'rsa', bits: 1024, curve: null } },
      expect: ['tls.cert-key.weak-key:fail', 'tls.cert-key.weak-signature:fail'],
    },
    {
      name: 'self-signed leaf: its SHA-1 self-signature does not count, its key does',
      leaf: {
        signature: SHA1_RSA,
        selfSigned: true,
        selfIssued: true,
        key: { type: 'rsa', bits: 2048, curve: null },
      },
      expect: ['tls.cert-key:pass'],
    },
    {
      name: 'unknown key type is not passed silently',
      leaf: { key: { type: 'x448', bits: null, curve: null } },
      expect: ['tls.cert-key.unknown-key:skip', 'tls.cert-key:pass'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const leaf = certInfo(c.leaf);
      const chain = [leaf, ...(c.inter ? [certInfo({ subject: 'CN=Inter', isCa: true, ...c.inter })] : [])];
      const path = [
        ...chain.map((info, i) => ({ served: i, anchor: null, info })),
        { served: null, anchor: 'system' as const, info: ROOT },
      ];
      assert.deepEqual(statuses(judge(certKey, { cert: certFacts({ served: chain, path }) })), c.expect);
    });
  }
});
