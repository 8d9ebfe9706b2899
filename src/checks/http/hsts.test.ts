import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, response } from '../../test-support/facts.js';
import hsts, { parseHsts } from './hsts.js';

describe('http.hsts', () => {
  const cases: { name: string; header: string | undefined; expect: string }[] = [
    { name: 'missing header', header: undefined, expect: 'http.hsts.missing:fail' },
    { name: 'one year', header: 'max-age=31536000; includeSubDomains', expect: 'http.hsts:pass' },
    { name: 'exactly six months', header: 'max-age=15552000', expect: 'http.hsts:pass' },
    { name: 'one day', header: 'max-age=86400', expect: 'http.hsts.short-max-age:fail' },
    { name: 'max-age 0 (policy removal)', header: 'max-age=0', expect: 'http.hsts.short-max-age:fail' },
    { name: 'quoted value', header: 'max-age="31536000"', expect: 'http.hsts:pass' },
    { name: 'no max-age', header: 'includeSubDomains', expect: 'http.hsts.invalid:fail' },
    { name: 'duplicate directive', header: 'max-age=31536000; max-age=1', expect: 'http.hsts.invalid:fail' },
    { name: 'garbage', header: 'yes please', expect: 'http.hsts.invalid:fail' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const headers: Record<string, string> =
        c.header === undefined ? {} : { 'strict-transport-security': c.header };
      const [r, ...rest] = judge(hsts, {
        site: { cms: 'unknown', cmsEvidence: [], home: response({ headers }) },
      });
      assert.equal(rest.length, 0);
      assert.equal(`${r!.id ?? r!.check}:${r!.status}`, c.expect);
    });
  }
  it('skips when no https page was fetched', () => {
    const [r] = judge(hsts, { site: { cms: 'unknown', cmsEvidence: [], home: null } });
    assert.equal(r!.status, 'skip');
  });
  it('is an error when the https front page failed (with --cms given)', () => {
    const [r] = judge(hsts, {
      site: { cms: 'drupal', cmsEvidence: ['--cms'], home: null, homeError: 'https front page: timeout' },
    });
    assert.equal(r!.status, 'error');
    assert.match(r!.message, /timeout/);
  });
  it('parses flags', () => {
    assert.deepEqual(parseHsts('max-age=10; includeSubDomains; preload'), {
      maxAge: 10,
      includeSubDomains: true,
      preload: true,
    });
  });
});
