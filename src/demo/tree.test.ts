import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { discoverLayout } from '../probes/local/layout.js';
import { DEMO_DSN, WEAK_SITE_KEY, createDemoTree } from './tree.js';

const parents: string[] = [];
const parent = () => {
  const d = mkdtempSync(join(tmpdir(), 'civiguard-demo-tree-test-'));
  parents.push(d);
  return d;
};
after(() => parents.forEach((d) => rmSync(d, { recursive: true, force: true })));

const mode = (p: string) => statSync(p).mode & 0o777;

describe('demo tree', () => {
  it('is a Drupal 10 composer site with CiviCRM that the layout discovery recognises', () => {
    const tree = createDemoTree(parent());
    try {
      const l = discoverLayout(tree.root, { host: 'demo.civiguard.test', port: 44321 });
      assert.equal(l.cms, 'drupal');
      assert.equal(l.variant, 'drupal8');
      assert.equal(l.webRoot, tree.webRoot);
      assert.equal(l.settingsFile, tree.civicrmSettings);
      assert.deepEqual(l.settings?.siteKey, { state: 'set', value: WEAK_SITE_KEY });
      assert.deepEqual(l.settings?.dsn, { state: 'set', value: DEMO_DSN });
      assert.deepEqual(l.settings?.credKeys, { state: 'set', value: '' });
      assert.equal(l.settings?.signKeys.state, 'missing');
      assert.deepEqual(l.settings?.overrides['debug_enabled'], { state: 'set', value: 1 });
      for (const kind of ['upload', 'custom', 'log', 'compile', 'persist'] as const) {
        const d = l.dirs.find((x) => x.kind === kind)!;
        assert.ok(d.exists && d.inWebRoot, `${kind}: ${d.path}`);
        assert.ok(d.path!.startsWith(tree.filesRoot), d.path!);
      }
      assert.deepEqual(
        l.logFiles.map((f) => f.urls[0]),
        ['sites/default/files/civicrm/ConfigAndLog/CiviCRM.5f3a9c2e7b1d4086.log'],
      );
      assert.match(readFileSync(l.logFiles[0]!.path, 'utf8'), /4111 1111 1111 1111/);
      assert.ok(
        l.codeRoots.includes(join(tree.root, 'vendor', 'civicrm', 'civicrm-core')),
        l.codeRoots.join(),
      );
    } finally {
      tree.remove();
    }
  });

  it('sets the planted modes whatever the umask is', () => {
    const old = process.umask(0o077);
    let tree;
    try {
      tree = createDemoTree(parent());
    } finally {
      process.umask(old);
    }
    try {
      assert.equal(mode(tree.writableCode), 0o666);
      assert.equal(mode(tree.civicrmSettings), 0o644);
      assert.equal(mode(join(tree.webRoot, 'sites', 'default', 'settings.php')), 0o640);
      assert.equal(mode(join(tree.webRoot, 'index.php')), 0o644);
      assert.equal(mode(join(tree.filesRoot, 'upload')), 0o755);
      assert.equal(mode(join(tree.webRoot, 'modules', 'custom', 'park_donate')), 0o755);
      // The temp dir itself stays private to the user.
      assert.equal(mode(tree.dir), 0o700);
      assert.ok(existsSync(join(tree.webRoot, 'backup.sql')));
      assert.equal(readFileSync(tree.accessLog, 'utf8'), '');
    } finally {
      tree.remove();
    }
  });

  it('remove() deletes everything, twice is harmless', () => {
    const p = parent();
    const tree = createDemoTree(p);
    tree.remove();
    tree.remove();
    assert.equal(existsSync(tree.dir), false);
    assert.deepEqual(readdirSync(p), []);
  });

  it('is removed on a hard process exit that skipped remove()', () => {
    const p = parent();
    const treeModule = fileURLToPath(new URL('./tree.ts', import.meta.url));
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        import.meta.resolve('tsx'),
        '--input-type=module',
        '-e',
        `const { createDemoTree } = await import(${JSON.stringify(treeModule)});
         const t = createDemoTree(${JSON.stringify(p)});
         console.log(t.dir);
         process.exit(3);`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(r.status, 3, r.stderr);
    const dir = r.stdout.trim();
    assert.ok(dir.startsWith(p), r.stdout);
    assert.equal(existsSync(dir), false, 'left behind');
    assert.deepEqual(readdirSync(p), []);
  });
});
