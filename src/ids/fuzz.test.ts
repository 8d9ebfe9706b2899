// Fuzzing: 100,000 values of random bytes and random mixes of encodings and attack fragments, scored as
// plain fields and in HTML mode, plus random request shapes through inspect(): nothing may throw, every
// result must be well formed. The timeout is only a hang guard, not a speed assertion.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createValueScorer } from './engine.js';
import { createIds } from './inspect.js';
import { defaultRules } from './rules.js';
import { DECISIONS } from './types.js';

/** mulberry32: a small seeded PRNG, so that a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  '<',
  '>',
  "'",
  '"',
  '`',
  '%',
  '%25',
  '%2e%2e%2f',
  '%c0%af',
  '%c0%2e',
  '%u002e',
  '%e0%80%ae',
  '&#x3c;',
  '&#60',
  '&lt',
  '&lt;',
  '&quot;',
  '&colon;',
  '\\x3c',
  '\\u003c',
  '\\u{3c}',
  '\\074',
  '\\3c ',
  '\\',
  '\\\\',
  '/*',
  '*/',
  '/*!50000',
  '--',
  '#',
  ';',
  '|',
  '||',
  '&',
  '&&',
  '$(',
  '${',
  '${IFS}',
  '../',
  '..\\',
  '....//',
  'union',
  'select',
  ' all ',
  'from',
  'where',
  'or',
  'and',
  '1=1',
  'sleep(',
  'benchmark(',
  'waitfor delay',
  'script',
  'onerror=',
  'javascript:',
  'data:text/html,',
  '<svg/onload=',
  'alert(',
  'document.cookie',
  'cat /etc/passwd',
  'whoami',
  'php://filter',
  '{{',
  '}}',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<!ENTITY',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '=',
  ',',
  '.',
  '/',
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\0',
  '\u00a0',
  '\u200b',
  '＜',
  '＞',
  '＇',
  '‹',
  '″',
  '\ufdfa',
  '😀',
  'שלום',
  'مرحبا',
  '日本',
  'Ω',
  '\ud800',
  '\udfff',
  'PHNjcmlwdD4=',
  'L2V0Yy9wYXNzd2Q=',
  '0x2e',
  '0x5c',
  "O'Brien",
  '1',
  '0',
  '-1',
  'null',
  '\\N',
  '@@version',
  '@a',
  'x',
];

function randomValue(r: () => number): string {
  const kind = r();
  if (kind < 0.25) {
    // random bytes, read as UTF-8 (with replacement characters) or Latin-1
    const n = Math.floor(r() * 200);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
    return b.toString(r() < 0.5 ? 'utf8' : 'latin1');
  }
  if (kind < 0.3) {
    // random UTF-16 code units, lone surrogates included
    const n = Math.floor(r() * 100);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(r() * 0x10000));
    return s;
  }
  // mixes of fragments, sometimes encoded once more, sometimes repeated into long runs
  const n = 1 + Math.floor(r() * 20);
  let s = '';
  for (let i = 0; i < n; i++) s += FRAGMENTS[Math.floor(r() * FRAGMENTS.length)]!;
  const e = r();
  if (e < 0.1) s = [...Buffer.from(s)].map((b) => '%' + b.toString(16).padStart(2, '0')).join('');
  else if (e < 0.15) s = Buffer.from(s).toString('base64');
  else if (e < 0.2) s = s.replace(/[<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  else if (e < 0.22) s = s.repeat(1 + Math.floor(r() * 500));
  return s;
}

describe('ids fuzz', { timeout: 600_000 }, () => {
  const rules = defaultRules();
  it('100,000 random values: no exception, well-formed results', () => {
    const score = createValueScorer();
    const r = prng(20261204);
    let flagged = 0;
    for (let i = 0; i < 100_000; i++) {
      const v = randomValue(r);
      for (const mode of ['string', 'html'] as const) {
        let res;
        try {
          res = score(v, mode);
        } catch (e) {
          assert.fail(
            `value #${i} (${mode}) threw: ${(e as Error).stack}\nvalue: ${JSON.stringify(v).slice(0, 500)}`,
          );
        }
        assert.ok(Number.isInteger(res.impact) && res.impact >= 0, `value #${i}: impact ${res.impact}`);
        assert.equal(
          res.impact,
          res.hits.reduce((a, h) => a + h.impact, 0),
        );
        for (const h of res.hits) assert.ok(rules.byId.has(h.id), `unknown rule ${h.id}`);
        if (res.impact >= 25) flagged++;
      }
    }
    // sanity: the mixes are full of attack fragments, so a good share is flagged, but not everything
    assert.ok(flagged > 20_000 && flagged < 190_000, `flagged ${flagged}`);
  });

  it('2,000 random requests through inspect(): no exception, decisions from the list', () => {
    const ids = createIds();
    const r = prng(7);
    for (let i = 0; i < 2000; i++) {
      const body: Record<string, unknown> = {};
      const n = Math.floor(r() * 8);
      for (let k = 0; k < n; k++)
        body[randomValue(r).slice(0, 30) || `k${k}`] =
          r() < 0.2 ? [randomValue(r), { x: randomValue(r) }] : randomValue(r);
      const json = r() < 0.3 ? JSON.stringify(body) : randomValue(r);
      let res;
      try {
        res = ids.inspect({
          path: `/${randomValue(r).slice(0, 50)}`,
          query: r() < 0.5 ? randomValue(r) : { json, msg_html: randomValue(r) },
          body: r() < 0.5 ? body : json,
          ...(r() < 0.3 ? { bodyType: 'json' as const } : {}),
          headers: { 'user-agent': randomValue(r), cookie: randomValue(r) },
        });
      } catch (e) {
        assert.fail(`request #${i} threw: ${(e as Error).stack}`);
      }
      assert.ok(DECISIONS.includes(res.decision));
      assert.equal(
        res.impact,
        res.fields.reduce((a, f) => a + f.impact, 0),
      );
    }
  });
});
