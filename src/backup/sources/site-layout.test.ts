import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../testing/fixtures.js';
import { discoverSitePaths } from './site-layout.js';

describe('site layout discovery for backups', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const mk = (root: string, rels: string[]) => {
    for (const r of rels) mkdirSync(join(root, r), { recursive: true });
  };

  const cases: { name: string; dirs: string[]; expect: string[] }[] = [
    {
      name: 'Drupal',
      dirs: [
        'sites/default/files/civicrm/upload',
        'sites/default/files/civicrm/custom',
        'sites/default/files/civicrm/templates_c',
        'sites/default/files/civicrm/ConfigAndLog',
      ],
      expect: ['sites/default/files/civicrm/upload', 'sites/default/files/civicrm/custom'],
    },
    {
      name: 'WordPress',
      dirs: ['wp-content/uploads/civicrm/persist', 'wp-content/uploads/civicrm/ext'],
      expect: ['wp-content/uploads/civicrm/persist', 'wp-content/uploads/civicrm/ext'],
    },
    { name: 'Joomla', dirs: ['media/civicrm/upload'], expect: ['media/civicrm/upload'] },
    { name: 'Backdrop', dirs: ['files/civicrm/custom'], expect: ['files/civicrm/custom'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const root = join(tmp.path, c.name);
      mk(root, c.dirs);
      const r = discoverSitePaths(root);
      assert.deepEqual(
        r.paths,
        c.expect.map((e) => join(root, e)),
      );
    });
  }

  it('adds literal custom template / PHP dirs from the settings file and notes tokens', () => {
    const root = join(tmp.path, 'custom');
    mk(root, ['sites/default/files/civicrm/upload', 'civicrm-custom/templates']);
    const settings = join(root, 'civicrm.settings.php');
    writeFileSync(
      settings,
      `<?php\n$civicrm_setting['domain']['customTemplateDir'] = '${join(root, 'civicrm-custom/templates')}';\n$civicrm_setting['domain']['customPHPPathDir'] = '[civicrm.files]/php';\n`,
    );
    const r = discoverSitePaths(root, settings);
    assert.deepEqual(r.paths, [
      join(root, 'sites/default/files/civicrm/upload'),
      join(root, 'civicrm-custom/templates'),
    ]);
    assert.match(r.notes.join('\n'), /customPHPPathDir .*token/);
  });

  it('says so when nothing is found', () => {
    const r = discoverSitePaths(join(tmp.path, 'Joomla', 'nothing-here'));
    assert.deepEqual(r.paths, []);
    assert.match(r.notes[0]!, /no CiviCRM data directory/);
  });
});
