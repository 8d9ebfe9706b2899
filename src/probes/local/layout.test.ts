import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SiteFixture } from '../../test-support/sites/index.js';
import { ALL_FIXTURE_CMS, GOOD_SITE_KEY, TEST_DSN, buildSite } from '../../test-support/sites/index.js';
import { discoverLayout } from './layout.js';

const opts = { host: 'site.test', port: 443 };
const made: SiteFixture[] = [];
const site = (...a: Parameters<typeof buildSite>) => {
  const s = buildSite(...a);
  made.push(s);
  return s;
};
after(() => made.forEach((s) => s.remove()));

describe('layout discovery per CMS (SPEC §4 fixture trees)', () => {
  for (const cms of ALL_FIXTURE_CMS) {
    it(`${cms}: finds civicrm.settings.php, reads its keys and works out every data dir and URL`, () => {
      const fx = site(cms);
      const l = discoverLayout(fx.root, opts);
      assert.equal(l.variant, cms);
      assert.equal(l.webRoot, fx.webRoot);
      assert.equal(l.settingsProblem, null, JSON.stringify(l.settingsProblem));
      assert.equal(l.settings?.file, fx.settingsFile);
      assert.deepEqual(l.settings?.siteKey, { state: 'set', value: GOOD_SITE_KEY });
      assert.deepEqual(l.settings?.dsn, { state: 'set', value: TEST_DSN });
      assert.equal(l.settings?.credKeys.state, 'set');
      assert.equal(l.settings?.signKeys.state, 'set');
      const dir = (k: string) => l.dirs.find((d) => d.kind === k)!;
      for (const k of ['upload', 'custom', 'log', 'compile', 'persist', 'ext'] as const) {
        assert.equal(dir(k).path, fx.dirs[k], `${k}: ${dir(k).source}`);
        assert.equal(dir(k).exists, true, k);
      }
      for (const k of ['upload', 'custom', 'log', 'compile'] as const) {
        assert.ok(dir(k).private);
        if (dir(k).inWebRoot) assert.equal(dir(k).urls[0], fx.urls[k], `${k} urls ${dir(k).urls.join(' ')}`);
        else assert.ok(dir(k).urls.length >= 1, `${k} has a URL to try even outside the web root`);
      }
      assert.equal(l.logFiles.length, 1);
      assert.equal(l.logFiles[0]!.path, fx.logFiles[0]);
      assert.match(l.logFiles[0]!.urls[0]!, /CiviCRM\.default\.[0-9a-f]+\.log$/);
    });
  }

  it('drupal8 composer layout: document root in web/, private parts under the private file path', () => {
    const fx = site('drupal8', { composer: true });
    const l = discoverLayout(fx.root, opts);
    assert.equal(l.webRoot, join(fx.root, 'web'));
    const log = l.dirs.find((d) => d.kind === 'log')!;
    assert.equal(log.path, join(fx.root, 'private', 'civicrm', 'ConfigAndLog'));
    assert.equal(log.inWebRoot, false);
    assert.ok(l.codeRoots.includes(join(fx.root, 'vendor', 'civicrm', 'civicrm-core')));
  });

  it("wordpress with Debian's layout: content dir outside the web root, served through the alias", () => {
    const etc = mkdtempSync(join(tmpdir(), 'civiguard-etc-wp-'));
    const content = mkdtempSync(join(tmpdir(), 'civiguard-wp-content-'));
    try {
      const fx = site('wordpress', { contentDir: content });
      // Replace wp-config.php by Debian's loader, as /usr/share/wordpress ships it.
      writeFileSync(
        join(fx.webRoot, 'wp-config.php'),
        `<?php
$debian_server = preg_replace('/:.*/', "", $_SERVER['HTTP_HOST']);
$debian_file = '/etc/wordpress/config-'.strtolower($debian_server).'.php';
if (file_exists($debian_file)) { require_once($debian_file); define('DEBIAN_FILE', $debian_file); }
else { header("HTTP/1.0 404 Not Found"); exit(1); }
if (!defined('ABSPATH')) define('ABSPATH', '/usr/share/wordpress/');
if (!defined('WP_CONTENT_DIR') && !defined('DONT_SET_WP_CONTENT_DIR'))
    define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
require_once(ABSPATH . 'wp-settings.php');
`,
      );
      writeFileSync(
        join(etc, 'config-site.test.php'),
        `<?php\ndefine('DB_NAME', 'wp');\ndefine('WP_CONTENT_DIR', '${content}');\n`,
      );
      const l = discoverLayout(fx.root, { ...opts, debianWordpressEtc: etc });
      assert.ok(l.cmsEvidence.some((e) => /Debian/.test(e)));
      assert.ok(l.cmsSettingsFiles.includes(join(etc, 'config-site.test.php')));
      const up = l.dirs.find((d) => d.kind === 'upload')!;
      assert.equal(up.path, join(content, 'uploads', 'civicrm', 'upload'));
      assert.equal(up.inWebRoot, false);
      assert.equal(up.urls[0], 'wp-content/uploads/civicrm/upload/');
      // Without the host config, Debian's default content dir is what wp-config.php defines.
      const l2 = discoverLayout(fx.root, { ...opts, host: 'other.test', debianWordpressEtc: etc });
      assert.equal(
        l2.dirs.find((d) => d.kind === 'upload')!.path,
        '/var/lib/wordpress/wp-content/uploads/civicrm/upload',
      );
    } finally {
      rmSync(etc, { recursive: true, force: true });
      rmSync(content, { recursive: true, force: true });
    }
  });

  it('follows $civicrm_setting overrides, $civicrm_paths tokens, includes and __DIR__ concatenation', () => {
    const fx = site('backdrop', {
      settingsExtra: `
$civicrm_setting['domain']['uploadDir'] = '[civicrm.files]/moved-upload/';
$civicrm_setting['Directory Preferences']['customFileUploadDir'] = __DIR__ . '/../outside-custom';
$civicrm_paths['civicrm.log']['path'] = '[civicrm.private]/logs-here';
if (file_exists(__DIR__ . '/civicrm.settings.local.php')) {
  include __DIR__ . '/civicrm.settings.local.php';
}
`,
    });
    writeFileSync(
      join(fx.webRoot, 'civicrm.settings.local.php'),
      "<?php\n$civicrm_setting['domain']['debug_enabled'] = 1;\n",
    );
    const l = discoverLayout(fx.root, opts);
    const dir = (k: string) => l.dirs.find((d) => d.kind === k)!;
    assert.equal(dir('upload').path, join(fx.filesRoot, 'moved-upload'));
    assert.equal(dir('custom').path, join(fx.root, '..', 'outside-custom'));
    assert.equal(dir('custom').inWebRoot, false);
    assert.equal(dir('log').path, join(fx.filesRoot, 'logs-here'));
    assert.deepEqual(l.settings!.overrides['debug_enabled'], { state: 'set', value: 1 });
    assert.ok(l.settings!.files.some((f) => f.endsWith('civicrm.settings.local.php')));
  });

  it('getenv() and other runtime values: unknown with the reason, not a guess', () => {
    const fx = site('joomla', {
      dsn: null,
      settingsExtra: `define('CIVICRM_DSN', getenv('CIVI_DSN'));\n$civicrm_setting['domain']['uploadDir'] = getenv('UPLOADS') . '/up';\n`,
    });
    const l = discoverLayout(fx.root, opts);
    assert.equal(l.settings!.dsn.state, 'unknown');
    assert.match((l.settings!.dsn as { reason: string }).reason, /getenv\('CIVI_DSN'\)/);
    const up = l.dirs.find((d) => d.kind === 'upload')!;
    assert.equal(up.path, null);
    assert.match(up.source, /getenv\('UPLOADS'\)/);
    // CIVICRM_UF depends on getenv in the template: unknown, and the rest still read.
    assert.equal(l.settings!.uf.state, 'unknown');
    assert.equal(l.settings!.siteKey.state, 'set');
  });

  it('log names with a prefix and rotation suffixes are found; other files are not', () => {
    const fx = site('drupal7', {
      logFiles: [
        'CiviCRM.a1b2c3d4e5f6.log',
        'CiviCRM.civimail.a1b2c3d4e5f6.log',
        'mysite.CiviCRM.a1b2c3d4e5f6.log',
        'CiviCRM.a1b2c3d4e5f6.log.202401011200',
        'CiviCRM.a1b2c3d4e5f6.log.2.gz',
        'README.txt',
      ],
    });
    const l = discoverLayout(fx.root, opts);
    const names = l.logFiles.map((f) => f.path.split('/').pop()).sort();
    assert.deepEqual(names, [
      'CiviCRM.a1b2c3d4e5f6.log',
      'CiviCRM.a1b2c3d4e5f6.log.2.gz',
      'CiviCRM.a1b2c3d4e5f6.log.202401011200',
      'CiviCRM.civimail.a1b2c3d4e5f6.log',
      'mysite.CiviCRM.a1b2c3d4e5f6.log',
    ]);
  });
});

