import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import certChain from './cert-chain.js';
import type { CertFactsInput } from './test-support/fact-builders.js';
import { certFacts, certInfo } from './test-support/fact-builders.js';

const self = certInfo({ issuer: 'CN=site.test', selfIssued: true, selfSigned: true });

describe('tls.cert-chain', () => {
  const cases: { name: string; input: CertFactsInput; expect: string[] }[] = [
    { name: 'complete to a trusted root', input: {}, expect: ['tls.cert-chain:pass'] },
    {
      name: 'missing intermediate',
      input: {
        problems: [{ kind: 'incomplete', missingIssuer: 'CN=Inter', caIssuers: ['http://x.test/i'] }],
      },
      expect: ['tls.cert-chain.incomplete:fail'],
    },
    {
      name: 'missing intermediate, no AIA either',
      input: { problems: [{ kind: 'incomplete', missingIssuer: 'CN=Inter', caIssuers: [] }] },
      expect: ['tls.cert-chain.incomplete:fail'],
    },
    {
      name: 'self-signed: complete, trust is another check',
      input: {
        served: [self],
        path: [{ served: 0, anchor: null, info: self }],
        problems: [{ kind: 'self-signed', subject: 'CN=site.test' }],
        complete: true,
      },
      expect: ['tls.cert-chain:pass'],
    },
    {
      name: 'broken signature: cannot tell',
      input: {
        problems: [{ kind: 'bad-signature', subject: 'CN=site.test', issuer: 'CN=x', detail: 'bad' }],
        complete: false,
      },
      expect: ['tls.cert-chain:skip'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(statuses(judge(certChain, { cert: certFacts(c.input) })), c.expect);
    });
  }
});
