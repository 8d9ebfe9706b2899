/**
 * Fixture trees for the six CiviCRM hosts, built from the layout facts of SPEC §4 (not copies of real
 * installs): just enough CMS marker files, the CMS settings file, civicrm.settings.php written the way
 * CiviCRM's installer template writes it, and the data dirs with a log file.
 *
 *   const site = await buildSite('drupal7', { siteKey: 'x'.repeat(40) });
 *   site.root, site.webRoot, site.dirs.upload, site.settingsFile …
 *   await site.remove();
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type FixtureCms = 'drupal7' | 'drupal8' | 'backdrop' | 'wordpress' | 'joomla' | 'standalone';

export interface SiteFixtureOptions {
  /** Parent of the fixture dir (default: os.tmpdir()). */
  parent?: string;
  /** Host in CIVICRM_UF_BASEURL (default site.test). */
  host?: string;
  /** Keys: a string, null to leave the define out, or `'placeholder'` forms like '%%siteKey%%'. */
  siteKey?: string | null;
  credKeys?: string | null;
  signKeys?: string | null;
  dsn?: string | null;
  /** PHP appended to civicrm.settings.php before the closing lines. */
  settingsExtra?: string;
  /** Replace civicrm.settings.php entirely. */
  settingsText?: string;
  /** CiviCRM's `Deny from all` .htaccess in the private dirs (what CiviCRM writes on Apache). */
  htaccess?: boolean;
  /** Log file names to create in the log dir (default one `CiviCRM.<hash>.log`). */
  logFiles?: string[];
  /** drupal8 only: composer layout with the document root in web/. */
  composer?: boolean;
  /** wordpress only: the content dir lives outside the web root (Debian's layout); given absolute path. */
  contentDir?: string;
}

export interface SiteFixture {
  cms: FixtureCms;
  /** What to pass as --root. */
  root: string;
  webRoot: string;
  /** `[civicrm.files]`. */
  filesRoot: string;
  settingsFile: string;
  dirs: { upload: string; custom: string; log: string; compile: string; persist: string; ext: string };
  /** URL paths (relative to the site URL) where the data dirs are normally served. */
  urls: { upload: string; custom: string; log: string; compile: string };
  logFiles: string[];
  remove(): void;
}

export const GOOD_SITE_KEY = 'c2VjcmV0LXNpdGUta2V5LWZvci10ZXN0cy0xMjM0NTY3';
export const GOOD_CRED_KEYS = 'aes-cbc:hkdf-sha256:q7Hk2m9ZrXw4LpT8vNc3YbE6uJd1sFgA0oKiR5tWeQz';
export const GOOD_SIGN_KEYS = 'jwt-hs256:hkdf-sha256:Zb3n8QvKc1xT7mLp2WrY9sHd4uFgJ6aEoN0iRtVkC5w';
export const TEST_DSN = 'mysql://civi_user:s3cret-Passw0rd@127.0.0.1:3306/civicrm?new_link=true';

const HTACCESS = `# Protect files and directories from prying eyes.
<Files "*">
# Apache 2.2
  <IfModule !authz_core_module>
    Order allow,deny
    Deny from all
  </IfModule>
# Apache 2.4+
  <IfModule authz_core_module>
    Require all denied
  </IfModule>
</Files>
`;

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function define(name: string, value: string | null | undefined, fallback: string): string {
  if (value === null) return '';
  const v = value ?? fallback;
  return `if (!defined('${name}')) {\n  define('${name}', '${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}');\n}\n`;
}

