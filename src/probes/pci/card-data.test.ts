import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import cardData from '../../checks/pci/card-data.js';
import saq from '../../checks/pci/saq.js';
import { runChecks } from '../../core/runner.js';
import { freePort, mariadbMissing, startMariaDb, type MariaDb } from '../../test-support/servers/mariadb.js';
import { statuses, testTarget } from '../../test-support/facts.js';
import { scanFiles } from './scan-files.js';
import { groupPan, makePan, seededRandom } from './test-cards.js';

const rand = seededRandom(2026);
const VISA = makePan('4', 16, rand);
const MC = makePan('5412', 16, rand);
const AMEX = makePan('34', 15, rand);
const DISC = makePan('6011', 16, rand);
const NOTE_PAN = makePan('2331', 16, rand);
const mask = (p: string) => p.slice(0, 6) + '*'.repeat(p.length - 10) + p.slice(-4);

function benignLog(n: number): string[] {
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    lines.push(
      `203.0.113.${i % 250} - - [04/Dec/2026:10:00:${String(i % 60).padStart(2, '0')} +0000] "GET /civicrm/event/info?id=${i}&reset=1 HTTP/1.1" 200 ${1000 + i} "-" "Mozilla/5.0" order=${100000 + i} tel=+49-3064-${14092635 + i}`,
    );
  }
  return lines;
}

