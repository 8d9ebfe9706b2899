import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import type { ProbedItem } from '../../probes/exposure/types.js';
import settings from './settings.js';
import { DRUPAL_404, facts, item } from './test-support/facts.js';

const SRC =
  "<?php\ndefine('CIVICRM_DSN', 'mysql://civi:hunter2@localhost/civicrm');\ndefine('CIVICRM_SITE_KEY', 'abc');\n";
const orig = (status: number, body = '', baseline: [number, string] | null = [404, DRUPAL_404]) =>
  item('sites/default/civicrm.settings.php', 'settings', { status, body, baseline });
const copy = (
  name: string,
  status: number,
  body = '',
  baseline: [number, string] | null = [404, DRUPAL_404],
) => item(`sites/default/${name}`, 'settings-copy', { status, body, baseline });

describe('exposure.settings', () => {
  const cases: { name: string; items: ProbedItem[]; cms?: 'drupal' | 'unknown'; expect: string[] }[] = [
    {
      name: 'a .bak copy downloads as source',
      items: [orig(200, ''), copy('civicrm.settings.php.bak', 200, SRC)],
      expect: ['exposure.settings.copy:fail'],
    },
    {
      name: 'the settings file itself is served as source (PHP not running)',
      items: [orig(200, SRC)],
      expect: ['exposure.settings.source:fail'],
    },
    {
      name: 'a vim swap file downloads',
      items: [orig(403, 'Forbidden'), copy('.civicrm.settings.php.swp', 206, 'b0VIM 9.0\0\0\0\0root')],
      expect: ['exposure.settings.copy:fail'],
    },
    {
      name: 'a .php.txt copy with a UTF-8 BOM',
      items: [copy('civicrm.settings.php.txt', 200, `\uFEFF${SRC}`)],
      expect: ['exposure.settings.copy:fail'],
    },
    {
      name: 'the file executes (empty 200), no copy: pass',
      items: [
        orig(200, ''),
        copy('civicrm.settings.php.bak', 404, DRUPAL_404),
        copy('civicrm.settings.php~', 404),
      ],
      expect: ['exposure.settings:pass'],
    },
    {
      name: 'denied (403 where random names get 404): pass',
      items: [orig(403, 'Forbidden'), copy('civicrm.settings.php.bak', 403, 'Forbidden', [403, 'Forbidden'])],
      expect: ['exposure.settings:pass'],
    },
    {
      name: 'an HTML page that quotes PHP is not source',
      items: [
        orig(200, ''),
        copy(
          'civicrm.settings.php.txt',
          200,
          '<!DOCTYPE html><html><body><pre>&lt;?php define(...)</pre></body></html>',
          null,
        ),
      ],
      expect: ['exposure.settings:pass'],
    },
    {
      name: 'catch-all 200 site, Drupal layout: no false fail',
      items: [
        orig(200, DRUPAL_404, [200, DRUPAL_404]),
        copy('civicrm.settings.php.bak', 200, DRUPAL_404, [200, DRUPAL_404]),
      ],
      expect: ['exposure.settings:pass'],
    },
    {
      name: 'CMS unknown and no settings file found: skip',
      cms: 'unknown',
      items: [orig(404, DRUPAL_404), copy('civicrm.settings.php.bak', 404, DRUPAL_404)],
      expect: ['exposure.settings:skip'],
    },
    {
      name: 'a copy that timed out is an error',
      items: [orig(200, ''), item('sites/default/settings.php.bak', 'settings-copy', { error: 'timeout' })],
      expect: ['exposure.settings:error'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const f = facts(c.items, c.cms ? { cms: c.cms } : {});
      assert.deepEqual(statuses(judge(settings, { exposure: f })), c.expect);
    });
  }
  it('names what leaked without quoting the secret', () => {
    const [r] = judge(settings, { exposure: facts([copy('civicrm.settings.php.bak', 200, SRC)]) });
    assert.equal(r!.severity, 'critical');
    assert.match(r!.message, /CIVICRM_DSN/);
    assert.doesNotMatch(JSON.stringify(r), /hunter2/);
  });
});
