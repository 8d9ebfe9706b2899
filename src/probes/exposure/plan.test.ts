import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CmsName } from '../../core/target.js';
import { settingsCopies, siteDirName } from './layout.js';
import { makePlan } from './plan.js';

describe('exposure plan', () => {
  // Always requested (initial + gates) and the worst case (every gated place alive), before follow-ups and baselines.
  const counts: { cms: CmsName; always: number; worst: number }[] = [
    { cms: 'drupal', always: 100, worst: 115 },
    { cms: 'wordpress', always: 100, worst: 115 },
    { cms: 'backdrop', always: 100, worst: 115 },
    { cms: 'joomla', always: 100, worst: 115 },
    { cms: 'standalone', always: 100, worst: 115 },
    { cms: 'unknown', always: 130, worst: 240 },
  ];
  for (const c of counts) {
    it(`${c.cms}: bounded (≤ ${c.always} always, ≤ ${c.worst} at worst), no path twice`, () => {
      const p = makePlan(c.cms, 'www.example.org');
      const always = [...p.initial, ...p.gated.flatMap((g) => g.gate)];
      const all = [...always, ...p.gated.flatMap((g) => g.deep)];
      assert.ok(always.length <= c.always, `${always.length} requests always`);
      assert.ok(all.length <= c.worst, `${all.length} requests at worst`);
      assert.equal(new Set(p.initial.map((i) => i.path)).size, p.initial.length);
      for (const i of all) assert.doesNotMatch(i.path, /^\//);
    });
  }

  it('Drupal: default site dir in depth, host-named dir gated', () => {
    const p = makePlan('drupal', 'www.example.org');
    const paths = p.initial.map((i) => i.path);
    assert.ok(paths.includes('sites/default/files/civicrm/upload/'));
    assert.ok(paths.includes('sites/default/files/civicrm/ConfigAndLog/CiviCRM.log'));
    assert.ok(paths.includes('sites/default/civicrm.settings.php.bak'));
    assert.ok(paths.includes('sites/default/.settings.php.swp'));
    assert.ok(
      paths.includes(
        'sites/all/modules/civicrm/packages/OpenFlashChart/php-ofc-library/ofc_upload_image.php',
      ),
    );
    assert.ok(paths.includes('www.example.org.sql'));
    assert.ok(paths.includes('example.sql'));
    const host = p.gated.find((g) => g.gate.some((i) => i.path === 'sites/www.example.org/files/civicrm/'));
    assert.ok(host?.deep.some((i) => i.path === 'sites/www.example.org/files/civicrm/upload/'));
  });

  it('Standalone: private/{tmp,attachment,log,cache} and private/civicrm.settings.php', () => {
    const p = makePlan('standalone', 'example.org');
    const byRole = Object.fromEntries(
      p.initial.filter((i) => i.group === 'dir').map((i) => [i.role, i.path]),
    );
    assert.equal(byRole.upload, 'private/tmp/');
    assert.equal(byRole.custom, 'private/attachment/');
    assert.equal(byRole.log, 'private/log/');
    assert.equal(byRole.templates, 'private/cache/');
    assert.ok(p.initial.some((i) => i.path === 'private/civicrm.settings.php' && i.group === 'settings'));
  });

  it('unknown CMS: every layout, data dirs and code dirs gated', () => {
    const p = makePlan('unknown', null);
    assert.equal(p.layouts.length, 5);
    assert.equal(p.initial.filter((i) => i.group === 'dir').length, 0);
    assert.ok(p.gated.some((g) => g.gate.some((i) => i.path === 'wp-content/uploads/civicrm/')));
    assert.ok(p.gated.some((g) => g.gate.some((i) => i.group === 'code-root')));
  });

  it('settings copies', () => {
    assert.deepEqual(settingsCopies('sites/default/settings.php'), [
      'sites/default/settings.php~',
      'sites/default/settings.php.bak',
      'sites/default/settings.php.orig',
      'sites/default/settings.php.save',
      'sites/default/settings.php.old',
      'sites/default/settings.php.txt',
      'sites/default/.settings.php.swp',
    ]);
  });

  it('site dir names', () => {
    assert.equal(siteDirName('Example.ORG'), 'example.org');
    assert.equal(siteDirName('127.0.0.1'), null);
    assert.equal(siteDirName('::1'), null);
    assert.equal(siteDirName('default'), null);
  });
});
