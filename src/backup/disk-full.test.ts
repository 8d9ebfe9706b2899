import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CiviguardError } from '../core/errors.js';
import { LocalBackend } from './backends/local.js';
import { Repository } from './repository.js';
import { runBackup } from './run.js';
import { newIdentity, tempDir } from './testing/fixtures.js';
import { checkRepository } from './verify.js';

/** A destination on a full disk (a 3 MiB tmpfs): a clear error, nothing recorded, nothing lost. */
describe('backup: full disk', () => {
  const tmp = tempDir();
  const mnt = join(tmp.path, 'small');
  const src = join(tmp.path, 'src');
  let mounted = false;
  let why = '';

  before(() => {
    mkdirSync(mnt);
    mkdirSync(src);
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m,mode=0700', 'tmpfs', mnt], {
      encoding: 'utf8',
    });
    mounted = r.status === 0;
    why = r.stderr || r.error?.message || 'mount failed';
  });
  after(() => {
    if (mounted) spawnSync('umount', [mnt]);
    tmp.cleanup();
  });

  it('fails with ENOSPC named, records no snapshot, leaves no temp file, and the next (smaller) run succeeds', async (t) => {
    if (!mounted) return t.skip(`cannot mount a tmpfs (needs root): ${why.trim()}`);
    const repoDir = join(mnt, 'repo');
    const id = await newIdentity();
    await Repository.init(new LocalBackend(repoDir), { recipients: [id.recipient] });
    writeFileSync(join(src, 'big.bin'), randomBytes(6 * 1024 * 1024));
    await assert.rejects(
      runBackup({
        dests: [{ backend: new LocalBackend(repoDir), required: true }],
        sources: [{ kind: 'files', path: src }],
        unlock: {},
        cacheDir: null,
      }),
      (e) => e instanceof CiviguardError && /no space left on the device \(ENOSPC\)/.test(e.message),
    );
    const b = new LocalBackend(repoDir);
    assert.deepEqual(await b.list('snapshots'), []);
    assert.deepEqual(await b.listTemp(), []);
    const rep = await checkRepository(await Repository.open(b, { identities: [id.identity] }), {
      readData: false,
      pool: null,
    });
    assert.equal(rep.ok, true, JSON.stringify(rep.problems));

    rmSync(join(src, 'big.bin'));
    writeFileSync(join(src, 'small.txt'), 'fits\n'.repeat(1000));
    const ok = await runBackup({
      dests: [{ backend: b, required: true }],
      sources: [{ kind: 'files', path: src }],
      unlock: {},
      cacheDir: null,
    });
    assert.equal(ok.ok, true);
    assert.equal((await b.list('snapshots')).length, 1);
  });

  it('with a second destination, the full one fails alone and the run reports it', async (t) => {
    if (!mounted) return t.skip(`cannot mount a tmpfs (needs root): ${why.trim()}`);
    const id = await newIdentity();
    const good = join(tmp.path, 'good');
    await Repository.init(new LocalBackend(good), { recipients: [id.recipient] });
    const { copyRepository } = await import('./copy.js');
    const full = join(mnt, 'replica');
    await copyRepository(await Repository.openLocked(new LocalBackend(good)), new LocalBackend(full));
    writeFileSync(join(src, 'big2.bin'), randomBytes(5 * 1024 * 1024));
    const r = await runBackup({
      dests: [
        { backend: new LocalBackend(good), required: true },
        { backend: new LocalBackend(full), required: true },
      ],
      sources: [{ kind: 'files', path: src }],
      unlock: {},
      cacheDir: null,
    });
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.destinations.map((d) => d.ok),
      [true, false],
    );
    assert.match(r.destinations[1]!.error ?? '', /ENOSPC/);
    assert.equal((await new LocalBackend(good).list('snapshots')).length, 1);
    assert.equal((await new LocalBackend(full).list('snapshots')).length, 0);
  });
});
