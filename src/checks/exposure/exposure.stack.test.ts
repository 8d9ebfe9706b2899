/**
 * Remote evidence and the --root canary on real server stacks serving a CiviCRM-on-Drupal-7 tree with
 * CiviCRM's deny-all .htaccess in its private dirs: nginx + php-fpm ignores .htaccess (the files are
 * served, and so is the .htaccess itself); Apache with AllowOverride All honours it.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildTarget } from '../../audit/build-target.js';
import { runChecks } from '../../core/runner.js';
import type { WebStack } from '../../test-support/servers/web-stack.js';
import {
  openForWeb,
  startApache,
  startNginxPhp,
  webStackMissing,
} from '../../test-support/servers/web-stack.js';
import type { SiteFixture } from '../../test-support/sites/index.js';
import { buildSite } from '../../test-support/sites/index.js';
import customFiles from './custom-files.js';
import log from './log.js';
import templatesC from './templates-c.js';
import uploads from './uploads.js';

const PRIVATE = [uploads, customFiles, log, templatesC];
const HOST = 'exposure.test';

describe('private dirs on real stacks: remote evidence, then the --root canary', { timeout: 120_000 }, () => {
  const stacks: WebStack[] = [];
  const sites: SiteFixture[] = [];
  after(async () => {
    for (const s of stacks) await s.stop();
    for (const s of sites) s.remove();
  });

  const audit = async (stack: WebStack, root: string | null) => {
    const target = buildTarget({
      url: stack.url,
      httpUrl: stack.httpUrl,
      resolve: stack.resolve,
      root,
      cms: 'drupal',
      timeoutMs: 5000,
    });
    const out = await runChecks(target, PRIVATE);
    return out.results.map((r) => `${r.id ?? r.check}:${r.status}`).sort();
  };

  it('nginx + php-fpm: .htaccess is ignored, so it downloads itself (remote proof), and the canary is served', async (t) => {
    const missing = webStackMissing('nginx');
    if (missing) return t.skip(missing);
    const fx = buildSite('drupal7', { htaccess: true, host: HOST });
    sites.push(fx);
    openForWeb(fx.root);
    const stack = await startNginxPhp({ root: fx.webRoot, host: HOST });
    stacks.push(stack);
    assert.deepEqual(await audit(stack, null), [
      'exposure.custom-files.downloadable:fail',
      'exposure.log.dir-open:fail',
      'exposure.templates-c.downloadable:fail',
      'exposure.uploads.downloadable:fail',
    ]);
    assert.deepEqual(await audit(stack, fx.root), [
      'exposure.custom-files.downloadable:fail',
      'exposure.log.downloadable:fail',
      'exposure.templates-c.downloadable:fail',
      'exposure.uploads.downloadable:fail',
    ]);
  });

  it('Apache honouring .htaccess: remote mode cannot tell (skip), the canary proves it closed (pass)', async (t) => {
    const missing = webStackMissing('apache');
    if (missing) return t.skip(missing);
    const fx = buildSite('drupal7', { htaccess: true, host: HOST });
    sites.push(fx);
    openForWeb(fx.root);
    const stack = await startApache({ root: fx.webRoot, allowOverride: true, host: HOST });
    stacks.push(stack);
    assert.deepEqual(await audit(stack, null), [
      'exposure.custom-files:skip',
      'exposure.log:skip',
      'exposure.templates-c:skip',
      'exposure.uploads:skip',
    ]);
    assert.deepEqual(await audit(stack, fx.root), [
      'exposure.custom-files:pass',
      'exposure.log:pass',
      'exposure.templates-c:pass',
      'exposure.uploads:pass',
    ]);
  });
});
