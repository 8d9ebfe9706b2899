import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CiviguardError } from '../core/errors.js';
import { databasesFromSettings, loadRunConfig } from './run-config.js';
import { makeSourceTree, newIdentity, tempDir } from './testing/fixtures.js';

const entry = new URL('./testing/cli-entry.ts', import.meta.url).pathname;

describe('backup run configuration', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('loads YAML and rejects unknown keys with a did-you-mean', () => {
    const ok = join(tmp.path, 'ok.yml');
    writeFileSync(ok, 'repos: [/srv/a]\npaths: [/var/www/files]\nlevel: 3\nschedule: "15 3 * * *"\n');
    assert.deepEqual(loadRunConfig(ok), {
      repos: ['/srv/a'],
      paths: ['/var/www/files'],
      level: 3,
      schedule: '15 3 * * *',
    });
    const auto = join(tmp.path, 'auto.yml');
    writeFileSync(auto, 'repos: [/srv/a]\nlevel: auto\n');
    assert.equal(loadRunConfig(auto).level, 'auto');
    const fast = join(tmp.path, 'fast.yml');
    writeFileSync(fast, 'repos: [/srv/a]\nlevel: fastest\n');
    assert.throws(() => loadRunConfig(fast), CiviguardError);
    const bad = join(tmp.path, 'bad.yml');
    writeFileSync(bad, 'repo: [/srv/a]\n');
    assert.throws(
      () => loadRunConfig(bad),
      (e) => e instanceof CiviguardError && /unknown key 'repo'.*repos/.test(e.message),
    );
  });

  it('takes the databases from civicrm.settings.php, each once, and refuses runtime DSNs', () => {
    const s = join(tmp.path, 'civicrm.settings.php');
    writeFileSync(
      s,
      "<?php\ndefine('CIVICRM_DSN', 'mysql://c:p@localhost/civicrm?new_link=true');\ndefine('CIVICRM_UF_DSN', 'mysql://d:p@localhost/drupal');\ndefine('CIVICRM_LOGGING_DSN', 'mysql://c:p@localhost/civicrm');\n",
    );
    assert.deepEqual(databasesFromSettings(s), [
      'mysql://c:p@localhost/civicrm?new_link=true',
      'mysql://d:p@localhost/drupal',
    ]);
    writeFileSync(s, "<?php\ndefine('CIVICRM_DSN', getenv('DSN'));\n");
    assert.throws(() => databasesFromSettings(s), /computed at runtime/);
  });

  it('--schedule runs on a cron schedule until stopped (SIGTERM), one run at a time', async () => {
    const src = join(tmp.path, 'src');
    makeSourceTree(src, { bigBytes: 10_000, smallFiles: 1 });
    const repo = join(tmp.path, 'repo');
    const { Repository } = await import('./repository.js');
    const { LocalBackend } = await import('./backends/local.js');
    await Repository.init(new LocalBackend(repo), { recipients: [(await newIdentity()).recipient] });
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        entry,
        'backup',
        'run',
        '--repo',
        repo,
        '--path',
        src,
        '--schedule',
        '* * * * * *',
        '--format',
        'json',
        '--no-cache',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const deadline = Date.now() + 60_000;
    while ((out.match(/^{"ok":true/gm) ?? []).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, err);
    assert.match(err, /scheduled "\* \* \* \* \* \*"/);
    assert.ok((await new LocalBackend(repo).list('snapshots')).length >= 2);
  });

  it('a bad cron expression is a usage error', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        entry,
        'backup',
        'run',
        '--repo',
        '/nonexistent',
        '--path',
        tmp.path,
        '--schedule',
        'every day',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.equal(code, 2);
    assert.match(err, /--schedule 'every day'/);
  });
});
