import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { findPans, PanScanner, type PanHit } from './pan-scanner.js';
import { breakLuhn, groupPan, makePan, seededRandom } from './test-cards.js';

const rand = seededRandom(42);
const VISA = makePan('4', 16, rand);
const MC2 = makePan('2301', 16, rand);
const AMEX = makePan('37', 15, rand);
const DISC = makePan('6011', 16, rand);
const JCB19 = makePan('3541', 19, rand);
const MAESTRO = makePan('6759', 16, rand);
const UNION = makePan('62', 16, rand);
const DINERS = makePan('36', 14, rand);

const masked = (hits: PanHit[]) => hits.map((h) => h.masked);
const m = (pan: string) => pan.slice(0, 6) + '*'.repeat(pan.length - 10) + pan.slice(-4);

describe('PanScanner: finds card numbers', () => {
  const found: { name: string; text: string; pan: string; form?: string }[] = [
    { name: 'plain Visa in a log line', text: `[info] charge ok card=${VISA} amount=10`, pan: VISA },
    { name: 'spaced Visa', text: `Card: ${groupPan(VISA, ' ')}\n`, pan: VISA, form: 'spaced' },
    { name: 'dashed Mastercard 2-series', text: `cc ${groupPan(MC2, '-')};`, pan: MC2, form: 'dashed' },
    { name: 'Amex 4-6-5 spaced', text: `amex ${groupPan(AMEX, ' ')}.`, pan: AMEX, form: 'spaced' },
    { name: 'Amex plain', text: `"${AMEX}"`, pan: AMEX },
    { name: 'Discover in JSON', text: `{"pan":"${DISC}","cvv":"123"}`, pan: DISC },
    { name: 'JCB 19 digits', text: `jcb:${JCB19}`, pan: JCB19 },
    { name: 'JCB 19 grouped 4-4-4-4-3', text: `x ${groupPan(JCB19, ' ')} y`, pan: JCB19, form: 'spaced' },
    { name: 'Maestro', text: `<td>${MAESTRO}</td>`, pan: MAESTRO },
    { name: 'UnionPay', text: `unionpay ${UNION}\n`, pan: UNION },
    { name: 'Diners 14', text: `diners=${DINERS}&x=1`, pan: DINERS },
    {
      name: 'in an SQL dump row',
      text: `INSERT INTO \`civicrm_note\` VALUES (12,'civicrm_contribution',7,'card ${groupPan(VISA, ' ')} exp 12/29',NULL);`,
      pan: VISA,
      form: 'spaced',
    },
    { name: 'URL-encoded query', text: `GET /pay?cc=${VISA}&exp=1229 HTTP/1.1`, pan: VISA },
    { name: 'after a date', text: `2026-12-04 ${groupPan(VISA, ' ')} declined`, pan: VISA, form: 'spaced' },
    { name: 'in a space-separated number list', text: `12 ${VISA} 34`, pan: VISA },
    { name: 'at the very start', text: VISA, pan: VISA },
    {
      name: 'VISA label before grouped digits',
      text: `VISA ${groupPan(VISA, ' ')}`,
      pan: VISA,
      form: 'spaced',
    },
  ];
  for (const c of found) {
    it(c.name, () => {
      const hits = findPans(c.text);
      assert.deepEqual(masked(hits), [m(c.pan)]);
      assert.equal(hits[0]!.form, c.form ?? 'plain');
      assert.ok(!JSON.stringify(hits).includes(c.pan.slice(6, -4)), 'middle digits never leave the scanner');
    });
  }
});

