import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageSpec } from '../../probes/http/page-fixtures.js';
import { page, pagesFacts } from '../../probes/http/page-fixtures.js';
import { judge, statuses } from '../../test-support/facts.js';
import adminExposed from './admin-exposed.js';

const front = page({ url: 'https://example.org/' });
const login = (spec: PageSpec) =>
  page({ key: 'user-login', role: 'login', url: 'https://example.org/user/login', ...spec });

describe('access.admin-exposed', () => {
  const cases: { name: string; page: PageSpec; cms?: 'drupal' | 'unknown'; expect: string; msg?: RegExp }[] =
    [
      {
        name: 'login form open to anyone',
        page: { responses: [{ status: 200, body: '<form>' }] },
        expect: 'access.admin-exposed.user-login:fail',
      },
      {
        name: '403 (allow-list)',
        page: { responses: [{ status: 403 }] },
        expect: 'access.admin-exposed.user-login:pass',
        msg: /forbidden/,
      },
      {
        name: '401 (HTTP auth)',
        page: { responses: [{ status: 401 }] },
        expect: 'access.admin-exposed.user-login:pass',
        msg: /authentication/,
      },
      { name: '404', page: { responses: [{ status: 404 }] }, expect: 'access.admin-exposed.user-login:pass' },
      {
        name: 'connection refused',
        page: { error: 'connect ECONNREFUSED', refused: true },
        expect: 'access.admin-exposed.user-login:pass',
      },
      {
        name: 'timeout',
        page: { error: 'no complete answer within 3000 ms' },
        expect: 'access.admin-exposed.user-login:error',
      },
      {
        name: 'redirected to another host (SSO)',
        page: {
          responses: [{ status: 302, headers: { location: 'https://sso.example.net/' } }],
          unfollowed: 'https://sso.example.net/',
        },
        expect: 'access.admin-exposed.user-login:pass',
      },
      {
        name: 'admin redirects to a login page that answers 200',
        page: {
          responses: [
            { status: 302, headers: { location: 'https://example.org/user/login?destination=admin' } },
            { url: 'https://example.org/user/login?destination=admin', status: 200, body: '<form>' },
          ],
        },
        expect: 'access.admin-exposed.user-login:fail',
        msg: /after redirects/,
      },
      {
        name: 'unknown CMS: a catch-all 200 without a login form passes',
        page: { responses: [{ status: 200, body: '<h1>Welcome</h1>' }] },
        cms: 'unknown',
        expect: 'access.admin-exposed.user-login:pass',
        msg: /no login form/,
      },
      {
        name: 'unknown CMS: a 200 with a password field fails',
        page: { responses: [{ status: 200, body: '<form><input type="password" name="pass"></form>' }] },
        cms: 'unknown',
        expect: 'access.admin-exposed.user-login:fail',
      },
    ];
  for (const c of cases) {
    it(c.name, () => {
      const results = judge(adminExposed, { pages: pagesFacts([front, login(c.page)], c.cms ?? 'drupal') });
      assert.deepEqual(statuses(results), [c.expect]);
      if (c.msg) assert.match(results[0]!.message, c.msg);
      if (results[0]!.status === 'fail') assert.equal(results[0]!.severity, 'notice');
    });
  }
  it('judges only login and admin pages', () => {
    const contribute = page({
      key: 'contribute',
      role: 'contribute',
      url: 'https://example.org/civicrm/contribute/transact?reset=1&id=1',
      responses: [{ status: 200 }],
    });
    const results = judge(adminExposed, { pages: pagesFacts([front, contribute]) });
    assert.deepEqual(statuses(results), ['access.admin-exposed:skip']);
  });
});
