/**
 * Real web stacks for the local-audit tests, on loopback ports, started and stopped by the tests:
 *
 *   startNginxPhp({ host, root, aliases, locations })  Debian's nginx (workers as www-data) + php-fpm 8.x
 *                                                       (pool user www-data) with fastcgi for *.php
 *   startApache({ host, root, allowOverride })         Debian's apache2 (mpm_event, workers as www-data),
 *                                                       AllowOverride All or None, https + http
 *   startDebianWordpress({ deny })                      Debian's `wordpress` package tree (/usr/share/wordpress)
 *                                                       served per its nginx example, content dir (the
 *                                                       package's layout: outside the web root, through an
 *                                                       alias) with CiviCRM's data dirs laid out as WordPress
 *                                                       has them, /etc/wordpress/config-<host>.php written
 *                                                       for a unique host; `deny` adds nginx location rules
 *                                                       for CiviCRM's private dirs.
 *
 * Each returns { host, url, resolve, httpsPort, httpPort, dir, stop() }: audit with
 * buildTarget({ url, resolve }) — certificates come from a throw-away CA (the audit does not verify them).
 * Needs root (workers switch to www-data); `webStackMissing()` says why not, for t.skip().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createCa, issueCert } from '../../pki/index.js';
import { freePort } from './nginx.js';
import { GOOD_CRED_KEYS, GOOD_SIGN_KEYS, GOOD_SITE_KEY, TEST_DSN } from '../sites/index.js';

export const NGINX = '/usr/sbin/nginx';
export const APACHE = '/usr/sbin/apache2';
export const WORDPRESS = '/usr/share/wordpress';
const MODULES = '/usr/lib/apache2/modules';
const WEB_USER = 'www-data';

export function phpFpmBinary(): string | null {
  try {
    const f = readdirSync('/usr/sbin').find((n) => /^php-fpm\d+\.\d+$/.test(n));
    return f ? join('/usr/sbin', f) : null;
  } catch {
    return null;
  }
}

/** Why the real stack cannot run here (null when it can). */
export function webStackMissing(what: 'nginx' | 'apache' | 'wordpress' = 'nginx'): string | null {
  if (process.getuid?.() !== 0) return 'needs root (web server workers run as www-data)';
  if (what === 'nginx' && !existsSync(NGINX)) return `${NGINX} not installed (nginx-light)`;
  if (what === 'nginx' && !phpFpmBinary()) return 'php-fpm not installed';
  if (what === 'apache' && !existsSync(APACHE)) return `${APACHE} not installed (apache2)`;
  if (what === 'wordpress') {
    if (!existsSync(join(WORDPRESS, 'wp-settings.php'))) return "Debian's wordpress package not installed";
    return webStackMissing('nginx');
  }
  return null;
}

export interface WebStack {
  host: string;
  /** https URL of the site. */
  url: string;
  httpUrl: string;
  /** --resolve pins for host → 127.0.0.1. */
  resolve: string[];
  httpsPort: number;
  httpPort: number;
  /** Temp dir holding config, logs, certificates. */
  dir: string;
  stop(): Promise<void>;
  errorLog(): string;
}

async function waitForPort(
  port: number,
  child: ChildProcess,
  what: string,
  stderr: () => string,
): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on ${port}: ${stderr()}`);
}

function launch(
  bin: string,
  args: string[],
  what: string,
): { child: ChildProcess; stderr: () => string; stop: () => Promise<void> } {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(() => (child.kill('SIGKILL'), r(null)), 5000);
      child.once('exit', () => (clearTimeout(t), r(null)));
    });
  };
  void what;
  return { child, stderr: () => err, stop };
}

async function certs(dir: string, host: string): Promise<{ crt: string; key: string }> {
  const ca = await createCa('civiguard web-stack CA');
  const leaf = await issueCert(ca, { dnsNames: [host] });
  const crt = join(dir, 'site.crt');
  const key = join(dir, 'site.key');
  writeFileSync(crt, leaf.certPem + ca.certPem);
  writeFileSync(key, leaf.keyPem, { mode: 0o600 });
  return { crt, key };
}

/** Opens a temp dir to the web server's workers (mkdtemp makes 0700 dirs). */
export function openForWeb(path: string): void {
  chmodSync(path, 0o755);
}

export interface NginxPhpOptions {
  host?: string;
  /** Document root. */
  root: string;
  /** `location` blocks placed before the defaults (deny rules, aliases). */
  locations?: string;
  /** Route *.php to php-fpm (default true). */
  php?: boolean;
}

export async function startNginxPhp(o: NginxPhpOptions): Promise<WebStack> {
  const host = o.host ?? `site-${randomBytes(4).toString('hex')}.test`;
  const dir = mkdtempSync(join(tmpdir(), 'civiguard-webstack-'));
  openForWeb(dir);
  const httpsPort = await freePort();
  const httpPort = await freePort();
  const { crt, key } = await certs(dir, host);
  for (const d of ['logs', 'tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi'])
    mkdirSync(join(dir, d), { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  let fpmStderr = () => '';
  const sock = join(dir, 'php-fpm.sock');
  if (o.php !== false) {
    const fpm = phpFpmBinary()!;
    writeFileSync(
      join(dir, 'php-fpm.conf'),
      `[global]
