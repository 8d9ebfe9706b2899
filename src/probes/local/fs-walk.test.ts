import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KIND_DIR, KIND_FILE, KIND_SYMLINK, distinctRoots, insideAny, walkTrees } from './fs-walk.js';

const base = mkdtempSync(join(tmpdir(), 'civiguard-walk-'));
after(() => rmSync(base, { recursive: true, force: true }));

function tree(name: string): string {
  const root = join(base, name);
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  writeFileSync(join(root, 'index.php'), '<?php');
  writeFileSync(join(root, 'a', 'one.php'), '<?php');
  writeFileSync(join(root, 'a', 'b', 'two.php'), '<?php');
  return root;
}

const kinds = (r: Awaited<ReturnType<typeof walkTrees>>, root: string) =>
  Object.fromEntries(r.table.paths.map((p, i) => [p.slice(root.length) || '/', r.table.kind[i]]));

describe('fs walk', () => {
  it('lists every entry with type, mode, owner and size', async () => {
    const root = tree('plain');
    chmodSync(join(root, 'index.php'), 0o640);
    const r = await walkTrees([root]);
    assert.deepEqual(kinds(r, root), {
      '/': KIND_DIR,
      '/index.php': KIND_FILE,
      '/a': KIND_DIR,
      '/a/one.php': KIND_FILE,
      '/a/b': KIND_DIR,
      '/a/b/two.php': KIND_FILE,
    });
    const i = r.table.paths.indexOf(join(root, 'index.php'));
    assert.equal(r.table.mode[i], 0o640);
    assert.equal(r.table.size[i], 5);
    assert.equal(r.truncated, false);
  });

  it('symlinks are listed, never followed: a loop and a link out of the root are harmless', async () => {
    const root = tree('links');
    symlinkSync(root, join(root, 'a', 'loop'));
    symlinkSync('/etc', join(root, 'etc-link'));
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling'));
    const r = await walkTrees([root]);
    const k = kinds(r, root);
    assert.equal(k['/a/loop'], KIND_SYMLINK);
    assert.equal(k['/etc-link'], KIND_SYMLINK);
    assert.ok(!r.table.paths.some((p) => p.startsWith(join(root, 'etc-link') + '/')));
    assert.ok(!r.table.paths.some((p) => p.startsWith('/etc/')));
    assert.equal(r.table.count, 9);
  });

  it('a dir reached twice (bind mount / nested roots) is walked once', async () => {
    const root = tree('nested');
    const r = await walkTrees([root, join(root, 'a'), root]);
    assert.deepEqual(r.roots, [root]);
    assert.equal(r.table.count, 6);
    assert.deepEqual(distinctRoots(['/x/y', '/x', '/z', '/x/y/z']), ['/x', '/z']);
  });

  it('caps: maxEntries marks the walk truncated, maxDepth stops descending', async () => {
    const root = tree('caps');
    const r = await walkTrees([root], { maxEntries: 3 });
    assert.equal(r.truncated, true);
    assert.equal(r.table.count, 3);
    const d = await walkTrees([root], { maxDepth: 1 });
    assert.equal(d.tooDeep, 1);
    assert.ok(!d.table.paths.includes(join(root, 'a', 'b', 'two.php')));
  });

  it('abort stops the walk with the signal reason', async () => {
    const root = join(base, 'big');
    for (let i = 0; i < 30; i++) {
      mkdirSync(join(root, `d${i}`), { recursive: true });
      for (let j = 0; j < 100; j++) writeFileSync(join(root, `d${i}`, `f${j}`), '');
    }
    const ac = new AbortController();
    ac.abort(new Error('stop now'));
    await assert.rejects(walkTrees([root], { signal: ac.signal, sliceSize: 100 }), /stop now/);
  });

  it('a missing root and an unreadable dir are counted as errors, the rest is still walked', async (t) => {
    const root = tree('perm');
    const r = await walkTrees([root, join(base, 'does-not-exist')]);
    assert.equal(r.errorCount, 1);
    assert.equal(r.errors[0]!.code, 'ENOENT');
    if (process.getuid?.() !== 0) return t.skip('needs root to run the walk as another user');
    chmodSync(base, 0o755);
    chmodSync(join(root, 'a'), 0o700);
    const script = `import { walkTrees } from ${JSON.stringify(new URL('./fs-walk.ts', import.meta.url).pathname)};
const r = await walkTrees([${JSON.stringify(root)}]);
console.log(JSON.stringify({ count: r.table.count, errors: r.errors }));`;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
      cwd: new URL('../../../', import.meta.url).pathname,
    });
    assert.equal(out.status, 0, out.stderr);
    const res = JSON.parse(out.stdout) as { count: number; errors: { path: string; code: string }[] };
    assert.deepEqual(res.errors, [{ path: join(root, 'a'), code: 'EACCES' }]);
    assert.equal(res.count, 3); // root, index.php, a (listed, not entered)
  });

  it('insideAny: prefix test on whole path components', () => {
    const inside = insideAny(['/srv/www/', '/var/lib/wp']);
    assert.equal(inside('/srv/www'), true);
    assert.equal(inside('/srv/www/a/b.php'), true);
    assert.equal(inside('/srv/www2/a.php'), false);
    assert.equal(inside('/var/lib/wp/x'), true);
    assert.equal(inside('/var/lib'), false);
    assert.equal(insideAny(['/'])('/anything'), true);
  });
});
