import { lstatSync, readdirSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';

/**
 * A fast, bounded walk of directory trees that records each entry's type, permission bits, owner and
 * size in typed arrays (about 30 bytes per entry plus the path). Never follows symbolic links (so it
 * cannot leave the roots through one, nor loop), skips a directory already seen by device+inode (bind
 * mounts), and stops at `maxEntries`. The walk is synchronous in slices of `sliceSize` entries and
 * yields to the event loop between slices: metadata calls answered from the kernel's cache are much
 * faster this way than through libuv's thread pool, and other probes keep running.
 */

export const KIND_FILE = 1;
export const KIND_DIR = 2;
export const KIND_SYMLINK = 3;
export const KIND_OTHER = 4;

export interface FsTable {
  count: number;
  paths: string[];
  kind: Uint8Array;
  /** Permission bits (mode & 0o7777). */
  mode: Uint16Array;
  uid: Uint32Array;
  gid: Uint32Array;
  size: Float64Array;
}

export interface WalkResult {
  roots: string[];
  table: FsTable;
  /** Stopped at maxEntries: what was not seen may hold findings. */
  truncated: boolean;
  /** Directories deeper than maxDepth that were not entered. */
  tooDeep: number;
  /** Directories reached twice (bind mounts, hard-linked dirs): entered once. */
  loops: number;
  errors: { path: string; code: string }[];
  errorCount: number;
  durationMs: number;
}

export interface WalkOptions {
  maxEntries?: number;
  maxDepth?: number;
  sliceSize?: number;
  signal?: AbortSignal;
  /** Absolute paths not to descend into (they are still listed themselves). */
  prune?: (path: string) => boolean;
}

function grow<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(a: T, n: number): T {
  const Ctor = a.constructor as new (n: number) => T;
  const b = new Ctor(n);
  b.set(a);
  return b;
}

class Table implements FsTable {
  count = 0;
  paths: string[] = [];
  kind = new Uint8Array(1024);
  mode = new Uint16Array(1024);
  uid = new Uint32Array(1024);
  gid = new Uint32Array(1024);
  size = new Float64Array(1024);
  push(path: string, kind: number, mode: number, uid: number, gid: number, size: number): void {
    if (this.count === this.kind.length) {
      const n = this.count * 2;
      this.kind = grow(this.kind, n);
      this.mode = grow(this.mode, n);
      this.uid = grow(this.uid, n);
      this.gid = grow(this.gid, n);
      this.size = grow(this.size, n);
    }
    const i = this.count++;
    this.paths.push(path);
    this.kind[i] = kind;
    this.mode[i] = mode & 0o7777;
    this.uid[i] = uid;
    this.gid[i] = gid;
    this.size[i] = size;
  }
}

function isWithin(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Drops roots that lie inside another root, so nothing is listed twice. */
export function distinctRoots(roots: readonly string[]): string[] {
  const sorted = [...new Set(roots)].sort((a, b) => a.length - b.length);
  const out: string[] = [];
  for (const r of sorted) if (!out.some((o) => isWithin(r, o))) out.push(r);
  return out;
}

const LSTAT = { throwIfNoEntry: false } as const;
const yieldNow = () => new Promise<void>((r) => setImmediate(r));

export async function walkTrees(rootsIn: readonly string[], opts: WalkOptions = {}): Promise<WalkResult> {
  const t0 = performance.now();
  const maxEntries = opts.maxEntries ?? 1_000_000;
  const maxDepth = opts.maxDepth ?? 64;
  const slice = opts.sliceSize ?? 2000;
  const roots = distinctRoots(rootsIn);
  const table = new Table();
  const seenDirs = new Set<string>();
  const errors: WalkResult['errors'] = [];
  let errorCount = 0;
  let truncated = false;
  let tooDeep = 0;
  let loops = 0;
  let budget = slice;
  const fail = (path: string, e: unknown) => {
    errorCount++;
    if (errors.length < 50) errors.push({ path, code: (e as { code?: string }).code ?? String(e) });
  };

  const stack: { path: string; depth: number }[] = [];
  for (const r of roots) {
    const st = lstatSync(r, { throwIfNoEntry: false });
    if (!st) {
      fail(r, { code: 'ENOENT' });
      continue;
    }
    table.push(
      r,
      st.isDirectory() ? KIND_DIR : st.isSymbolicLink() ? KIND_SYMLINK : KIND_FILE,
      st.mode,
      st.uid,
      st.gid,
      st.size,
    );
    if (st.isDirectory()) {
      seenDirs.add(`${st.dev}:${st.ino}`);
      stack.push({ path: r, depth: 0 });
    }
  }

  outer: while (stack.length) {
    const { path: dir, depth } = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      fail(dir, e);
      continue;
    }
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    for (const name of names) {
      if (table.count >= maxEntries) {
        truncated = true;
        break outer;
      }
      if (--budget <= 0) {
        budget = slice;
        await yieldNow();
        if (opts.signal?.aborted) throw opts.signal.reason;
      }
      const p = prefix + name;
      let st;
      try {
        st = lstatSync(p, LSTAT);
      } catch (e) {
        fail(p, e);
        continue;
      }
      if (!st) continue; // vanished meanwhile
      const kind = st.isFile()
        ? KIND_FILE
        : st.isDirectory()
          ? KIND_DIR
          : st.isSymbolicLink()
            ? KIND_SYMLINK
            : KIND_OTHER;
      table.push(p, kind, st.mode, st.uid, st.gid, st.size);
      if (kind !== KIND_DIR) continue;
      if (opts.prune?.(p)) continue;
      const key = `${st.dev}:${st.ino}`;
      if (seenDirs.has(key)) {
        loops++;
        continue;
      }
      seenDirs.add(key);
      if (depth + 1 > maxDepth) {
        tooDeep++;
        continue;
      }
      stack.push({ path: p, depth: depth + 1 });
    }
  }
  return {
    roots,
    table,
    truncated,
    tooDeep,
    loops,
    errors,
    errorCount,
    durationMs: performance.now() - t0,
  };
}

export { isWithin };

/** A fast "is this path inside one of these dirs" test (string prefixes, no path.relative per call). */
export function insideAny(dirs: readonly string[]): (path: string) => boolean {
  const roots = dirs.map((d) => (d.length > 1 ? d.replace(/\/+$/, '') : d));
  const prefixes = roots.map((r) => (r === '/' ? '/' : `${r}/`));
  return (p) => {
    for (let i = 0; i < roots.length; i++) if (p === roots[i] || p.startsWith(prefixes[i]!)) return true;
    return false;
  };
}
