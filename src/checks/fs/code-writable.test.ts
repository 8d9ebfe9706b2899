import assert from 'node:assert/strict';
import { chmodSync, chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import type { FixtureCms, SiteFixture } from '../../test-support/sites/index.js';
import { buildSite } from '../../test-support/sites/index.js';
import { localFacts, phpUser } from '../../test-support/sites/facts.js';
import codeWritable from './code-writable.js';

const WEB_UID = 33; // www-data on Debian
const made: SiteFixture[] = [];
after(() => made.forEach((s) => s.remove()));

interface Case {
  name: string;
  cms: FixtureCms;
  /** Changes made to the fixture tree before the walk (real chmod/chown). */
  setup: (fx: SiteFixture) => void;
  web?: 'www-data' | 'unknown' | 'root';
  expect: string[];
}

const cases: Case[] = [
  {
    name: 'clean tree, root-owned 644/755',
    cms: 'drupal7',
    setup: () => undefined,
    expect: ['fs.code-writable:pass'],
  },
  {
    name: 'a module file owned by the PHP user',
    cms: 'drupal7',
    setup: (fx) => chownSync(join(fx.webRoot, 'modules', 'system', 'system.module'), WEB_UID, WEB_UID),
    expect: ['fs.code-writable.php-user-writable:fail'],
  },
  {
    name: 'a code dir group-writable by the PHP group',
    cms: 'wordpress',
    setup: (fx) => {
      const d = join(fx.webRoot, 'wp-includes');
      chownSync(d, 0, WEB_UID);
      chmodSync(d, 0o775);
    },
    expect: ['fs.code-writable.php-user-writable:fail'],
  },
  {
    name: 'world-writable index.php is an error',
    cms: 'backdrop',
    setup: (fx) => chmodSync(join(fx.webRoot, 'index.php'), 0o666),
    expect: ['fs.code-writable.world-writable:fail', 'fs.code-writable:pass'],
  },
  {
    name: 'data dirs (upload, templates_c) owned by the PHP user are not code',
    cms: 'joomla',
    setup: (fx) => {
      for (const d of [fx.dirs.upload, fx.dirs.compile, fx.dirs.log]) chownSync(d, WEB_UID, WEB_UID);
      writeFileSync(join(fx.dirs.compile, 'x.tpl.php'), '<?php');
      chownSync(join(fx.dirs.compile, 'x.tpl.php'), WEB_UID, WEB_UID);
    },
    expect: ['fs.code-writable:pass'],
  },
  {
    name: 'an extension in [civicrm.files]/ext is code',
    cms: 'standalone',
    setup: (fx) => {
      writeFileSync(join(fx.dirs.ext, 'evil.php'), '<?php');
      chownSync(join(fx.dirs.ext, 'evil.php'), WEB_UID, WEB_UID);
    },
    expect: ['fs.code-writable.php-user-writable:fail'],
  },
  {
    name: 'PHP running as root is an error of its own',
    cms: 'backdrop',
    setup: () => undefined,
    web: 'root',
    expect: ['fs.code-writable.php-as-root:fail'],
  },
  {
    name: 'PHP user unknown: world-writable still judged, the rest skipped with the reason',
    cms: 'drupal8',
    setup: (fx) => chmodSync(join(fx.webRoot, 'index.php'), 0o646),
    web: 'unknown',
    expect: ['fs.code-writable.world-writable:fail', 'fs.code-writable.php-user:skip'],
  },
  {
    name: 'PHP user unknown, nothing world-writable: skip, never pass',
    cms: 'drupal8',
    setup: () => undefined,
    web: 'unknown',
    expect: ['fs.code-writable.php-user:skip', 'fs.code-writable:skip'],
  },
];

describe('fs.code-writable (real trees, real modes)', () => {
  for (const c of cases) {
    it(c.name, async (t) => {
      if (process.getuid?.() !== 0) return t.skip('needs root to chown fixture files');
      const fx = buildSite(c.cms);
      made.push(fx);
      c.setup(fx);
      const facts = await localFacts(fx);
      const web =
        c.web === 'unknown'
          ? { ok: false as const, status: 'skip' as const, reason: 'no PHP process found', durationMs: 1 }
          : c.web === 'root'
            ? phpUser('root', 0)
            : phpUser('www-data', WEB_UID);
      const results = judge(codeWritable, facts, { web });
      assert.deepEqual(statuses(results), c.expect, JSON.stringify(results, null, 1));
    });
  }
});
