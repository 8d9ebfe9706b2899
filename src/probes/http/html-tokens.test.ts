import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEntities, tokenizeHtml } from './html-tokens.js';

const tags = (html: string) =>
  [...tokenizeHtml(html)].flatMap((t) =>
    t.type === 'tag' ? [`${t.name}${JSON.stringify([...t.attrs])}`] : [],
  );

describe('tokenizeHtml', () => {
  const cases: { html: string; expect: string[] }[] = [
    { html: '<a href="x">y</a>', expect: ['a[["href","x"]]'] },
    { html: "<IMG SRC='a.png' Alt=b>", expect: ['img[["src","a.png"],["alt","b"]]'] },
    { html: '<input disabled value = "v" >', expect: ['input[["disabled",""],["value","v"]]'] },
    { html: '<a href="1" href="2">', expect: ['a[["href","1"]]'] },
    { html: '<br/><p/>', expect: ['br[]', 'p[]'] },
    { html: '<!DOCTYPE html><!-- <img src=x> --><p>', expect: ['p[]'] },
    { html: '<script>if (a<b) {"<img src=x>"}</script><i>', expect: ['script[]', 'i[]'] },
    { html: '<style>a{}</STYLE ><b>', expect: ['style[]', 'b[]'] },
    { html: 'a < b and 1<2 <', expect: [] },
    { html: '<a href="&amp;&#x2F;&#47;&colon;">', expect: ['a[["href","&//:"]]'] },
  ];
  for (const c of cases) it(c.html, () => assert.deepEqual(tags(c.html), c.expect));

  it('gives the raw text of script and style', () => {
    const raw = [...tokenizeHtml('<style>@import "x";</style>')].find((t) => t.type === 'rawtext');
    assert.deepEqual(raw, { type: 'rawtext', name: 'style', text: '@import "x";' });
  });
  it('caps input and tag count', () => {
    const html = '<p>'.repeat(1000);
    assert.equal([...tokenizeHtml(html, { maxTags: 10 })].length, 10);
    assert.equal([...tokenizeHtml(html, { maxChars: 30 })].length, 10);
  });
  it('survives hostile markup in bounded time', () => {
    for (const html of [
      '<',
      '<a',
      '<a b',
      '<a b=',
      '<a b="',
      '<script>',
      '<!--',
      '<!',
      '<a ' + '= '.repeat(50_000),
    ]) {
      assert.ok(Array.isArray([...tokenizeHtml(html)]));
    }
  });
  it('decodes references', () => {
    assert.equal(decodeEntities('http&#58;//x&NewLine;&bogus;'), 'http://x\n&bogus;');
    assert.equal(decodeEntities('&#0;&#xD800;&#x110000;'), '\ufffd\ufffd\ufffd');
  });
});
