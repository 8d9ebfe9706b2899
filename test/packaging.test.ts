// Installs the packed package into an empty directory and runs the CLI from it (STYLE.md §6):
// proves the published files, the bin entry and the runtime dependencies are complete.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'civiguard-pack-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('packed package', { timeout: 600_000 }, () => {
  it('installs and runs the civiguard bin', () => {
    execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
      cwd: repo,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, 'npm pack produced no tarball');
    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), '{"name":"pack-test","version":"1.0.0","private":true}');
    execFileSync(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--silent',
        join(work, tgz),
      ],
      { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const bin = join(app, 'node_modules', '.bin', 'civiguard');
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    const help = spawnSync(bin, ['audit', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /--resolve/);
    // The IDS rules are data files: they must be in the package.
    const scan = spawnSync(bin, ['ids', 'scan', "1' OR '1'='1' -- "], { encoding: 'utf8' });
    assert.equal(scan.status, 0, scan.stderr);
    assert.match(scan.stdout, /sqli/);
    // The library entry points resolve through the exports map.
    const lib = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const c = await import('civiguard'); const i = await import('civiguard/ids'); await import('civiguard/ids/middleware/node'); console.log(typeof c.runAudit, c.ALL_CHECKS.length > 40, i.createIds().inspect({ query: { q: \"1' OR '1'='1\" } }).decision);",
      ],
      { cwd: app, encoding: 'utf8' },
    );
    assert.equal(lib.status, 0, lib.stderr);
    assert.match(lib.stdout, /^function true (log|warn|block)/);
    const usage = spawnSync(bin, ['audit'], { encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /audit needs a URL/);
  });
});
