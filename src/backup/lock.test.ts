import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CiviguardError } from '../core/errors.js';
import { LocalBackend } from './backends/local.js';
import { encodeSelfChecked } from './format.js';
import type { LockInfo } from './lock.js';
import { RepoLock, removeStaleLocks, staleReason } from './lock.js';
import { Repository } from './repository.js';
import { runBackup } from './run.js';
import { makeSourceTree, newIdentity, tempDir } from './testing/fixtures.js';

const locked = (e: unknown) => e instanceof CiviguardError && e.code === 'E_BACKUP_LOCKED';

function lockInfo(over: Partial<LockInfo>): LockInfo {
  const now = new Date().toISOString();
  return {
    v: 1,
    host: hostname(),
    pid: process.pid,
    start: null,
    time: now,
    refreshed: now,
    exclusive: true,
    command: 'backup prune',
    ...over,
  };
}

/** The pid of a process that has exited (a stale lock's holder). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

describe('backup: repository locks', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const b = new LocalBackend(join(tmp.path, 'repo'));

  it('shared locks coexist; exclusive excludes both ways', async () => {
    await Repository.init(b, { recipients: [(await newIdentity()).recipient] });
    const s1 = await RepoLock.acquire(b, { exclusive: false, command: 'backup run' });
    const s2 = await RepoLock.acquire(b, { exclusive: false, command: 'backup check' });
    await assert.rejects(RepoLock.acquire(b, { exclusive: true, command: 'backup prune' }), locked);
    await s1.release();
    await s2.release();
    const x = await RepoLock.acquire(b, { exclusive: true, command: 'backup prune' });
    await assert.rejects(
      RepoLock.acquire(b, { exclusive: false, command: 'backup run' }),
      (e) => locked(e) && /backup prune/.test((e as Error).message),
    );
    await x.release();
    assert.deepEqual(await b.list('locks'), [], 'a refused taker leaves no lock behind');
  });

  it('a lock of a dead process on this host is stale and removed, with a note', async () => {
    await b.write('locks/dead', [encodeSelfChecked(lockInfo({ pid: deadPid() }))]);
    const notes: string[] = [];
    const l = await RepoLock.acquire(b, {
      exclusive: true,
      command: 'backup prune',
      note: (m) => notes.push(m),
    });
    await l.release();
    assert.match(notes.join('\n'), /removed stale lock locks\/dead .*is gone/);
  });

  const cases: { name: string; info: Partial<LockInfo>; stale: RegExp | null }[] = [
    { name: 'live process on this host', info: {}, stale: null },
    { name: 'dead process on this host', info: { pid: -1 }, stale: /is gone/ },
    { name: 'pid reused by a later process', info: { start: 1 }, stale: /different process/ },
    { name: 'another host, refreshed recently', info: { host: 'elsewhere', pid: 1 }, stale: null },
    {
      name: 'another host, not refreshed for an hour',
      info: { host: 'elsewhere', pid: 1, refreshed: new Date(Date.now() - 3600_000).toISOString() },
      stale: /not refreshed/,
    },
  ];
  for (const c of cases) {
    it(`staleness: ${c.name}`, () => {
      const info = lockInfo(c.info);
      if (c.info.pid === -1) info.pid = deadPid();
      const why = staleReason(info);
      if (c.stale) assert.match(why ?? '', c.stale);
      else assert.equal(why, null);
    });
  }

  it('unlock removes stale locks only, never a live one', async () => {
    await b.write('locks/live', [encodeSelfChecked(lockInfo({ host: 'elsewhere', pid: 1 }))]);
    await b.write('locks/old', [
      encodeSelfChecked(lockInfo({ host: 'elsewhere', pid: 1, refreshed: '2000-01-01T00:00:00.000Z' })),
    ]);
    const r = await removeStaleLocks(b);
    assert.equal(r.removed.length, 1);
    assert.equal(r.live.length, 1);
    assert.deepEqual(
      (await b.list('locks')).map((f) => f.name),
      ['locks/live'],
    );
  });

  it('a run against an exclusively locked repository fails clearly and writes nothing', async () => {
    const src = join(tmp.path, 'src');
    makeSourceTree(src, { bigBytes: 1000, smallFiles: 1 });
    await assert.rejects(
      runBackup({
        dests: [{ backend: b, required: true }],
        sources: [{ kind: 'files', path: src }],
        unlock: {},
        cacheDir: null,
      }),
      (e) => e instanceof CiviguardError && /locked .*backup prune/.test(e.message),
    );
    assert.deepEqual(await b.list('snapshots'), []);
    assert.deepEqual(await b.list('keys'), []);
    await b.remove('locks/live');
  });
});