pid = ${dir}/php-fpm.pid
error_log = ${dir}/logs/php-fpm.log
daemonize = no
[civiguard]
user = ${WEB_USER}
group = ${WEB_USER}
listen = ${sock}
listen.owner = ${WEB_USER}
listen.group = ${WEB_USER}
listen.mode = 0660
pm = static
pm.max_children = 2
catch_workers_output = yes
`,
    );
    const p = launch(fpm, ['-F', '-y', join(dir, 'php-fpm.conf'), '-n', '-d', 'display_errors=0'], 'php-fpm');
    stops.push(p.stop);
    fpmStderr = p.stderr;
    const until = Date.now() + 10_000;
    while (!existsSync(sock)) {
      if (p.child.exitCode !== null || Date.now() > until) {
        await p.stop();
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`php-fpm did not start: ${p.stderr()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const phpLocation =
    o.php === false
      ? ''
      : `location ~ \\.php$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $request_filename;
      fastcgi_pass unix:${sock};
    }`;
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
master_process on;
worker_processes 1;
user ${WEB_USER};
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 128; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${dir}/logs/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
    listen 127.0.0.1:${httpsPort} ssl;
    listen 127.0.0.1:${httpPort};
    server_name ${host};
    ssl_certificate ${crt};
    ssl_certificate_key ${key};
    root ${o.root};
    index index.php index.html;
    ${o.locations ?? ''}
    ${phpLocation}
  }
}
`,
  );
  const n = launch(
    NGINX,
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs/error.log')],
    'nginx',
  );
  stops.unshift(n.stop);
  const stop = async () => {
    for (const s of stops) await s();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(httpsPort, n.child, 'nginx', () => `${n.stderr()} ${fpmStderr()}`);
  } catch (e) {
    await stop();
    throw e;
  }
  return stackHandle(host, dir, httpsPort, httpPort, stop, 'logs/error.log');
}

function stackHandle(
  host: string,
  dir: string,
  httpsPort: number,
  httpPort: number,
  stop: () => Promise<void>,
  log: string,
): WebStack {
  return {
    host,
    url: `https://${host}:${httpsPort}/`,
    httpUrl: `http://${host}:${httpPort}/`,
    resolve: [`${host}:${httpsPort}:127.0.0.1`, `${host}:${httpPort}:127.0.0.1`],
    httpsPort,
    httpPort,
    dir,
    stop,
    errorLog: () => (existsSync(join(dir, log)) ? readFileSync(join(dir, log), 'utf8') : ''),
  };
}

export interface ApacheOptions {
  host?: string;
  root: string;
  /** AllowOverride All (honour .htaccess) or None. */
  allowOverride: boolean;
}

export async function startApache(o: ApacheOptions): Promise<WebStack> {
  const host = o.host ?? `site-${randomBytes(4).toString('hex')}.test`;
  const dir = mkdtempSync(join(tmpdir(), 'civiguard-apache-'));
  openForWeb(dir);
  const httpsPort = await freePort();
  const httpPort = await freePort();
  const { crt, key } = await certs(dir, host);
  mkdirSync(join(dir, 'logs'));
  const mods = [
    'mpm_event',
    'authz_core',
    'authz_host',
    'authn_core',
    'access_compat',
    'mime',
    'dir',
    'alias',
    'ssl',
    'socache_shmcb',
    'autoindex',
  ];
  writeFileSync(
    join(dir, 'apache2.conf'),
    `ServerRoot ${dir}
${mods.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`).join('\n')}
PidFile ${dir}/apache2.pid
Mutex file:${dir} default
DefaultRuntimeDir ${dir}
ErrorLog ${dir}/logs/error.log
LogLevel warn
User ${WEB_USER}
Group ${WEB_USER}
ServerName ${host}
Listen 127.0.0.1:${httpPort}
Listen 127.0.0.1:${httpsPort}
TypesConfig /etc/mime.types
AccessFileName .htaccess
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory ${o.root}>
  Options Indexes FollowSymLinks
  AllowOverride ${o.allowOverride ? 'All' : 'None'}
  Require all granted
</Directory>
<FilesMatch "^\\.ht">
  Require all denied
</FilesMatch>
DocumentRoot ${o.root}
DirectoryIndex index.html index.php
<VirtualHost 127.0.0.1:${httpsPort}>
  ServerName ${host}
  SSLEngine on
  SSLCertificateFile ${crt}
  SSLCertificateKeyFile ${key}
</VirtualHost>
<VirtualHost 127.0.0.1:${httpPort}>
  ServerName ${host}
