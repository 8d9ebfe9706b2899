import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CiviguardError } from '../core/errors.js';
import { LocalBackend } from './backends/local.js';
import { decodeSelfChecked, encodeSelfChecked } from './format.js';
import { Repository } from './repository.js';
import { restoreSnapshot, sourceDir } from './restore.js';
import { runBackup } from './run.js';
import { compareTrees, makeSourceTree, newIdentity, tempDir } from './testing/fixtures.js';
import { checkRepository } from './verify.js';
import { WorkerPool } from './worker/pool.js';

const code = (e: unknown) => (e instanceof CiviguardError ? e.code : String(e));

describe('backup: local repository end to end', () => {
  const tmp = tempDir();
  const src = join(tmp.path, 'src');
  const repoDir = join(tmp.path, 'repo');
  const cache = join(tmp.path, 'cache');
  let id: { identity: string; recipient: string };
  let pool: WorkerPool;
  let excluded: string[];

  before(async () => {
    excluded = makeSourceTree(src).excluded;
    id = await newIdentity();
    pool = new WorkerPool(2);
    await Repository.init(new LocalBackend(repoDir), { recipients: [id.recipient] });
  });
  after(async () => {
    await pool.close();
    tmp.cleanup();
  });

  const run = (sources = [{ kind: 'files' as const, path: src }]) =>
    runBackup({
      dests: [{ backend: new LocalBackend(repoDir), required: true }],
      sources,
      unlock: {},
      cacheDir: cache,
    });

  it('backs up with only the public key, and the snapshot is listed without any key', async () => {
    const r = await run();
    assert.equal(r.ok, true, JSON.stringify(r.destinations));
    assert.ok(r.snapshot);
    assert.deepEqual(r.excludedSettings, [join(src, 'civicrm.settings.php')]);
    const repo = await Repository.open(new LocalBackend(repoDir), {});
    assert.equal(repo.keyring.canRead, false);
    const snaps = await repo.listSnapshots();
    assert.equal(snaps.length, 1);
    assert.equal(snaps[0]!.catalogue.encryption, 'age');
    assert.equal(snaps[0]!.catalogue.totals.files, 34);
  });

  it('cannot read its own snapshot without the identity (write-only)', async () => {
    const repo = await Repository.open(new LocalBackend(repoDir), {});
    const [snap] = await repo.listSnapshots();
    await assert.rejects(repo.openSealed(snap!), (e) => code(e) === 'E_BACKUP_KEY');
  });

  it('no file content or name appears in the repository in clear', async () => {
    const { listFiles } = await import('./testing/fixtures.js');
    const needle = Buffer.from('contact 7\ncontact 7');
    for (const f of listFiles(repoDir)) {
      const bytes = readFileSync(join(repoDir, f));
      assert.equal(bytes.includes(needle), false, `${f} holds file content`);
      assert.equal(bytes.includes(Buffer.from('note-7.txt')), false, `${f} holds a file name`);
    }
  });

  it('restores byte-identical with modes and times, leaving out templates_c and the settings file', async () => {
    const repo = await Repository.open(new LocalBackend(repoDir), { identities: [id.identity] });
    const snap = await repo.findSnapshot('latest');
    const target = join(tmp.path, 'restore1');
    const res = await restoreSnapshot(repo, snap, { target, databases: new Map(), force: false, pool });
    assert.equal(res.files, 34);
    const back = sourceDir(target, src);
    assert.deepEqual(compareTrees(src, back, excluded), []);
    assert.equal(existsSync(join(back, 'templates_c')), false);
    assert.equal(existsSync(join(back, 'civicrm.settings.php')), false);
  });

  it('refuses to restore into a non-empty directory without --force', async () => {
    const repo = await Repository.open(new LocalBackend(repoDir), { identities: [id.identity] });
    const snap = await repo.findSnapshot('latest');
    await assert.rejects(
      restoreSnapshot(repo, snap, {
        target: join(tmp.path, 'restore1'),
        databases: new Map(),
        force: false,
        pool,
      }),
      (e) => code(e) === 'E_USAGE',
    );
  });

  it('an unchanged re-run stores (almost) nothing and a small change stores only that change', async () => {
    const again = await run();
    assert.equal(again.catalogue!.totals.newBlobs, 0, 'unchanged: tree and data all deduplicated');
    appendFileSync(join(src, 'upload', 'deep', 'note-3.txt'), 'one more line\n');
    const changed = await run();
    assert.ok(
      changed.catalogue!.totals.newBlobs >= 1 && changed.catalogue!.totals.newBlobs <= 3,
      `newBlobs ${changed.catalogue!.totals.newBlobs}`,
    );
    assert.ok(changed.catalogue!.totals.newBytes < 100_000, `newBytes ${changed.catalogue!.totals.newBytes}`);
  });

  it('check verifies structure, and --read-data decrypts every blob with the identity', async () => {
    const noKey = await Repository.open(new LocalBackend(repoDir), {});
    const structural = await checkRepository(noKey, { readData: true, pool });
    assert.equal(structural.ok, true, JSON.stringify(structural.problems));
    assert.equal(structural.decrypted, 0);
    assert.match(structural.contentNotVerified ?? '', /without --identity/);
    const withKey = await Repository.open(new LocalBackend(repoDir), { identities: [id.identity] });
    const full = await checkRepository(withKey, { readData: true, pool });
    assert.equal(full.ok, true, JSON.stringify(full.problems));
    assert.equal(full.decrypted, full.blobs);
    assert.equal(full.snapshots, 3);
  });

  it('a wrong identity is refused with a clear error', async () => {
    const other = await newIdentity();
    await assert.rejects(
      Repository.open(new LocalBackend(repoDir), { identities: [other.identity] }),
      (e) => code(e) === 'E_BACKUP_KEY' && /wrong identity/.test((e as Error).message),
    );
  });

  it('a repository from a newer format version is refused, and nothing is written to it', async () => {
    const dir = join(tmp.path, 'newer');
    const b = new LocalBackend(dir);
    await Repository.init(b, { recipients: [id.recipient] });
    const cfg = decodeSelfChecked(readFileSync(join(dir, 'config')), 'config') as Record<string, unknown>;
    writeFileSync(join(dir, 'config'), encodeSelfChecked({ ...cfg, version: 2 }));
    await assert.rejects(
      Repository.open(b, {}),
      (e) => code(e) === 'E_BACKUP_VERSION' && /newer/.test((e as Error).message),
    );
    await assert.rejects(
      runBackup({
        dests: [{ backend: b, required: true }],
        sources: [{ kind: 'files', path: src }],
        unlock: {},
        cacheDir: null,
      }),
      (e) => code(e) === 'E_BACKUP_VERSION',
    );
    const { listFiles } = await import('./testing/fixtures.js');
    assert.deepEqual(listFiles(dir), ['config']);
  });

  it('init refuses to overwrite an existing repository', async () => {
    await assert.rejects(
      Repository.init(new LocalBackend(repoDir), { recipients: [id.recipient] }),
      (e) => code(e) === 'E_BACKUP',
    );
  });
});