/** civicrm.settings.php in the shape of CiviCRM's installer template. */
export function civicrmSettingsPhp(
  uf: string,
  o: SiteFixtureOptions,
  paths: { civicrmRoot: string; compileDirPhp: string; baseUrl: string },
): string {
  return `<?php
/**
 * CiviCRM Configuration File (test fixture).
 */
global $civicrm_root, $civicrm_setting, $civicrm_paths;

if (!defined('CIVICRM_UF')) {
  if (getenv('CIVICRM_UF')) {
    define('CIVICRM_UF', getenv('CIVICRM_UF'));
  }
  else {
    define('CIVICRM_UF', '${uf}');
  }
}
${define('CIVICRM_DSN', o.dsn, TEST_DSN)}
if (!defined('CIVICRM_LOGGING_DSN')) {
  define('CIVICRM_LOGGING_DSN', CIVICRM_DSN);
}

$civicrm_root = '${paths.civicrmRoot}';
if (!defined('CIVICRM_TEMPLATE_COMPILEDIR')) {
  define('CIVICRM_TEMPLATE_COMPILEDIR', ${paths.compileDirPhp});
}
if (!defined('CIVICRM_UF_BASEURL')) {
  define('CIVICRM_UF_BASEURL', '${paths.baseUrl}');
}
${define('CIVICRM_SITE_KEY', o.siteKey, GOOD_SITE_KEY)}
${
  o.credKeys === null
    ? ''
    : `if (!defined('CIVICRM_CRED_KEYS') ) {
  define( '_CIVICRM_CRED_KEYS', '${o.credKeys ?? GOOD_CRED_KEYS}');
  define( 'CIVICRM_CRED_KEYS', _CIVICRM_CRED_KEYS === '%%' . 'credKeys' . '%%' ? '' : _CIVICRM_CRED_KEYS );
}
`
}${
    o.signKeys === null
      ? ''
      : `if (!defined('CIVICRM_SIGN_KEYS') ) {
  define( '_CIVICRM_SIGN_KEYS', '${o.signKeys ?? GOOD_SIGN_KEYS}');
  define( 'CIVICRM_SIGN_KEYS', _CIVICRM_SIGN_KEYS === '%%' . 'signKeys' . '%%' ? '' : _CIVICRM_SIGN_KEYS );
}
`
  }
if (!defined('CIVICRM_DOMAIN_ID')) {
  define( 'CIVICRM_DOMAIN_ID', 1);
}
${o.settingsExtra ?? ''}
if (!defined('CIVICRM_LOG_FILE'))  {
  define('CIVICRM_LOG_FILE', 'CiviCRM.{{CHANNEL}}.{{HASH}}.log');
}

$include_path = '.' . PATH_SEPARATOR . $civicrm_root . PATH_SEPARATOR . get_include_path( );
if ( set_include_path( $include_path ) === false ) {
   echo "Could not set the include path<p>";
   exit( );
}
require_once 'CRM/Core/ClassLoader.php';
CRM_Core_ClassLoader::singleton()->register();
`;
}

function makeDataDirs(
  filesRoot: string,
  fx: { log: string; compile: string; upload: string; custom: string; persist: string; ext: string },
  o: SiteFixtureOptions,
): string[] {
  for (const d of Object.values(fx)) mkdirSync(d, { recursive: true });
  write(join(fx.upload, 'import-contacts.csv'), 'first_name,last_name\nAda,Lovelace\n');
  write(join(fx.custom, 'passport-scan.txt'), 'custom file\n');
  write(join(fx.persist, 'logo.png'), 'PNG\n');
  write(join(fx.compile, 'en_US', '%%AB', 'compiled.tpl.php'), '<?php /* compiled */ ?>\n');
  const logs = (o.logFiles ?? ['CiviCRM.default.5f3b2a1c9d8e7f60a1b2c3d4.log']).map((n) => join(fx.log, n));
  for (const l of logs) write(l, `Jan 01 00:00:00  [info] civiguard fixture log ${l}\n`);
  if (o.htaccess) {
    for (const d of [fx.log, fx.compile, fx.upload, fx.custom]) write(join(d, '.htaccess'), HTACCESS);
  }
  void filesRoot;
  return logs;
}

function std(filesRoot: string) {
  return {
    log: join(filesRoot, 'ConfigAndLog'),
    compile: join(filesRoot, 'templates_c'),
    upload: join(filesRoot, 'upload'),
    custom: join(filesRoot, 'custom'),
    persist: join(filesRoot, 'persist', 'contribute'),
    ext: join(filesRoot, 'ext'),
  };
}

const stdUrls = (base: string) => ({
  upload: `${base}/upload/`,
  custom: `${base}/custom/`,
  log: `${base}/ConfigAndLog/`,
  compile: `${base}/templates_c/`,
});

