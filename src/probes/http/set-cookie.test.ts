import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeletion, parseSetCookie, validSameSite } from './set-cookie.js';

describe('parseSetCookie', () => {
  it('reads name, value and flags case-insensitively', () => {
    const c = parseSetCookie(
      'SESSabc=v=1; Path=/; secure; HTTPONLY; SameSite=Lax; Domain=.example.org; Max-Age=60',
    )!;
    assert.equal(c.name, 'SESSabc');
    assert.equal(c.value, 'v=1');
    assert.equal(c.secure, true);
    assert.equal(c.httpOnly, true);
    assert.equal(validSameSite(c), 'lax');
    assert.equal(c.domain, 'example.org');
    assert.equal(c.maxAge, 60);
  });
  it('absent and invalid attributes', () => {
    const c = parseSetCookie('a=b; SameSite=sometimes')!;
    assert.equal(c.secure, false);
    assert.equal(c.httpOnly, false);
    assert.equal(validSameSite(c), null);
    assert.equal(parseSetCookie('novalue'), null);
    assert.equal(parseSetCookie('=x'), null);
  });
  it('knows deletions', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(isDeletion(parseSetCookie('a=; Max-Age=0')!, now), true);
    assert.equal(isDeletion(parseSetCookie('a=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT')!, now), true);
    assert.equal(isDeletion(parseSetCookie('a=b; expires=Thu, 01 Jan 2099 00:00:01 GMT')!, now), false);
    assert.equal(
      isDeletion(parseSetCookie('a=b; Max-Age=10; expires=Thu, 01 Jan 1970 00:00:01 GMT')!, now),
      false,
    );
    assert.equal(isDeletion(parseSetCookie('a=b')!, now), false);
  });
});