describe('backup: passphrase repository', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('round-trips with the passphrase and refuses a wrong or missing one', async () => {
    const src = join(tmp.path, 'src');
    makeSourceTree(src, { bigBytes: 600_000, smallFiles: 3 });
    const dir = join(tmp.path, 'repo');
    await Repository.init(new LocalBackend(dir), { passphrase: 'correct horse battery staple' });
    await assert.rejects(
      Repository.open(new LocalBackend(dir), { passphrase: 'wrong horse' }),
      (e) => code(e) === 'E_BACKUP_KEY' && /wrong passphrase/.test((e as Error).message),
    );
    await assert.rejects(
      runBackup({
        dests: [{ backend: new LocalBackend(dir), required: true }],
        sources: [{ kind: 'files', path: src }],
        unlock: {},
        cacheDir: null,
      }),
      (e) => code(e) === 'E_BACKUP_KEY',
    );
    const r = await runBackup({
      dests: [{ backend: new LocalBackend(dir), required: true }],
      sources: [{ kind: 'files', path: src }],
      unlock: { passphrase: 'correct horse battery staple' },
      cacheDir: null,
    });
    assert.equal(r.ok, true);
    assert.equal(r.catalogue!.encryption, 'passphrase');
    const repo = await Repository.open(new LocalBackend(dir), { passphrase: 'correct horse battery staple' });
    const pool = new WorkerPool(1);
    try {
      const target = join(tmp.path, 'out');
      await restoreSnapshot(repo, await repo.findSnapshot('latest'), {
        target,
        databases: new Map(),
        force: false,
        pool,
      });
      assert.deepEqual(
        compareTrees(src, sourceDir(target, src), ['templates_c', 'civicrm.settings.php']),
        [],
      );
      const rep = await checkRepository(repo, { readData: true, pool });
      assert.equal(rep.ok, true);
      assert.equal(rep.decrypted, rep.blobs);
    } finally {
      await pool.close();
    }
  });
});
