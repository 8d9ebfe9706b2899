// The event log: one JSON object per line, secrets masked (password-like fields, card-number-like digit
// runs, key=value secrets, URL credentials), excerpts capped; and access-log parsing and scoring.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createEventLog, excerpt, isSecretField, maskDigits, toEvent } from './event-log.js';
import { inspect } from './inspect.js';
import type { AccessLogEntry } from './access-log.js';
import { parseAccessLogLine, scoreAccessLogLine } from './access-log.js';

describe('ids event log: masking', () => {
  const fields: [string, boolean][] = [
    ['body.password', true],
    ['body.cms_pass', true],
    ['body.credit_card_number', true],
    ['body.cvv2', true],
    ['body.api_key', true],
    ['query.qfKey', true],
    ['cookie.SSESS1234', true],
    ['body.first_name', false],
    ['body.passage', false],
    ['body.description', false],
  ];
  for (const [name, secret] of fields)
    it(`${name} is ${secret ? '' : 'not '}a secret field`, () => assert.equal(isSecretField(name), secret));

  const digits: [string, string][] = [
    ['card 4111 1111 1111 1111 exp', 'card ************1111 exp'],
    ['4111-1111-1111-1111', '************1111'],
    ['378282246310005', '***********0005'],
    ['phone +1 555 123 4567', 'phone +1 555 123 4567'],
    ['order 123456789012', 'order 123456789012'],
  ];
  for (const [input, want] of digits)
    it(`masks digit runs: ${input}`, () => assert.equal(maskDigits(input), want));

  it('replaces a secret field by its length and redacts key=value secrets and URL credentials elsewhere', () => {
    assert.equal(excerpt('body.password', "hunter2' or 1=1--"), '*** (17 characters)');
    assert.equal(
      excerpt('body.note', 'token=abc123 mysql://civi:s3cret@db/civi'),
      'token=*** mysql://civi:***@db/civi',
    );
  });
  it('caps excerpts and says how long the value was', () => {
    const e = excerpt('body.x', 'a'.repeat(10_000));
    assert.ok(e.length < 200);
    assert.match(e, /… \(10000 characters\)$/);
  });
});

describe('ids event log: JSON lines', () => {
  const result = inspect({
    path: '/civicrm/contribute/transact',
    body: {
      first_name: "x' UNION SELECT 1,2-- ",
      password: "p4ss' OR '1'='1",
      cc: '4111 1111 1111 1111; cat /etc/passwd',
    },
  });
  it('builds an event with route, method, client, decision, impact, tags and masked fields', () => {
    const ev = toEvent(result, {
      method: 'POST',
      route: '/civicrm/contribute/transact',
      client: '192.0.2.7',
      time: new Date(0),
    });
    assert.equal(ev.time, '1970-01-01T00:00:00.000Z');
    assert.equal(ev.decision, 'block');
    assert.equal(ev.client, '192.0.2.7');
    const json = JSON.stringify(ev);
    assert.ok(!json.includes('p4ss'));
    assert.ok(!json.includes('4111 1111 1111 1111'));
    assert.ok(ev.fields.every((f) => Array.isArray(f.rules) && f.rules.length > 0));
  });
  it('writes one line per event to a file (appending) and to a stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'civiguard-ids-log-'));
    try {
      const file = join(dir, 'ids.jsonl');
      for (let i = 0; i < 2; i++) {
        const log = createEventLog(file);
        log.write(toEvent(result, { route: `/r${i}` }));
        await log.close();
      }
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      assert.equal(lines.length, 2);
      assert.deepEqual(
        lines.map((l) => (JSON.parse(l) as { route: string }).route),
        ['/r0', '/r1'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // an unwritable log warns and does not throw
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const broken = createEventLog('/nonexistent-dir-for-civiguard/ids.jsonl');
    broken.write(toEvent(result));
    await new Promise((r) => setTimeout(r, 50));
    await broken.close();
    process.off('warning', onWarning);
    assert.ok(
      warnings.some((w) => w.includes('cannot write the event log')),
      warnings.join(),
    );
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const log = createEventLog(stream);
    log.write(toEvent(result));
    await log.close();
    assert.equal(chunks.join('').split('\n').filter(Boolean).length, 1);
  });
});

describe('ids access logs', () => {
  const lines: [string, Partial<AccessLogEntry>][] = [
    [
      '203.0.113.9 - - [04/Dec/2026:10:00:00 +0000] "GET /civicrm/event/info?id=1 HTTP/1.1" 200 5120 "https://example.org/" "Mozilla/5.0"',
      {
        client: '203.0.113.9',
        method: 'GET',
        target: '/civicrm/event/info?id=1',
        protocol: 'HTTP/1.1',
        status: 200,
        bytes: 5120,
        referer: 'https://example.org/',
        userAgent: 'Mozilla/5.0',
      },
    ],
    [
      '::1 - bob [04/Dec/2026:10:00:00 +0000] "POST /x HTTP/2.0" 302 - "-" "curl/8"',
      { client: '::1', user: 'bob', method: 'POST', status: 302, bytes: 0 },
    ],
    [
      '10.0.0.1 - - [04/Dec/2026:10:00:00 +0000] "GET /a?q=\\x22x\\x22 HTTP/1.1" 404 12',
      { target: '/a?q="x"', referer: '-', userAgent: '-' },
    ],
    [
      '10.0.0.1 - - [04/Dec/2026:10:00:00 +0000] "\\x16\\x03\\x01" 400 150 "-" "-"',
      { method: '', status: 400 },
    ],
  ];
  for (const [line, want] of lines) {
    it(`parses ${line.slice(0, 60)}`, () => {
      const e = parseAccessLogLine(line);
      assert.ok(e);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(e[k as keyof AccessLogEntry], v, k);
    });
  }
  it('returns null for lines that are not combined/common log lines', () => {
    assert.equal(parseAccessLogLine('2026/12/04 10:00:00 [error] 123#0: open() failed'), null);
    assert.equal(parseAccessLogLine(''), null);
  });
  it('scores the request a line records: path, query (encoded), user agent', () => {
    const s = scoreAccessLogLine(
      `198.51.100.4 - - [04/Dec/2026:10:00:00 +0000] "GET /civicrm/contribute/transact?id=1%27%20UNION%20SELECT%20user(),2--%20 HTTP/1.1" 200 900 "-" "sqlmap/1.7"`,
    );
    assert.ok(s);
    assert.equal(s.result.decision, 'block');
    assert.ok(s.result.tags.includes('sqli'));
    const benign = scoreAccessLogLine(
      '198.51.100.4 - - [04/Dec/2026:10:00:00 +0000] "GET /civicrm/event/register?id=3&reset=1 HTTP/1.1" 200 900 "-" "Mozilla/5.0"',
    );
    assert.equal(benign?.result.decision, 'pass');
  });
});