/** Builds a fixture tree for one CMS in a fresh temp dir. */
export function buildSite(cms: FixtureCms, o: SiteFixtureOptions = {}): SiteFixture {
  const base = mkdtempSync(join(o.parent ?? tmpdir(), `civiguard-${cms}-`));
  const host = o.host ?? 'site.test';
  const remove = () => rmSync(base, { recursive: true, force: true });
  let webRoot = base;
  let filesRoot: string;
  let settingsFile: string;
  let dirs: SiteFixture['dirs'];
  let urls: SiteFixture['urls'];
  let text: string;
  switch (cms) {
    case 'drupal7': {
      write(join(webRoot, 'index.php'), "<?php\ndefine('DRUPAL_ROOT', getcwd());\n");
      write(join(webRoot, 'includes', 'bootstrap.inc'), "<?php\ndefine('VERSION', '7.101');\n");
      write(join(webRoot, 'modules', 'system', 'system.module'), '<?php\n');
      write(join(webRoot, 'misc', 'drupal.js'), '/* drupal */\n');
      write(
        join(webRoot, 'sites', 'default', 'settings.php'),
        "<?php\n$databases = array();\n$conf['file_private_path'] = '/nonexistent-private';\n",
      );
      write(join(webRoot, 'sites', 'all', 'modules', 'civicrm', 'CRM', 'Core', 'Config.php'), '<?php\n');
      filesRoot = join(webRoot, 'sites', 'default', 'files', 'civicrm');
      dirs = std(filesRoot);
      settingsFile = join(webRoot, 'sites', 'default', 'civicrm.settings.php');
      text = civicrmSettingsPhp('Drupal', o, {
        civicrmRoot: join(webRoot, 'sites', 'all', 'modules', 'civicrm') + '/',
        compileDirPhp: `'${dirs.compile}/'`,
        baseUrl: `https://${host}/`,
      });
      urls = stdUrls('sites/default/files/civicrm');
      break;
    }
    case 'drupal8': {
      webRoot = o.composer ? join(base, 'web') : base;
      write(join(webRoot, 'index.php'), '<?php\n');
      write(
        join(webRoot, 'core', 'lib', 'Drupal.php'),
        "<?php\nclass Drupal { const VERSION = '10.2.0'; }\n",
      );
      write(join(webRoot, 'core', 'includes', 'bootstrap.inc'), '<?php\n');
      write(
        join(webRoot, 'sites', 'default', 'settings.php'),
        `<?php
$settings['hash_salt'] = 'x';
$settings['file_private_path'] = '${join(base, 'private')}';
if (file_exists($app_root . '/' . $site_path . '/settings.local.php')) {
  include $app_root . '/' . $site_path . '/settings.local.php';
}
`,
      );
      write(
        join(webRoot, 'sites', 'default', 'settings.local.php'),
        "<?php\n$settings['file_public_path'] = 'sites/default/files';\n",
      );
      const civiRoot = join(o.composer ? base : webRoot, 'vendor', 'civicrm', 'civicrm-core');
      write(join(civiRoot, 'CRM', 'Core', 'Config.php'), '<?php\n');
      filesRoot = join(webRoot, 'sites', 'default', 'files', 'civicrm');
      const privateRoot = join(base, 'private', 'civicrm');
      dirs = {
        ...std(filesRoot),
        log: join(privateRoot, 'ConfigAndLog'),
        compile: join(privateRoot, 'templates_c'),
      };
      settingsFile = join(webRoot, 'sites', 'default', 'civicrm.settings.php');
      text = civicrmSettingsPhp(
        'Drupal8',
        {
          ...o,
          settingsExtra: `$civicrm_paths['civicrm.private']['path'] = '${privateRoot}';\n${o.settingsExtra ?? ''}`,
        },
        {
          civicrmRoot: `${civiRoot}/`,
          compileDirPhp: `'${dirs.compile}/'`,
          baseUrl: `https://${host}/`,
        },
      );
      urls = { ...stdUrls('sites/default/files/civicrm') };
      // Without composer the private path sits inside the document root (a common mistake).
      if (!o.composer)
        Object.assign(urls, {
          log: 'private/civicrm/ConfigAndLog/',
          compile: 'private/civicrm/templates_c/',
        });
      break;
    }
    case 'backdrop': {
      write(join(webRoot, 'index.php'), '<?php\n');
      write(
        join(webRoot, 'core', 'includes', 'bootstrap.inc'),
        "<?php\ndefine('BACKDROP_VERSION', '1.27.0');\n",
      );
      write(join(webRoot, 'core', 'misc', 'backdrop.js'), '/* backdrop */\n');
      write(join(webRoot, 'settings.php'), "<?php\n$settings['file_public_path'] = 'files';\n");
      write(join(webRoot, 'modules', 'civicrm', 'CRM', 'Core', 'Config.php'), '<?php\n');
      filesRoot = join(webRoot, 'files', 'civicrm');
      dirs = std(filesRoot);
      settingsFile = join(webRoot, 'civicrm.settings.php');
      text = civicrmSettingsPhp('Backdrop', o, {
        civicrmRoot: join(webRoot, 'modules', 'civicrm') + '/',
        compileDirPhp: `__DIR__ . '/files/civicrm/templates_c/'`,
        baseUrl: `https://${host}/`,
      });
      urls = stdUrls('files/civicrm');
      break;
    }
    case 'wordpress': {
      write(join(webRoot, 'index.php'), "<?php\ndefine('WP_USE_THEMES', true);\n");
      write(join(webRoot, 'wp-settings.php'), '<?php\n');
      write(join(webRoot, 'wp-includes', 'version.php'), "<?php\n$wp_version = '6.5';\n");
      const contentDir = o.contentDir ?? join(webRoot, 'wp-content');
      write(
        join(webRoot, 'wp-config.php'),
        `<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_PASSWORD', 'wp-db-pass' );
${o.contentDir ? `define( 'WP_CONTENT_DIR', '${contentDir}' );\n` : ''}$table_prefix = 'wp_';
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
`,
      );
      write(join(contentDir, 'plugins', 'civicrm', 'civicrm', 'CRM', 'Core', 'Config.php'), '<?php\n');
      write(join(contentDir, 'plugins', 'civicrm', 'civicrm.php'), '<?php\n/* Plugin Name: CiviCRM */\n');
      filesRoot = join(contentDir, 'uploads', 'civicrm');
      dirs = std(filesRoot);
      settingsFile = join(filesRoot, 'civicrm.settings.php');
      text = civicrmSettingsPhp('WordPress', o, {
        civicrmRoot: join(contentDir, 'plugins', 'civicrm', 'civicrm') + '/',
        compileDirPhp: `dirname(__FILE__) . '/templates_c/'`,
        baseUrl: `https://${host}/`,
      });
      urls = stdUrls('wp-content/uploads/civicrm');
      break;
    }
    case 'joomla': {
      write(join(webRoot, 'index.php'), '<?php\n');
      write(
        join(webRoot, 'libraries', 'src', 'Version.php'),
        '<?php\nnamespace Joomla\\CMS;\nfinal class Version { const MAJOR_VERSION = 4; }\n',
      );
      write(join(webRoot, 'administrator', 'index.php'), '<?php\n');
      write(
        join(webRoot, 'configuration.php'),
        "<?php\nclass JConfig {\n  public $password = 'joomla-db-pass';\n}\n",
      );
      const comp = join(webRoot, 'administrator', 'components', 'com_civicrm');
      write(join(comp, 'civicrm', 'CRM', 'Core', 'Config.php'), '<?php\n');
      filesRoot = join(webRoot, 'media', 'civicrm');
      dirs = std(filesRoot);
      settingsFile = join(comp, 'civicrm.settings.php');
      text = civicrmSettingsPhp('Joomla', o, {
        civicrmRoot: join(comp, 'civicrm') + '/',
        compileDirPhp: `'${dirs.compile}/'`,
        baseUrl: `https://${host}/administrator/`,
      });
      urls = stdUrls('media/civicrm');
      break;
    }
    case 'standalone': {
      write(join(webRoot, 'index.php'), "<?php\nrequire_once __DIR__ . '/civicrm.standalone.php';\n");
      write(join(webRoot, 'civicrm.standalone.php'), '<?php\n$appRootPath = __DIR__;\n');
      write(join(webRoot, 'core', 'CRM', 'Core', 'Config.php'), '<?php\n');
      filesRoot = join(webRoot, 'public');
      dirs = {
        log: join(webRoot, 'private', 'log'),
        compile: join(webRoot, 'private', 'cache'),
        upload: join(webRoot, 'private', 'tmp'),
        custom: join(webRoot, 'private', 'attachment'),
        persist: join(webRoot, 'public', 'media'),
        ext: join(webRoot, 'ext'),
      };
      settingsFile = join(webRoot, 'private', 'civicrm.settings.php');
      text = civicrmSettingsPhp(
        'Standalone',
        {
          ...o,
          settingsExtra: `$civicrm_paths['civicrm.private']['path'] = __DIR__;\n$civicrm_paths['civicrm.files']['path'] = dirname(__DIR__) . '/public';\n$civicrm_paths['civicrm.files']['url'] = 'https://${host}/public';\n${o.settingsExtra ?? ''}`,
        },
        {
          civicrmRoot: join(webRoot, 'core') + '/',
          compileDirPhp: `__DIR__ . '/cache'`,
          baseUrl: `https://${host}`,
        },
      );
      urls = {
        upload: 'private/tmp/',
        custom: 'private/attachment/',
        log: 'private/log/',
        compile: 'private/cache/',
      };
      break;
    }
  }
  const logFiles = makeDataDirs(filesRoot, dirs, o);
  write(settingsFile, o.settingsText ?? text);
  return { cms, root: base, webRoot, filesRoot, settingsFile, dirs, urls, logFiles, remove };
}

export const ALL_FIXTURE_CMS: readonly FixtureCms[] = [
  'drupal7',
  'drupal8',
  'backdrop',
  'wordpress',
  'joomla',
  'standalone',
];
