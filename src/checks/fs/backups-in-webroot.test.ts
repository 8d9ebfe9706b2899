import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import type { FixtureCms, SiteFixture } from '../../test-support/sites/index.js';
import { buildSite } from '../../test-support/sites/index.js';
import { localFacts } from '../../test-support/sites/facts.js';
import backups, { isDumpOrArchive } from './backups-in-webroot.js';

const made: SiteFixture[] = [];
const tmp: string[] = [];
after(() => {
  made.forEach((s) => s.remove());
  tmp.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const cases: { name: string; cms: FixtureCms; files: (fx: SiteFixture) => string[]; expect: string }[] = [
  { name: 'clean tree', cms: 'drupal7', files: () => [], expect: 'fs.backups-in-webroot:pass' },
  {
    name: 'dump in the document root',
    cms: 'drupal7',
    files: (fx) => [join(fx.webRoot, 'civicrm-2024-01-01.sql.gz')],
    expect: 'fs.backups-in-webroot:fail',
  },
  {
    name: 'site archive in a deep dir',
    cms: 'joomla',
    files: (fx) => [join(fx.webRoot, 'tmp', 'old', 'site.tar.gz')],
    expect: 'fs.backups-in-webroot:fail',
  },
  {
    name: 'zip in the uploads dir',
    cms: 'wordpress',
    files: (fx) => [join(fx.webRoot, 'wp-content', 'uploads', 'backup.zip')],
    expect: 'fs.backups-in-webroot:fail',
  },
  {
    name: 'pre-compressed assets and rotated CiviCRM logs are not dumps',
    cms: 'backdrop',
    files: (fx) => [
      join(fx.webRoot, 'core', 'misc', 'jquery.js.gz'),
      join(fx.dirs.log, 'CiviCRM.abc.log.2.gz'),
    ],
    expect: 'fs.backups-in-webroot:pass',
  },
];

describe('fs.backups-in-webroot (real trees)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const fx = buildSite(c.cms);
      made.push(fx);
      for (const f of c.files(fx)) {
        mkdirSync(join(f, '..'), { recursive: true });
        writeFileSync(f, '-- MariaDB dump 10.19\n');
      }
      const r = judge(backups, await localFacts(fx));
      assert.deepEqual(statuses(r), [c.expect], JSON.stringify(r));
    });
  }

  it("a dump in Debian's wp-content (served through the alias, outside the document root)", async () => {
    const content = mkdtempSync(join(tmpdir(), 'civiguard-content-'));
    tmp.push(content);
    const fx = buildSite('wordpress', { contentDir: content });
    made.push(fx);
    writeFileSync(join(content, 'uploads', 'db.sql'), 'CREATE TABLE x (id int);\n');
    const r = judge(backups, await localFacts(fx));
    assert.deepEqual(statuses(r), ['fs.backups-in-webroot:fail']);
    assert.match(r[0]!.message, /db\.sql/);
  });

  it('a dump outside every served tree is not reported', async () => {
    const fx = buildSite('drupal8', { composer: true });
    made.push(fx);
    writeFileSync(join(fx.root, 'backup.sql'), 'x');
    const r = judge(backups, await localFacts(fx));
    assert.deepEqual(statuses(r), ['fs.backups-in-webroot:pass']);
  });

  it('name table', () => {
    for (const n of ['a.sql', 'a.SQL.GZ', 'x.tar.zst', 'x.tgz', 'x.7z', 'db.dump', 'x.rar'])
      assert.ok(isDumpOrArchive(n), n);
    for (const n of ['a.php', 'a.css.gz', 'CiviCRM.x.log.1.gz', 'sql.php', 'zip.js'])
      assert.ok(!isDumpOrArchive(n), n);
  });
});
