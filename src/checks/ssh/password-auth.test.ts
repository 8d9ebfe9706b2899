import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProbeOutcome } from '../../core/probe.js';
import { runChecks } from '../../core/runner.js';
import type { SshdConfigFacts, SshRemoteFacts } from '../../probes/ssh.js';
import { parseSshdT, readSshdConfig, readSshdConfigFiles } from '../../probes/ssh.js';
import { freePort } from '../../test-support/servers/mariadb.js';
import { sshdMissing, startSshd, type Sshd } from '../../test-support/servers/sshd.js';
import { judge, ok, statuses, testTarget } from '../../test-support/facts.js';
import passwordAuth, { rootPasswordLogin } from './password-auth.js';

const skipped = (reason: string): ProbeOutcome<never> => ({
  ok: false,
  status: 'skip',
  reason,
  durationMs: 0,
});

function remote(p: Partial<SshRemoteFacts>): ProbeOutcome<SshRemoteFacts> {
  return ok({
    host: 'ssh.example.org',
    port: 22,
    listening: true,
    software: 'OpenSSH_9.2p1',
    methods: ['publickey'],
    noneAccepted: false,
    ...p,
  });
}

function local(p: Partial<SshdConfigFacts>): ProbeOutcome<SshdConfigFacts> {
  return ok({
    source: 'sshd -T',
    from: ['sshd -T'],
    permitRootLogin: 'prohibit-password',
    passwordAuthentication: 'no',
    kbdInteractiveAuthentication: 'no',
    usePam: 'yes',
    authenticationMethods: 'any',
    notes: [],
    ...p,
  });
}

describe('ssh.password-auth (facts)', () => {
  const cases: {
    name: string;
    remote: ProbeOutcome<SshRemoteFacts>;
    local: ProbeOutcome<SshdConfigFacts>;
    expect: string[];
  }[] = [
    {
      name: 'keys only, root by key only',
      remote: remote({}),
      local: local({}),
      expect: ['ssh.password-auth.offered:pass', 'ssh.password-auth.root-password:pass'],
    },
    {
      name: 'password offered',
      remote: remote({ methods: ['publickey', 'password'] }),
      local: local({ passwordAuthentication: 'yes' }),
      expect: ['ssh.password-auth.offered:fail', 'ssh.password-auth.root-password:pass'],
    },
    {
      name: 'keyboard-interactive offered',
      remote: remote({ methods: ['publickey', 'keyboard-interactive'] }),
      local: skipped('no --root'),
      expect: ['ssh.password-auth.offered:fail', 'ssh.password-auth.root-password:skip'],
    },
    {
      name: 'root with a password',
      remote: remote({ methods: ['publickey', 'password'] }),
      local: local({ permitRootLogin: 'yes', passwordAuthentication: 'yes' }),
      expect: ['ssh.password-auth.offered:fail', 'ssh.password-auth.root-password:fail'],
    },
    {
      name: 'root via keyboard-interactive through PAM',
      remote: skipped('no --ssh HOST[:PORT] given'),
      local: local({ permitRootLogin: 'yes', kbdInteractiveAuthentication: 'yes', usePam: 'yes' }),
      expect: ['ssh.password-auth.offered:skip', 'ssh.password-auth.root-password:fail'],
    },
    {
      name: 'PermitRootLogin yes but a key is required too',
      remote: skipped('no --ssh'),
      local: local({
        permitRootLogin: 'yes',
        passwordAuthentication: 'yes',
        authenticationMethods: 'publickey,password',
      }),
      expect: ['ssh.password-auth.offered:skip', 'ssh.password-auth.root-password:pass'],
    },
    {
      name: 'nothing listening',
      remote: remote({ listening: false, methods: null, software: null }),
      local: skipped('no --root'),
      expect: ['ssh.password-auth.offered:pass', 'ssh.password-auth.root-password:skip'],
    },
    {
      name: 'server lets anyone in',
      remote: remote({ noneAccepted: true, methods: null }),
      local: skipped('no --root'),
      expect: ['ssh.password-auth.no-auth:fail', 'ssh.password-auth.root-password:skip'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = judge(passwordAuth, {}, { remote: c.remote, local: c.local });
      assert.deepEqual(statuses(r), c.expect);
    });
  }
  it('a skipped remote part mentions the local password setting', () => {
    const [r] = judge(
      passwordAuth,
      {},
      { remote: skipped('no --ssh HOST[:PORT] given'), local: local({ passwordAuthentication: 'yes' }) },
    );
    assert.match(r!.message, /PasswordAuthentication yes; give --ssh/);
  });
  it('root login rules', () => {
    const base = local({}) as { value: SshdConfigFacts };
    assert.equal(
      rootPasswordLogin({ ...base.value, permitRootLogin: 'without-password', passwordAuthentication: 'yes' })
        .possible,
      false,
    );
    assert.equal(
      rootPasswordLogin({
        ...base.value,
        permitRootLogin: 'yes',
        passwordAuthentication: 'yes',
        authenticationMethods: 'publickey password',
      }).possible,
      true,
    );
    assert.equal(
      rootPasswordLogin({
        ...base.value,
        permitRootLogin: 'yes',
        kbdInteractiveAuthentication: 'yes',
        usePam: 'no',
      }).possible,
      false,
    );
  });
  it('parses sshd -T output', () => {
    assert.deepEqual(
      parseSshdT(
        'port 22\npermitrootlogin without-password\npasswordauthentication no\nkbdinteractiveauthentication yes\nusepam yes\nauthenticationmethods any\n',
      ),
      {
        permitrootlogin: 'without-password',
        passwordauthentication: 'no',
        kbdinteractiveauthentication: 'yes',
        usepam: 'yes',
        authenticationmethods: 'any',
      },
    );
  });
});

