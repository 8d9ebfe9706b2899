/**
 * Path traversal and file inclusion. Reads the (decoded) value as a path: segments of two or more dots
 * between separators (`../`, `..\`, `....//`, `..;/`), a traversal at the very start, well-known sensitive
 * files (`/etc/passwd`, `boot.ini`, `WEB-INF/web.xml`, `.htaccess`, CiviCRM's settings), stream wrappers
 * (`php://filter`, `file://`, `expect://`), NUL bytes that cut an extension, remote includes (a URL ending
 * in `?`). Linear.
 */
import type { Emit } from './sql.js';

const SENSITIVE = [
  'etc/passwd',
  'etc/shadow',
  'etc/group',
  'etc/hosts',
  'etc/issue',
  'etc/motd',
  'etc/mysql',
  'etc/httpd',
  'etc/apache',
  'etc/nginx',
  'etc/php',
  'etc/crontab',
  'etc/sudoers',
  'etc/environment',
  'etc/profile',
  'etc/resolv.conf',
  'etc/fstab',
  'etc/hostname',
  'etc/master.passwd',
  'etcpasswd',
  'proc/self',
  'proc/version',
  'proc/cpuinfo',
  'proc/meminfo',
  'proc/net',
  'proc/mounts',
  'var/log/',
  'var/www/',
  'var/lib/',
  'usr/local/',
  'boot.ini',
  'oot.ini',
  'win.ini',
  'system.ini',
  'windows/system32',
  'windows\\system32',
  'winnt/',
  'winnt\\',
  'windows/repair',
  'windows\\repair',
  'system32/',
  'inetpub',
  'web-inf',
  'meta-inf',
  'web.config',
  'web.xml',
  'global.asa',
  '.htaccess',
  '.htpasswd',
  '.bash_history',
  '.bash_profile',
  '.bashrc',
  '.profile',
  '.ssh/',
  '.ssh\\',
  'id_rsa',
  'id_dsa',
  'authorized_keys',
  'known_hosts',
  '.mysql_history',
  '.git/',
  '.svn/',
  '.env',
  'wp-config.php',
  'civicrm.settings.php',
  'settings.php',
  'configuration.php',
  'localsettings.php',
  'config.inc.php',
  'php.ini',
  'httpd.conf',
  'apache2.conf',
  'nginx.conf',
  'my.cnf',
  'my.ini',
  'access_log',
  'error_log',
  'access.log',
  'error.log',
  'sam',
  'ntuser.dat',
  'pagefile.sys',
  'autoexec.bat',
  'config.sys',
  'desktop.ini',
  'dev/null',
  'dev/tcp',
  'bin/sh',
  'bin/bash',
  'bin/id',
  'cmd.exe',
];

const escapeRe = (x: string) => x.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** One alternation of every name (short ones only as whole path segments). */
export const SENSITIVE_RE = new RegExp(
  SENSITIVE.map((f) =>
    f === 'sam' || f === '.env' || f === '.profile'
      ? `(?:^|[\\\\/])${escapeRe(f)}(?:$|[\\\\/])`
      : escapeRe(f),
  ).join('|'),
);

/** Every sensitive name contains one of these (a cheap test before the long alternation). */
const SENSITIVE_GATE = /[/\\._]|passwd|inetpub|-inf|sam/;

const WRAPPERS =
  /(?:^|[^a-z])(?:php|file|expect|zip|phar|glob|data|compress\.zlib|compress\.bzip2|zlib|ogg|rar|ssh2\.[a-z]+|jar|netdoc|gopher|dict|ldap|tftp|input)\s{0,4}:\s{0,4}\/\//;
const FILE_SCHEME = /^\s{0,8}file:/;
const PHP_FILTER = /php:\/\/(?:filter|input|fd|memory|temp|stdin)/;

function isSep(c: number): boolean {
  return c === 47 || c === 92;
}

/** Dot-segment statistics of one view of the value. */
interface Dots {
  segs: number;
  leading: boolean;
  longDots: boolean;
}

