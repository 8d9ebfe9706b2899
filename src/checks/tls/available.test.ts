import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import available from './available.js';
import { connFacts, failure, success } from './test-support/fact-builders.js';

describe('tls.available', () => {
  const cases: { name: string; conn: ReturnType<typeof connFacts>; expect: string[] }[] = [
    { name: 'modern handshake', conn: connFacts(), expect: ['tls.available:pass'] },
    {
      name: 'legacy only via node',
      conn: connFacts({
        modern: failure('declined'),
        legacy: success('TLSv1', 'TLS_RSA_WITH_AES_128_CBC_SHA'),
        established: success('TLSv1', 'TLS_RSA_WITH_AES_128_CBC_SHA'),
        chainFrom: 'legacy',
      }),
      expect: ['tls.available:pass'],
    },
    {
      name: 'connection refused',
      conn: connFacts({ modern: failure('refused'), failure: { kind: 'refused', message: 'ECONNREFUSED' } }),
      expect: ['tls.available.no-service:fail'],
    },
    {
      name: 'timeout',
      conn: connFacts({
        modern: failure('timeout'),
        failure: { kind: 'timeout', message: 'no TLS handshake' },
      }),
      expect: ['tls.available.timeout:fail'],
    },
    {
      name: 'garbage',
      conn: connFacts({
        modern: failure('not-tls'),
        failure: { kind: 'not-tls', message: 'wrong version number' },
      }),
      expect: ['tls.available.not-tls:fail'],
    },
    {
      name: 'closed',
      conn: connFacts({ modern: failure('closed'), failure: { kind: 'closed', message: 'closed' } }),
      expect: ['tls.available.closed:fail'],
    },
    {
      name: 'everything declined',
      conn: connFacts({ modern: failure('declined'), failure: { kind: 'declined', message: 'alert' } }),
      expect: ['tls.available.handshake-failed:fail'],
    },
    {
      name: 'only a raw ServerHello (RC4/SSLv3 server)',
      conn: connFacts({
        modern: failure('declined'),
        failure: { kind: 'legacy-only', message: 'only SSLv3' },
      }),
      expect: ['tls.available.legacy-only:fail'],
    },
    {
      name: 'dns failure is an error, not a verdict',
      conn: connFacts({ modern: failure('dns'), failure: { kind: 'dns', message: 'ENOTFOUND' } }),
      expect: ['tls.available:error'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(statuses(judge(available, { conn: c.conn })), c.expect);
    });
  }
  it('shows the bytes a non-TLS server sent', () => {
    const [r] = judge(available, {
      conn: connFacts({
        modern: failure('not-tls'),
        raw: { kind: 'not-tls', message: 'not TLS', firstBytes: 'HTTP/1.1 400 Bad Request' },
        failure: { kind: 'not-tls', message: 'wrong version number' },
      }),
    });
    assert.match(r!.message, /HTTP\/1\.1 400/);
    assert.ok(r!.remediation);
  });
});
