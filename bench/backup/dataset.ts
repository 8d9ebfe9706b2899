/**
 * The PEERS.md backup dataset, generated deterministically (xorshift PRNG, fixed seed) and cached:
 * 20,000 text files of 1–50 KB (~521 MB), a 300 MB SQL dump (mariadb-dump shaped), a 50 MB log and two
 * 100 MB random files: 1,072 MB in all. Text is built from a Zipf-distributed vocabulary, so it
 * compresses like prose, not like repeated filler.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export const MB = 1_000_000;
const SPEC = {
  files: 20_000,
  textBytes: 521 * MB,
  dumpBytes: 300 * MB,
  logBytes: 50 * MB,
  randomFiles: 2,
  randomBytes: 100 * MB,
};
const VERSION = 'v1';

class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.s = x;
    return x;
  }
  below(n: number): number {
    return this.next() % n;
  }
}

function vocabulary(rng: Rng, n: number): Buffer[] {
  const words: Buffer[] = [];
  const letters = 'etaoinshrdlcumwfgypbvkjxqz';
  for (let i = 0; i < n; i++) {
    const len = 2 + rng.below(9);
    let w = '';
    for (let j = 0; j < len; j++)
      w += letters[Math.min(25, Math.floor(Math.abs(Math.log(1 - (rng.next() / 2 ** 32) * 0.999)) * 6))];
    words.push(Buffer.from(w));
  }
  return words;
}

/** Zipf-ish pick: index = floor(n * u^3). */
function pick(rng: Rng, n: number): number {
  const u = rng.next() / 2 ** 32;
  return Math.floor(n * u * u * u);
}

function prose(rng: Rng, words: Buffer[], bytes: number): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  let p = 0;
  let col = 0;
  while (p < bytes) {
    const w = words[pick(rng, words.length)]!;
    const n = Math.min(w.length, bytes - p);
    w.copy(out, p, 0, n);
    p += n;
    col += n;
    if (p < bytes) {
      out[p++] = col > 70 ? 0x0a : rng.below(12) === 0 ? 0x2e : 0x20;
      if (col > 70) col = 0;
    }
  }
  return out;
}

function sqlDump(rng: Rng, words: Buffer[], bytes: number, fd: number): void {
  let written = 0;
  let id = 1;
  const head =
    '-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)\n--\n-- Host: localhost    Database: civicrm\n\nCREATE TABLE `civicrm_contact` (\n  `id` int unsigned NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\n';
  written += writeSync(fd, head);
  const w = () => words[pick(rng, words.length)]!.toString();
  while (written < bytes - 1000) {
    const rows: string[] = [];
    let len = 0;
    while (len < 1_000_000) {
      const r = `(${id++},'Individual','${w()} ${w()}','${w()}, ${w()}','${w()}.${w()}@example.org',${rng.below(2)},'${2000 + rng.below(25)}-0${1 + rng.below(9)}-1${rng.below(9)} 1${rng.below(9)}:0${rng.below(9)}:00',${rng.below(100000) / 100},'${w()} ${w()} ${w()}')`;
      rows.push(r);
      len += r.length + 1;
    }
    written += writeSync(fd, `INSERT INTO \`civicrm_contact\` VALUES ${rows.join(',')};\n`);
  }
  writeSync(fd, '\n-- Dump completed\n');
}

function logFile(rng: Rng, words: Buffer[], bytes: number): Buffer {
  const lines: string[] = [];
  let len = 0;
  const levels = ['info', 'debug', 'warning', 'error'];
  let t = Date.UTC(2024, 0, 1);
  while (len < bytes) {
    t += rng.below(5000);
    const l = `${new Date(t).toISOString()} [${levels[rng.below(4)]}] civicrm.${words[pick(rng, 200)]} contact_id=${rng.below(100000)} ${words[pick(rng, words.length)]} ${words[pick(rng, words.length)]} took ${rng.below(900)}ms\n`;
    lines.push(l);
    len += l.length;
  }
  return Buffer.from(lines.join('').slice(0, bytes));
}

/** Ensures the dataset exists under `root` (cached by a marker) and returns its directory and size. */
export function ensureDataset(
  root: string,
  log: (s: string) => void,
): { dir: string; bytes: number; smallFiles: string[]; dump: string } {
  const dir = join(root, 'data');
  const marker = join(root, `dataset-${VERSION}.json`);
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8')) as ReturnType<typeof ensureDataset>;
  log(`generating the 1,072 MB dataset in ${dir} (once)…`);
  rmSync(dir, { recursive: true, force: true });
  const rng = new Rng(20240601);
  const words = vocabulary(rng, 8000);
  const smallFiles: string[] = [];
  let total = 0;
  // sizes 1–50 KB summing to ~521 MB
  const sizes: number[] = [];
  let sum = 0;
  for (let i = 0; i < SPEC.files; i++) {
    const s = 1000 + rng.below(49_000);
    sizes.push(s);
    sum += s;
  }
  const scale = SPEC.textBytes / sum;
  for (let i = 0; i < SPEC.files; i++) {
    const sub = join(dir, 'files', `d${String(Math.floor(i / 200)).padStart(3, '0')}`);
    if (i % 200 === 0) mkdirSync(sub, { recursive: true });
    const p = join(sub, `doc-${i}.txt`);
    const data = prose(rng, words, Math.max(1000, Math.round(sizes[i]! * scale)));
    writeFileSync(p, data);
    smallFiles.push(p);
    total += data.length;
  }
  mkdirSync(join(dir, 'db'), { recursive: true });
  const dump = join(dir, 'db', 'civicrm.sql');
  const fd = openSync(dump, 'w');
  sqlDump(rng, words, SPEC.dumpBytes, fd);
  closeSync(fd);
  total += readFileSync(dump).length;
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const lg = logFile(rng, words, SPEC.logBytes);
  writeFileSync(join(dir, 'logs', 'civicrm.log'), lg);
  total += lg.length;
  mkdirSync(join(dir, 'uploads'), { recursive: true });
  for (let i = 0; i < SPEC.randomFiles; i++) {
    const b = Buffer.allocUnsafe(SPEC.randomBytes);
    for (let j = 0; j < b.length; j += 4) b.writeUInt32LE(rng.next(), j);
    writeFileSync(join(dir, 'uploads', `video-${i}.bin`), b);
    total += b.length;
  }
  const info = { dir, bytes: total, smallFiles, dump };
  writeFileSync(marker, JSON.stringify(info));
  log(`dataset: ${(total / MB).toFixed(0)} MB`);
  return info;
}
