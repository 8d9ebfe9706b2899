import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CiviguardError } from '../core/errors.js';
import { buildTarget } from './build-target.js';

describe('buildTarget', () => {
  it('upgrades an http URL to https and keeps the plain side', () => {
    const t = buildTarget({ url: 'http://example.org/civi/' });
    assert.equal(t.url.toString(), 'https://example.org/civi/');
    assert.equal(t.httpUrl.toString(), 'http://example.org/');
  });
  it('accepts a bare host name', () => {
    assert.equal(buildTarget({ url: 'example.org' }).url.toString(), 'https://example.org/');
  });
  it('parses --resolve pins, IPv6 included', () => {
    const t = buildTarget({
      url: 'https://a.test:8443/',
      resolve: ['a.test:8443:127.0.0.1', 'b.test:80:[::1]'],
    });
    assert.equal(t.resolve.get('a.test:8443'), '127.0.0.1');
    assert.equal(t.resolve.get('b.test:80'), '::1');
  });
  const bad: [string, Parameters<typeof buildTarget>[0], RegExp][] = [
    ['ftp URL', { url: 'ftp://example.org/' }, /must be an http or https URL/],
    ['credentials in URL', { url: 'https://u:p@example.org/' }, /must not carry credentials/],
    [
      'bad resolve',
      { url: 'https://a.test/', resolve: ['a.test:443'] },
      /--resolve 'a.test:443' is not HOST:PORT:ADDRESS/,
    ],
    [
      'resolve to a name',
      { url: 'https://a.test/', resolve: ['a.test:443:localhost'] },
      /not HOST:PORT:ADDRESS/,
    ],
    ['bad ssh', { url: 'https://a.test/', ssh: 'host:99999' }, /--ssh 'host:99999' is not HOST\[:PORT\]/],
    ['missing CA', { url: 'https://a.test/', ca: ['/nonexistent/ca.pem'] }, /--ca \/nonexistent\/ca.pem/],
    [
      'http-url https',
      { url: 'https://a.test/', httpUrl: 'https://a.test/' },
      /--http-url must be an http:\/\/ URL/,
    ],
  ];
  for (const [name, input, re] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => buildTarget(input),
        (e: unknown) => e instanceof CiviguardError && e.code === 'E_USAGE' && re.test(e.message),
      );
    });
  }
});
