import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CMS_NAMES } from '../../core/target.js';
import { ALL_SENSITIVE_PAGES, pageUrl, sensitivePages, siteBase } from './sensitive-pages.js';

describe('sensitive pages (SPEC §4)', () => {
  it('uses each CMS’s URL forms', () => {
    const urls = (cms: (typeof CMS_NAMES)[number]) =>
      sensitivePages(cms).map((p) => pageUrl(new URL('https://example.org/'), p).toString());
    assert.ok(urls('drupal').includes('https://example.org/user/login'));
    assert.ok(urls('drupal').includes('https://example.org/civicrm/contribute/transact?reset=1&id=1'));
    assert.ok(urls('wordpress').includes('https://example.org/wp-login.php'));
    assert.ok(
      urls('wordpress').includes(
        'https://example.org/?page=CiviCRM&q=civicrm/contribute/transact&reset=1&id=1',
      ),
    );
    assert.ok(
      urls('wordpress').includes(
        'https://example.org/civicrm/?civiwp=CiviCRM&q=civicrm/event/register&reset=1&id=1',
      ),
    );
    assert.ok(urls('joomla').includes('https://example.org/administrator/'));
    assert.ok(
      urls('joomla').includes(
        'https://example.org/index.php?option=com_civicrm&task=civicrm/contribute/transact&reset=1&id=1',
      ),
    );
    assert.ok(urls('standalone').includes('https://example.org/civicrm/login'));
    assert.deepEqual(urls('backdrop'), urls('drupal'));
    assert.equal(urls('unknown').length, 7);
  });
  it('every CMS has login, admin, contribution and event pages; keys are unique', () => {
    for (const cms of CMS_NAMES) {
      const roles = new Set(sensitivePages(cms).map((p) => p.role));
      for (const r of ['login', 'civicrm-admin', 'contribute', 'event-register'] as const)
        assert.ok(roles.has(r), `${cms} ${r}`);
      const keys = sensitivePages(cms).map((p) => p.key);
      assert.equal(new Set(keys).size, keys.length);
    }
    assert.equal(new Set(ALL_SENSITIVE_PAGES.map((p) => p.key)).size, ALL_SENSITIVE_PAGES.length);
  });
  it('resolves pages under a site in a sub-directory', () => {
    assert.equal(siteBase(new URL('https://example.org/site')).toString(), 'https://example.org/site/');
    assert.equal(
      siteBase(new URL('https://example.org/site/index.php?x=1')).toString(),
      'https://example.org/site/',
    );
    assert.equal(
      pageUrl(siteBase(new URL('https://example.org/site/')), sensitivePages('drupal')[0]!).toString(),
      'https://example.org/site/user/login',
    );
  });
});
