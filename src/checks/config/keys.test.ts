import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import type { SiteFixture, SiteFixtureOptions } from '../../test-support/sites/index.js';
import { GOOD_SITE_KEY, buildSite } from '../../test-support/sites/index.js';
import { discoverLayout } from '../../probes/local/layout.js';
import keys, { keyStrength } from './keys.js';

const made: SiteFixture[] = [];
after(() => made.forEach((s) => s.remove()));

const cases: { name: string; o: SiteFixtureOptions; expect: string[] }[] = [
  {
    name: 'good keys',
    o: {},
    expect: ['config.keys.site-key:pass', 'config.keys.cred-keys:pass', 'config.keys.sign-keys:pass'],
  },
  {
    name: 'site key missing',
    o: { siteKey: null },
    expect: ['config.keys.site-key:fail', 'config.keys.cred-keys:pass', 'config.keys.sign-keys:pass'],
  },
  {
    name: "installer placeholder '%%siteKey%%'",
    o: { siteKey: '%%siteKey%%' },
    expect: ['config.keys.site-key:fail', 'config.keys.cred-keys:pass', 'config.keys.sign-keys:pass'],
  },
  {
    name: 'short hex site key (16 hex = 64 bits)',
    o: { siteKey: 'a1b2c3d4e5f60718' },
    expect: ['config.keys.site-key:fail', 'config.keys.cred-keys:pass', 'config.keys.sign-keys:pass'],
  },
  {
    name: 'long but one repeated char',
    o: { siteKey: 'a'.repeat(64) },
    expect: ['config.keys.site-key:fail', 'config.keys.cred-keys:pass', 'config.keys.sign-keys:pass'],
  },
  {
    name: 'CRED_KEYS left as the installer placeholder → empty',
    o: { credKeys: '%%credKeys%%' },
    expect: ['config.keys.site-key:pass', 'config.keys.cred-keys:fail', 'config.keys.sign-keys:pass'],
  },
  {
    name: 'CRED_KEYS not defined',
    o: { credKeys: null },
    expect: ['config.keys.site-key:pass', 'config.keys.cred-keys:fail', 'config.keys.sign-keys:pass'],
  },
  {
    name: 'SIGN_KEYS missing',
    o: { signKeys: null },
    expect: ['config.keys.site-key:pass', 'config.keys.cred-keys:pass', 'config.keys.sign-keys:fail'],
  },
  {
    name: 'site key from getenv(): skip that part with the reason',
    o: { siteKey: null, settingsExtra: "define('CIVICRM_SITE_KEY', getenv('SITE_KEY'));" },
    expect: ['config.keys.site-key:skip', 'config.keys.cred-keys:pass', 'config.keys.sign-keys:pass'],
  },
];

describe('config.keys (fixture civicrm.settings.php, read statically)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const fx = buildSite('drupal7', c.o);
      made.push(fx);
      const layout = discoverLayout(fx.root, { host: 'site.test', port: 443 });
      const r = judge(keys, { layout });
      assert.deepEqual(statuses(r), c.expect, JSON.stringify(r, null, 1));
      const text = JSON.stringify(r);
      assert.ok(!text.includes(GOOD_SITE_KEY), 'the key itself is never in a result');
    });
  }
  it('settings with a syntax error: error with the line', () => {
    const fx = buildSite('wordpress', { settingsText: "<?php\ndefine('CIVICRM_SITE_KEY', 'x'\n" });
    made.push(fx);
    const r = judge(keys, { layout: discoverLayout(fx.root, { host: 'site.test', port: 443 }) });
    assert.equal(r[0]!.status, 'error');
    assert.match(r[0]!.message, /syntax error on line/);
  });
  it('strength estimate', () => {
    assert.equal(keyStrength('0123456789abcdef0123456789abcdef').bits, 128); // 32 hex
    assert.ok(keyStrength(GOOD_SITE_KEY).bits >= 96);
    assert.equal(keyStrength('aaaaaaaaaaaaaaaa').bits, 0);
  });
});
