import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalBackend } from './backends/local.js';
import { prune } from './prune.js';
import { Repository } from './repository.js';
import { restoreSnapshot, sourceDir } from './restore.js';
import { applyRetention } from './retention.js';
import { runBackup } from './run.js';
import { compareTrees, listFiles, makeSourceTree, newIdentity, tempDir } from './testing/fixtures.js';
import { checkRepository } from './verify.js';
import { WorkerPool } from './worker/pool.js';

describe('backup: forget and prune', () => {
  const tmp = tempDir();
  const src = join(tmp.path, 'src');
  const dir = join(tmp.path, 'repo');
  let id: { identity: string; recipient: string };
  let pool: WorkerPool;
  const size = () => listFiles(dir).filter((f) => f.startsWith('data/')).length;

  before(async () => {
    makeSourceTree(src, { bigBytes: 2 * 1024 * 1024, smallFiles: 10 });
    id = await newIdentity();
    pool = new WorkerPool(2);
    await Repository.init(new LocalBackend(dir), { recipients: [id.recipient] });
    // three generations: each replaces a large file and some small ones
    for (let gen = 0; gen < 3; gen++) {
      writeFileSync(join(src, 'upload', 'big.bin'), randomBytes(3 * 1024 * 1024));
      writeFileSync(join(src, 'upload', `gen-${gen}.txt`), `generation ${gen}\n`.repeat(1000));
      if (gen > 0) rmSync(join(src, 'upload', `gen-${gen - 1}.txt`));
      const r = await runBackup({
        dests: [{ backend: new LocalBackend(dir), required: true }],
        sources: [{ kind: 'files', path: src }],
        unlock: {},
        cacheDir: null,
      });
      assert.equal(r.ok, true);
    }
  });
  after(async () => {
    await pool.close();
    tmp.cleanup();
  });

  it('a dry run changes nothing', async () => {
    const before = listFiles(dir).sort();
    const r = await prune(await Repository.openLocked(new LocalBackend(dir)), { dryRun: true });
    assert.equal(r.dryRun, true);
    assert.equal(r.packsDeleted, 0, 'every pack is still used by some snapshot');
    assert.deepEqual(listFiles(dir).sort(), before);
  });

  it('forget (catalogue only, no key) then prune (no key) frees the data of forgotten snapshots', async () => {
    const repo = await Repository.openLocked(new LocalBackend(dir));
    const snaps = await repo.listSnapshots();
    assert.equal(snaps.length, 3);
    const d = applyRetention(
      snaps.map((s) => ({ id: s.id, time: s.catalogue.time })),
      { last: 1 },
    );
    assert.equal(d.remove.length, 2);
    for (const r of d.remove) await repo.backend.remove(`snapshots/${r.id}`);
    const packsBefore = size();
    const r = await prune(repo);
    assert.ok(r.blobsRemoved >= 2, `removed ${r.blobsRemoved} blobs`);
    assert.ok(r.bytesFreed > 5 * 1024 * 1024, `freed ${r.bytesFreed}`);
    assert.ok(size() <= packsBefore);
    assert.equal(listFiles(dir).filter((f) => f.startsWith('index/')).length, 1, 'one index after prune');
  });

  it('after prune the repository checks clean, every byte, and the kept snapshot restores', async () => {
    const repo = await Repository.open(new LocalBackend(dir), { identities: [id.identity] });
    const rep = await checkRepository(repo, { readData: true, pool });
    assert.equal(rep.ok, true, JSON.stringify(rep.problems));
    assert.equal(rep.problems.filter((p) => p.level === 'note').length, 0, JSON.stringify(rep.problems));
    assert.equal(rep.decrypted, rep.blobs);
    const target = join(tmp.path, 'out');
    await restoreSnapshot(repo, await repo.findSnapshot('latest'), {
      target,
      databases: new Map(),
      force: false,
      pool,
    });
    assert.deepEqual(compareTrees(src, sourceDir(target, src), ['templates_c', 'civicrm.settings.php']), []);
  });

  it('a second prune has nothing left to do', async () => {
    const r = await prune(await Repository.openLocked(new LocalBackend(dir)));
    assert.deepEqual([r.packsDeleted, r.packsRepacked, r.blobsRemoved], [0, 0, 0]);
  });
});
