import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProbeOutcome } from '../../core/probe.js';
import { page, pagesFacts, plainFacts } from '../../probes/http/page-fixtures.js';
import type { PlainHttpFacts } from '../../probes/http/plain-http.js';
import { judge, ok, statuses } from '../../test-support/facts.js';
import disclosure, { revealsVersion } from './disclosure.js';

const unavailable: ProbeOutcome<PlainHttpFacts> = { ok: false, status: 'error', reason: 'x', durationMs: 1 };

function judgeHeaders(headers: Record<string, string>, body = '', plain = unavailable) {
  const url = 'https://example.org/';
  return judge(
    disclosure,
    { pages: pagesFacts([page({ url, responses: [{ url, headers, body }] })]) },
    { plain },
  );
}

describe('http.disclosure', () => {
  const cases: { name: string; headers: Record<string, string>; body?: string; expect: string[] }[] = [
    { name: 'no headers', headers: {}, expect: ['http.disclosure:pass'] },
    {
      name: 'bare product names',
      headers: { server: 'nginx', 'x-powered-by': 'PHP' },
      expect: ['http.disclosure:pass'],
    },
    { name: 'nginx version', headers: { server: 'nginx/1.22.1' }, expect: ['http.disclosure.server:fail'] },
    {
      name: 'Apache with modules',
      headers: { server: 'Apache/2.4.57 (Debian) OpenSSL/3.0.11' },
      expect: ['http.disclosure.server:fail'],
    },
    {
      name: 'PHP version',
      headers: { 'x-powered-by': 'PHP/8.2.7' },
      expect: ['http.disclosure.x-powered-by:fail'],
    },
    {
      name: 'Drupal major only',
      headers: { 'x-generator': 'Drupal 10 (https://www.drupal.org)' },
      expect: ['http.disclosure:pass'],
    },
    {
      name: 'generator with a version',
      headers: { 'x-generator': 'WordPress 6.4.2' },
      expect: ['http.disclosure.x-generator:fail'],
    },
    {
      name: 'ASP.NET version',
      headers: { 'x-aspnet-version': '4.0.30319' },
      expect: ['http.disclosure.other-headers:fail'],
    },
    {
      name: 'generator meta tag with a version',
      headers: { 'content-type': 'text/html' },
      body: '<html><head><meta name="generator" content="WordPress 6.4.2"></head><body></body></html>',
      expect: ['http.disclosure.generator-meta:fail'],
    },
    {
      name: 'generator meta tag without a version',
      headers: { 'content-type': 'text/html' },
      body: '<html><head><meta name="Generator" content="Drupal 10 (https://www.drupal.org)"></head></html>',
      expect: ['http.disclosure:pass'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(statuses(judgeHeaders(c.headers, c.body)), c.expect));
  }
  it('reads the plain-http root too', () => {
    const root = page({
      key: 'root',
      url: 'http://example.org/',
      responses: [{ url: 'http://example.org/', status: 301, headers: { server: 'Apache/2.4.57' } }],
    });
    const r = judgeHeaders({ server: 'nginx' }, '', ok(plainFacts(root)));
    assert.deepEqual(statuses(r), ['http.disclosure.server:fail']);
    assert.match(r[0]!.message, /Apache\/2\.4\.57/);
    assert.equal(r[0]!.severity, 'notice');
  });
  it('finds version numbers', () => {
    assert.equal(revealsVersion('nginx/1.22.1'), '1.22.1');
    assert.equal(revealsVersion('PHP/8'), '8');
    assert.equal(revealsVersion('Microsoft-IIS/10.0'), '10.0');
    assert.equal(revealsVersion('cloudflare'), null);
    assert.equal(revealsVersion('Apache'), null);
  });
});