describe('sshd_config read directly (no sshd -T)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'civiguard-sshdcfg-'));
    mkdirSync(join(dir, 'sshd_config.d'));
    writeFileSync(
      join(dir, 'sshd_config'),
      `# Debian-like\nInclude ${join(dir, 'sshd_config.d')}/*.conf\nPasswordAuthentication yes\nUsePAM yes\nMatch User deploy\n  PasswordAuthentication no\n`,
    );
    writeFileSync(join(dir, 'sshd_config.d', '10-root.conf'), 'PermitRootLogin yes\n');
    writeFileSync(join(dir, 'sshd_config.d', '20-late.conf'), 'PermitRootLogin no\n');
    writeFileSync(join(dir, 'sshd_config.d', 'ignored.txt'), 'PermitRootLogin no\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('first value wins, Include expands in place, Match noted', () => {
    const f = readSshdConfigFiles(join(dir, 'sshd_config'));
    assert.equal(f.permitRootLogin, 'yes');
    assert.equal(f.passwordAuthentication, 'yes');
    assert.equal(f.kbdInteractiveAuthentication, 'yes', 'the default');
    assert.equal(f.from.length, 3);
    assert.match(f.notes.join(), /Match blocks/);
    assert.equal(rootPasswordLogin(f).possible, true);
  });

  it('falls back to the files when there is no sshd binary, or when sshd -T fails', async () => {
    const a = await readSshdConfig({ sshd: join(dir, 'no-sshd'), config: join(dir, 'sshd_config') });
    assert.equal(a.source, 'sshd_config');
    if (!sshdMissing()) {
      // No HostKey in this config: sshd -T refuses to run, the files are read instead, with a note.
      const b = await readSshdConfig({
        config: join(dir, 'sshd_config'),
        extraArgs: ['-o', `HostKey=${join(dir, 'missing_key')}`],
      });
      assert.equal(b.source, 'sshd_config');
      assert.match(b.notes[0] ?? '', /sshd -T failed/);
    }
  });

  it('no sshd and no config: skip', async () => {
    await assert.rejects(
      readSshdConfig({ sshd: join(dir, 'x'), config: join(dir, 'y') }),
      /no OpenSSH server here/,
    );
  });
});

