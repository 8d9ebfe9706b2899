import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('civiguard CLI', () => {
  const usage: [string, string[], RegExp][] = [
    ['no URL', ['audit'], /audit needs a URL/],
    [
      'unknown check',
      ['audit', 'https://a.test/', '--only', 'http.hstss'],
      /no check or area 'http.hstss' \(did you mean 'http.hsts'\?\)/,
    ],
    [
      'bad --resolve',
      ['audit', 'https://a.test/', '--resolve', 'nope'],
      /--resolve 'nope' is not HOST:PORT:ADDRESS/,
    ],
    ['bad format', ['audit', 'https://a.test/', '--format', 'pdf'], /argument 'pdf' is invalid/],
    ['unknown flag', ['audit', 'https://a.test/', '--frobnicate'], /unknown option '--frobnicate'/],
    [
      'bad timeout',
      ['audit', 'https://a.test/', '--timeout', 'soon'],
      /--timeout 'soon' must be a whole number/,
    ],
    ['missing config', ['audit', '--config', '/nonexistent.yaml'], /cannot read config \/nonexistent.yaml/],
  ];
  for (const [name, args, re] of usage) {
    it(`exits 2 with one line for ${name}`, () => {
      const r = cli(...args);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, re);
      assert.ok(!/\n\s+at /.test(r.err), `stack trace printed: ${r.err}`);
    });
  }

  it('exits 1 when checks could not look (nothing listens), and 0 with --allow-errors --fail-on critical', () => {
    // Port 1 on loopback: nothing listens, so every probe errors: never a pass.
    const args = [
      'audit',
      'https://nothing.test:1/',
      '--resolve',
      'nothing.test:1:127.0.0.1',
      '--http-url',
      'http://127.0.0.1:1/',
      '--only',
      'http.hsts',
      '--format',
      'json',
      '--timeout',
      '3000',
    ];
    const r = cli(...args);
    assert.equal(r.code, 1, r.err);
    const report = JSON.parse(r.out) as { results: { status: string }[] };
    assert.deepEqual(
      report.results.map((x) => x.status),
      ['error'],
    );
    assert.equal(cli(...args, '--allow-errors').code, 0);
  });

  it('prints its version', () => {
    const r = cli('--version');
    assert.equal(r.code, 0);
    assert.match(r.out, /^\d+\.\d+\.\d+/);
  });
});
