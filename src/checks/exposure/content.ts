/**
 * What a downloaded head of a file is, judged by its content (magic bytes and markers), never by the
 * status alone. Each test returns a short description of what matched (for evidence) or null. None of
 * them quotes the content: settings, logs and dumps hold secrets and personal data.
 */

const text = (b: Buffer, n = 4096) =>
  b.toString('latin1', 0, Math.min(b.length, n)).replace(/^\uFEFF|^ï»¿/, '');

import { isHtmlPage } from '../../probes/exposure/soft404.js';

export { isHtmlPage };

/** PHP source as stored on disk (a served settings file that executes yields empty or HTML output instead). */
export function phpSource(b: Buffer): string | null {
  const t = text(b);
  if (!/^\s{0,64}<\?php\b/.test(t)) return null;
  const names = [
    'CIVICRM_DSN',
    'CIVICRM_SITE_KEY',
    'CIVICRM_UF_DSN',
    '$databases',
    'DB_PASSWORD',
    'class JConfig',
  ];
  const seen = names.filter((n) => t.includes(n));
  return seen.length ? `PHP source mentioning ${seen.join(', ')}` : 'PHP source (<?php)';
}

/** Vim swap file (`.name.swp`), which holds the edited text. */
export function vimSwap(b: Buffer): string | null {
  return b.subarray(0, 6).toString('latin1') === 'b0VIM ' ? 'vim swap file (b0VIM)' : null;
}

const SQL_START =
  /^(?:--\s*(?:MySQL dump|MariaDB dump|PostgreSQL database dump|phpMyAdmin SQL Dump|Adminer|Dumping data|Host:)|\/\*!\d{5}\s+SET|SET\s+(?:SQL_MODE|NAMES|FOREIGN_KEY_CHECKS|time_zone)|CREATE\s+TABLE|INSERT\s+INTO|DROP\s+TABLE|LOCK\s+TABLES|CREATE\s+DATABASE)/i;

/** A SQL dump: dump headers or DDL/DML statements at the start (comments and blank lines skipped). */
export function sqlDump(b: Buffer): string | null {
  if (isHtmlPage(b)) return null;
  const lines = text(b).split(/\r?\n/).slice(0, 40);
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    const m = SQL_START.exec(line);
    if (m) return `SQL dump ('${m[0].replace(/\s+/g, ' ').slice(0, 30)}')`;
    if (line.startsWith('--') || line.startsWith('/*') || line.startsWith('#')) continue;
    return null;
  }
  return null;
}

const MAGIC: [string, (b: Buffer) => boolean][] = [
  ['gzip', (b) => b[0] === 0x1f && b[1] === 0x8b],
  ['zip', (b) => b.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))],
  ['zip (empty)', (b) => b.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x05, 0x06]))],
  ['bzip2', (b) => /^BZh[1-9]/.test(b.subarray(0, 4).toString('latin1'))],
  ['xz', (b) => b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))],
  ['7z', (b) => b.subarray(0, 6).equals(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]))],
  ['zstd', (b) => b.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))],
  ['rar', (b) => b.subarray(0, 6).toString('latin1') === 'Rar!\x1a\x07'],
  ['tar', (b) => b.length >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar'],
];

/** An archive or compressed file, by its magic bytes. */
export function archive(b: Buffer): string | null {
  for (const [name, test] of MAGIC) if (test(b)) return `${name} archive`;
  return null;
}

/** `.git/HEAD`: a symbolic ref or an object id. */
export function gitHead(b: Buffer): string | null {
  const t = text(b, 512);
  if (/^ref: refs\/\S+\s*$/.test(t)) return 'git HEAD (ref: refs/…)';
  if (/^[0-9a-f]{40}(?:[0-9a-f]{24})?\s*$/.test(t)) return 'git HEAD (detached object id)';
  return null;
}

/** `.git/config`: an INI file with a [core] section. */
export function gitConfig(b: Buffer): string | null {
  const t = text(b);
  return !isHtmlPage(b) && /^\s*\[core\]/m.test(t) && /repositoryformatversion|bare\s*=/.test(t)
    ? 'git config ([core])'
    : null;
}

