import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageSpec } from '../../probes/http/page-fixtures.js';
import { page, plainFacts } from '../../probes/http/page-fixtures.js';
import { sensitivePages } from '../../probes/http/sensitive-pages.js';
import { judge, statuses } from '../../test-support/facts.js';
import redirectSensitive from './redirect-sensitive.js';

const login = (spec: PageSpec) =>
  page({ key: 'user-login', role: 'login', url: 'http://example.org/user/login', ...spec });
const rootOk = page({
  key: 'root',
  url: 'http://example.org/',
  responses: [{ status: 301, headers: { location: 'https://example.org/' } }],
  unfollowed: 'https://example.org/',
});

describe('http.redirect-sensitive', () => {
  const cases: { name: string; page: PageSpec; expect: string; msg?: RegExp }[] = [
    {
      name: 'login redirects to https',
      page: {
        responses: [{ status: 301, headers: { location: 'https://example.org/user/login' } }],
        unfollowed: 'https://example.org/user/login',
      },
      expect: 'http.redirect-sensitive.user-login:pass',
    },
    {
      name: 'login served with content over http',
      page: { responses: [{ status: 200, body: '<form>password</form>' }] },
      expect: 'http.redirect-sensitive.user-login:fail',
      msg: /200 with content/,
    },
    {
      name: 'admin redirects to the login page over http, which is served',
      page: {
        responses: [
          { status: 302, headers: { location: 'http://example.org/user/login?destination=admin' } },
          { url: 'http://example.org/user/login?destination=admin', status: 200, body: '<form>' },
        ],
      },
      expect: 'http.redirect-sensitive.user-login:fail',
      msg: /after redirects/,
    },
    {
      name: '404 over http',
      page: { responses: [{ status: 404, body: 'not found' }] },
      expect: 'http.redirect-sensitive.user-login:pass',
      msg: /404/,
    },
    {
      name: '403 over http',
      page: { responses: [{ status: 403, body: 'denied' }] },
      expect: 'http.redirect-sensitive.user-login:pass',
    },
    {
      name: '200 with an empty body',
      page: { responses: [{ status: 200 }] },
      expect: 'http.redirect-sensitive.user-login:pass',
      msg: /empty/,
    },
    {
      name: 'redirects to another host over http: not followed',
      page: {
        responses: [{ status: 302, headers: { location: 'http://sso.example.net/' } }],
        unfollowed: 'http://sso.example.net/',
      },
      expect: 'http.redirect-sensitive.user-login:pass',
      msg: /another host/,
    },
    {
      name: 'timeout on the page',
      page: { error: 'no complete answer within 3000 ms' },
      expect: 'http.redirect-sensitive.user-login:error',
    },
    {
      name: 'redirect loop',
      page: {
        responses: [{ status: 302, headers: { location: '/user/login' } }],
        stopped: 'redirect loop back to http://example.org/user/login',
      },
      expect: 'http.redirect-sensitive.user-login:error',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const results = judge(redirectSensitive, { plain: plainFacts(rootOk, [login(c.page)]) });
      assert.deepEqual(statuses(results), [c.expect]);
      if (c.msg) assert.match(results[0]!.message, c.msg);
    });
  }
  it('one result per page of the CMS', () => {
    const pages = sensitivePages('wordpress').map((p) =>
      page({
        key: p.key,
        role: p.role,
        url: `http://example.org/${p.path}`,
        responses: [{ status: 200, body: 'x' }],
      }),
    );
    const results = judge(redirectSensitive, { plain: plainFacts(rootOk, pages, 'wordpress') });
    assert.deepEqual(
      statuses(results),
      sensitivePages('wordpress').map((p) => `http.redirect-sensitive.${p.key}:fail`),
    );
    assert.equal(results[0]!.severity, 'error');
  });
  it('no plain-http service at all: one pass', () => {
    const root = page({ key: 'root', url: 'http://example.org/', error: 'ECONNREFUSED', refused: true });
    const results = judge(redirectSensitive, {
      plain: plainFacts(root, [login({ error: 'x', refused: true })]),
    });
    assert.deepEqual(statuses(results), ['http.redirect-sensitive:pass']);
  });
  it('plain-http root broken: one error, pages not tried', () => {
    const root = page({ key: 'root', url: 'http://example.org/', error: 'Parse Error: Expected HTTP/' });
    const results = judge(redirectSensitive, { plain: plainFacts(root, [login({ error: 'not tried' })]) });
    assert.deepEqual(statuses(results), ['http.redirect-sensitive:error']);
    assert.match(results[0]!.message, /Parse Error/);
  });
  it('says when the page set is generic', () => {
    const results = judge(redirectSensitive, {
      plain: plainFacts(rootOk, [login({ responses: [{ status: 404 }] })], 'unknown'),
    });
    assert.match(String(results[0]!.evidence?.['pageSet']), /generic/);
  });
});
