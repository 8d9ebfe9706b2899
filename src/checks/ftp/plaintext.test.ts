import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runChecks } from '../../core/runner.js';
import type { FtpFacts } from '../../probes/ftp.js';
import { freePort } from '../../test-support/servers/mariadb.js';
import { startVsftpd, vsftpdMissing, type Vsftpd } from '../../test-support/servers/vsftpd.js';
import { judge, statuses, testTarget } from '../../test-support/facts.js';
import plaintext from './plaintext.js';

function facts(p: Partial<FtpFacts>): FtpFacts {
  return {
    host: 'ftp.example.org',
    port: 21,
    listening: true,
    banner: '220 hi',
    features: ['AUTH TLS', 'PASV'],
    authTlsOffered: true,
    tls: { ok: true, protocol: 'TLSv1.3' },
    plainUser: { code: 530, message: '530 Non-anonymous sessions must use encryption.' },
    plainLoginAccepted: false,
    anonymous: { allowed: false, over: null, reply: '530 Login incorrect.' },
    ...p,
  };
}

describe('ftp.plaintext (facts)', () => {
  const cases: { name: string; f: FtpFacts; expect: string[] }[] = [
    {
      name: 'TLS required, no anonymous',
      f: facts({}),
      expect: [
        'ftp.plaintext.no-tls:pass',
        'ftp.plaintext.plaintext-login:pass',
        'ftp.plaintext.anonymous:pass',
      ],
    },
    {
      name: 'plain FTP',
      f: facts({
        features: ['PASV'],
        authTlsOffered: false,
        tls: null,
        plainUser: { code: 331, message: '331 Please specify the password.' },
        plainLoginAccepted: true,
      }),
      expect: [
        'ftp.plaintext.no-tls:fail',
        'ftp.plaintext.plaintext-login:fail',
        'ftp.plaintext.anonymous:pass',
      ],
    },
    {
      name: 'TLS offered but optional',
      f: facts({ plainUser: { code: 331, message: '331 Password' }, plainLoginAccepted: true }),
      expect: [
        'ftp.plaintext.no-tls:pass',
        'ftp.plaintext.plaintext-login:fail',
        'ftp.plaintext.anonymous:pass',
      ],
    },
    {
      name: 'AUTH TLS offered but broken',
      f: facts({ tls: { ok: false, reason: 'handshake failure' } }),
      expect: [
        'ftp.plaintext.no-tls:fail',
        'ftp.plaintext.plaintext-login:pass',
        'ftp.plaintext.anonymous:pass',
      ],
    },
    {
      name: 'anonymous over TLS still fails',
      f: facts({ anonymous: { allowed: true, over: 'tls', reply: '230 Login successful.' } }),
      expect: [
        'ftp.plaintext.no-tls:pass',
        'ftp.plaintext.plaintext-login:pass',
        'ftp.plaintext.anonymous:fail',
      ],
    },
    {
      name: 'connection closed on USER: cannot tell',
      f: facts({ plainUser: { code: 0, message: 'Server closed connection' }, plainLoginAccepted: null }),
      expect: [
        'ftp.plaintext.no-tls:pass',
        'ftp.plaintext.plaintext-login:error',
        'ftp.plaintext.anonymous:pass',
      ],
    },
    { name: 'nothing listening', f: facts({ listening: false }), expect: ['ftp.plaintext:pass'] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(statuses(judge(plaintext, { ftp: c.f })), c.expect));
  }
});

describe('ftp.plaintext against Debian vsftpd', () => {
  const missing = vsftpdMissing();
  const servers: Record<string, Vsftpd> = {};
  before(async () => {
    if (missing) return;
    servers.plain = await startVsftpd({ tls: 'off', anonymous: true });
    servers.required = await startVsftpd({ tls: 'required' });
    servers.optional = await startVsftpd({ tls: 'offered' });
  });
  after(async () => {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  });
  const audit = async (port: number, host = '127.0.0.1') =>
    runChecks(testTarget({ ftp: { host, port } }), [plaintext]);

  it('plain vsftpd with anonymous: no TLS, clear-text login, anonymous → fail ×3', async (t) => {
    if (missing) return t.skip(missing);
    const out = await audit(servers.plain!.port);
    assert.deepEqual(statuses(out.results), [
      'ftp.plaintext.no-tls:fail',
      'ftp.plaintext.plaintext-login:fail',
      'ftp.plaintext.anonymous:fail',
    ]);
    assert.match(out.results[0]!.message, /offers no AUTH TLS/);
    assert.match(out.results[1]!.message, /331/);
  });

  it('vsftpd with ssl_enable=YES force_local_logins_ssl=YES, no anonymous → pass ×3', async (t) => {
    if (missing) return t.skip(missing);
    const out = await audit(servers.required!.port);
    assert.deepEqual(statuses(out.results), [
      'ftp.plaintext.no-tls:pass',
      'ftp.plaintext.plaintext-login:pass',
      'ftp.plaintext.anonymous:pass',
    ]);
    assert.match(out.results[0]!.message, /AUTH TLS works \(TLSv1\.[23]\)/);
    assert.match(out.results[1]!.message, /refused \(530\)/);
  });

  it('vsftpd with TLS offered but not required → clear-text login fails', async (t) => {
    if (missing) return t.skip(missing);
    const out = await audit(servers.optional!.port);
    assert.deepEqual(statuses(out.results), [
      'ftp.plaintext.no-tls:pass',
      'ftp.plaintext.plaintext-login:fail',
      'ftp.plaintext.anonymous:pass',
    ]);
  });

  it('--resolve pins the FTP host name to an address', async (t) => {
    if (missing) return t.skip(missing);
    const port = servers.required!.port;
    const target = testTarget({
      ftp: { host: 'ftp.site.test', port },
      resolve: new Map([[`ftp.site.test:${port}`, '127.0.0.1']]),
    });
    const out = await runChecks(target, [plaintext]);
    assert.equal(out.results[0]!.status, 'pass');
    assert.equal((out.results[0]!.evidence as { server: string }).server, `ftp.site.test:${port}`);
  });

  it('nothing listening → pass with that reason; no --ftp → skip', async () => {
    const out = await audit(await freePort());
    assert.deepEqual(statuses(out.results), ['ftp.plaintext:pass']);
    assert.match(out.results[0]!.message, /nothing listening/);
    const none = await runChecks(testTarget(), [plaintext]);
    assert.deepEqual(statuses(none.results), ['ftp.plaintext:skip']);
  });

  it('a server that is not FTP (silent) → error, not a pass', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const out = await runChecks(testTarget({ ftp: { host: '127.0.0.1', port }, timeoutMs: 1500 }), [
        plaintext,
      ]);
      assert.deepEqual(statuses(out.results), ['ftp.plaintext:error']);
    } finally {
      silent.close();
    }
  });
});