</VirtualHost>
`,
  );
  const a = launch(APACHE, ['-f', join(dir, 'apache2.conf'), '-DFOREGROUND'], 'apache2');
  const stop = async () => {
    await a.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(httpsPort, a.child, 'apache2', a.stderr);
  } catch (e) {
    await stop();
    throw e;
  }
  return stackHandle(host, dir, httpsPort, httpPort, stop, 'logs/error.log');
}

export interface DebianWordpress extends WebStack {
  /** --root to audit: Debian's document root. */
  root: string;
  /** The content dir (WP_CONTENT_DIR) and CiviCRM's data root in it. */
  contentDir: string;
  civicrmDir: string;
  settingsFile: string;
  etcConfig: string;
  logFile: string;
}

/**
 * Debian's wordpress package served the way its nginx example does, with CiviCRM's data dirs where
 * WordPress keeps them (wp-content/uploads/civicrm). `deny: true` adds the location rules that keep
 * CiviCRM's private dirs off the web.
 */
export async function startDebianWordpress(o: { deny: boolean }): Promise<DebianWordpress> {
  const host = `wp-${randomBytes(4).toString('hex')}.test`;
  const contentDir = mkdtempSync(join(tmpdir(), 'civiguard-wp-content-'));
  openForWeb(contentDir);
  const civi = join(contentDir, 'uploads', 'civicrm');
  const sub = ['upload', 'custom', 'ConfigAndLog', 'templates_c', 'persist/contribute', 'ext'];
  for (const s of sub) mkdirSync(join(civi, s), { recursive: true });
  for (const d of [
    join(contentDir, 'uploads'),
    civi,
    ...sub.map((s) => join(civi, s)),
    join(civi, 'persist'),
  ])
    chownSync(d, 33, 33);
  mkdirSync(join(contentDir, 'plugins', 'civicrm', 'civicrm'), { recursive: true });
  const logFile = join(civi, 'ConfigAndLog', `CiviCRM.default.${randomBytes(10).toString('hex')}.log`);
  writeFileSync(logFile, `Jan 01 00:00:00  [info] CiviCRM log of ${host}: contact 42 imported\n`);
  const settingsFile = join(civi, 'civicrm.settings.php');
  writeFileSync(
    settingsFile,
    `<?php
global $civicrm_root, $civicrm_setting, $civicrm_paths;
if (!defined('CIVICRM_UF')) define('CIVICRM_UF', 'WordPress');
if (!defined('CIVICRM_DSN')) define('CIVICRM_DSN', '${TEST_DSN}');
$civicrm_root = '${contentDir}/plugins/civicrm/civicrm/';
if (!defined('CIVICRM_TEMPLATE_COMPILEDIR')) define('CIVICRM_TEMPLATE_COMPILEDIR', '${civi}/templates_c/');
if (!defined('CIVICRM_UF_BASEURL')) define('CIVICRM_UF_BASEURL', 'https://${host}/');
if (!defined('CIVICRM_SITE_KEY')) define('CIVICRM_SITE_KEY', '${GOOD_SITE_KEY}');
if (!defined('CIVICRM_CRED_KEYS')) define('CIVICRM_CRED_KEYS', '${GOOD_CRED_KEYS}');
if (!defined('CIVICRM_SIGN_KEYS')) define('CIVICRM_SIGN_KEYS', '${GOOD_SIGN_KEYS}');
`,
    { mode: 0o640 },
  );
  chownSync(settingsFile, 0, 33);
  const etcConfig = join('/etc/wordpress', `config-${host}.php`);
  mkdirSync(dirname(etcConfig), { recursive: true });
  writeFileSync(
    etcConfig,
    `<?php\ndefine('DB_NAME', 'wordpress');\ndefine('DB_USER', 'wordpress');\ndefine('DB_PASSWORD', 'not-a-real-one');\ndefine('DB_HOST', '127.0.0.1');\ndefine('WP_CONTENT_DIR', '${contentDir}');\n`,
    { mode: 0o640 },
  );
  chownSync(etcConfig, 0, 33);
  const deny = o.deny
    ? `location ~ ^/wp-content/uploads/civicrm/(upload|custom|ConfigAndLog|templates_c)/ { deny all; }\n    `
    : '';
  let stack: WebStack;
  try {
    stack = await startNginxPhp({
      host,
      root: WORDPRESS,
      // As /usr/share/doc/wordpress/examples/nginx.conf: wp-content comes from the content dir.
      locations: `${deny}location ~ ^/wp-content/(.*)$ { alias ${contentDir}/$1; }
    location / { try_files $uri $uri/ /index.php?$args; }`,
    });
  } catch (e) {
    rmSync(contentDir, { recursive: true, force: true });
    rmSync(etcConfig, { force: true });
    throw e;
  }
  return {
    ...stack,
    root: WORDPRESS,
    contentDir,
    civicrmDir: civi,
    settingsFile,
    etcConfig,
    logFile,
    stop: async () => {
      await stack.stop();
      rmSync(contentDir, { recursive: true, force: true });
      rmSync(etcConfig, { force: true });
    },
  };
}
