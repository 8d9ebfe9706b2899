/**
 * The files cache (kept on the server, never in the repository): for each backed-up path, the size,
 * mtime, ctime and inode it had and the chunk ids it produced. An unchanged file (all four equal, and
 * every chunk still in every destination's index) is not read again. Stored per repository id as
 * zstd-compressed JSON under the cache directory, written atomically after a successful run.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { boundedDecompress, zstdCompress } from './zstd.js';

/** `size/mtimeNs/ctimeNs/ino|id,id,…`: one string per file keeps the cache small in memory. */
type Entry = string;

export function defaultCacheDir(): string {
  if (process.env.CIVIGUARD_CACHE_DIR) return process.env.CIVIGUARD_CACHE_DIR;
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'civiguard');
}

export class FilesCache {
  private readonly file: string | null;
  private readonly old: Map<string, Entry>;
  private readonly next = new Map<string, Entry>();

  private constructor(file: string | null, old: Map<string, Entry>) {
    this.file = file;
    this.old = old;
  }

  static load(cacheDir: string | null, repoId: string): FilesCache {
    if (!cacheDir) return new FilesCache(null, new Map());
    const file = join(cacheDir, repoId, 'files-v2.json.zst');
    let old = new Map<string, Entry>();
    try {
      const raw = boundedDecompress(readFileSync(file), 2 * 1024 * 1024 * 1024);
      const obj = JSON.parse(raw.toString('utf8')) as Record<string, Entry>;
      old = new Map(Object.entries(obj));
    } catch {
      // missing or unreadable cache: every file is read again
    }
    return new FilesCache(file, old);
  }

  /** The chunk ids of an unchanged file, or null. */
  lookup(path: string, size: bigint, mtimeNs: bigint, ctimeNs: bigint, ino: bigint): string[] | null {
    const e = this.old.get(path);
    if (typeof e !== 'string') return null;
    const bar = e.indexOf('|');
    if (e.slice(0, bar) !== `${size}/${mtimeNs}/${ctimeNs}/${ino}`) return null;
    const ids = e.slice(bar + 1);
    return ids ? ids.split(',') : [];
  }

  record(path: string, size: bigint, mtimeNs: bigint, ctimeNs: bigint, ino: bigint, ids: string[]): void {
    // one flat string (a template literal would keep a tree of a dozen pieces per file alive)
    this.next.set(path, [size, '/', mtimeNs, '/', ctimeNs, '/', ino, '|', ids.join(',')].join(''));
  }

  /** Keeps the entries of paths that were not part of this run (other sources backed up separately). */
  save(roots: string[]): void {
    if (!this.file) return;
    for (const [p, e] of this.old) {
      if (!this.next.has(p) && !roots.some((k) => p === k || p.startsWith(k.endsWith('/') ? k : k + '/')))
        this.next.set(p, e);
    }
    const dir = this.file.slice(0, this.file.lastIndexOf('/'));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, zstdCompress(Buffer.from(JSON.stringify(Object.fromEntries(this.next))), 1), {
      mode: 0o600,
    });
    renameSync(tmp, this.file);
  }
}