describe('layout discovery: what the checks read from disk', () => {
  it('.htaccess deny rules CiviCRM writes are found in each private dir (and only inside the web root)', () => {
    const fx = site('drupal7', { htaccess: true });
    const l = discoverLayout(fx.root, opts);
    for (const d of l.dirs.filter((x) => x.private))
      assert.equal(d.htaccessDeny, join(d.path!, '.htaccess'), d.kind);
    assert.equal(l.dirs.find((d) => d.kind === 'persist')!.htaccessDeny, null);
    const bare = discoverLayout(site('drupal7').root, opts);
    assert.ok(bare.dirs.every((d) => d.htaccessDeny === null));
  });

  it('a 2 GB (sparse) log is listed by size without being read', () => {
    const fx = site('backdrop');
    const big = join(fx.dirs.log, 'CiviCRM.bigbigbig.log');
    writeFileSync(big, 'start\n');
    truncateSync(big, 2 * 1024 ** 3);
    const t0 = performance.now();
    const l = discoverLayout(fx.root, opts);
    assert.ok(performance.now() - t0 < 10_000);
    const f = l.logFiles.find((x) => x.path === big)!;
    assert.equal(f.size, 2 * 1024 ** 3);
  });

  it('code, data and served roots', () => {
    const fx = site('drupal8', { composer: true });
    const l = discoverLayout(fx.root, opts);
    assert.deepEqual(l.servedRoots, [l.webRoot]);
    assert.ok(l.dataRoots.includes(join(l.webRoot, 'sites', 'default', 'files')));
    assert.ok(l.dataRoots.includes(join(fx.root, 'private', 'civicrm')));
    assert.ok(!l.dataRoots.some((d) => d.endsWith('/ext')));
  });
});

