/**
 * End to end against Debian's nginx (src/test-support/nginx-sites.ts): `bad.test` serves listings,
 * a log, a dump and .git like real misconfigured sites; `good.test` denies them as civiguard recommends.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTarget } from '../../audit/build-target.js';
import { runChecks } from '../../core/runner.js';
import type { NginxSites } from '../../test-support/nginx-sites.js';
import { startNginxSites } from '../../test-support/nginx-sites.js';
import { nginxAvailable } from '../../test-support/servers/nginx.js';
import { exposureChecks } from './index.js';

describe('exposure checks against Debian nginx', { timeout: 60_000 }, () => {
  let sites: NginxSites | null = null;
  before(async () => {
    if (nginxAvailable()) sites = await startNginxSites();
  });
  after(async () => {
    await sites?.stop();
  });

  const run = async (host: 'bad.test' | 'good.test') => {
    const out = await runChecks(buildTarget({ ...sites!.inputs(host), timeoutMs: 5000 }), exposureChecks);
    return out.results.map((r) => `${r.id ?? r.check}:${r.status}`).sort();
  };

  it('bad.test: listings, the log, templates_c, .git and a dump are found', async (t) => {
    if (!sites) return t.skip('nginx is not installed (/usr/sbin/nginx)');
    assert.deepEqual(await run('bad.test'), [
      'exposure.backups.dump:fail',
      'exposure.custom-files:skip',
      'exposure.listing:fail',
      'exposure.log.downloadable:fail',
      'exposure.settings:pass',
      'exposure.templates-c.listed:fail',
      'exposure.unsafe-files:pass',
      'exposure.uploads.downloadable:fail',
      'exposure.vcs.git:fail',
      'exposure.vcs.git:fail',
    ]);
  });

  it('good.test: nothing leaks; the private dirs need --root to be proven closed', async (t) => {
    if (!sites) return t.skip('nginx is not installed (/usr/sbin/nginx)');
    assert.deepEqual(await run('good.test'), [
      'exposure.backups:pass',
      'exposure.custom-files:skip',
      'exposure.listing:pass',
      'exposure.log:skip',
      'exposure.settings:pass',
      'exposure.templates-c:skip',
      'exposure.unsafe-files:pass',
      'exposure.uploads:skip',
      'exposure.vcs:pass',
    ]);
  });
});
