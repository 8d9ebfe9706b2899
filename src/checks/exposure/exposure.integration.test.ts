/**
 * The exposure checks end to end through the real runner, against real https servers on loopback that
 * play CiviCRM sites (test-support/fake-site.ts): misconfigured Drupal and WordPress sites, a clean one, a
 * catch-all-200 site, and slow sites.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTarget } from '../../audit/build-target.js';
import type { CmsName } from '../../core/target.js';
import { runChecks } from '../../core/runner.js';
import { exposureProbe, MAX_REQUESTS } from '../../probes/exposure/index.js';
import { exposureChecks } from './index.js';
import type { FakeSiteOptions } from './test-support/fake-site.js';
import { startFakeSite } from './test-support/fake-site.js';
import { freePort } from '../../test-support/servers/nginx.js';

const HTACCESS = '<Files "*">\n  Order allow,deny\n  Deny from all\n</Files>\n';
const DRUPAL_HOME =
  '<!DOCTYPE html><html><head><meta name="Generator" content="Drupal 10 (https://www.drupal.org)"></head><body><h1>Welcome</h1></body></html>';
const WP_HOME =
  '<!DOCTYPE html><html><head><meta name="generator" content="WordPress 6.7"><link rel="stylesheet" href="/wp-content/themes/x/style.css"></head><body><h1>Welcome</h1></body></html>';
const PHPINFO =
  '<!DOCTYPE html><html><head><style>body{}</style><title>PHP 8.2.7 - phpinfo()</title></head><body><h1>PHP Version 8.2.7</h1></body></html>';

async function audit(opts: FakeSiteOptions, extra: { cms?: CmsName; timeoutMs?: number } = {}) {
  const site = await startFakeSite(opts);
  try {
    const target = buildTarget({
      url: site.url,
      httpUrl: `http://site.test:${site.port}/`,
      resolve: [site.resolve],
      timeoutMs: extra.timeoutMs ?? 5000,
      cms: extra.cms,
    });
    const t0 = performance.now();
    const out = await runChecks(target, exposureChecks);
    const ms = performance.now() - t0;
    const fact = out.fact(exposureProbe);
    const byCheck = new Map<string, string[]>();
    for (const r of out.results)
      byCheck.set(r.check, [...(byCheck.get(r.check) ?? []), `${r.id ?? r.check}:${r.status}`]);
    return { results: out.results, byCheck, fact, ms, requests: site.requests };
  } finally {
    await site.stop();
  }
}

const fails = (results: { status: string; id?: string; check: string }[]) =>
  results
    .filter((r) => r.status === 'fail')
    .map((r) => r.id ?? r.check)
    .sort();

describe('exposure checks against real https servers', { timeout: 60_000 }, () => {
  it('a misconfigured Drupal site fails each check for what it serves', async () => {
    const { results, fact } = await audit({
      home: DRUPAL_HOME,
      files: {
        'sites/default/files/civicrm/upload/Donors_2024.csv': 'first,last\nAda,Lovelace\n',
        'sites/default/files/civicrm/custom/.htaccess': HTACCESS,
        'sites/default/files/civicrm/custom/photo_1a2b.jpg': 'JPEG',
        'sites/default/files/civicrm/ConfigAndLog/CiviCRM.1f2e3d4c.log': 'Dec 01 10:00:00  [info] hello\n',
        'sites/default/files/civicrm/templates_c/en_US/%%AB^ABC%%Page.tpl.php': '<?php ?>',
        'sites/default/settings.php.bak':
          "<?php\n$databases['default']['default'] = ['password' => 'hunter2'];\n",
        '.git/HEAD': 'ref: refs/heads/main\n',
        'backup.sql':
          '-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB\nCREATE TABLE `civicrm_contact` (id int);\n',
      },
      scripts: {
        'phpinfo.php': { status: 200, body: PHPINFO },
        'sites/default/settings.php': { status: 200, body: '' },
        'sites/all/modules/civicrm/packages/OpenFlashChart/php-ofc-library/ofc_upload_image.php': {
          status: 200,
          body: 'Saving your image to: ../tmp-upload-images/2026-12-04.jpg',
        },
      },
      autoindex: (d) => (d.includes('/custom/') ? false : 'nginx'),
    });
    assert.deepEqual(fails(results), [
      'exposure.backups.dump',
      'exposure.custom-files.downloadable',
      'exposure.listing',
      'exposure.log.downloadable',
      'exposure.settings.copy',
      'exposure.templates-c.listed',
      'exposure.unsafe-files.ofc-upload',
      'exposure.unsafe-files.phpinfo',
      'exposure.uploads.downloadable',
      'exposure.vcs.git',
    ]);
    assert.ok(
      !results.some((r) => r.status === 'error'),
      JSON.stringify(results.filter((r) => r.status === 'error')),
    );
    assert.doesNotMatch(JSON.stringify(results), /hunter2|Lovelace/);
    assert.ok(fact?.ok && fact.value.cms === 'drupal');
    assert.ok(fact.ok && fact.value.requests <= 150, `${fact.ok && fact.value.requests} requests`);
  });

  it('a misconfigured WordPress site (Apache listings)', async () => {
    const R = 'wp-content/uploads/civicrm/';
    const { results } = await audit({
      home: WP_HOME,
      files: {
        [`${R}upload/import_1.csv`]: 'x',
        [`${R}custom/placeholder/x`]: 'x',
        [`${R}ConfigAndLog/CiviCRM.0a1b2c.log`]: 'Dec 01 10:00:00  [info] x\n',
        'wp-config.php~': "<?php\ndefine( 'DB_PASSWORD', 'hunter2' );\n",
        '.svn/entries': '12\n',
        'dump.sql.gz': Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0]),
      },
      scripts: {
        'wp-content/plugins/civicrm/civicrm/packages/dompdf/dompdf.php': { status: 500, body: '' },
        'wp-admin/install.php': { status: 200, body: '<html><body><h1>Already Installed</h1></body></html>' },
        'wp-config.php': { status: 200, body: '' },
      },
      deny: [/\.log$/, new RegExp(`^${R}upload/`)],
      autoindex: (d) => (d.startsWith(R) ? 'apache' : false),
    });
    assert.deepEqual(fails(results), [
      'exposure.backups.archive',
      'exposure.custom-files.dir-open',
      'exposure.listing',
      'exposure.log.listed',
      'exposure.settings.copy',
      'exposure.unsafe-files.dompdf',
      'exposure.vcs.svn',
    ]);
    const uploads = results.find((r) => r.check === 'exposure.uploads')!;
    assert.equal(uploads.status, 'skip');
    assert.match(uploads.message, /needs --root/);
  });

  it('a clean site: private dirs skip (needs --root), the rest pass', async () => {
    const { byCheck, results } = await audit({
      home: DRUPAL_HOME,
      files: {
        'sites/default/files/civicrm/upload/Donors_2024.csv': 'x',
        'sites/default/files/civicrm/ConfigAndLog/CiviCRM.abc.log': 'x',
        'sites/default/files/civicrm/persist/contribute/index.html': '',
        'sites/default/files/civicrm/persist/contribute/logo.png': 'PNG',
      },
      scripts: {
        'sites/default/settings.php': { status: 200, body: '' },
        'sites/default/civicrm.settings.php': { status: 200, body: '' },
      },
      deny: [/^sites\/default\/files\/civicrm\/(upload|custom|ConfigAndLog|templates_c)\//, /(^|\/)\./],
    });
    assert.deepEqual(Object.fromEntries(byCheck), {
      'exposure.uploads': ['exposure.uploads:skip'],
      'exposure.custom-files': ['exposure.custom-files:skip'],
      'exposure.log': ['exposure.log:skip'],
      'exposure.templates-c': ['exposure.templates-c:skip'],
      'exposure.listing': ['exposure.listing:pass'],
      'exposure.settings': ['exposure.settings:pass'],
      'exposure.vcs': ['exposure.vcs:pass'],
      'exposure.backups': ['exposure.backups:pass'],
      'exposure.unsafe-files': ['exposure.unsafe-files:pass'],
    });
    for (const r of results.filter((x) => x.status === 'skip')) assert.match(r.message, /--root \(canary\)/);
  });

  for (const cms of [undefined, 'drupal', 'wordpress'] as const) {
    it(`a catch-all site that answers 200 to everything: no false fail (cms ${cms ?? 'auto'})`, async () => {
      const { results, fact } = await audit(
        { catchAll: true, home: DRUPAL_HOME.replace('Drupal 10', 'Nothing') },
        { cms },
      );
      assert.deepEqual(fails(results), []);
      assert.deepEqual(
        results.filter((r) => r.status === 'error'),
        [],
      );
      assert.ok(fact?.ok && fact.value.requests <= MAX_REQUESTS);
    });
  }

  it('a site that does not answer: every check is an error, in bounded time', async () => {
    const { results, ms } = await audit({ delayMs: () => 30_000 }, { cms: 'drupal', timeoutMs: 500 });
    assert.equal(results.length, exposureChecks.length);
    for (const r of results) {
      assert.equal(r.status, 'error');
      assert.match(r.message, /answered none/);
    }
    assert.ok(ms < 30_000, `hang guard: ${ms} ms`);
  });

  it('a site where some paths hang: those checks error, the others still judge', async () => {
    const { byCheck } = await audit(
      {
        home: DRUPAL_HOME,
        files: { '.git/HEAD': 'ref: refs/heads/main\n' },
        delayMs: (p) => (/\.(sql|gz|zip|tgz)$/.test(p) ? 30_000 : 0),
      },
      { timeoutMs: 500 },
    );
    assert.deepEqual(byCheck.get('exposure.backups'), ['exposure.backups:error']);
    assert.deepEqual(byCheck.get('exposure.vcs'), ['exposure.vcs.git:fail']);
    assert.deepEqual(byCheck.get('exposure.settings'), ['exposure.settings:pass']);
  });

  it('a site that answers everything slowly: cut at the time budget, partial facts, errors name the budget', async () => {
    // 2.5 s per answer, 3 s request timeout: ~95 requests would take ~40 s; the probe's budget is 10 s.
    const { results, fact, ms } = await audit(
      { home: DRUPAL_HOME, delayMs: (p) => (p === '' ? 0 : 2500) },
      { cms: 'drupal', timeoutMs: 3000 },
    );
    assert.ok(fact?.ok, 'the probe returns what it gathered');
    assert.match(fact.value.stopped ?? '', /time budget of 9 s spent/);
    assert.ok(
      fact.value.items.some((i) => i.answer),
      'some answers arrived',
    );
    const errors = results.filter((r) => r.status === 'error');
    assert.ok(errors.length > 0);
    for (const r of errors) assert.match(r.message, /got no answer/);
    assert.deepEqual(fails(results), []);
    assert.ok(ms < 30_000, `hang guard: ${ms} ms`);
  });

  it('no https at all: the files are looked for over plain http (--http-url)', async () => {
    const site = await startFakeSite({ plain: true, files: { '.git/HEAD': 'ref: refs/heads/main\n' } });
    const closed = await freePort();
    try {
      const target = buildTarget({
        url: `https://site.test:${closed}/`,
        httpUrl: site.url,
        resolve: [site.resolve, `site.test:${closed}:127.0.0.1`],
        cms: 'drupal',
        timeoutMs: 2000,
      });
      const out = await runChecks(target, exposureChecks);
      const git = out.results.find((r) => r.check === 'exposure.vcs')!;
      assert.equal(git.id, 'exposure.vcs.git');
      assert.equal(git.status, 'fail');
      assert.match(git.message, new RegExp(`^http://site\\.test:${site.port}/\\.git/HEAD`));
    } finally {
      await site.stop();
    }
  });
});
