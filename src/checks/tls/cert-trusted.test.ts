import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import certTrusted from './cert-trusted.js';
import type { CertFactsInput } from './test-support/fact-builders.js';
import { certFacts, certInfo, ROOT } from './test-support/fact-builders.js';

const self = certInfo({ issuer: 'CN=site.test', selfIssued: true, selfSigned: true });
const inter = certInfo({ subject: 'CN=Inter', isCa: true, dnsNames: [] });

describe('tls.cert-trusted', () => {
  const cases: { name: string; input: CertFactsInput; expect: string[] }[] = [
    { name: 'trusted via --ca', input: {}, expect: ['tls.cert-trusted:pass'] },
    {
      name: 'self-signed',
      input: {
        served: [self],
        path: [{ served: 0, anchor: null, info: self }],
        problems: [{ kind: 'self-signed', subject: 'CN=site.test' }],
      },
      expect: ['tls.cert-trusted.self-signed:fail'],
    },
    {
      name: 'untrusted root',
      input: { problems: [{ kind: 'untrusted-root', subject: 'CN=Evil CA' }], complete: true },
      expect: ['tls.cert-trusted.untrusted-root:fail'],
    },
    {
      name: 'missing intermediate with AIA: cannot decide',
      input: {
        problems: [
          { kind: 'incomplete', missingIssuer: 'CN=Inter', caIssuers: ['http://ca.test/inter.der'] },
        ],
      },
      expect: ['tls.cert-trusted:skip'],
    },
    {
      name: 'missing intermediate without AIA: nobody can verify',
      input: { problems: [{ kind: 'incomplete', missingIssuer: 'CN=Inter', caIssuers: [] }] },
      expect: ['tls.cert-trusted.unknown-issuer:fail'],
    },
    {
      name: 'bad signature',
      input: {
        problems: [{ kind: 'bad-signature', subject: 'CN=site.test', issuer: 'CN=Inter', detail: 'no' }],
      },
      expect: ['tls.cert-trusted.bad-signature:fail'],
    },
    {
      name: 'expired intermediate and non-CA issuer are separate reasons',
      input: {
        served: [certInfo(), inter],
        problems: [
          { kind: 'expired-issuer', subject: 'CN=Inter', notAfter: '2020-01-01T00:00:00Z' },
          { kind: 'not-a-ca', subject: 'CN=Inter' },
        ],
      },
      expect: ['tls.cert-trusted.issuer-expired:fail', 'tls.cert-trusted.issuer-not-ca:fail'],
    },
    {
      name: 'a client certificate on the server',
      input: {
        problems: [{ kind: 'wrong-purpose', subject: 'CN=site.test', usages: ['1.3.6.1.5.5.7.3.2'] }],
      },
      expect: ['tls.cert-trusted.wrong-purpose:fail'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(statuses(judge(certTrusted, { cert: certFacts(c.input) })), c.expect);
    });
  }
  it('names the system store when the anchor comes from it', () => {
    const facts = certFacts({
      path: [
        { served: 0, anchor: null, info: certInfo() },
        { served: null, anchor: 'system', info: ROOT },
      ],
    });
    assert.match(judge(certTrusted, { cert: facts })[0]!.message, /system's trusted roots/);
  });
});
