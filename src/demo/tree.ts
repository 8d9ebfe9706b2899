/**
 * The files of civiguard's demo site: a small Drupal 10 + CiviCRM tree (composer layout, document root
 * in `web/`) written into a fresh temp dir at start and removed at the end, whatever happens. The demo
 * audits it with `--root`, and the demo site serves its CiviCRM data dirs from it, so the local checks
 * (fs, config, pci, ids) and the exact canary checks look at real files.
 *
 * What is wrong in it on purpose (planted.ts lists it): a world-writable PHP file in a custom module,
 * civicrm.settings.php readable by every local user, a weak CIVICRM_SITE_KEY, an empty
 * CIVICRM_CRED_KEYS, no CIVICRM_SIGN_KEYS, debugging on and force-SSL off, a test card number in the
 * CiviCRM log and a database dump in the document root. Nothing here is real: names, dump, log and password are made up.
 *
 * @example
 * const tree = createDemoTree();
 * // civiguard audit … --root tree.root --access-log tree.accessLog
 * tree.remove();
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CiviguardError, describeError } from '../core/errors.js';

/**
 * The database password in the demo's CIVICRM_DSN and Drupal's settings.php. It must never appear in
 * any output (the reporters redact, the checks never print secrets): the demo's tests look for it.
 */
export const DEMO_DB_PASSWORD = 'Demo-db-Pa55-q7XkV2mZ';
export const DEMO_DSN = `mysql://civicrm_demo:${DEMO_DB_PASSWORD}@127.0.0.1:3306/civicrm_demo?new_link=true`;
/** Short and from a small alphabet: about 48 bits, under the 96 that config.keys asks for. */
export const WEAK_SITE_KEY = 'parkdemo';

/** URL path of `[civicrm.files]` under the document root (Drupal's default for sites/default). */
export const FILES_PATH = '/sites/default/files/civicrm';
export const LOG_NAME = 'CiviCRM.5f3a9c2e7b1d4086.log';

export const RECEIPT_PDF = `%PDF-1.4
% civiguard demo: a contribution receipt that should never be reachable from the web
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj
trailer << /Root 1 0 R >>
%%EOF
`;

export const IMPORT_CSV = `first_name,last_name,email,amount
Demo,Donor,donor@example.org,25.00
Sample,Member,member@example.org,60.00
`;

/**
 * CiviCRM's log as a debug-enabled site writes it, with a payment request dumped whole: card number
 * included (the published Visa test number, so that no real card number is in the repository).
 */
export const LOG = `Mar 12 10:12:01  [info] $Fatal Error Details = array(3) {
  ["message"]=> string(41) "Payment processor declined the transaction"
  ["contact_id"]=> int(1)
  ["contribution_page"]=> int(1)
}
Mar 12 10:12:01  [debug] $params = array(7) {
  ["amount"]=> string(5) "25.00"
  ["currencyID"]=> string(3) "USD"
  ["credit_card_type"]=> string(4) "Visa"
  ["credit_card_number"]=> string(19) "4111 1111 1111 1111"
  ["cvv2"]=> string(3) "123"
  ["credit_card_exp_date"]=> array(2) { ["M"]=> string(2) "12" ["Y"]=> string(4) "2030" }
  ["email-5"]=> string(17) "donor@example.org"
}
Mar 12 10:14:40  [debug] civicrm_api3('Contact', 'get', {"email":"donor@example.org"})
`;

export const DUMP = `-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: localhost    Database: civicrm_demo
-- ------------------------------------------------------
-- civiguard demo: a made-up dump left in the web root

DROP TABLE IF EXISTS \`civicrm_contact\`;
CREATE TABLE \`civicrm_contact\` (
  \`id\` int(10) unsigned NOT NULL AUTO_INCREMENT,
  \`first_name\` varchar(64) DEFAULT NULL,
  \`last_name\` varchar(64) DEFAULT NULL,
  PRIMARY KEY (\`id\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO \`civicrm_contact\` VALUES (1,'Demo','Donor'),(2,'Sample','Member');
`;

/** A 1×1 transparent PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

export interface DemoTree {
  /** The temp dir that holds everything (removed by `remove`). */
  dir: string;
  /** What the audit gets as `--root`: the composer project (document root in `web/`). */
  root: string;
  /** The document root the demo site serves from. */
  webRoot: string;
  /** `[civicrm.files]`: sites/default/files/civicrm. */
  filesRoot: string;
  civicrmSettings: string;
  /** The demo site's access log (nginx combined format), outside the site tree like /var/log/nginx. */
  accessLog: string;
  /** The planted world-writable PHP file. */
  writableCode: string;
  /** Deletes the whole temp dir; safe to call twice. Also runs on process exit if it was not called. */
  remove(): void;
}