describe('PanScanner: no false alarms', () => {
  const ibanVisa = (() => {
    // An IBAN whose digits after the country code happen to hold a valid Visa number.
    return `DE89 ${groupPan(VISA, ' ')} 00`;
  })();
  const none: { name: string; text: string }[] = [
    { name: 'Luhn fails', text: `card ${breakLuhn(VISA)}` },
    { name: 'unknown prefix', text: `id ${makePan('9', 16, rand)}` },
    { name: 'Visa length 15', text: `x ${makePan('4', 15, rand)}` },
    { name: 'glued to letters (hex)', text: `0x${VISA} a${VISA}b` },
    { name: 'inside a longer number', text: `${VISA}1234 and 99${VISA}` },
    { name: 'decimal fraction', text: `score=0.${VISA} and ${VISA}.5` },
    { name: '+ phone number', text: `+49-${groupPan(VISA, '-')} +${VISA}` },
    { name: 'IBAN grouped', text: `IBAN ${ibanVisa}` },
    { name: 'IBAN unspaced', text: `DE89${VISA}00` },
    { name: 'IBAN with letter group', text: `GB29 NWBK ${groupPan(VISA, ' ')}` },
    { name: 'grouped 4-4-4-4-4 (longer grouped number)', text: `${groupPan(VISA, ' ')} 1234` },
    { name: 'grouped number continues to the left', text: `1234 ${groupPan(VISA, ' ')}` },
    {
      name: 'mixed separators',
      text: `${VISA.slice(0, 4)} ${VISA.slice(4, 8)}-${VISA.slice(8, 12)} ${VISA.slice(12)}`,
    },
    { name: 'dashed id with prefix digits', text: `2026-${VISA}` },
    {
      name: 'UUID digit runs',
      text: `12345678-4111-1111-1111-111111111111 41111111-1111-4111-1111-111111111111`,
    },
    { name: 'phone (509) 463-5519', text: '(509) 463-5519 1-868-818-5883 x12488' },
    { name: 'epoch ms and compact timestamps', text: '1733312345678 20261204163400123 1733312345678901' },
    { name: '20 digits', text: `${VISA}1234` },
    {
      name: 'odd grouping 3-3-3-3-4',
      text: `${VISA.slice(0, 3)} ${VISA.slice(3, 6)} ${VISA.slice(6, 9)} ${VISA.slice(9, 12)} ${VISA.slice(12)}`,
    },
  ];
  for (const c of none) {
    it(c.name, () => assert.deepEqual(masked(findPans(c.text)), []));
  }

  it('random phone numbers, order numbers and timestamps: no hit', () => {
    const r = seededRandom(99);
    const d = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      lines.push(`+${d(2)} ${d(3)} ${d(8)}`, `+1-${d(3)}-${d(3)}-${d(4)}`, `(${d(3)}) ${d(3)}-${d(4)}`);
      lines.push(
        `order #${d(8)}`,
        `ORD${d(14)}`,
        `1${d(12)}`,
        `20${d(2)}${d(10)}`,
        `uuid ${d(8)}-${d(4)}-4${d(3)}-${d(4)}-${d(12)}`,
      );
      lines.push(`DE${d(2)} ${d(4)} ${d(4)} ${d(4)} ${d(4)} ${d(2)}`, `GB${d(2)}NWBK${d(14)}`, `0.${d(16)}`);
    }
    const hits = findPans(lines.join('\n'));
    assert.deepEqual(masked(hits), []);
  });

  const corpora =
    process.env.CIVIGUARD_CORPORA ?? new URL('../../../../shared/corpora/', import.meta.url).pathname;
  const load = (name: string): string[] | null => {
    const file = `${corpora.replace(/\/?$/, '/')}${name}`;
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : null;
  };
  for (const name of [
    'benign-faker-form-values.json',
    'benign-blns-non-injection.json',
    'benign-libinjection-false_positives.json',
    'benign-commonmark-html.json',
  ]) {
    it(`corpus ${name}: no value triggers`, (t) => {
      const values = load(name);
      if (!values) return t.skip(`corpus ${name} not found under ${corpora} (set CIVIGUARD_CORPORA)`);
      assert.ok(values.length > 100);
      const flagged = values.filter((v) => findPans(v).length > 0);
      assert.deepEqual(flagged, []);
      // And as one stream, one value a line.
      assert.equal(findPans(values.join('\n')).length, 0);
    });
  }
  it('corpus benign-httpparams-norm.json: only its card-number field values trigger', (t) => {
    // That shop dataset has a card-number form field filled with random 16-digit values; the ~2 % of
    // them that are Luhn-valid with a brand prefix ARE card numbers by form and must be found.
    // Nothing else in it (prices, phones, postcodes, ids) may trigger.
    const values = load('benign-httpparams-norm.json');
    if (!values) return t.skip(`corpus not found under ${corpora} (set CIVIGUARD_CORPORA)`);
    const flagged = values.filter((v) => findPans(v).length > 0);
    const cardField = values.filter((v) => /^\d{16}$/.test(v));
    assert.ok(
      flagged.every((v) => /^\d{16}$/.test(v)),
      `flagged: ${flagged.filter((v) => !/^\d{16}$/.test(v)).join(', ')}`,
    );
    assert.ok(flagged.length < cardField.length * 0.05);
  });
});

describe('PanScanner: streaming', () => {
  const lines: string[] = [];
  const expected: { line: number; masked: string }[] = [];
  const r = seededRandom(5);
  for (let i = 1; i <= 3000; i++) {
    if (i % 97 === 0) {
      const pan = makePan(['4', '51', '37', '6011'][i % 4]!, i % 4 === 2 ? 15 : 16, r);
      const form = i % 3;
      lines.push(`${i} - payment ${form === 0 ? pan : groupPan(pan, form === 1 ? ' ' : '-')} ok`);
      expected.push({ line: i, masked: m(pan) });
    } else lines.push(`${i} - GET /civicrm/event/info?id=${i}&reset=1 200 ${Math.floor(r() * 1e9)}`);
  }
  const text = Buffer.from(lines.join('\n'));

  for (const size of [1, 7, 13, 64, 4096, text.length]) {
    it(`same hits and line numbers in chunks of ${size} bytes`, () => {
      const hits: PanHit[] = [];
      const s = new PanScanner((h) => {
        hits.push(h);
      });
      for (let o = 0; o < text.length; o += size) s.push(text.subarray(o, o + size));
      s.end();
      assert.deepEqual(
        hits.map((h) => ({ line: h.line, masked: h.masked })),
        expected,
      );
      for (const h of hits)
        assert.equal(text[h.offset - 1], text.toString('latin1').charCodeAt(h.offset - 1));
      assert.equal(s.bytes, text.length);
    });
  }

  it('offsets point at the first digit', () => {
    const t = `abc\nxx ${VISA}\n`;
    const [h] = findPans(t);
    assert.equal(t.slice(h!.offset, h!.offset + 6), VISA.slice(0, 6));
    assert.equal(h!.line, 2);
  });

  it('stops when the consumer says so', () => {
    let n = 0;
    const s = new PanScanner(() => ++n < 3);
    s.push(Buffer.from(Array.from({ length: 10 }, () => VISA).join('\n')));
    s.end();
    assert.equal(n, 3);
    assert.ok(s.done);
  });

  it('a long run of spaces or digits across chunks neither hangs nor misfires', () => {
    const s = new PanScanner(() => assert.fail('no hit expected'));
    const spaces = Buffer.alloc(3 << 20, 32);
    const digits = Buffer.alloc(3 << 20, 0x37);
    for (let o = 0; o < spaces.length; o += 1 << 20) s.push(spaces.subarray(o, o + (1 << 20)));
    for (let o = 0; o < digits.length; o += 1 << 20) s.push(digits.subarray(o, o + (1 << 20)));
    s.end();
  });
});
