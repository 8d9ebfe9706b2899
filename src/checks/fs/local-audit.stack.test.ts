/**
 * The local checks end to end, through the real runner, on Debian's `wordpress` package tree served by
 * Debian's nginx + php-fpm (content dir outside the document root, through the package's alias), with
 * CiviCRM's data dirs where WordPress keeps them: once without a deny rule (the canary is fetched: fail)
 * and once with nginx location rules (pass). The PHP user is detected from the running php-fpm pool.
 */
import assert from 'node:assert/strict';
import { chownSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildTarget } from '../../audit/build-target.js';
import type { Result } from '../../core/result.js';
import { runChecks } from '../../core/runner.js';
import type { DebianWordpress } from '../../test-support/servers/web-stack.js';
import { startDebianWordpress, webStackMissing } from '../../test-support/servers/web-stack.js';
import keys from '../config/keys.js';
import customFiles from '../exposure/custom-files.js';
import exposureLog from '../exposure/log.js';
import templatesC from '../exposure/templates-c.js';
import uploads from '../exposure/uploads.js';
import { fsChecks } from './index.js';

const EXPOSURE = [uploads, customFiles, exposureLog, templatesC];
const CHECKS = [...fsChecks, keys, ...EXPOSURE];

function canariesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...canariesUnder(p));
    else if (n.includes('civiguard-canary')) out.push(p);
  }
  return out;
}

const byId = (rs: Result[]) => Object.fromEntries(rs.map((r) => [r.id ?? r.check, r]));

describe("local audit of Debian's WordPress on nginx + php-fpm", { timeout: 120_000 }, () => {
  const missing = webStackMissing('wordpress');
  let open: DebianWordpress;
  let denied: DebianWordpress;
  before(async () => {
    if (missing) return;
    [open, denied] = await Promise.all([
      startDebianWordpress({ deny: false }),
      startDebianWordpress({ deny: true }),
    ]);
  });
  after(async () => {
    await open?.stop();
    await denied?.stop();
  });

  const audit = async (s: DebianWordpress) => {
    const target = buildTarget({
      url: s.url,
      httpUrl: s.httpUrl,
      resolve: s.resolve,
      root: s.root,
      timeoutMs: 5000,
    });
    return (await runChecks(target, CHECKS)).results;
  };

  it('no deny rule: private dirs served through the alias → fail; keys, settings modes and code pass', async (t) => {
    if (missing) return t.skip(missing);
    const r = byId(await audit(open));
    for (const d of ['upload', 'custom', 'ConfigAndLog', 'templates_c']) {
      const x = r[`fs.private-in-webroot.${d}`]!;
      assert.equal(x.status, 'fail', `${d}: ${x.message}`);
      assert.match(
        x.message,
        /outside the document root, yet a canary file in it was served at https:\/\/wp-/,
      );
    }
    // The exposure checks in exact mode: the canary (and the real log) fetched by URL.
    for (const id of ['exposure.uploads', 'exposure.custom-files', 'exposure.log', 'exposure.templates-c']) {
      const x = r[`${id}.downloadable`];
      assert.equal(
        x?.status,
        'fail',
        `${id}: ${JSON.stringify(Object.keys(r).filter((k) => k.startsWith(id)))}`,
      );
    }
    assert.match(r['exposure.log.downloadable']!.message, /CiviCRM\.default\.[0-9a-f]+\.log is served/);
    assert.equal(r['config.keys.site-key']!.status, 'pass');
    assert.equal(r['fs.settings-perms']!.status, 'pass', r['fs.settings-perms']!.message);
    assert.equal(r['fs.code-writable']!.status, 'pass', r['fs.code-writable']!.message);
    assert.match(r['fs.code-writable']!.message, /www-data/);
    assert.equal(r['fs.backups-in-webroot']!.status, 'pass', r['fs.backups-in-webroot']!.message);
    assert.deepEqual(canariesUnder(open.contentDir), []);
  });

  it('nginx location rules deny the private dirs → pass', async (t) => {
    if (missing) return t.skip(missing);
    const r = byId(await audit(denied));
    for (const d of ['upload', 'custom', 'ConfigAndLog', 'templates_c']) {
      const x = r[`fs.private-in-webroot.${d}`]!;
      assert.equal(x.status, 'pass', `${d}: ${x.message}`);
    }
    for (const id of ['exposure.uploads', 'exposure.custom-files', 'exposure.log', 'exposure.templates-c']) {
      assert.equal(
        r[id]?.status,
        'pass',
        `${id}: ${r[id]?.message ?? JSON.stringify(Object.keys(r).filter((k) => k.startsWith(id)))}`,
      );
    }
    assert.deepEqual(canariesUnder(denied.contentDir), []);
  });

  it('a plugin dir handed to www-data and the host config made world-readable are found', async (t) => {
    if (missing) return t.skip(missing);
    const plugin = join(open.contentDir, 'plugins', 'civicrm');
    chownSync(plugin, 33, 33);
    const { chmodSync } = await import('node:fs');
    chmodSync(open.etcConfig, 0o644);
    try {
      const r = byId(await audit(open));
      assert.equal(r['fs.code-writable.php-user-writable']!.status, 'fail');
      assert.match(r['fs.code-writable.php-user-writable']!.message, /www-data .*process php-fpm/);
      assert.equal(r['fs.settings-perms.world-readable']!.status, 'fail');
      assert.match(
        r['fs.settings-perms.world-readable']!.message,
        new RegExp(open.etcConfig.replace(/\./g, '\\.')),
      );
    } finally {
      chownSync(plugin, 0, 0);
      chmodSync(open.etcConfig, 0o640);
    }
  });
});
