import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CiviguardError } from '../core/errors.js';
import { LocalBackend } from './backends/local.js';
import { Repository } from './repository.js';
import { runBackup } from './run.js';
import { newIdentity, tempDir } from './testing/fixtures.js';
import { checkRepository } from './verify.js';
import { WorkerPool } from './worker/pool.js';

/** Packs are written as temp files into the first required local repository, then renamed into place. */
describe('backup run: packs staged in the local repository', () => {
  const tmp = tempDir();
  const src = join(tmp.path, 'src');
  const repoDir = join(tmp.path, 'repo');
  let id: { identity: string; recipient: string };

  before(async () => {
    mkdirSync(src, { recursive: true });
    // 24 MiB of incompressible data (several packs) and some text
    for (let i = 0; i < 6; i++) writeFileSync(join(src, `blob-${i}.bin`), randomBytes(4 * 1024 * 1024));
    for (let i = 0; i < 50; i++) writeFileSync(join(src, `note-${i}.txt`), `row ${i}\n`.repeat(400));
    id = await newIdentity();
    await Repository.init(new LocalBackend(repoDir), { recipients: [id.recipient] });
  });
  after(() => tmp.cleanup());

  const tempsIn = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.tmp-'));

  it('an interrupted run removes its half-made packs, records nothing, and the next run succeeds', async () => {
    const controller = new AbortController();
    await assert.rejects(
      runBackup({
        dests: [{ backend: new LocalBackend(repoDir), required: true }],
        sources: [{ kind: 'files', path: src }],
        unlock: {},
        cacheDir: null,
        signal: controller.signal,
        // interrupt once the first data is sealed: packs are being filled at that point
        onProgress: (p) => {
          if (p.newBytes > 0 || p.bytes > 8 * 1024 * 1024) controller.abort();
        },
      }),
      (e) => e instanceof CiviguardError && e.code === 'E_ABORTED',
    );
    assert.deepEqual(tempsIn(join(repoDir, 'data')), [], 'no staged temp file is left');
    const b = new LocalBackend(repoDir);
    assert.deepEqual(await b.list('snapshots'), []);
    assert.deepEqual(await b.listTemp(), []);

    const ok = await runBackup({
      dests: [{ backend: b, required: true }],
      sources: [{ kind: 'files', path: src }],
      unlock: {},
      cacheDir: null,
    });
    assert.equal(ok.ok, true);
    assert.deepEqual(tempsIn(join(repoDir, 'data')), []);
    const packs = await b.list('data');
    assert.ok(packs.length >= 6, `${packs.length} packs`);
    const pool = new WorkerPool(1);
    try {
      const rep = await checkRepository(await Repository.open(b, { identities: [id.identity] }), {
        readData: true,
        pool,
      });
      assert.equal(rep.ok, true, JSON.stringify(rep.problems));
    } finally {
      await pool.close();
    }
  });
});
