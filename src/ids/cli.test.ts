// The `civiguard ids` commands, run as processes: `scan` (a value, stdin lines, --jsonl, --fail-on),
// `logs` on a generated access log (plain and gzip) built from corpus values, and `test` on the corpora.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { corporaAvailable, readCorpus, sample } from './corpora.js';

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

function civiguard(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    input,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('civiguard ids scan', { timeout: 300_000 }, () => {
  it('scores one value and names its rules', () => {
    const r = civiguard(['ids', 'scan', "1' UNION SELECT user(),2-- "]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^impact \d+ {2}decision block {2}tags sqli/);
    assert.match(r.out, /sqli\.union-select/);
  });
  it('reads one value per stdin line', () => {
    const r = civiguard(['ids', 'scan', '-'], "O'Brien\n<script>alert(1)</script>\n../../etc/passwd\n");
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^\s+0 {2}pass/);
    assert.match(lines[1]!, /block {2}xss/);
    assert.match(lines[2]!, /warn {3}traversal,lfi/);
  });
  it('--jsonl: JSON strings in, one JSON object out per line, decision pass|log|warn|block', () => {
    const input =
      [
        JSON.stringify('hello'),
        JSON.stringify('a\nb <svg onload=alert(1)>'),
        JSON.stringify('; cat /etc/passwd'),
      ].join('\n') + '\n';
    const r = civiguard(['ids', 'scan', '--jsonl'], input);
    assert.equal(r.code, 0, r.err);
    const objs = r.out
      .trimEnd()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { impact: number; tags: string[]; decision: string; rules: { id: string }[] },
      );
    assert.deepEqual(
      objs.map((o) => o.decision),
      ['pass', 'block', 'block'],
    );
    assert.ok(objs[1]!.tags.includes('xss'));
    assert.ok(objs[2]!.rules.some((x) => x.id === 'cmdi.chained-command'));
  });
  it('--fail-on exits 1 when a value reaches the decision; a bad --jsonl line exits 2', () => {
    assert.equal(civiguard(['ids', 'scan', '--fail-on', 'block', '<script>alert(1)</script>']).code, 1);
    assert.equal(civiguard(['ids', 'scan', '--fail-on', 'block', 'hello']).code, 0);
    const bad = civiguard(['ids', 'scan', '--jsonl'], '42\n');
    assert.equal(bad.code, 2);
    assert.match(bad.out, /not a JSON string/);
  });
  it('--mode html: rich text passes, executable HTML does not', () => {
    assert.match(
      civiguard(['ids', 'scan', '--mode', 'html', '<p><a href="/x">x</a></p>']).out,
      /decision pass/,
    );
    assert.match(
      civiguard(['ids', 'scan', '--mode', 'html', '<p onclick="alert(1)">x</p>']).out,
      /decision block/,
    );
  });
});

describe('civiguard ids logs', { timeout: 300_000 }, () => {
  let dir: string;
  let plain: string;
  let gz: string;
  const attacks = corporaAvailable()
    ? [
        ...sample(readCorpus('attack-httpparams-sqli.json'), 30),
        ...sample(readCorpus('attack-payloadbox-xss.json'), 20),
      ]
    : ["1' union select 1,2--", '<script>alert(1)</script>'];
  const benign = corporaAvailable()
    ? sample(readCorpus('benign-faker-form-values.json'), 200)
    : ["O'Brien", 'Ann Smith'];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'civiguard-ids-logs-'));
    const lines: string[] = [];
    let i = 0;
    const line = (ip: string, target: string, status: number, ua = 'Mozilla/5.0') =>
      `${ip} - - [04/Dec/2026:10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i++ % 60).padStart(2, '0')} +0000] "GET ${target} HTTP/1.1" ${status} 512 "-" "${ua}"`;
    lines.push(line('192.0.2.1', '/', 200, "sqlmap/1.7' AND SLEEP(5) AND '1'='1"));
    for (const v of benign)
      lines.push(
        line(
          '198.51.100.10',
          `/civicrm/contribute/transact?reset=1&first_name=${encodeURIComponent(v)}`,
          200,
        ),
      );
    attacks.forEach((v, k) =>
      lines.push(
        line(
          k % 3 === 0 ? '203.0.113.66' : '203.0.113.7',
          `/civicrm/event/info?id=${encodeURIComponent(v)}`,
          k % 2 ? 403 : 200,
        ),
      ),
    );
    lines.push('this is not an access log line');
    plain = join(dir, 'access.log');
    gz = join(dir, 'access.log.1.gz');
    writeFileSync(plain, lines.join('\n') + '\n');
    writeFileSync(gz, gzipSync(lines.join('\n') + '\n'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('summarises attempts by tag, source and path, and lists those answered 2xx', () => {
    const r = civiguard(['ids', 'logs', plain]);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      new RegExp(
        `${benign.length + attacks.length + 2} lines: ${benign.length + attacks.length + 1} requests, 1 not access-log lines`,
      ),
    );
    assert.match(r.out, /by tag: +.*sqli \d+/);
    assert.match(r.out, /203\.0\.113\.66 +\d+ +.*sqli/);
    assert.match(r.out, /\/civicrm\/event\/info +\d+/);
    assert.match(r.out, /answered 2xx \(the attack may have worked\): \d+/);
    assert.match(r.out, /192\.0\.2\.1 {2}GET \/ {2}→ 200/, 'an attack in the user agent is found too');
  });
  it('reads gzip, and --format json gives the numbers', () => {
    const r = civiguard(['ids', 'logs', '--format', 'json', gz, plain]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as {
      files: string[];
      requests: number;
      attempts: number;
      byTag: Record<string, number>;
      answered2xxTotal: number;
      byDecision: Record<string, number>;
    };
    assert.equal(j.files.length, 2);
    assert.equal(j.requests, 2 * (benign.length + attacks.length + 1));
    // every benign value passes; (nearly) every attack is an attempt
    assert.equal(j.byDecision.pass, 2 * benign.length);
    assert.ok(j.attempts >= 2 * (attacks.length - 1), `attempts ${j.attempts}`);
    assert.ok(j.answered2xxTotal > 0 && j.answered2xxTotal < j.attempts);
  });
  it('--fail-on block exits 1 when a blocked-level attempt got a 2xx answer', () => {
    assert.equal(civiguard(['ids', 'logs', '--fail-on', 'block', plain]).code, 1);
  });
  it('a missing file is a one-line error with exit 2', () => {
    const r = civiguard(['ids', 'logs', join(dir, 'nope.log')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /^civiguard: cannot read .*nope\.log.*\[E_IO\]\n$/);
  });
});

describe('civiguard ids test', { timeout: 300_000 }, () => {
  it('prints the detection table for every corpus with the reference columns', (t) => {
    if (!corporaAvailable()) {
      t.skip('corpora not found (set CIVIGUARD_CORPORA)');
      return;
    }
    const r = civiguard(['ids', 'test']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^set +n +ours ≥25 +goal +met +PHPIDS>0 +PHPIDS≥25 +libinj\. +CRS PL1 +CRS PL2\n/);
    assert.equal(r.out.trimEnd().split('\n').length, 2 + 14);
    assert.match(r.out, /benign faker +42656 +0\.0 +≤ 0\.05 +yes/);
  });
});
