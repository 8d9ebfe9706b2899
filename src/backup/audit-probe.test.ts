import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { backupChecks } from '../checks/backup/index.js';
import { runChecks } from '../core/runner.js';
import { testTarget } from '../test-support/facts.js';
import { classifyMagic, inspectRepository } from './audit-probe.js';
import { LocalBackend } from './backends/local.js';
import type { EscrowRecord } from './format.js';
import { recordDrill } from './drill.js';
import { makeEscrow, openEscrow, storeEscrow } from './escrow.js';
import { Repository } from './repository.js';
import { runBackup } from './run.js';
import { makeSourceTree, newIdentity, tempDir } from './testing/fixtures.js';

describe('backup audit probe and checks on real repositories', () => {
  const tmp = tempDir();
  const civi = join(tmp.path, 'civi');
  const plain = join(tmp.path, 'plain-dumps');
  let id: { identity: string; recipient: string };
  let escrowId: { identity: string; recipient: string };

  before(async () => {
    const src = join(tmp.path, 'src');
    makeSourceTree(src, { bigBytes: 100_000, smallFiles: 2 });
    id = await newIdentity();
    escrowId = await newIdentity();
    await Repository.init(new LocalBackend(civi), { recipients: [id.recipient] });
    const r = await runBackup({
      dests: [{ backend: new LocalBackend(civi), required: true }],
      sources: [{ kind: 'files', path: src }],
      unlock: {},
      cacheDir: null,
    });
    const repo = await Repository.openLocked(new LocalBackend(civi));
    await recordDrill([repo], {
      v: 1,
      time: new Date().toISOString(),
      host: 'test',
      snapshot: r.snapshot!,
      snapshotTime: r.catalogue!.time,
      ok: true,
      durationMs: 1,
      databases: [],
    });
    const settings = join(tmp.path, 'civicrm.settings.php');
    writeFileSync(
      settings,
      "<?php\ndefine('CIVICRM_SITE_KEY', 'sitekey123');\ndefine('CIVICRM_CRED_KEYS', 'aes-cbc:hkdf-sha256:abc');\n",
    );
    await storeEscrow([repo], await makeEscrow(repo.config.recipients!, [escrowId.recipient], [settings]));
    mkdirSync(join(plain, 'nightly'), { recursive: true });
    writeFileSync(
      join(plain, 'nightly', 'civicrm.sql.gz'),
      gzipSync('-- MariaDB dump\nINSERT INTO t VALUES (1);\n'),
    );
    writeFileSync(join(plain, 'nightly', 'civicrm.sql'), '-- MariaDB dump 10.19\nCREATE TABLE t (a int);\n');
  });
  after(() => tmp.cleanup());

  it('escrow refuses the data recipient and round-trips with the escrow identity', async () => {
    const repo = await Repository.openLocked(new LocalBackend(civi));
    await assert.rejects(
      makeEscrow(repo.config.recipients!, [id.recipient], [join(tmp.path, 'civicrm.settings.php')]),
      /escrow to a separate key/,
    );
    const [rec] = await repo.listRecords<EscrowRecord>('escrow');
    assert.deepEqual(rec!.rec.constants, ['CIVICRM_CRED_KEYS', 'CIVICRM_SITE_KEY']);
    assert.equal(JSON.stringify(rec!.rec).includes('sitekey123'), false, 'secret not in clear');
    const files = await openEscrow(rec!.rec, [escrowId.identity]);
    assert.match(Object.values(files)[0]!.toString(), /sitekey123/);
    await assert.rejects(openEscrow(rec!.rec, [id.identity]), /escrow record/);
  });

  it('reads a civiguard repository without any key', async () => {
    const f = await inspectRepository(civi);
    assert.equal(f.status, 'ok');
    assert.equal(f.format, 'civiguard');
    assert.equal(f.snapshots.length, 1);
    assert.equal(f.drills.length, 1);
    assert.equal(f.escrows.length, 1);
    assert.equal(f.onThisHost, true);
  });

  it('finds unencrypted dumps in a plain directory', async () => {
    const f = await inspectRepository(plain);
    assert.equal(f.format, 'plain');
    assert.deepEqual(f.plainFiles.map((x) => `${x.kind}:${x.encrypted}`).sort(), [
      'SQL text:false',
      'gzip:false',
    ]);
  });

  it('classifies magic bytes', () => {
    const cases: [Buffer, string, boolean][] = [
      [Buffer.from('age-encryption.org/v1\n-> X25519 abc'), 'age', true],
      [Buffer.from('-----BEGIN PGP MESSAGE-----'), 'openpgp (armored)', true],
      [Buffer.from([0x85, 0x01, 0x0c, 0x03]), 'openpgp', true],
      [Buffer.from('Salted__12345678'), 'openssl enc', true],
      [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]), 'zstd', false],
      [Buffer.from('PK\x03\x04\x14\x00\x01\x00', 'latin1'), 'zip (encrypted entries)', true],
      [Buffer.from('PK\x03\x04\x14\x00\x00\x00', 'latin1'), 'zip', false],
    ];
    for (const [b, kind, enc] of cases) assert.deepEqual(classifyMagic(b), { kind, encrypted: enc });
  });

  it('recognises restic (always encrypted) and Borg none vs repokey', async (t) => {
    const have = (b: string) => existsSync(b);
    if (!have('/usr/bin/restic') || !have('/usr/bin/borg'))
      return t.skip('restic or borg is not installed (apt-get install restic borgbackup)');
    const data = join(tmp.path, 'payload');
    mkdirSync(data);
    writeFileSync(join(data, 'f.txt'), 'payload\n'.repeat(100));
    const env = {
      ...process.env,
      RESTIC_PASSWORD: 'pw',
      BORG_PASSPHRASE: 'pw',
      BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
      BORG_BASE_DIR: join(tmp.path, 'borgbase'),
    };
    const sh = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
      assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
    };
    sh('restic', ['init', '--repo', join(tmp.path, 'restic'), '--no-cache']);
    sh('restic', ['backup', '--repo', join(tmp.path, 'restic'), '--no-cache', data]);
    for (const mode of ['none', 'repokey']) {
      sh('borg', ['init', '--encryption', mode, join(tmp.path, `borg-${mode}`)]);
      sh('borg', ['create', `${join(tmp.path, `borg-${mode}`)}::a`, data]);
    }
    const restic = await inspectRepository(join(tmp.path, 'restic'));
    assert.deepEqual([restic.format, restic.encrypted], ['restic', true]);
    assert.ok(restic.newestFileTime);
    const none = await inspectRepository(join(tmp.path, 'borg-none'));
    assert.deepEqual([none.format, none.encryption, none.encrypted], ['borg', 'none', false]);
    const rk = await inspectRepository(join(tmp.path, 'borg-repokey'));
    assert.deepEqual([rk.format, rk.encrypted], ['borg', true]);
  });

  it('the backup.* checks judge them through the audit runner', async () => {
    const target = { ...testTarget(), backupRepos: [civi, plain, join(tmp.path, 'missing-dir')] };
    const out = await runChecks(target, backupChecks);
    const by = (check: string) =>
      out.results.filter((r) => r.check === check).map((r) => `${r.id ?? r.check}:${r.status}`);
    assert.deepEqual(by('backup.recent'), ['backup.recent.unreadable:error', 'backup.recent:pass']);
    assert.deepEqual(by('backup.encrypted'), [
      'backup.encrypted:pass',
      'backup.encrypted.plaintext:fail',
      'backup.encrypted.unreadable:error',
    ]);
    assert.deepEqual(by('backup.offsite'), [
      'backup.offsite.unreadable:error',
      'backup.offsite.no-offsite:fail',
    ]);
    assert.deepEqual(by('backup.restorable'), [
      'backup.restorable.unreadable:error',
      'backup.restorable:pass',
    ]);
    assert.deepEqual(by('backup.key-escrow'), [
      'backup.key-escrow.unreadable:error',
      'backup.key-escrow:pass',
    ]);
  });

  it('without backup repositories the checks skip with the reason', async () => {
    const out = await runChecks(testTarget(), backupChecks);
    for (const r of out.results) {
      assert.equal(r.status, 'skip');
      assert.match(r.message, /backupRepos/);
    }
  });
});
