import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import { describeError } from '../../core/errors.js';
import type { CardBrand } from './pan.js';
import type { PanForm, PanHit } from './pan-scanner.js';
import { PanScanner } from './pan-scanner.js';

/**
 * Walks directories and scans files for card numbers (PanScanner), gzip included. Bounded everywhere:
 * files, bytes per file, bytes in total, hits kept, and the caller's abort signal. Symlinks are never
 * followed. Reads are synchronous in 1 MiB blocks (the fastest way for many small files) with a yield
 * to the event loop every few milliseconds so that the rest of the audit keeps moving.
 */

export interface ScanRoot {
  path: string;
  /** `tree`: a whole site root (code files are skipped); `data`: a data/log/dump dir (everything read). */
  kind: 'tree' | 'data';
}

export interface FileScanOptions {
  roots: ScanRoot[];
  signal?: AbortSignal;
  /** Bytes read per file at most (default 1 GiB); the rest is reported as not scanned. */
  maxFileBytes?: number;
  /** Bytes read over all files (default 8 GiB). */
  maxTotalBytes?: number;
  /** Files looked at (default 1,000,000). */
  maxFiles?: number;
  /** Hits kept with their location (default 200); all are counted. */
  maxHits?: number;
  /** Hits kept per file (default 5). */
  maxHitsPerFile?: number;
}

export interface FileHit {
  path: string;
  line: number;
  masked: string;
  brand: CardBrand;
  test: boolean;
  form: PanForm;
}

export interface NotScanned {
  path: string;
  reason: string;
}

export interface FileScanReport {
  roots: string[];
  filesScanned: number;
  bytesScanned: number;
  gzipFiles: number;
  /** Every hit counted, real and test numbers apart. */
  hitCount: number;
  testHitCount: number;
  /** Files holding at least one non-test hit. */
  filesWithHits: number;
  hits: FileHit[];
  /** Files that could not be read or only in part (first 50), and how many in all. */
  notScanned: NotScanned[];
  notScannedCount: number;
  /** Files skipped by type on purpose (code, media, unsupported archives), by extension. */
  skippedByType: Record<string, number>;
  symlinksSkipped: number;
  /** A global cap (files, bytes, time) stopped the walk early. */
  stoppedEarly: string | null;
  durationMs: number;
}

const SKIP_DIRS = new Set(['.git', '.svn', '.hg', 'node_modules', 'bower_components', 'templates_c']);
/** Code in a site tree: card data does not live there, and its test fixtures would be noise. */
const CODE_EXT = new Set(
  'php inc module install theme profile engine test js mjs cjs ts tsx jsx css scss sass less tpl twig smarty svg map po pot mo lock md rst xsd dtd'
    .split(' ')
    .map((e) => '.' + e),
);
/** Media and binary formats that hold no readable digits. */
const MEDIA_EXT = new Set(
  'png jpg jpeg gif webp ico bmp tif tiff psd woff woff2 ttf otf eot mp3 mp4 m4a ogg oga ogv webm wav avi mov mkv flac pdf so o a dll exe class jar pyc'
    .split(' ')
    .map((e) => '.' + e),
);
/** Containers this scanner cannot open; named in the report so the user knows. */
const UNSUPPORTED_EXT = new Set(
  'zip bz2 xz 7z rar zst lz4 lzma docx xlsx odt ods pptx'.split(' ').map((e) => '.' + e),
);
/** Names whose content is text by convention: read even if it contains NUL bytes. */
const TEXT_EXT = new Set('log txt sql csv tsv json xml html htm out err dump'.split(' ').map((e) => '.' + e));

const YIELD_MS = 8;