describe('pci.card-data on a real tree', () => {
  let root: string;
  let outside: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'civiguard-pci-'));
    outside = mkdtempSync(join(tmpdir(), 'civiguard-pci-outside-'));
    const log = benignLog(2000);
    log[1499] = `${log[1499]} debug: payment request card_number=${VISA}&cvv=123`;
    mkdirSync(join(root, 'logs'));
    writeFileSync(join(root, 'logs', 'app.log'), log.join('\n') + '\n');
    const cl = join(root, 'sites/default/files/civicrm/ConfigAndLog');
    mkdirSync(cl, { recursive: true });
    writeFileSync(
      join(cl, 'CiviCRM.abc123.log'),
      `Dec 04 10:00:00  [info] start\nDec 04 10:00:01  [debug] $params = array(\n  'credit_card_number' => '${groupPan(MC, ' ')}',\n)\n`,
    );
    mkdirSync(join(root, 'backup'));
    writeFileSync(
      join(root, 'backup', 'civicrm.sql.gz'),
      gzipSync(
        `-- MariaDB dump\n${benignLog(500).join('\n')}\nINSERT INTO \`civicrm_note\` VALUES (1,'civicrm_contact',2,'paid by ${groupPan(AMEX, '-')}');\n`,
      ),
    );
    mkdirSync(join(root, 'modules'));
    writeFileSync(join(root, 'modules', 'test.php'), `<?php $fixture = '${DISC}';`);
    writeFileSync(join(root, 'logo.png'), Buffer.from(`\x89PNG ${DISC}`));
    writeFileSync(join(root, 'notes.txt'), 'try 4111 1111 1111 1111 on the test site\n');
    writeFileSync(join(outside, 'secret.log'), `card ${DISC}\n`);
    symlinkSync(outside, join(root, 'link-out'));
    writeFileSync(join(root, 'logs', 'broken.log.gz'), Buffer.from('not gzip at all'));
    writeFileSync(join(root, 'logs', 'huge.log'), '');
    truncateSync(join(root, 'logs', 'huge.log'), 2 * 1024 ** 3);
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('finds each planted number once, where it is, masked; skips code, media, symlinks; reports what it could not read', async () => {
    const out = await runChecks(testTarget({ root }), [cardData]);
    assert.deepEqual(statuses(out.results), [
      'pci.card-data.files:fail',
      'pci.card-data.not-scanned:skip',
      'pci.card-data.database:skip',
    ]);
    const [files, notScanned] = out.results;
    const ev = files!.evidence as { hits: { path: string; line: number; masked: string; test: boolean }[] };
    const got = ev.hits.map((h) => `${h.path.slice(root.length + 1)}:${h.line}:${h.masked}:${h.test}`).sort();
    assert.deepEqual(got, [
      `backup/civicrm.sql.gz:502:${mask(AMEX)}:false`,
      `logs/app.log:1500:${mask(VISA)}:false`,
      'notes.txt:1:411111******1111:true',
      `sites/default/files/civicrm/ConfigAndLog/CiviCRM.abc123.log:3:${mask(MC)}:false`,
    ]);
    assert.equal(files!.severity, 'critical');
    assert.match(files!.message, /^3 card numbers in 3 files/);
    const report = JSON.stringify(out.results);
    for (const p of [VISA, MC, AMEX, DISC]) {
      assert.ok(
        !report.includes(p) && !report.includes(p.slice(6, -4)),
        'no full or middle digits in the report',
      );
    }
    assert.match(
      notScanned!.message,
      /huge\.log: only the first 1\.0 GiB|huge\.log: only the first 1024 MiB/,
    );
    assert.match(JSON.stringify(notScanned!.evidence), /broken\.log\.gz.*gzip/);
  });

  it('unreadable files and dirs are named, not a crash (run as an unprivileged user)', (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to run the scan as nobody');
    const dir = mkdtempSync(join(tmpdir(), 'civiguard-pci-perm-'));
    try {
      chmodSync(dir, 0o755);
      writeFileSync(join(dir, 'ok.log'), `card ${VISA}\n`);
      writeFileSync(join(dir, 'secret.log'), `card ${MC}\n`);
      chmodSync(join(dir, 'ok.log'), 0o644);
      chmodSync(join(dir, 'secret.log'), 0o600);
      mkdirSync(join(dir, 'closed'));
      chmodSync(join(dir, 'closed'), 0o700);
      const script = `import { scanFiles } from ${JSON.stringify(new URL('./scan-files.ts', import.meta.url).pathname)};
        const r = await scanFiles({ roots: [{ path: ${JSON.stringify(dir)}, kind: 'data' }] });
        console.log(JSON.stringify(r));`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        uid: 65534,
        gid: 65534,
        encoding: 'utf8',
        timeout: 60_000,
        cwd: new URL('../../../', import.meta.url).pathname,
        env: { ...process.env, HOME: tmpdir() },
      });
      if (r.status !== 0 && /EACCES|Cannot find|ERR_MODULE_NOT_FOUND/.test(r.stderr)) {
        return t.skip(`the checkout is not readable by nobody here: ${r.stderr.split('\n')[0]}`);
      }
      assert.equal(r.status, 0, r.stderr);
      const rep = JSON.parse(r.stdout) as Awaited<ReturnType<typeof scanFiles>>;
      assert.equal(rep.hitCount, 1);
      assert.equal(rep.notScannedCount, 2);
      assert.deepEqual(rep.notScanned.map((n) => n.path.slice(dir.length + 1)).sort(), [
        'closed',
        'secret.log',
      ]);
      assert.ok(rep.notScanned.every((n) => /EACCES|permission denied/i.test(n.reason)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a full hit list keeps real numbers over published test numbers', async () => {
    const d = mkdtempSync(join(tmpdir(), 'civiguard-pci-cap-'));
    try {
      writeFileSync(join(d, 'a.log'), '4111111111111111\n4242424242424242\n5555555555554444\n');
      writeFileSync(join(d, 'b.log'), `real ${VISA}\n`);
      const r = await scanFiles({ roots: [{ path: d, kind: 'data' }], maxHits: 2 });
      assert.equal(r.hitCount, 4);
      assert.ok(r.hits.some((h) => !h.test && h.masked === mask(VISA)));
      assert.equal(r.filesWithHits, 1);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('stops at the abort signal', async () => {
    const ac = new AbortController();
    ac.abort(new Error('cancelled'));
    await assert.rejects(
      scanFiles({ roots: [{ path: root, kind: 'tree' }], signal: ac.signal }),
      /cancelled/,
    );
  });
});

describe('pci.* against a real MariaDB', () => {
  let db: MariaDb | null = null;
  const skipReason: string | null = mariadbMissing();
  before(async () => {
    if (skipReason) return;
    db = await startMariaDb();
    await db.query(`CREATE DATABASE civicrm; CREATE DATABASE other;`);
    await db.query(
      `CREATE TABLE civicrm_contribution (id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT, contact_id INT,
         total_amount DECIMAL(20,2), source VARCHAR(255), invoice_id VARCHAR(255), note TEXT, amount_level TEXT);
       CREATE TABLE civicrm_note (id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT, entity_table VARCHAR(64), note LONGTEXT);
       CREATE TABLE civicrm_phone (id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT, phone VARCHAR(32));
       CREATE TABLE civicrm_cache_nopk (group_name VARCHAR(32), data LONGTEXT);
       CREATE TABLE other_table (id INT PRIMARY KEY, secret TEXT);
       CREATE TABLE civicrm_payment_processor_type (id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT, name VARCHAR(64),
         title VARCHAR(127), class_name VARCHAR(255), billing_mode INT, payment_type INT);
       CREATE TABLE civicrm_payment_processor (id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT, domain_id INT, name VARCHAR(64),
         payment_processor_type_id INT, is_active TINYINT, is_test TINYINT, user_name VARCHAR(255), password VARCHAR(255),
         url_site VARCHAR(255), class_name VARCHAR(255), billing_mode INT, payment_type INT);`,
      'civicrm',
    );
    const rows: string[] = [];
    for (let i = 1; i <= 300; i++) {
      rows.push(
        `(${i}, ${i}, ${(i * 7.5).toFixed(2)}, 'Online Contribution: Donate ${i}', '${(BigInt(i) * 7919n).toString(16)}a1b2c3d4e5f6', ${i === 123 ? `'phoned in, card ${groupPan(NOTE_PAN, ' ')} exp 11/28'` : `'Paid on ${2020 + (i % 6)}-0${1 + (i % 9)}-1${i % 9} ref ${1000000000 + i}'`}, 'Gold - ${i}')`,
      );
    }
    await db.query(
      `INSERT INTO civicrm_contribution (id, contact_id, total_amount, source, invoice_id, note, amount_level) VALUES ${rows.join(',')};
       INSERT INTO civicrm_note (entity_table, note) VALUES ('civicrm_contact', 'IBAN DE89 3704 0044 0532 0130 00, phone +1-202-555-0143'),
         ('civicrm_contact', 'test card 4242 4242 4242 4242');
       INSERT INTO civicrm_phone (phone) VALUES ('+44 20 7946 0958'), ('(509) 463-5519'), ('1-868-818-5883 x12488');
       INSERT INTO civicrm_cache_nopk VALUES ('session', 'a:1:{s:2:"cc";s:16:"${VISA}";}');
       INSERT INTO other_table VALUES (1, '${MC}');
       INSERT INTO civicrm_payment_processor_type (id, name, title, class_name, billing_mode, payment_type) VALUES
         (1, 'PayPal_Standard', 'PayPal - Website Payments Standard', 'Payment_PayPalImpl', 4, 1),
         (2, 'AuthNet', 'Authorize.Net', 'Payment_AuthorizeNet', 1, 1),
         (3, 'Stripe', 'Stripe', 'Payment_Stripe', 1, 1);
       INSERT INTO civicrm_payment_processor (domain_id, name, payment_processor_type_id, is_active, is_test, user_name, password, url_site, class_name, billing_mode, payment_type) VALUES
         (1, 'Donations (PayPal)', 1, 1, 0, 'merchant', 'pw-secret', 'https://www.paypal.com/', 'Payment_PayPalImpl', 4, 1),
         (1, 'Donations (PayPal)', 1, 1, 1, 'merchant', 'pw-secret', 'https://www.sandbox.paypal.com/', 'Payment_PayPalImpl', 4, 1),
         (1, 'Events (Authorize.net)', 2, 1, 0, 'login', 'tx-key', 'https://secure2.authorize.net/gateway/transact.dll', 'Payment_AuthorizeNet', 1, 1),
         (1, 'Old Stripe', 3, 0, 0, 'pk', 'sk', '', 'Payment_Stripe', 1, 1);`,
      'civicrm',
    );
  });
  after(async () => {
    await db?.stop();
  });

  it('pci.card-data: finds the planted note (table/column/row id), the cached number without a key; nothing else', async (t) => {
    if (skipReason || !db) return t.skip(skipReason ?? 'no database');
    const out = await runChecks(testTarget({ db: db.dsn('civicrm') }), [cardData]);
    assert.deepEqual(statuses(out.results), ['pci.card-data.files:skip', 'pci.card-data.database:fail']);
    const r = out.results[1]!;
    const ev = r.evidence as {
      hits: { table: string; column: string; rowId: string | null; masked: string; test: boolean }[];
    };
    assert.deepEqual(
      ev.hits.map((h) => `${h.table}.${h.column}#${h.rowId ?? '-'}:${h.masked}:${h.test}`).sort(),
      [
        `civicrm_cache_nopk.data#-:${mask(VISA)}:false`,
        `civicrm_contribution.note#123:${mask(NOTE_PAN)}:false`,
        'civicrm_note.note#2:424242******4242:true',
      ],
    );
    assert.match(r.message, /^2 card numbers in database civicrm/);
    assert.ok(!JSON.stringify(out.results).includes(db.password), 'the DSN password never appears');
  });

  it('pci.saq: reads the live processors and says SAQ D because of Authorize.net AIM', async (t) => {
    if (skipReason || !db) return t.skip(skipReason ?? 'no database');
    const out = await runChecks(testTarget({ db: db.dsn('civicrm') }), [saq]);
    assert.deepEqual(statuses(out.results), ['pci.saq.saq-d:fail']);
    const r = out.results[0]!;
    assert.equal(r.severity, 'notice');
    assert.match(r.message, /Events \(Authorize\.net\) → SAQ D/);
    assert.match(r.message, /Donations \(PayPal\) → SAQ A/);
    assert.doesNotMatch(r.message, /Old Stripe/);
    assert.ok(!/pw-secret|tx-key/.test(JSON.stringify(r)), 'no processor credentials in the report');
  });

  it('the connection is read-only', async (t) => {
    if (skipReason || !db) return t.skip(skipReason ?? 'no database');
    const { connectReadOnly } = await import('./db.js');
    const c = await connectReadOnly(db.dsn('civicrm'));
    try {
      await assert.rejects(c.query('DELETE FROM civicrm_note'), /READ ONLY|read-only/i);
    } finally {
      await c.close();
    }
    const [n] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM civicrm_note', 'civicrm');
    assert.equal(Number(n!.n), 2);
  });

  it('a DSN that refuses, a wrong password, a missing schema: error results with the reason, no crash', async (t) => {
    if (skipReason || !db) return t.skip(skipReason ?? 'no database');
    const closed = await freePort();
    const cases: { dsn: string; re: RegExp }[] = [
      { dsn: `mysql://u:p@127.0.0.1:${closed}/civicrm`, re: /ECONNREFUSED/ },
      { dsn: db.dsn('civicrm').replace(`:${db.password}@`, ':wrong-pass@'), re: /Access denied/ },
      { dsn: 'postgres://u:p@127.0.0.1/x', re: /not a MySQL\/MariaDB DSN/ },
    ];
    for (const c of cases) {
      const out = await runChecks(testTarget({ db: c.dsn }), [cardData, saq]);
      assert.deepEqual(statuses(out.results), [
        'pci.card-data.files:skip',
        'pci.card-data.database:error',
        'pci.saq:error',
      ]);
      assert.match(out.results[1]!.message, c.re);
      assert.ok(!/wrong-pass|:p@/.test(JSON.stringify(out.results)), 'passwords redacted');
    }
    const out = await runChecks(testTarget({ db: db.dsn('other') }), [saq]);
    assert.deepEqual(statuses(out.results), ['pci.saq:skip']);
    assert.match(out.results[0]!.message, /no civicrm_payment_processor table/);
  });
});
