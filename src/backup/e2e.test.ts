import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backupChecks } from '../checks/backup/index.js';
import { runChecks } from '../core/runner.js';
import { testTarget } from '../test-support/facts.js';
import type { MariaDb } from '../test-support/servers/mariadb.js';
import { mariadbMissing, startMariaDb } from '../test-support/servers/mariadb.js';
import type { Sshd } from '../test-support/servers/sshd.js';
import { sshdMissing, startSshd } from '../test-support/servers/sshd.js';
import { loadCivicrmFixture } from './testing/civicrm-fixture.js';
import { compareTrees, makeSourceTree, tempDir } from './testing/fixtures.js';

/**
 * The documented sequence (contrib/systemd/README.md), through the CLI as a user runs it, against
 * Debian's MariaDB and OpenSSH: keygen → init → copy off-site → escrow → run (db + files, two
 * replicas) → list → check --read-data → restore files and the dump into a new database → drill →
 * forget --prune → the audit's backup.* checks.
 */
const entry = new URL('./testing/cli-entry.ts', import.meta.url).pathname;
const missing = mariadbMissing() ?? sshdMissing();

function civiguard(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, 'backup', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe(
  'backup: end to end through the CLI (MariaDB + SFTP)',
  { skip: missing ?? false, timeout: 600_000 },
  () => {
    const tmp = tempDir();
    const local = join(tmp.path, 'local');
    const files = join(tmp.path, 'site-files');
    const env = { CIVIGUARD_CACHE_DIR: join(tmp.path, 'cache') };
    let db: MariaDb;
    let sshd: Sshd;
    let offsite = '';
    let recipient = '';
    const idFile = join(tmp.path, 'backup-identity.txt');
    const escrowFile = join(tmp.path, 'escrow-identity.txt');
    const settings = join(tmp.path, 'civicrm.settings.php');
    let snapshot = '';

    before(async () => {
      [db, sshd] = await Promise.all([startMariaDb(), startSshd()]);
      await loadCivicrmFixture(db.query, 'civicrm', 25);
      makeSourceTree(files, { bigBytes: 1_500_000, smallFiles: 8 });
      offsite = sshd.sftpUrl(join(sshd.dir, 'civicrm'));
      writeFileSync(
        settings,
        `<?php\ndefine('CIVICRM_DSN', '${db.dsn('civicrm')}?new_link=true');\ndefine('CIVICRM_SITE_KEY', 'k');\ndefine('CIVICRM_CRED_KEYS', 'aes-cbc:hkdf-sha256:x');\n`,
      );
    });
    after(async () => {
      await db?.stop();
      await sshd?.stop();
      tmp.cleanup();
    });

    it('keygen and init a write-only repository', async () => {
      const k = await civiguard(['keygen']);
      assert.equal(k.code, 0, k.err);
      writeFileSync(idFile, k.out, { mode: 0o600 });
      recipient = /public key: (age1[0-9a-z]+)/.exec(k.out)![1]!;
      const e = await civiguard(['keygen']);
      writeFileSync(escrowFile, e.out, { mode: 0o600 });
      const r = await civiguard(['init', '--repo', local, '--recipient', recipient, '--format', 'json']);
      assert.equal(r.code, 0, r.err);
      assert.equal(JSON.parse(r.out).mode, 'age');
    });

    it('copy makes the off-site replica; escrow stores the settings to a second key', async () => {
      const c = await civiguard(['copy', '--from', local, '--to', offsite, '--format', 'json']);
      assert.equal(c.code, 0, c.err);
      const escrowRecipient = /public key: (age1[0-9a-z]+)/.exec(readFileSync(escrowFile, 'utf8'))![1]!;
      const e = await civiguard([
        'escrow',
        '--repo',
        local,
        '--repo',
        offsite,
        '--recipient',
        escrowRecipient,
        '--settings',
        settings,
        '--format',
        'json',
      ]);
      assert.equal(e.code, 0, e.err);
      assert.deepEqual(JSON.parse(e.out).constants, ['CIVICRM_CRED_KEYS', 'CIVICRM_SITE_KEY']);
    });

    it('run backs up the database named in the settings file and the files to both replicas', async () => {
      const r = await civiguard(
        [
          'run',
          '--repo',
          local,
          '--repo',
          offsite,
          '--settings',
          settings,
          '--path',
          files,
          '--format',
          'json',
        ],
        env,
      );
      assert.equal(r.code, 0, r.err);
      const out = JSON.parse(r.out) as {
        ok: boolean;
        snapshot: string;
        destinations: { ok: boolean }[];
        catalogue: { sources: { kind: string; dumpExit?: number }[] };
      };
      assert.equal(out.ok, true);
      assert.deepEqual(
        out.destinations.map((d) => d.ok),
        [true, true],
      );
      assert.deepEqual(
        out.catalogue.sources.map((s) => s.kind),
        ['mariadb', 'files'],
      );
      snapshot = out.snapshot;
    });

    it('list shows the snapshot without a key; check --read-data verifies every byte with the identity', async () => {
      const l = await civiguard(['list', '--repo', offsite, '--format', 'json']);
      assert.equal(l.code, 0, l.err);
      assert.equal(JSON.parse(l.out).snapshots[0].id, snapshot);
      const c = await civiguard([
        'check',
        '--repo',
        offsite,
        '--read-data',
        '--identity',
        idFile,
        '--format',
        'json',
      ]);
      assert.equal(c.code, 0, c.err + c.out);
      const rep = JSON.parse(c.out) as { ok: boolean; decrypted: number; blobs: number };
      assert.equal(rep.decrypted, rep.blobs);
    });

    it('restore brings the files back and the dump into a new database (and refuses the live one)', async () => {
      const target = join(tmp.path, 'restored');
      const live = await civiguard([
        'restore',
        'latest',
        '--repo',
        offsite,
        '--identity',
        idFile,
        '--db',
        db.dsn('civicrm'),
      ]);
      assert.equal(live.code, 2);
      assert.match(live.err, /live database/);
      await db.query('CREATE DATABASE civicrm_copy');
      const r = await civiguard(
        [
          'restore',
          snapshot.slice(0, 10),
          '--repo',
          offsite,
          '--identity',
          idFile,
          '--target',
          target,
          '--db',
          db.dsn('civicrm_copy'),
          '--format',
          'json',
        ],
        env,
      );
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(compareTrees(files, join(target, files), ['templates_c', 'civicrm.settings.php']), []);
      const [n] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM civicrm_contact', 'civicrm_copy');
      assert.equal(Number(n!.n), 25);
    });

    it('drill restores into a scratch database, records the result, and the audit sees it', async () => {
      const d = await civiguard([
        'drill',
        '--repo',
        local,
        '--identity',
        idFile,
        '--scratch-db',
        db.dsn(''),
        '--format',
        'json',
      ]);
      assert.equal(d.code, 0, d.err + d.out);
      assert.equal(JSON.parse(d.out).ok, true);
      const out = await runChecks({ ...testTarget(), backupRepos: [local, offsite] }, backupChecks);
      const by = Object.fromEntries(out.results.map((r) => [r.id ?? r.check, r.status]));
      assert.equal(by['backup.recent'], 'pass');
      assert.equal(by['backup.encrypted'], 'pass');
      assert.equal(by['backup.restorable'], 'pass');
      assert.equal(by['backup.key-escrow'], 'pass');
      // the SFTP server is on this machine (loopback), so it is not an off-site copy
      assert.equal(by['backup.offsite.no-offsite'], 'fail');
    });

    it('forget --prune keeps the policy and leaves a clean repository', async () => {
      const again = await civiguard(
        ['run', '--repo', local, '--settings', settings, '--path', files, '--format', 'json'],
        env,
      );
      assert.equal(again.code, 0, again.err);
      const f = await civiguard([
        'forget',
        '--repo',
        local,
        '--keep-last',
        '1',
        '--prune',
        '--format',
        'json',
      ]);
      assert.equal(f.code, 0, f.err);
      const res = JSON.parse(f.out) as { keep: unknown[]; remove: unknown[] };
      assert.equal(res.keep.length, 1);
      assert.equal(res.remove.length, 1);
      const c = await civiguard([
        'check',
        '--repo',
        local,
        '--read-data',
        '--identity',
        idFile,
        '--format',
        'json',
      ]);
      assert.equal(c.code, 0, c.out);
    });
  },
);
