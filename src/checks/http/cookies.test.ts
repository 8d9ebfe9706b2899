import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { page, pagesFacts } from '../../probes/http/page-fixtures.js';
import { judge, statuses } from '../../test-support/facts.js';
import cookies, { sessionCookieKind } from './cookies.js';

const SESS = 'SESS0123456789abcdef0123456789abcdef';
const WPHASH = '0123456789abcdef0123456789abcdef';

/** The check's results for a login page that sets these cookies over https. */
function judgeCookies(setCookies: string[], url = 'https://example.org/user/login') {
  const front = page({ url: 'https://example.org/' });
  const login = page({ key: 'user-login', role: 'login', url, responses: [{ url, setCookies }] });
  return judge(cookies, { pages: pagesFacts([front, login]) });
}

describe('http.cookies', () => {
  const all = ['http.cookies.secure:pass', 'http.cookies.httponly:pass', 'http.cookies.samesite:pass'];
  const cases: { name: string; cookies: string[]; expect: string[] }[] = [
    {
      name: 'Drupal session with all attributes',
      cookies: [`${SESS}=abc; path=/; secure; HttpOnly; SameSite=Lax`],
      expect: all,
    },
    {
      name: 'Drupal session without Secure',
      cookies: [`${SESS}=abc; path=/; HttpOnly; SameSite=Lax`],
      expect: ['http.cookies.secure:fail', 'http.cookies.httponly:pass', 'http.cookies.samesite:pass'],
    },
    {
      name: 'PHPSESSID bare',
      cookies: ['PHPSESSID=abc; path=/'],
      expect: ['http.cookies.secure:fail', 'http.cookies.httponly:fail', 'http.cookies.samesite:fail'],
    },
    {
      name: 'SameSite with an invalid value counts as missing',
      cookies: ['PHPSESSID=abc; Secure; HttpOnly; SameSite=yes'],
      expect: ['http.cookies.secure:pass', 'http.cookies.httponly:pass', 'http.cookies.samesite:fail'],
    },
    {
      name: 'SameSite=None counts as set',
      cookies: ['PHPSESSID=abc; Secure; HttpOnly; SameSite=None'],
      expect: all,
    },
    {
      name: 'WordPress logged-in cookie without HttpOnly',
      cookies: [`wordpress_logged_in_${WPHASH}=x; path=/; secure; SameSite=Strict`],
      expect: ['http.cookies.secure:pass', 'http.cookies.httponly:fail', 'http.cookies.samesite:pass'],
    },
    {
      name: 'wordpress_test_cookie is not a session cookie',
      cookies: ['wordpress_test_cookie=WP%20Cookie%20check; path=/'],
      expect: ['http.cookies:skip'],
    },
    {
      name: 'Joomla 32-hex session',
      cookies: [`${WPHASH}=x; path=/; HttpOnly`],
      expect: ['http.cookies.secure:fail', 'http.cookies.httponly:pass', 'http.cookies.samesite:fail'],
    },
    { name: 'Standalone SESSCIVISO', cookies: ['SESSCIVISO=x; Secure; HttpOnly; SameSite=Lax'], expect: all },
    {
      name: 'deletion cookie ignored',
      cookies: [`${SESS}=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; path=/`],
      expect: ['http.cookies:skip'],
    },
    { name: 'Max-Age=0 deletion ignored', cookies: ['PHPSESSID=; Max-Age=0'], expect: ['http.cookies:skip'] },
    { name: 'no cookies at all', cookies: [], expect: ['http.cookies:skip'] },
    { name: 'only non-session cookies', cookies: ['has_js=1; path=/'], expect: ['http.cookies:skip'] },
    {
      name: 'the same cookie twice: the weaker setting counts',
      cookies: ['PHPSESSID=a; Secure; HttpOnly; SameSite=Lax', 'PHPSESSID=b; HttpOnly; SameSite=Lax'],
      expect: ['http.cookies.secure:fail', 'http.cookies.httponly:pass', 'http.cookies.samesite:pass'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(statuses(judgeCookies(c.cookies)), c.expect));
  }
  it('cookies on a redirect hop count', () => {
    const url = 'https://example.org/wp-admin/';
    const p = page({
      key: 'wp-admin',
      role: 'cms-admin',
      url,
      responses: [
        {
          url,
          status: 302,
          headers: { location: 'https://example.org/wp-login.php' },
          setCookies: ['PHPSESSID=a; path=/'],
        },
        { url: 'https://example.org/wp-login.php', status: 200 },
      ],
    });
    const results = judge(cookies, { pages: pagesFacts([p], 'wordpress') });
    assert.equal(results[0]!.id, 'http.cookies.secure');
    assert.equal(results[0]!.status, 'fail');
    assert.match(results[0]!.message, /PHPSESSID \(PHP session, set by https:\/\/example.org\/wp-admin\/\)/);
  });
  it('cookies set over plain http are not judged here', () => {
    const results = judgeCookies(['PHPSESSID=a'], 'http://example.org/user/login');
    assert.deepEqual(statuses(results), ['http.cookies:skip']);
  });
  it('never puts cookie values into the report', () => {
    const results = judgeCookies(['PHPSESSID=topsecretvalue; path=/']);
    assert.ok(!JSON.stringify(results).includes('topsecretvalue'));
  });
  it('names session cookies', () => {
    assert.equal(sessionCookieKind(`S${SESS}`), 'Drupal/Backdrop');
    assert.equal(sessionCookieKind(`wordpress_sec_${WPHASH}`), 'WordPress');
    assert.equal(sessionCookieKind(`wordpress_${WPHASH}`), 'WordPress');
    assert.equal(sessionCookieKind('wordpress_test_cookie'), null);
    assert.equal(sessionCookieKind('SESSION'), null);
    assert.equal(sessionCookieKind('_ga'), null);
  });
});