/** `.svn/entries` (a format number, or the pre-1.4 XML) or `.svn/wc.db` (SQLite). */
export function svnFile(b: Buffer): string | null {
  if (b.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') return 'svn wc.db (SQLite)';
  const t = text(b, 1024);
  if (/^(?:[89]|1[0-2])\s*(?:\n|$)/.test(t) && !isHtmlPage(b)) return 'svn entries (format number)';
  if (/<wc-entries\b/.test(t)) return 'svn entries (XML)';
  return null;
}

const HG_REQUIREMENTS =
  /^(?:revlogv1|revlogv2|store|fncache|dotencode|generaldelta|sparserevlog|share-safe|treemanifest|shared|relshared|persistent-nodemap|revlog-compression-zstd|exp-[a-z0-9-]+|lfs|largefiles|narrowhg(?:-experimental)?)$/;

/** `.hg/requires`: one known requirement per line. */
export function hgRequires(b: Buffer): string | null {
  const lines = text(b, 1024)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length > 0 && lines.length < 40 && lines.every((l) => HG_REQUIREMENTS.test(l))
    ? 'hg requires'
    : null;
}

/** The output of phpinfo(). */
export function phpinfo(b: Buffer): string | null {
  const t = b.toString('latin1', 0, Math.min(b.length, 64 * 1024));
  if (/<title>[^<]{0,80}phpinfo\(\)[^<]{0,80}<\/title>/i.test(t)) return 'phpinfo() page';
  if (
    /PHP Version\s*(?:<\/[^>]+>\s*)*\d+\.\d+/i.test(t) &&
    /PHP License|Zend Engine|Configuration File \(php\.ini\)/i.test(t)
  )
    return 'phpinfo() output (PHP Version, PHP License)';
  return null;
}

/** dompdf's entry script running (asks for input_file / throws DOMPDF_Exception). */
export function dompdfOutput(b: Buffer): string | null {
  const t = b.toString('latin1', 0, Math.min(b.length, 64 * 1024));
  return /DOMPDF_Exception|input_file|dompdf\.php/i.test(t) ? 'dompdf entry script output' : null;
}

/** OpenFlashChart's ofc_upload_image.php running. */
export function ofcUploadOutput(b: Buffer): string | null {
  const t = b.toString('latin1', 0, Math.min(b.length, 64 * 1024));
  return /Saving your image to|tmp-upload-images/i.test(t) ? 'ofc_upload_image.php output' : null;
}

/** An installer that offers to install (not one that says the site is already installed). */
export function installerOffer(b: Buffer): string | null {
  const t = b.toString('latin1', 0, Math.min(b.length, 64 * 1024));
  if (/already (?:been )?installed|Already Installed/i.test(t)) return null;
  if (/<title>[^<]*CiviCRM[^<]*Install/i.test(t) || /CiviCRM Installer/i.test(t)) return 'CiviCRM installer';
  if (/install\.php\?step=|<form[^>]+id="setup"/i.test(t) && /WordPress/i.test(t))
    return 'WordPress installer';
  if (
    /Choose language|Select an installation profile|install_profile|Verify requirements/i.test(t) &&
    /Drupal|Backdrop/i.test(t)
  )
    return 'Drupal/Backdrop installer';
  if (/Joomla[^<]{0,40}Install|installation\/template|id="installAddFiles"|Joomla! Web Installer/i.test(t))
    return 'Joomla installer';
  return null;
}

/** CiviCRM's deny-all `.htaccess` (or any Apache directives). */
export function htaccess(b: Buffer): string | null {
  if (isHtmlPage(b)) return null;
  const t = text(b);
  return /Deny from all|Require all denied|<Files\b|<IfModule\b|RewriteEngine|^\s*Options\s/im.test(t)
    ? '.htaccess directives'
    : null;
}

/** PHPIDS config CiviCRM wrote into ConfigAndLog. */
export function idsConfig(b: Buffer): string | null {
  if (isHtmlPage(b)) return null;
  return /^\s*\[General\]/m.test(text(b)) && /filter_type|base_path/.test(text(b)) ? 'Config.IDS.ini' : null;
}

/** A CiviCRM (PEAR Log) line: `Dec 01 10:00:00  [info] …`. */
export function civicrmLog(b: Buffer): string | null {
  if (isHtmlPage(b)) return null;
  return /^[A-Z][a-z]{2} \d{1,2} \d\d:\d\d:\d\d\s+\[\w+\]/m.test(text(b)) ? 'CiviCRM log lines' : null;
}
