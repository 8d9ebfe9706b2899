import assert from 'node:assert/strict';
import { cpSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CiviguardError } from '../core/errors.js';
import { LocalBackend } from './backends/local.js';
import { Repository } from './repository.js';
import { restoreSnapshot } from './restore.js';
import { runBackup } from './run.js';
import { flipByte, listFiles, makeSourceTree, newIdentity, tempDir } from './testing/fixtures.js';
import { checkRepository } from './verify.js';
import { WorkerPool } from './worker/pool.js';

/** A flipped byte anywhere in the repository is detected, and the damaged file (and blob) is named. */
describe('backup: corruption is detected and named', () => {
  const tmp = tempDir();
  const pristine = join(tmp.path, 'pristine');
  let id: { identity: string; recipient: string };
  let pool: WorkerPool;
  let files: string[];

  before(async () => {
    const src = join(tmp.path, 'src');
    makeSourceTree(src);
    id = await newIdentity();
    pool = new WorkerPool(2);
    await Repository.init(new LocalBackend(pristine), { recipients: [id.recipient] });
    for (let i = 0; i < 2; i++) {
      const r = await runBackup({
        dests: [{ backend: new LocalBackend(pristine), required: true }],
        sources: [{ kind: 'files', path: src }],
        unlock: {},
        cacheDir: null,
      });
      assert.equal(r.ok, true);
    }
    files = listFiles(pristine);
  });
  after(async () => {
    await pool.close();
    tmp.cleanup();
  });

  let n = 0;
  const damaged = (
    pick: (f: string) => boolean,
    where: (file: string) => number,
  ): { dir: string; file: string } => {
    const dir = join(tmp.path, `case-${n++}`);
    cpSync(pristine, dir, { recursive: true });
    const file = files.find(pick);
    assert.ok(file, 'no such file in the repository');
    flipByte(join(dir, file), where(join(dir, file)));
    return { dir, file };
  };
  const check = async (dir: string, readData: boolean, withKey = true) => {
    const repo = await Repository.open(new LocalBackend(dir), withKey ? { identities: [id.identity] } : {});
    return checkRepository(repo, { readData, pool });
  };

  it('the undamaged repository checks clean (the control case)', async () => {
    const rep = await check(pristine, true);
    assert.equal(rep.ok, true, JSON.stringify(rep.problems));
  });

  const cases: {
    name: string;
    pick: (f: string) => boolean;
    at: (file: string) => number;
    readData: boolean;
    withKey?: boolean;
    expect: RegExp;
  }[] = [
    {
      name: 'a byte inside a data blob (with the identity: the blob is named)',
      pick: (f) => f.startsWith('data/'),
      at: () => 200,
      readData: true,
      expect: /authentication failed|does not match its name/,
    },
    {
      name: 'a byte inside a data blob (write-only, no identity: the pack is named)',
      pick: (f) => f.startsWith('data/'),
      at: () => 200,
      readData: true,
      withKey: false,
      expect: /does not match its name/,
    },
    {
      name: 'a byte in a pack header',
      pick: (f) => f.startsWith('data/'),
      at: (f) => statSync(f).size - 20,
      readData: true,
      expect: /header|does not match its name/,
    },
    {
      name: 'a byte in an index file',
      pick: (f) => f.startsWith('index/'),
      at: () => 30,
      readData: false,
      expect: /does not match its name/,
    },
    {
      name: 'a byte in a snapshot',
      pick: (f) => f.startsWith('snapshots/'),
      at: () => 40,
      readData: false,
      expect: /does not match its name/,
    },
    {
      name: 'a byte in a refs file',
      pick: (f) => f.startsWith('refs/'),
      at: (f) => statSync(f).size - 3,
      readData: false,
      expect: /does not match its name/,
    },
    {
      name: 'a byte in a key file',
      pick: (f) => f.startsWith('keys/'),
      at: () => 60,
      readData: false,
      expect: /does not match its name/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { dir, file } = damaged(c.pick, c.at);
      const rep = await check(dir, c.readData, c.withKey ?? true);
      assert.equal(rep.ok, false, `not detected: ${file}`);
      const hit = rep.problems.find((p) => p.level === 'error' && p.file === file);
      assert.ok(hit, `problem does not name ${file}: ${JSON.stringify(rep.problems)}`);
      assert.match(hit.message, c.expect);
    });
  }

  it('with the identity, a damaged blob is named by id and offset', async () => {
    const { dir, file } = damaged(
      (f) => f.startsWith('data/'),
      () => 200,
    );
    const rep = await check(dir, true);
    const blob = rep.problems.find((p) => p.blob && p.file === file);
    assert.ok(blob, JSON.stringify(rep.problems));
    assert.match(blob.message, /@\d+: blob [0-9a-f]{64}: authentication failed/);
  });

  it('a damaged config is refused at open', async () => {
    const { dir } = damaged(
      (f) => f === 'config',
      () => 30,
    );
    await assert.rejects(
      Repository.open(new LocalBackend(dir), {}),
      (e) =>
        e instanceof CiviguardError &&
        /config/.test(e.message) &&
        (e.code === 'E_BACKUP_CORRUPT' || e.code === 'E_BACKUP'),
    );
  });

  it('restore stops at a damaged blob with its id instead of writing wrong bytes', async () => {
    const { dir } = damaged(
      (f) => f.startsWith('data/') && readFileSync(join(pristine, f)).length > 1_000_000,
      () => 200,
    );
    const repo = await Repository.open(new LocalBackend(dir), { identities: [id.identity] });
    await assert.rejects(
      restoreSnapshot(repo, await repo.findSnapshot('latest'), {
        target: join(tmp.path, 'out'),
        databases: new Map(),
        force: false,
        pool,
      }),
      (e) =>
        e instanceof CiviguardError && e.code === 'E_BACKUP_CORRUPT' && /blob [0-9a-f]{64}/.test(e.message),
    );
  });
});
