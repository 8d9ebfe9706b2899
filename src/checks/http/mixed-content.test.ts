import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { page, pagesFacts } from '../../probes/http/page-fixtures.js';
import { judge, statuses } from '../../test-support/facts.js';
import mixedContent, { findMixedContent } from './mixed-content.js';

function judgeHtml(
  body: string,
  headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' },
  url = 'https://example.org/',
) {
  return judge(mixedContent, { pages: pagesFacts([page({ url, responses: [{ url, headers, body }] })]) });
}

describe('http.mixed-content', () => {
  const cases: { name: string; html: string; expect: string[] }[] = [
    {
      name: 'clean page',
      html: '<script src="/js/app.js"></script><img src="https://cdn.example/x.png"><link rel=stylesheet href="//cdn.example/a.css">',
      expect: ['http.mixed-content:pass'],
    },
    {
      name: 'script over http',
      html: '<script src="http://cdn.example/a.js"></script>',
      expect: ['http.mixed-content.active:fail'],
    },
    {
      name: 'uppercase scheme and tag',
      html: '<SCRIPT SRC="HTTP://cdn.example/a.js"></SCRIPT>',
      expect: ['http.mixed-content.active:fail'],
    },
    {
      name: 'entity-encoded scheme',
      html: '<script src="http&#58;//cdn.example/a.js"></script>',
      expect: ['http.mixed-content.active:fail'],
    },
    {
      name: 'stylesheet over http',
      html: "<link href='http://cdn.example/a.css' rel='stylesheet'>",
      expect: ['http.mixed-content.active:fail'],
    },
    {
      name: 'iframe over http',
      html: '<iframe src=http://video.example/embed></iframe>',
      expect: ['http.mixed-content.active:fail'],
    },
    {
      name: 'object data over http',
      html: '<object data="http://x.example/a.swf"></object>',
      expect: ['http.mixed-content.active:fail'],
    },
    {
      name: 'image over http',
      html: '<img src="http://cdn.example/a.png" alt="">',
      expect: ['http.mixed-content.passive:fail'],
    },
    {
      name: 'srcset over http',
      html: '<img src="/a.png" srcset="/a2.png 2x, http://cdn.example/a3.png 3x">',
      expect: ['http.mixed-content.passive:fail'],
    },
    {
      name: 'icon over http',
      html: '<link rel="shortcut icon" href="http://example.org/favicon.ico">',
      expect: ['http.mixed-content.passive:fail'],
    },
    {
      name: 'form posting to http',
      html: '<form method="post" action="http://example.org/civicrm/contribute/transact"><input name=amount></form>',
      expect: ['http.mixed-content.form:fail'],
    },
    {
      name: 'formaction to http',
      html: '<form action="/ok"><button formaction="http://example.org/x">go</button></form>',
      expect: ['http.mixed-content.form:fail'],
    },
    {
      name: 'relative URLs under an http <base>',
      html: '<base href="http://example.org/"><script src="js/a.js"></script>',
      expect: ['http.mixed-content.active:fail'],
    },
    {
      name: 'CSS @import over http',
      html: '<style>@import url("http://cdn.example/a.css");</style>',
      expect: ['http.mixed-content.active:fail'],
    },
    {
      name: 'style attribute background over http',
      html: '<div style="background:url(http://cdn.example/bg.png)">x</div>',
      expect: ['http.mixed-content.passive:fail'],
    },
    {
      name: 'links to http pages are fine',
      html: '<a href="http://other.example/">elsewhere</a>',
      expect: ['http.mixed-content:pass'],
    },
    {
      name: 'inside a comment',
      html: '<!-- <script src="http://cdn.example/a.js"></script> -->',
      expect: ['http.mixed-content:pass'],
    },
    {
      name: 'inside script text',
      html: '<script>document.write(\'<script src="http://cdn.example/a.js"><\\/script>\')</script>',
      expect: ['http.mixed-content:pass'],
    },
    {
      name: 'inside a textarea',
      html: '<textarea><img src="http://cdn.example/a.png"></textarea>',
      expect: ['http.mixed-content:pass'],
    },
    {
      name: 'all three kinds',
      html: '<script src="http://a.example/a.js"></script><form action="http://a.example/f"></form><img src="http://a.example/i.png">',
      expect: [
        'http.mixed-content.active:fail',
        'http.mixed-content.form:fail',
        'http.mixed-content.passive:fail',
      ],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(statuses(judgeHtml(c.html)), c.expect));

  it('severities: scripts and forms error, images warning', () => {
    const r = judgeHtml(
      '<script src="http://a.example/a.js"></script><form action="http://a.example/f"></form><img src="http://a.example/i.png">',
    );
    assert.deepEqual(
      r.map((x) => x.severity),
      ['error', 'error', 'warning'],
    );
  });
  it('skips when no HTML was served over https', () => {
    assert.deepEqual(statuses(judgeHtml('{"a":1}', { 'content-type': 'application/json' })), [
      'http.mixed-content:skip',
    ]);
    assert.deepEqual(
      statuses(judgeHtml('<script src="http://a/a.js"></script>', {}, 'http://example.org/')),
      ['http.mixed-content:skip'],
    );
  });
  it('says when a page was cut at 1 MiB', () => {
    const url = 'https://example.org/';
    const p = page({
      url,
      responses: [{ url, headers: { 'content-type': 'text/html' }, body: '<p>hi', truncated: true }],
    });
    const [r] = judge(mixedContent, { pages: pagesFacts([p]) });
    assert.match(r!.message, /first 1 MiB/);
  });
  it('resolves protocol-relative and relative URLs against the https page', () => {
    assert.deepEqual(
      findMixedContent('<script src="//cdn/a.js"></script><img src="a.png">', 'https://example.org/x/'),
      [],
    );
  });
  it('handles unterminated markup without hanging', () => {
    for (const html of [
      '<script src="http://a/a.js',
      '<img src=',
      '<!--',
      '<style>',
      '<a b="c',
      '<' + 'a '.repeat(10000),
    ]) {
      findMixedContent(html, 'https://example.org/');
    }
  });
});
