import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHtmlPage, sameAsBaseline, servedOwnContent } from './soft404.js';
import type { Answer, Baseline } from './types.js';

const a = (status: number, body: string): Answer => ({
  status,
  contentType: null,
  size: null,
  location: null,
  body: Buffer.from(body),
  truncated: false,
});
const b = (status: number, body: string, path = 'x/civiguard-0a1b2c3d4e5f.sql'): Baseline => ({
  ...a(status, body),
  path,
});
const page = (p: string) =>
  `<!DOCTYPE html><html><head><title>Not found</title></head><body><h1>Sorry</h1><p>The page /${p} does not exist. Generated 2026-12-04 10:00:12 in 35 ms.</p><nav>Home About Donate Contact Events Membership</nav></body></html>`;

describe('soft-404 guard', () => {
  const cases: { name: string; path: string; answer: Answer; baseline: Baseline | null; same: boolean }[] = [
    {
      name: 'same page echoing the requested name',
      path: 'x/backup.sql',
      answer: a(200, page('x/backup.sql')),
      baseline: b(200, page('x/civiguard-0a1b2c3d4e5f.sql')),
      same: true,
    },
    {
      name: 'different status',
      path: 'x/backup.sql',
      answer: a(200, 'SQL'),
      baseline: b(404, 'SQL'),
      same: false,
    },
    {
      name: 'a real file vs the catch-all page',
      path: 'x/backup.sql',
      answer: a(200, '-- MySQL dump 10.13\nCREATE TABLE a (id int);\n'),
      baseline: b(200, page('x/civiguard-0a1b2c3d4e5f.sql')),
      same: false,
    },
    {
      name: 'no baseline: cannot call it soft',
      path: 'x/backup.sql',
      answer: a(200, 'x'),
      baseline: null,
      same: false,
    },
    { name: 'both empty', path: 'x/a.php', answer: a(200, ''), baseline: b(200, ''), same: true },
    {
      name: 'same text except numbers (timestamps, ids)',
      path: 'x/a.php',
      answer: a(403, 'Forbidden request 12345 at 10:00:01'),
      baseline: b(403, 'Forbidden request 98765 at 10:00:02'),
      same: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(sameAsBaseline(c.path, c.answer, c.baseline), c.same));
  }
  it('servedOwnContent needs a 2xx', () => {
    assert.equal(servedOwnContent('a', a(403, 'x'), null), false);
    assert.equal(servedOwnContent('a', a(206, 'x'), b(404, '')), true);
    assert.equal(servedOwnContent('a', null, null), false);
  });
  it('isHtmlPage', () => {
    assert.equal(isHtmlPage(Buffer.from('\uFEFF<!DOCTYPE html><html>')), true);
    assert.equal(isHtmlPage(Buffer.from('  <html lang="en">')), true);
    assert.equal(isHtmlPage(Buffer.from('<?php echo 1;')), false);
    assert.equal(isHtmlPage(Buffer.from('-- MySQL dump')), false);
  });
});