describe('ssh.password-auth against Debian OpenSSH', () => {
  const missing = sshdMissing();
  let open: Sshd | null = null;
  let keysOnly: Sshd | null = null;
  before(async () => {
    if (missing) return;
    [open, keysOnly] = await Promise.all([
      startSshd({ passwordAuthentication: true, kbdInteractive: true, permitRootLogin: 'yes' }),
      startSshd({}),
    ]);
  });
  after(async () => {
    await Promise.all([open?.stop(), keysOnly?.stop()]);
  });

  it('password on: the server offers password → warning', async (t) => {
    if (missing || !open) return t.skip(missing ?? 'no sshd');
    const out = await runChecks(testTarget({ ssh: { host: '127.0.0.1', port: open.port } }), [passwordAuth]);
    assert.deepEqual(statuses(out.results), [
      'ssh.password-auth.offered:fail',
      'ssh.password-auth.root-password:skip',
    ]);
    assert.equal(out.results[0]!.severity, 'warning');
    assert.match(out.results[0]!.message, /offers password and keyboard-interactive authentication/);
    assert.match(JSON.stringify(out.results[0]!.evidence), /OpenSSH_/);
  });

  it('password off: publickey only → pass', async (t) => {
    if (missing || !keysOnly) return t.skip(missing ?? 'no sshd');
    const out = await runChecks(testTarget({ ssh: { host: '127.0.0.1', port: keysOnly.port } }), [
      passwordAuth,
    ]);
    assert.deepEqual(statuses(out.results), [
      'ssh.password-auth.offered:pass',
      'ssh.password-auth.root-password:skip',
    ]);
    assert.match(out.results[0]!.message, /offers only publickey/);
  });

  it('sshd -T on each server’s own config: root password login → error, prohibit-password → pass', async (t) => {
    if (missing || !open || !keysOnly) return t.skip(missing ?? 'no sshd');
    const bad = await readSshdConfig({ config: join(open.dir, '..', 'sshd_config') });
    const good = await readSshdConfig({ config: join(keysOnly.dir, '..', 'sshd_config') });
    assert.equal(bad.source, 'sshd -T');
    const r1 = judge(passwordAuth, {}, { remote: skipped('no --ssh'), local: ok(bad) });
    const r2 = judge(passwordAuth, {}, { remote: skipped('no --ssh'), local: ok(good) });
    assert.equal(r1[1]!.id, 'ssh.password-auth.root-password');
    assert.equal(r1[1]!.status, 'fail');
    assert.equal(r1[1]!.severity, 'error');
    assert.match(
      r1[1]!.message,
      /root may log in with a password \(PermitRootLogin yes with PasswordAuthentication yes; from sshd -T\)/,
    );
    assert.equal(r2[1]!.status, 'pass');
    // The wording must survive the reporters' secret redaction ("password: X" would be masked).
    const { redactString } = await import('../../core/redact.js');
    assert.equal(redactString(r1[1]!.message), r1[1]!.message);
    assert.equal(redactString(r2[1]!.message), r2[1]!.message);
  });

  it('nothing listening → pass; a silent port → error; no --ssh → skip', async () => {
    const closed = await runChecks(testTarget({ ssh: { host: '127.0.0.1', port: await freePort() } }), [
      passwordAuth,
    ]);
    assert.deepEqual(statuses(closed.results), [
      'ssh.password-auth.offered:pass',
      'ssh.password-auth.root-password:skip',
    ]);
    assert.match(closed.results[0]!.message, /nothing listening/);
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const out = await runChecks(testTarget({ ssh: { host: '127.0.0.1', port }, timeoutMs: 1500 }), [
        passwordAuth,
      ]);
      assert.equal(out.results[0]!.status, 'error');
    } finally {
      silent.close();
    }
    const none = await runChecks(testTarget(), [passwordAuth]);
    assert.deepEqual(statuses(none.results), [
      'ssh.password-auth.offered:skip',
      'ssh.password-auth.root-password:skip',
    ]);
  });
});