function civicrmSettingsPhp(t: { root: string; webRoot: string; filesRoot: string }): string {
  return `<?php
/**
 * CiviCRM Configuration File (civiguard demo: made up, nothing here is real).
 */
global $civicrm_root, $civicrm_setting, $civicrm_paths;

if (!defined('CIVICRM_UF')) {
  define('CIVICRM_UF', 'Drupal8');
}
if (!defined('CIVICRM_DSN')) {
  define('CIVICRM_DSN', '${DEMO_DSN}');
}
if (!defined('CIVICRM_LOGGING_DSN')) {
  define('CIVICRM_LOGGING_DSN', CIVICRM_DSN);
}

$civicrm_root = '${t.root}/vendor/civicrm/civicrm-core/';
if (!defined('CIVICRM_TEMPLATE_COMPILEDIR')) {
  define('CIVICRM_TEMPLATE_COMPILEDIR', '${t.filesRoot}/templates_c/');
}
if (!defined('CIVICRM_UF_BASEURL')) {
  define('CIVICRM_UF_BASEURL', 'https://demo.civiguard.test/');
}

// Planted: a short site key from a small alphabet.
if (!defined('CIVICRM_SITE_KEY')) {
  define('CIVICRM_SITE_KEY', '${WEAK_SITE_KEY}');
}

// Planted: an empty CIVICRM_CRED_KEYS (stored credentials stay in plain text), and no
// CIVICRM_SIGN_KEYS at all (a settings file older than CiviCRM 5.36 never got one).
if (!defined('CIVICRM_CRED_KEYS') ) {
  define( '_CIVICRM_CRED_KEYS', '');
  define( 'CIVICRM_CRED_KEYS', _CIVICRM_CRED_KEYS === '%%' . 'credKeys' . '%%' ? '' : _CIVICRM_CRED_KEYS );
}

if (!defined('CIVICRM_DOMAIN_ID')) {
  define( 'CIVICRM_DOMAIN_ID', 1);
}

$civicrm_setting['domain']['environment'] = 'Production';
// Planted: debugging left on after a payment problem (it also wrote the request into the log),
// and CiviCRM's own "Force Secure URLs" off, on a site whose web server does not redirect to https.
$civicrm_setting['domain']['debug_enabled'] = 1;
$civicrm_setting['domain']['enableSSL'] = 0;

$include_path = '.' . PATH_SEPARATOR . $civicrm_root . PATH_SEPARATOR . get_include_path( );
if ( set_include_path( $include_path ) === false ) {
   echo "Could not set the include path<p>";
   exit( );
}
require_once 'CRM/Core/ClassLoader.php';
CRM_Core_ClassLoader::singleton()->register();
`;
}

const DRUPAL_SETTINGS = `<?php
/**
 * Drupal site settings (civiguard demo: made up).
 */
$databases['default']['default'] = [
  'database' => 'civicrm_demo',
  'username' => 'civicrm_demo',
  'password' => '${DEMO_DB_PASSWORD}',
  'host' => '127.0.0.1',
  'port' => '3306',
  'driver' => 'mysql',
  'prefix' => '',
];
$settings['hash_salt'] = 'civiguard-demo-hash-salt-not-a-secret';
$settings['config_sync_directory'] = '../config/sync';
$settings['trusted_host_patterns'] = ['^demo\\.civiguard\\.test$'];
`;

/**
 * Writes the demo tree into a new temp dir. Modes are set explicitly (the umask does not decide what
 * the audit finds); everything belongs to the user running the demo, as the demo site runs as them.
 */
