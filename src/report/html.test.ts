import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderHtml } from './html.js';
import { sampleReport } from './test-support/sample-report.js';

const CHROMIUM = '/usr/bin/chromium';

/** Every start tag with its attributes (a crude scan, enough to find anything that could load). */
function tags(html: string): { name: string; attrs: string }[] {
  return [...html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)].map((m) => ({
    name: m[1]!.toLowerCase(),
    attrs: m[2]!,
  }));
}

describe('html reporter', () => {
  const html = renderHtml(sampleReport());

  it('escapes a <script> from a hostile server: no script element at all', () => {
    assert.ok(!/<script/i.test(html), 'a <script> tag reached the page');
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
    assert.ok(!tags(html).some((t) => t.name === 'img'), 'an <img> from evidence became an element');
    assert.ok(
      !/\son[a-z]+\s*=/i.test(
        tags(html)
          .map((t) => t.attrs)
          .join(' '),
      ),
      'event handler attribute',
    );
  });

  it('loads nothing: no src, no <link>, no CSS url() or @import, hrefs only on plain links', () => {
    for (const t of tags(html)) {
      assert.ok(!/\ssrc\s*=/i.test(t.attrs), `<${t.name}${t.attrs}> has a src`);
      assert.notEqual(t.name, 'link');
      assert.notEqual(t.name, 'iframe');
      assert.notEqual(t.name, 'object');
      if (/\shref\s*=/i.test(t.attrs)) {
        assert.equal(t.name, 'a', `<${t.name}> with href`);
        const href = /\shref="([^"]*)"/.exec(t.attrs)![1]!;
        if (!href.startsWith('#')) {
          assert.match(t.attrs, /rel="noopener noreferrer"/);
          // Links only to references from check metadata, never to URLs from evidence.
          assert.equal(href, 'https://www.rfc-editor.org/rfc/rfc8996');
        }
      }
    }
    assert.ok(!/url\s*\(/i.test(html), 'CSS url()');
    assert.ok(!/@import/i.test(html), '@import');
  });

  it('has a CSP that forbids loads and allows exactly its own stylesheet', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp);
    assert.match(csp, /default-src 'none'/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    assert.ok(csp.includes(`'sha256-${hash}'`));
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<style>'));
  });

  it('has the header (target, time, counts) and a summary row per area', () => {
    assert.match(html, /<h1>civiguard audit of https:\/\/demo\.civiguard\.test:8443\/<\/h1>/);
    assert.ok(html.includes('2026-03-01T10:00:00.000Z'));
    assert.match(html, /5 failed, 1 errors, 1 passed, 2 skipped/);
    const rows = [...html.matchAll(/<tr><td><a href="#area-([a-z]+)">/g)].map((m) => m[1]);
    assert.deepEqual(rows, ['exposure', 'tls', 'http', 'access', 'ssh']);
  });

  it('lists results worst first, grouped by area, with badges, evidence and the fix', () => {
    const pos = (s: string) => html.indexOf(s);
    assert.ok(pos('id="area-exposure"') < pos('id="area-tls"'));
    const exposure = html.slice(pos('id="area-exposure"'), pos('id="area-tls"'));
    assert.ok(exposure.indexOf('exposure.backups') < exposure.indexOf('exposure.vcs'));
    assert.match(exposure, /badge st-fail">fail<\/span> <span class="badge sev-critical">critical/);
    assert.match(exposure, /badge st-error">error/);
    assert.match(
      exposure,
      /<pre>\{\n {2}&quot;url&quot;: &quot;https:\/\/demo\.civiguard\.test:8443\/backup\.sql&quot;/,
    );
    assert.match(exposure, /How to fix:<\/strong> Remove the dump/);
    assert.match(html, /<code>ssl_protocols TLSv1\.2 TLSv1\.3;<\/code>/);
  });

  it('shows control and bidi characters as visible escapes', () => {
    assert.ok(!html.includes('\x1b') && !html.includes('\u202e') && !html.includes('\0'));
    assert.ok(html.includes('\\u{1b}[31mred'));
    assert.ok(html.includes('\\u{202e}gnp.exe'));
  });

  it('renders in headless Chromium without any network request', async (t) => {
    if (!existsSync(CHROMIUM)) return t.skip(`${CHROMIUM} not installed (Debian package chromium)`);
    const dir = mkdtempSync(join(tmpdir(), 'civiguard-html-'));
    try {
      const page = join(dir, 'report.html');
      const shot = join(dir, 'shot.png');
      writeFileSync(page, html);
      const args = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // Any request that is not for the file itself goes to a closed loopback port and would be logged.
        '--proxy-server=127.0.0.1:9',
        '--enable-logging=stderr',
        '--v=0',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--window-size=1200,1600',
        `--screenshot=${shot}`,
        `file://${page}`,
      ];
      const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      child.stdout.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr.on('data', (d: Buffer) => (log += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      clearTimeout(timer);
      assert.equal(code, 0, log.slice(-2000));
      assert.ok(statSync(shot).size > 10_000, 'screenshot is (nearly) empty');
      assert.ok(
        !/Refused to (load|apply)|Content Security Policy|:CONSOLE/i.test(log),
        `CSP violation or console message:\n${log.slice(-2000)}`,
      );
      const png = readFileSync(shot);
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
