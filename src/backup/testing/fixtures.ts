/**
 * Helpers for the backup tests: a source tree with the awkward cases (multi-chunk file, empty file,
 * symlink, odd modes and times, a settings file and templates_c that must be left out), a tree
 * comparison (bytes, modes, mtimes to the microsecond, link targets), age identities, and a
 * byte-flipper for corruption tests.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  openSync,
  readSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAge } from '../keyring.js';

export function tempDir(prefix = 'civiguard-backup-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export async function newIdentity(): Promise<{ identity: string; recipient: string }> {
  const age = await loadAge();
  const identity = await age.generateX25519Identity();
  return { identity, recipient: await age.identityToRecipient(identity) };
}

/** Writes a source tree into `dir` and returns what must (and must not) come back on restore. */
export function makeSourceTree(
  dir: string,
  opts: { bigBytes?: number; smallFiles?: number } = {},
): { excluded: string[] } {
  mkdirSync(join(dir, 'upload', 'deep', 'er'), { recursive: true });
  mkdirSync(join(dir, 'custom'), { recursive: true });
  mkdirSync(join(dir, 'templates_c', 'en_US'), { recursive: true });
  writeFileSync(join(dir, 'upload', 'big.bin'), randomBytes(opts.bigBytes ?? 3 * 1024 * 1024));
  for (let i = 0; i < (opts.smallFiles ?? 30); i++) {
    writeFileSync(join(dir, 'upload', 'deep', `note-${i}.txt`), `contact ${i}\n`.repeat(50 + i));
  }
  writeFileSync(join(dir, 'upload', 'deep', 'er', 'empty'), '');
  writeFileSync(join(dir, 'custom', 'private.txt'), 'mode 0640\n');
  chmodSync(join(dir, 'custom', 'private.txt'), 0o640);
  writeFileSync(join(dir, 'custom', 'old.txt'), 'old\n');
  utimesSync(join(dir, 'custom', 'old.txt'), 981173106.123456, 981173106.123456);
  symlinkSync('../upload/big.bin', join(dir, 'custom', 'link-to-big'));
  writeFileSync(join(dir, 'templates_c', 'en_US', 'compiled.php'), '<?php // compiled');
  writeFileSync(join(dir, 'civicrm.settings.php'), "<?php\ndefine('CIVICRM_SITE_KEY', 'k3y');\n");
  chmodSync(join(dir, 'upload', 'deep'), 0o750);
  return { excluded: ['templates_c', 'civicrm.settings.php'] };
}

/** Differences between two trees (empty when identical): content, type, mode, mtime (µs), link target. */
export function compareTrees(a: string, b: string, skip: string[] = []): string[] {
  const diffs: string[] = [];
  const walk = (rel: string) => {
    const pa = join(a, rel);
    const pb = join(b, rel);
    const sa = lstatSync(pa);
    let sb;
    try {
      sb = lstatSync(pb);
    } catch {
      diffs.push(`${rel}: missing in restore`);
      return;
    }
    if ((sa.mode & 0o170000) !== (sb.mode & 0o170000)) diffs.push(`${rel}: type differs`);
    if (!sa.isSymbolicLink() && (sa.mode & 0o7777) !== (sb.mode & 0o7777))
      diffs.push(`${rel}: mode ${(sa.mode & 0o7777).toString(8)} vs ${(sb.mode & 0o7777).toString(8)}`);
    if (Math.abs(sa.mtimeMs - sb.mtimeMs) > 0.001) diffs.push(`${rel}: mtime ${sa.mtimeMs} vs ${sb.mtimeMs}`);
    if (sa.isSymbolicLink()) {
      if (readlinkSync(pa) !== readlinkSync(pb)) diffs.push(`${rel}: link target differs`);
    } else if (sa.isFile()) {
      if (!readFileSync(pa).equals(readFileSync(pb))) diffs.push(`${rel}: content differs`);
    } else if (sa.isDirectory()) {
      const na = readdirSync(pa)
        .filter((n) => !skip.includes(n))
        .sort();
      const nb = readdirSync(pb).sort();
      for (const n of nb) if (!na.includes(n)) diffs.push(`${rel}/${n}: extra in restore`);
      for (const n of na) walk(rel ? join(rel, n) : n);
    }
  };
  walk('');
  return diffs;
}

/** Flips one byte of a file in place (XOR 0x01) and returns its old value. */
export function flipByte(file: string, offset: number): void {
  const fd = openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, offset);
    b[0] = b[0]! ^ 0x01;
    writeSync(fd, b, 0, 1, offset);
  } finally {
    closeSync(fd);
  }
}

/** Every file under a directory, relative paths. */
export function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const n of readdirSync(join(dir, rel))) {
    const r = rel ? `${rel}/${n}` : n;
    if (lstatSync(join(dir, r)).isDirectory()) out.push(...listFiles(dir, r));
    else out.push(r);
  }
  return out;
}