describe('layout discovery: bad input', () => {
  it('settings file with a syntax error: layout still found, settings problem is an error with the line', () => {
    const fx = site('drupal7', {
      settingsText: "<?php\ndefine('CIVICRM_DSN', 'mysql://a:b@h/d');\ndefine('CIVICRM_SITE_KEY' 'oops');\n",
    });
    const l = discoverLayout(fx.root, opts);
    assert.equal(l.settings, null);
    assert.equal(l.settingsProblem?.status, 'error');
    assert.match(l.settingsProblem!.reason, /syntax error on line 3/);
    assert.ok(l.dirs.find((d) => d.kind === 'upload')!.path, 'CMS defaults still give the data dirs');
  });

  it('no civicrm.settings.php: skip with where it looked', () => {
    const fx = site('wordpress');
    rmSync(fx.settingsFile);
    const l = discoverLayout(fx.root, opts);
    assert.equal(l.settingsProblem?.status, 'skip');
    assert.match(l.settingsProblem!.reason, /no civicrm\.settings\.php found/);
  });

  it('a root that is not a web root, or does not exist: a clear error', () => {
    const d = mkdtempSync(join(tmpdir(), 'civiguard-notroot-'));
    try {
      mkdirSync(join(d, 'etc'));
      assert.throws(() => discoverLayout(d, opts), /is not a CiviCRM web root/);
      assert.throws(() => discoverLayout(join(d, 'nope'), opts), /--root .*nope.*ENOENT|no such file/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('a symlink loop in the data dirs does not hang discovery', () => {
    const fx = site('backdrop');
    symlinkSync(join(fx.filesRoot, 'loop'), join(fx.filesRoot, 'loop'));
    symlinkSync(fx.filesRoot, join(fx.dirs.upload, 'up-again'));
    const l = discoverLayout(fx.root, opts);
    assert.equal(l.dirs.find((d) => d.kind === 'upload')!.exists, true);
  });

  it('an unreadable settings file (read as an unprivileged user): error with the reason', (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to run the reader as another user');
    const fx = site('drupal7', { parent: mkdtempSync(join(tmpdir(), 'civiguard-perm-')) });
    chmodSync(join(fx.root, '..'), 0o755);
    chmodSync(fx.root, 0o755);
    chmodSync(fx.settingsFile, 0o600);
    const script = `import { discoverLayout } from ${JSON.stringify(new URL('./layout.ts', import.meta.url).pathname)};
const l = discoverLayout(${JSON.stringify(fx.root)}, { host: 'site.test', port: 443 });
console.log(JSON.stringify(l.settingsProblem));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
      cwd: new URL('../../../', import.meta.url).pathname,
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const problem = JSON.parse(r.stdout.trim()) as { status: string; reason: string };
    assert.equal(problem.status, 'error');
    assert.match(problem.reason, /cannot read .*civicrm\.settings\.php: .*EACCES/);
  });
});