function countDots(text: string): Dots {
  const n = text.length;
  const d: Dots = { segs: 0, leading: false, longDots: false };
  let i = 0;
  while (i < n) {
    if (text.charCodeAt(i) !== 46) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && text.charCodeAt(i) === 46) i++;
    const len = i - start;
    if (len < 2) continue;
    const before = start === 0 ? -1 : text.charCodeAt(start - 1);
    let after = i >= n ? -1 : text.charCodeAt(i);
    // tomcat `..;/`
    if (after === 59 && isSep(text.charCodeAt(i + 1))) after = text.charCodeAt(i + 1);
    const sepBefore = before === -1 || isSep(before) || before === 61 /* = */ || before === 58; /* : */
    const sepAfter = isSep(after) || (after === -1 && len === 2 && start > 0 && isSep(before));
    const atStart = before === -1 || (start === 1 && isSep(text.charCodeAt(0)));
    if ((sepBefore && sepAfter) || (sepBefore && before !== -1 && after === 123) /* `/..{file}` */) {
      d.segs++;
      if (len > 2) d.longDots = true;
      if (atStart) d.leading = true;
    }
  }
  return d;
}

/**
 * A second view for encodings no server decodes but fuzzers use to slip past filters: `0x2e` for `.`,
 * `0x2f`/`0x5c` for `/` and `\`, `..2f` (a `%` lost), `\.` and `\/` (shell-escaped).
 */
function altView(text: string): string | undefined {
  if (!/0x(?:2e|2f|5c)|\.\.(?:2f|5c)|\\[./]/.test(text)) return undefined;
  return text
    .replace(/0x2e/g, '.')
    .replace(/0x2f/g, '/')
    .replace(/0x5c/g, '\\')
    .replace(/\.\.(?:2f|5c)/g, '../')
    .replace(/(?<=[/.]|^)2f/g, '/')
    .replace(/\\(?=[./])/g, '');
}

/** The value as a whole looks like a path (no spaces; starts like one). */
const PATH_SHAPED = /^(?:[/\\.~]|[a-z]:[\\/]|file:)[^\s]{0,4096}$/;
/** System locations a web form never stores (settings forms may hold /var/www or /home paths; these not). */
const SYSTEM_PATH =
  /^(?:file:)?\/{0,8}(?:etc|proc|sys|dev|root|boot|bin|sbin)\/|^(?:file:)?\/{0,8}var\/(?:log|adm|spool|run|mail|cron|lock|saf|lp|lib\/mysql|db|yp)\b|^[a-z]:[\\/]{1,4}(?:windows|winnt|boot\.ini|inetpub|system32)/;
/** Repeated `/./` segments: path truncation (old PHP) or filter evasion. */
const TRUNCATION = /(?:[/\\]{1,8}\.){4}[/\\]/;

export function detectPath(text: string, nul: boolean, emit: Emit): void {
  let d = countDots(text);
  const alt = altView(text);
  if (alt !== undefined) {
    const a = countDots(alt);
    if (a.segs > d.segs) d = a;
  }
  const shaped = PATH_SHAPED.test(text);
  if (d.segs >= 2) emit('traversal.dot-segments');
  else if (d.segs === 1 && (d.leading || shaped)) emit('traversal.leading-dot-segment');
  else if (d.segs === 1) emit('traversal.dot-segment');
  if (d.longDots && d.segs > 0) emit('traversal.dot-run');
  if (TRUNCATION.test(text)) emit('traversal.path-truncation');
  if ((SENSITIVE_GATE.test(text) && SENSITIVE_RE.test(text)) || (alt !== undefined && SENSITIVE_RE.test(alt)))
    emit('lfi.sensitive-file');
  else if (shaped && SYSTEM_PATH.test(text)) emit('lfi.system-path');
  if (PHP_FILTER.test(text) || WRAPPERS.test(text)) emit('lfi.wrapper');
  else if (FILE_SCHEME.test(text)) emit('lfi.wrapper');
  if (nul && /[\w/\\]\.[a-z0-9]{1,5}|[/\\]/.test(text)) emit('lfi.nul-byte');
  // remote file inclusion: a URL that ends in `?` (to cut the application's suffix) or names a script file
  if (
    /^\s{0,8}(?:https?|ftps?):\/\/[^\s]{1,2048}\?\s{0,8}$/.test(text) ||
    /^\s{0,8}(?:https?|ftps?):\/\/[^?\s]{1,2048}\.(?:txt|php|sh|pl|py|jsp|asp)\?/.test(text)
  ) {
    emit('rfi.remote-include');
  }
}