export function createDemoTree(parent: string = tmpdir()): DemoTree {
  let dir: string;
  try {
    dir = mkdtempSync(join(parent, 'civiguard-demo-'));
  } catch (e) {
    throw new CiviguardError('E_IO', `demo: cannot create a temp dir in ${parent}: ${describeError(e)}`);
  }
  let removed = false;
  const remove = () => {
    if (removed) return;
    process.off('exit', onExit);
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (e) {
      throw new CiviguardError('E_IO', `demo: cannot remove ${dir}: ${describeError(e)}`);
    }
    removed = true;
  };
  const onExit = () => {
    try {
      remove();
    } catch {
      // Exiting anyway; nothing more can be done here.
    }
  };
  // A hard exit (a second Ctrl-C, an uncaught error) must not leave the tree behind either.
  process.on('exit', onExit);
  const root = join(dir, 'site');
  const webRoot = join(root, 'web');
  const filesRoot = join(webRoot, FILES_PATH);
  const civicrmSettings = join(webRoot, 'sites', 'default', 'civicrm.settings.php');
  const writableCode = join(webRoot, 'modules', 'custom', 'park_donate', 'src', 'Form', 'DonateForm.php');
  const files: [string, string | Buffer, number?][] = [
    [
      join(root, 'composer.json'),
      '{ "name": "demo/park-site", "require": { "drupal/core-recommended": "^10.2", "civicrm/civicrm-core": "^5.72", "civicrm/civicrm-drupal-8": "^5.72" } }\n',
    ],
    [
      join(root, 'vendor', 'autoload.php'),
      "<?php\nreturn require __DIR__ . '/composer/autoload_real.php';\n",
    ],
    [
      join(root, 'vendor', 'civicrm', 'civicrm-core', 'civicrm-version.php'),
      "<?php\nnamespace _CiviVersion {\n  class Util { public static function findVersion() { return '5.72.0'; } }\n}\n",
    ],
    [
      join(root, 'vendor', 'civicrm', 'civicrm-core', 'CRM', 'Core', 'Config.php'),
      '<?php\nclass CRM_Core_Config {}\n',
    ],
    [
      join(root, 'vendor', 'civicrm', 'civicrm-core', 'CRM', 'Core', 'ClassLoader.php'),
      '<?php\nclass CRM_Core_ClassLoader {}\n',
    ],
    [
      join(webRoot, 'index.php'),
      "<?php\nuse Drupal\\Core\\DrupalKernel;\n$autoloader = require_once 'autoload.php';\n",
    ],
    [join(webRoot, 'autoload.php'), "<?php\nreturn require __DIR__ . '/../vendor/autoload.php';\n"],
    [join(webRoot, 'core', 'lib', 'Drupal.php'), "<?php\nclass Drupal {\n  const VERSION = '10.2.5';\n}\n"],
    [join(webRoot, 'core', 'includes', 'bootstrap.inc'), '<?php\n'],
    [
      join(webRoot, 'modules', 'contrib', 'civicrm', 'civicrm.info.yml'),
      'name: CiviCRM\ntype: module\ncore_version_requirement: ^10\n',
    ],
    [
      join(webRoot, 'modules', 'contrib', 'civicrm', 'civicrm.module'),
      '<?php\n/** CiviCRM integration (demo). */\n',
    ],
    [
      join(webRoot, 'modules', 'custom', 'park_donate', 'park_donate.info.yml'),
      'name: Park donations\ntype: module\ncore_version_requirement: ^10\n',
    ],
    [
      join(webRoot, 'modules', 'custom', 'park_donate', 'park_donate.module'),
      '<?php\n/** Donation block for the park (demo). */\n',
    ],
    // Planted: writable by every local user (a hole in any other site on the server becomes code here).
    [writableCode, '<?php\nnamespace Drupal\\park_donate\\Form;\n\nclass DonateForm {}\n', 0o666],
    [join(webRoot, 'sites', 'default', 'settings.php'), DRUPAL_SETTINGS, 0o640],
    // Planted: civicrm.settings.php readable by every local user (it holds the DSN and the keys).
    [civicrmSettings, civicrmSettingsPhp({ root, webRoot, filesRoot }), 0o644],
    [join(webRoot, 'sites', 'default', 'files', 'css', 'css_demo.css'), 'body{font-family:sans-serif}\n'],
    [join(filesRoot, 'upload', 'contribution-receipt-2024-0042.pdf'), RECEIPT_PDF],
    [join(filesRoot, 'upload', 'membership-import-2024.csv'), IMPORT_CSV],
    [join(filesRoot, 'ConfigAndLog', LOG_NAME), LOG],
    [join(filesRoot, 'custom', 'volunteer-cv-0007.pdf'), RECEIPT_PDF],
    [
      join(filesRoot, 'templates_c', 'en_US', '%%F2', 'F2A', 'F2A9C1D3%%Main.tpl.php'),
      '<?php /* Smarty compiled (demo) */ ?>\n',
    ],
    [join(filesRoot, 'persist', 'contribute', 'images', 'banner.png'), PNG],
    [join(filesRoot, 'persist', 'contribute', 'index.html'), ''],
    // Planted: a database dump in the document root.
    [join(webRoot, 'backup.sql'), DUMP],
  ];
  try {
    for (const [file, content, mode] of files) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
      writeFileSync(file, content);
      chmodSync(file, mode ?? 0o644);
    }
    mkdirSync(join(filesRoot, 'ext'), { recursive: true });
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'access.log'), '');
    chmodSync(join(dir, 'logs', 'access.log'), 0o640);
    fixDirModes(dir);
  } catch (e) {
    remove();
    throw new CiviguardError(
      'E_IO',
      `demo: cannot write the demo site's files in ${dir}: ${describeError(e)}`,
    );
  }
  return {
    dir,
    root,
    webRoot,
    filesRoot,
    civicrmSettings,
    accessLog: join(dir, 'logs', 'access.log'),
    writableCode,
    remove,
  };
}

/** 755 on every dir below `top` (mkdir's mode is filtered by the umask); `top` itself stays 700. */
function fixDirModes(top: string): void {
  const stack = readdirSync(top, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(top, e.name));
  while (stack.length) {
    const d = stack.pop()!;
    chmodSync(d, 0o755);
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) stack.push(join(d, e.name));
  }
}