export async function scanFiles(opts: FileScanOptions): Promise<FileScanReport> {
  const t0 = performance.now();
  const maxFileBytes = opts.maxFileBytes ?? 1 << 30;
  const maxTotalBytes = opts.maxTotalBytes ?? 8 * (1 << 30);
  const maxFiles = opts.maxFiles ?? 1_000_000;
  const maxHits = opts.maxHits ?? 200;
  const maxHitsPerFile = opts.maxHitsPerFile ?? 5;
  const report: FileScanReport = {
    roots: opts.roots.map((r) => r.path),
    filesScanned: 0,
    bytesScanned: 0,
    gzipFiles: 0,
    hitCount: 0,
    testHitCount: 0,
    filesWithHits: 0,
    hits: [],
    notScanned: [],
    notScannedCount: 0,
    skippedByType: {},
    symlinksSkipped: 0,
    stoppedEarly: null,
    durationMs: 0,
  };
  const notScanned = (path: string, reason: string) => {
    report.notScannedCount++;
    if (report.notScanned.length < 50) report.notScanned.push({ path, reason });
  };
  const skipType = (ext: string) => {
    const k = ext || '(none)';
    report.skippedByType[k] = (report.skippedByType[k] ?? 0) + 1;
  };
  let lastYield = performance.now();
  let filesSeen = 0;
  const seenDirs = new Set<string>();
  const rootPaths = new Set(opts.roots.map((r) => r.path.replace(/\/+$/, '')));

  const scanner = (path: string) => {
    let inFile = 0;
    let real = false;
    const s = new PanScanner((h: PanHit) => {
      report.hitCount++;
      if (h.test) report.testHitCount++;
      else real = true;
      if (inFile++ >= maxHitsPerFile) return;
      const hit: FileHit = {
        path,
        line: h.line,
        masked: h.masked,
        brand: h.brand,
        test: h.test,
        form: h.form,
      };
      if (report.hits.length < maxHits) report.hits.push(hit);
      else if (!h.test) {
        // Keep real card numbers over published test numbers when the list is full.
        const i = report.hits.findIndex((x) => x.test);
        if (i >= 0) report.hits[i] = hit;
      }
    });
    return { s, done: () => (real ? report.filesWithHits++ : undefined) };
  };

  /** Lets the event loop run every few ms of synchronous work; stops on abort. */
  const breathe = async () => {
    if (performance.now() - lastYield > YIELD_MS) {
      await yieldToLoop();
      lastYield = performance.now();
    }
    if (opts.signal?.aborted) throw opts.signal.reason;
  };

  const readPlain = async (path: string, ext: string): Promise<void> => {
    let fd: number;
    try {
      fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
    } catch (e) {
      notScanned(path, describeError(e));
      return;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return;
      const budget = Math.min(maxFileBytes, maxTotalBytes - report.bytesScanned);
      const { s, done } = scanner(path);
      let read = 0;
      let first = true;
      while (read < budget) {
        // Small files get a small buffer (a 1 MiB allocation per file would dominate).
        const want = st.size > read ? st.size - read + 1 : 1 << 16;
        const w = s.writable(Math.min(1 << 20, budget - read, want));
        const n = readSync(fd, w, 0, w.length, null);
        if (n <= 0) break;
        if (first) {
          first = false;
          // Unknown extension and NUL bytes up front: a binary file.
          if (!TEXT_EXT.has(ext) && w.subarray(0, Math.min(n, 1024)).includes(0)) {
            skipType(ext || '(binary)');
            return;
          }
        }
        read += n;
        s.commit(n);
        if (s.done) break;
        await breathe();
      }
      s.end();
      report.filesScanned++;
      report.bytesScanned += read;
      done();
      if (st.size > read && !s.done) {
        notScanned(path, `only the first ${mib(read)} of ${mib(st.size)} scanned (size cap)`);
      }
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      notScanned(path, describeError(e));
    } finally {
      closeSync(fd);
    }
  };

  const readGzip = async (path: string): Promise<void> => {
    const budget = Math.min(maxFileBytes, maxTotalBytes - report.bytesScanned);
    const { s, done } = scanner(path);
    let read = 0;
    let capped = false;
    let handle;
    try {
      handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
    } catch (e) {
      notScanned(path, describeError(e));
      return;
    }
    const input = handle.createReadStream({ highWaterMark: 1 << 20 });
    const gunzip = createGunzip({ chunkSize: 1 << 18 });
    try {
      input.pipe(gunzip);
      input.on('error', (e) => gunzip.destroy(e));
      for await (const chunk of gunzip as AsyncIterable<Buffer>) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        const take = Math.min(chunk.length, budget - read);
        s.push(take < chunk.length ? chunk.subarray(0, take) : chunk);
        read += take;
        if (take < chunk.length) {
          capped = true;
          break;
        }
        if (s.done) break;
      }
      s.end();
      report.filesScanned++;
      report.gzipFiles++;
      report.bytesScanned += read;
      done();
      if (capped) notScanned(path, `only the first ${mib(read)} (decompressed) scanned (size cap)`);
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      s.end();
      report.bytesScanned += read;
      done();
      notScanned(path, `gzip: ${describeError(e)}${read ? ` after ${mib(read)}` : ''}`);
    } finally {
      input.destroy();
      gunzip.destroy();
      await handle.close().catch(() => undefined);
    }
  };

  const walk = async (root: ScanRoot): Promise<void> => {
    const stack: string[] = [root.path];
    while (stack.length) {
      const dir = stack.pop()!;
      if (seenDirs.has(dir)) continue;
      seenDirs.add(dir);
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (e) {
        notScanned(dir, describeError(e));
        continue;
      }
      for (const ent of entries) {
        if (report.stoppedEarly) return;
        const path = join(dir, ent.name);
        if (ent.isSymbolicLink()) {
          report.symlinksSkipped++;
          continue;
        }
        if (ent.isDirectory()) {
          // Another root is walked on its own (and a data root inside a tree is read in full).
          if (!SKIP_DIRS.has(ent.name) && !rootPaths.has(path)) stack.push(path);
          continue;
        }
        if (!ent.isFile()) continue;
        if (++filesSeen > maxFiles) {
          report.stoppedEarly = `more than ${maxFiles} files`;
          return;
        }
        if (report.bytesScanned >= maxTotalBytes) {
          report.stoppedEarly = `more than ${mib(maxTotalBytes)} read`;
          return;
        }
        const ext = extname(ent.name).toLowerCase();
        const isGz = ext === '.gz' || ext === '.tgz';
        const inner = isGz ? extname(basename(ent.name, ext)).toLowerCase() : ext;
        if (MEDIA_EXT.has(inner) || UNSUPPORTED_EXT.has(ext)) {
          skipType(isGz ? inner + ext : ext);
          if (UNSUPPORTED_EXT.has(ext)) notScanned(path, `${ext} archives are not opened`);
          continue;
        }
        if (root.kind === 'tree' && CODE_EXT.has(inner)) {
          skipType(inner);
          continue;
        }
        if (isGz) await readGzip(path);
        else await readPlain(path, ext);
        await breathe();
      }
    }
  };

  for (const root of opts.roots) {
    if (report.stoppedEarly) break;
    await walk(root);
  }
  report.durationMs = performance.now() - t0;
  return report;
}

function mib(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(n >= 10 << 20 ? 0 : 1)} MiB` : `${n} bytes`;
}
