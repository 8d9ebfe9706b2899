import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { liveCanaries } from '../probes/local/canary.js';
import { PLANTED } from './planted.js';
import { DEMO_AREAS, NOT_AUDITED, runDemo } from './run-demo.js';
import { DEMO_DB_PASSWORD } from './tree.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HANG_GUARD_MS = 60_000;

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'civiguard-demo-test-'));
  dirs.push(d);
  return d;
}

/** The demo's note naming its temp dir. */
const TREE_NOTE = /demo site files \(removed at the end\): (\S+)/;

/** Asserts that no output carries the database password of the demo's settings files. */
function assertNoPassword(outputs: Record<string, string>): void {
  for (const [name, text] of Object.entries(outputs)) {
    assert.ok(text.length > 0, `${name} is empty`);
    assert.ok(!text.includes(DEMO_DB_PASSWORD), `the DSN password appears in ${name}`);
  }
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
    const tmp = tempDir();
    let text = '';
    let notes = '';
    const outcome = await runDemo({
      outDir,
      tmpDir: tmp,
      out: (s) => (text += s),
      note: (s) => (notes += s),
    });
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
      if (p.proof === 'canary')
        assert.ok(
          own.some((r) => r.status !== 'skip' && r.evidence?.['canary']),
          `${p.check} judged by the canary`,
        );
    }
    assert.equal(outcome.exitCode, 0);
    // The demo areas were audited, local ones included, and every registered check of them ran.
    const ran = new Set(outcome.report.results.map((r) => r.check));
    for (const c of ALL_CHECKS.filter((c) => DEMO_AREAS.includes(c.area)))
      assert.ok(ran.has(c.id), `${c.id} ran`);
    assert.ok([...ran].every((id) => DEMO_AREAS.some((a) => id.startsWith(`${a}.`))));
    for (const area of Object.keys(NOT_AUDITED)) assert.ok(![...ran].some((id) => id.startsWith(`${area}.`)));
    for (const area of ['fs', 'config', 'pci', 'ids'])
      assert.ok(
        outcome.report.results.some((r) => r.check.startsWith(`${area}.`) && r.status === 'fail'),
        `${area} shows a finding`,
      );
    assert.equal(outcome.report.target.cms, 'drupal');
    assert.equal(outcome.report.target.root, join(outcome.tempDir, 'site'));
    // The canaries were written, fetched and deleted; the temp tree is gone.
    assert.deepEqual(liveCanaries(), []);
    assert.equal(notes.match(TREE_NOTE)?.[1], outcome.tempDir);
    assert.equal(existsSync(outcome.tempDir), false, 'temp tree removed');
    assert.deepEqual(readdirSync(tmp), []);
    // The text report and the self-check table were printed; the files are there and valid.
    assert.match(text, /civiguard \S+ audit of https:\/\/demo\.civiguard\.test:\d+\//);
    assert.match(text, /Demo self-check: \d+ of \d+ planted problems detected/);
    assert.match(text, /Audit a real site: civiguard audit https:\/\/\S+ .*--root /);
    const json = JSON.parse(readFileSync(outcome.files.json, 'utf8')) as unknown;
    const validate = schemaValidator('report.schema.json');
    assert.ok(validate(json), JSON.stringify(validate.errors));
    const html = readFileSync(outcome.files.html, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.ok(!/<script/i.test(html));
    // The other formats accept the same real report.
    const sarifText = await render(outcome.report, 'sarif');
    const sarif = JSON.parse(sarifText) as unknown;
    const validateSarif = schemaValidator('sarif-2.1.0.subset.schema.json');
    assert.ok(validateSarif(sarif), JSON.stringify(validateSarif.errors));
    const junitText = await render(outcome.report, 'junit');
    const junit = parseXml(junitText);
    assert.equal(Number(junit.attrs['failures']), outcome.report.summary.fail);
    // The settings files hold the database password; no output does.
    assertNoPassword({
      text,
      notes,
      json: readFileSync(outcome.files.json, 'utf8'),
      html,
      sarif: sarifText,
      junit: junitText,
      'the report object': JSON.stringify(outcome.report),
    });
  });

  it('exits 1 with the reason when a planted problem goes undetected (regression signal)', async () => {
    // A broken http.hsts that passes everything stands in for a check that stopped detecting.
    const blind = defineCheck({
      ...ALL_CHECKS.find((c) => c.id === 'http.hsts')!,
      probes: { site: siteProbe },
      run: () => [{ status: 'pass', message: 'looks fine to me' }],
    });
    const outcome = await runDemo({ outDir: tempDir(), tmpDir: tempDir(), checks: [blind] });
    assert.equal(outcome.exitCode, 1);
    assert.equal(existsSync(outcome.tempDir), false);
    const v = outcome.verdicts.find((x) => x.check === 'http.hsts')!;
    assert.equal(v.ok, false);
    assert.match(v.problem!, /should fail .* but is pass/);
  });

  it('stops the site and removes its files when interrupted mid-audit', async () => {
    const controller = new AbortController();
    const tmp = tempDir();
    let ports: number[] = [];
    let treeDir = '';
    const run = runDemo({
      outDir: tempDir(),
      tmpDir: tmp,
      signal: controller.signal,
      auditResponseDelayMs: 30_000,
      note: (s) => {
        treeDir = TREE_NOTE.exec(s)?.[1] ?? treeDir;
        if (/listening on/.test(s)) ports = [...s.matchAll(/:(\d+)\//g)].map((m) => Number(m[1]));
        if (/^auditing with/.test(s)) setTimeout(() => controller.abort(new Error('test interrupt')), 300);
      },
    });
    await assert.rejects(
      run,
      (e: unknown) => isCiviguardError(e) && e.code === 'E_ABORTED' && e.exitCode === 130,
    );
    assert.equal(ports.length, 2);
    for (const p of ports) assert.equal(await listening(p), false, `port ${p} still open`);
    assert.ok(treeDir.startsWith(tmp), treeDir);
    assert.equal(existsSync(treeDir), false, 'temp tree removed');
    assert.deepEqual(readdirSync(tmp), []);
    assert.deepEqual(liveCanaries(), []);
  });

  it('runs from the CLI: prints the report, writes civiguard-demo/, ends by itself with exit 0', async () => {
    const cwd = tempDir();
    const tmp = tempDir();
    const r = await runCli(cwd, { TMPDIR: tmp });
    assert.equal(r.signal, null, 'killed by the hang guard');
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-3000));
    const treeDir = TREE_NOTE.exec(r.stderr)?.[1] ?? '';
    assert.ok(treeDir.startsWith(tmp), r.stderr);
    assert.equal(existsSync(treeDir), false, 'temp tree removed');
    // tsx keeps its cache in TMPDIR too: only the demo's own dirs count.
    assert.deepEqual(
      readdirSync(tmp).filter((n) => n.startsWith('civiguard-demo-')),
      [],
    );
    assertNoPassword({
      stdout: r.stdout,
      stderr: r.stderr,
      json: readFileSync(join(cwd, 'civiguard-demo', 'report.json'), 'utf8'),
      html: readFileSync(join(cwd, 'civiguard-demo', 'report.html'), 'utf8'),
    });
    assert.match(r.stdout, /^fs {2}\[fail\]$/m);
    assert.match(r.stdout, /^ids {2}\[fail\]$/m);
    assert.match(r.stdout, /Summary: \d+ failed/);
    assert.match(r.stdout, /Reports written: civiguard-demo\/report\.html .* civiguard-demo\/report\.json/);
    assert.ok(existsSync(join(cwd, 'civiguard-demo', 'report.html')));
    assert.ok(existsSync(join(cwd, 'civiguard-demo', 'report.json')));
    assert.match(r.stderr, /listening on 127\.0\.0\.1/);
  });

  it('Ctrl-C during the audit stops cleanly with exit 130, writes no report, removes the tree', async () => {
    const cwd = tempDir();
    const tmp = tempDir();
    let sent = false;
    const r = await runCli(cwd, { CIVIGUARD_DEMO_SLOW_MS: '30000', TMPDIR: tmp }, (text, pid) => {
      if (!sent && /^auditing with/m.test(text)) {
        sent = true;
        setTimeout(() => process.kill(pid, 'SIGINT'), 300);
      }
    });
    assert.ok(sent, r.stderr);
    assert.equal(r.signal, null, 'killed by the hang guard: Ctrl-C did not stop it');
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted/);
    assert.ok(!existsSync(join(cwd, 'civiguard-demo', 'report.json')));
    const treeDir = TREE_NOTE.exec(r.stderr)?.[1] ?? '';
    assert.ok(treeDir.startsWith(tmp), r.stderr);
    assert.equal(existsSync(treeDir), false, 'temp tree removed');
    // tsx keeps its cache in TMPDIR too: only the demo's own dirs count.
    assert.deepEqual(
      readdirSync(tmp).filter((n) => n.startsWith('civiguard-demo-')),
      [],
    );
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
