import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ALL_CHECKS } from '../checks/index.js';
import { defineCheck } from '../core/check.js';
import { isCiviguardError } from '../core/errors.js';
import { render } from '../report/index.js';
import { schemaValidator } from '../report/test-support/ajv.js';
import { parseXml } from '../report/test-support/xml.js';
import { siteProbe } from '../probes/site.js';
import { PLANTED } from './planted.js';
import { DEMO_AREAS, runDemo } from './run-demo.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HANG_GUARD_MS = 60_000;

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'civiguard-demo-test-'));
  dirs.push(d);
  return d;
}

/** Resolves true when something accepts a TCP connection on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `civiguard demo` from source in `cwd`; `onStderr` may act on what it prints (send a signal). */
function runCli(
  cwd: string,
  env: Record<string, string> = {},
  onStderr?: (text: string, pid: number) => void,
  args: string[] = [],
) {
  return new Promise<CliRun>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), 'demo', ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, child.pid!);
    });
    // A hang guard, not a speed assertion: the demo must end by itself.
    const guard = setTimeout(() => child.kill('SIGKILL'), HANG_GUARD_MS);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('civiguard demo', () => {
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('detects every planted problem whose check is registered, and flags nothing done right', async () => {
    const outDir = tempDir();
    let text = '';
    const outcome = await runDemo({ outDir, out: (s) => (text += s) });
    const registered = outcome.verdicts.filter((v) => v.registered);
    // Not vacuous: at least the model check http.hsts is always registered.
    assert.ok(registered.some((v) => v.check === 'http.hsts'));
    for (const v of registered) assert.ok(v.ok, `${v.check}: ${v.problem}`);
    for (const p of PLANTED) {
      if (!ALL_CHECKS.some((c) => c.id === p.check)) continue;
      const own = outcome.report.results.filter((r) => r.check === p.check);
      if (p.expect === 'fail')
        assert.ok(
          own.some((r) => r.status === 'fail'),
          `${p.check} fails`,
        );
      else
        assert.ok(!own.some((r) => r.status === 'fail' || r.status === 'error'), `${p.check} does not fail`);
    }
    assert.equal(outcome.exitCode, 0);
    // Only the demo areas were audited, and every registered check of them ran.
    const ran = new Set(outcome.report.results.map((r) => r.check));
    for (const c of ALL_CHECKS.filter((c) => DEMO_AREAS.includes(c.area) && c.mode !== 'local'))
      assert.ok(ran.has(c.id), `${c.id} ran`);
    assert.ok([...ran].every((id) => DEMO_AREAS.some((a) => id.startsWith(`${a}.`))));
    assert.equal(outcome.report.target.cms, 'drupal');
    // The text report and the self-check table were printed; the files are there and valid.
    assert.match(text, /civiguard \S+ audit of https:\/\/demo\.civiguard\.test:\d+\//);
    assert.match(text, /Demo self-check: \d+ of \d+ planted problems detected/);
    const json = JSON.parse(readFileSync(outcome.files.json, 'utf8')) as unknown;
    const validate = schemaValidator('report.schema.json');
    assert.ok(validate(json), JSON.stringify(validate.errors));
    const html = readFileSync(outcome.files.html, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.ok(!/<script/i.test(html));
    // The other formats accept the same real report.
    const sarif = JSON.parse(await render(outcome.report, 'sarif')) as unknown;
    const validateSarif = schemaValidator('sarif-2.1.0.subset.schema.json');
    assert.ok(validateSarif(sarif), JSON.stringify(validateSarif.errors));
    const junit = parseXml(await render(outcome.report, 'junit'));
    assert.equal(Number(junit.attrs['failures']), outcome.report.summary.fail);
  });

  it('exits 1 with the reason when a planted problem goes undetected (regression signal)', async () => {
    // A broken http.hsts that passes everything stands in for a check that stopped detecting.
    const blind = defineCheck({
      ...ALL_CHECKS.find((c) => c.id === 'http.hsts')!,
      probes: { site: siteProbe },
      run: () => [{ status: 'pass', message: 'looks fine to me' }],
    });
    const outcome = await runDemo({ outDir: tempDir(), checks: [blind] });
    assert.equal(outcome.exitCode, 1);
    const v = outcome.verdicts.find((x) => x.check === 'http.hsts')!;
    assert.equal(v.ok, false);
    assert.match(v.problem!, /should fail .* but is pass/);
  });

  it('stops the site when interrupted mid-audit', async () => {
    const controller = new AbortController();
    let ports: number[] = [];
    const run = runDemo({
      outDir: tempDir(),
      signal: controller.signal,
      site: { responseDelayMs: 30_000 },
      note: (s) => {
        ports = [...s.matchAll(/:(\d+)\//g)].map((m) => Number(m[1]));
        setTimeout(() => controller.abort(new Error('test interrupt')), 300);
      },
    });
    await assert.rejects(
      run,
      (e: unknown) => isCiviguardError(e) && e.code === 'E_ABORTED' && e.exitCode === 130,
    );
    assert.equal(ports.length, 2);
    for (const p of ports) assert.equal(await listening(p), false, `port ${p} still open`);
  });

  it('runs from the CLI: prints the report, writes civiguard-demo/, ends by itself with exit 0', async () => {
    const cwd = tempDir();
    const r = await runCli(cwd);
    assert.equal(r.signal, null, 'killed by the hang guard');
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-3000));
    assert.match(r.stdout, /Summary: \d+ failed/);
    assert.match(r.stdout, /Reports written: civiguard-demo\/report\.html .* civiguard-demo\/report\.json/);
    assert.ok(existsSync(join(cwd, 'civiguard-demo', 'report.html')));
    assert.ok(existsSync(join(cwd, 'civiguard-demo', 'report.json')));
    assert.match(r.stderr, /listening on 127\.0\.0\.1/);
  });

  it('Ctrl-C during the audit stops cleanly with exit 130 and writes no report', async () => {
    const cwd = tempDir();
    let sent = false;
    const r = await runCli(cwd, { CIVIGUARD_DEMO_SLOW_MS: '30000' }, (text, pid) => {
      if (!sent && /listening on 127\.0\.0\.1/.test(text)) {
        sent = true;
        setTimeout(() => process.kill(pid, 'SIGINT'), 300);
      }
    });
    assert.ok(sent, r.stderr);
    assert.equal(r.signal, null, 'killed by the hang guard: Ctrl-C did not stop it');
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted/);
    assert.ok(!existsSync(join(cwd, 'civiguard-demo', 'report.json')));
  });

  it('exits 2 with one line when the reports cannot be written', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'not-a-dir'), 'x');
    const r = await runCli(cwd, {}, undefined, ['--out-dir', 'not-a-dir/reports']);
    assert.equal(r.signal, null, 'killed by the hang guard');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^civiguard: demo: cannot create .*not-a-dir\/reports: .* \[E_IO\]\n$/);
  });
});
