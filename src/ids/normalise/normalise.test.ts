// The normaliser, step by step: each decoding on its own (a table of inputs and outputs), then proof that
// each step matters: an attack that is flagged with every step and not flagged with that one step off.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { percentDecode } from './percent.js';
import { decodeEntities } from './entities.js';
import { decodeEscapes } from './escapes.js';
import { fold } from './fold.js';
import { base64Runs } from './base64.js';
import { stripComments } from './comments.js';
import type { Step } from './index.js';
import { normalise, STEPS } from './index.js';
import { createValueScorer } from '../engine.js';

describe('ids normaliser: each decoding', () => {
  const table: [string, (s: string) => string, string, string][] = [
    ['percent', (s) => percentDecode(s).out, '%3Cscript%3E', '<script>'],
    ['percent, UTF-8', (s) => percentDecode(s).out, 'caf%C3%A9', 'café'],
    ['percent, overlong 2-byte', (s) => percentDecode(s).out, '..%c0%af..%c0%af', '../../'],
    ['percent, overlong 3-byte', (s) => percentDecode(s).out, '%e0%80%ae%e0%80%ae/', '../'],
    ['percent, IIS %u', (s) => percentDecode(s).out, '%u003cscript%u003e', '<script>'],
    ['percent, invalid byte kept as Latin-1', (s) => percentDecode(s).out, '50%E9', '50é'],
    ['percent, lone % kept', (s) => percentDecode(s).out, '100% sure %zz', '100% sure %zz'],
    ['percent, %%32%65 is one level', (s) => percentDecode(s).out, '%%32%65', '%2e'],
    ['entities, named', (s) => decodeEntities(s).out, '&lt;a href=&quot;x&quot;&gt;', '<a href="x">'],
    ['entities, decimal without ;', (s) => decodeEntities(s).out, '&#60script&#62', '<script>'],
    ['entities, hex with zeros', (s) => decodeEntities(s).out, '&#x000003c;&#X3E;', '<>'],
    ['entities, legacy without ;', (s) => decodeEntities(s).out, '&ltb&gt', '<b>'],
    [
      'entities, unknown kept',
      (s) => decodeEntities(s).out,
      'Tom &amp Jerry &notaname;',
      'Tom & Jerry &notaname;',
    ],
    [
      'entities, &colon; needs ;',
      (s) => decodeEntities(s).out,
      'javascript&colon;x &colonx',
      'javascript:x &colonx',
    ],
    ['escapes, \\x', (s) => decodeEscapes(s).out, '\\x3cscript\\x3e', '<script>'],
    ['escapes, \\u and \\u{}', (s) => decodeEscapes(s).out, '\\u003c\\u{3e}', '<>'],
    ['escapes, octal', (s) => decodeEscapes(s).out, '\\074b\\076', '<b>'],
    ['escapes, CSS with space', (s) => decodeEscapes(s).out, '\\3c script\\3e', '<script>'],
    ['escapes, Windows path survives', (s) => decodeEscapes(s).out, 'c:\\boot.ini', 'c:\\boot.ini'],
    ['fold, full-width', (s) => fold(s).out, '＜ＳＣＲＩＰＴ＞', '<script>'],
    ['fold, look-alike quotes and slashes', (s) => fold(s).out, '‹a href=″x″⁄›', '<a href="x"/>'],
    ['fold, whitespace and case', (s) => fold(s).out, 'A\t\u00a0B\u2003\u2003C\r\nD', 'a b c\nd'],
    ['fold, zero-width removed', (s) => fold(s).out, 'un\u200bion', 'union'],
    [
      'fold, non-ASCII text unchanged',
      (s) => fold(s).out,
      'שלום עולם 日本語 Привет 🎉',
      'שלום עולם 日本語 привет 🎉',
    ],
    ['comments, block and HTML', (s) => stripComments(s).out, 'un/**/ion<!--x-->a', 'un ion a'],
    ['comments, MySQL executable kept', (s) => stripComments(s).out, '/*!50000select*/1', ' select 1'],
  ];
  for (const [name, fn, input, want] of table) {
    it(name, () => assert.equal(fn(input), want));
  }

  it('base64 runs that decode to code punctuation are returned, random tokens are not', () => {
    assert.deepEqual(base64Runs('x PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg== y'), ['<script>alert(1)</script>']);
    assert.deepEqual(base64Runs('sess=1D0AA0A700000004/9GUH7NYWTMDHBAA'), []);
    assert.deepEqual(
      base64Runs('aGVsbG8gd29ybGQgaG93IGFyZSB5b3U='),
      [],
      'plain prose decodes but has no punctuation',
    );
  });

  it('bounds its output: NFKC blow-ups are refused and the value is cut at maxLength', () => {
    const n = normalise('\ufdfa'.repeat(1000));
    assert.ok(n.text.length <= 4 * 1000 + 64);
    const cut = normalise('a'.repeat(5000), { maxLength: 100 });
    assert.equal(cut.raw.length, 100);
    assert.equal(cut.truncated, true);
  });

  it('keeps the original and records the steps that changed something', () => {
    const n = normalise('%253Cb%253E');
    assert.equal(n.raw, '%253Cb%253E');
    assert.equal(n.text, '<b>');
    assert.deepEqual([...n.steps].sort(), ['url', 'url-double']);
  });
});

describe('ids normaliser: each step catches an attack the others miss', () => {
  const cases: [Step, string][] = [
    ['url', '%3Cscript%20src%3D%2F%2Fevil.example%2Fx.js%3E%3C%2Fscript%3E'],
    ['url-double', '%253Cscript%2520src%253D%252F%252Fevil.example%252Fx.js%253E%253C%252Fscript%253E'],
    ['overlong-utf8', '..%c0%af..%c0%afetc%c0%afpasswd'],
    ['entities', '&#x3C;svg onload&#x3D;alert&#x28;1&#x29;&#x3E;'],
    ['escapes', '\\x3cscript\\x3ealert\\x281\\x29\\x3c/script\\x3e'],
    ['unicode', '＜ｓｃｒｉｐｔ＞ａｌｅｒｔ（１）＜／ｓｃｒｉｐｔ＞'],
    ['nul', '<scr\0ipt>x</scr\0ipt>'],
    ['plus', "1'+or+'1'='1"],
    ['base64', 'PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
    ['comments', "';alert/**/(document/**/.cookie)//"],
  ];
  it('covers every step', () => {
    assert.deepEqual(cases.map(([s]) => s).sort(), [...STEPS].sort());
  });
  const all = createValueScorer();
  for (const [step, value] of cases) {
    it(`${step}: ${JSON.stringify(value).slice(0, 60)}`, () => {
      const off = createValueScorer({ normalise: { disable: [step] } });
      const withAll = all(value);
      const without = off(value);
      assert.ok(withAll.impact >= 25, `flagged with every step (impact ${withAll.impact})`);
      assert.ok(
        without.impact < 25,
        `not flagged without ${step} (impact ${without.impact}: ${without.hits.map((h) => h.id).join(', ')})`,
      );
    });
  }
});
