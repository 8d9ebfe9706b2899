/**
 * `backup restore`: files back into a directory (byte-identical; modes, times and — as root — owners
 * kept), dumps into a database through the mariadb client or into `<target>/mariadb/<db>.sql`.
 * Reads are grouped by pack so each pack is read once; decryption runs in the worker pool and every
 * blob is authenticated (AES-GCM, with its id in the associated data) before a byte of it is written.
 */
import {
  closeSync,
  existsSync,
  lchownSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  symlinkSync,
  utimesSync,
  chmodSync,
  constants,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { CiviguardError, describeError } from '../core/errors.js';
import { dataName } from './backends/backend.js';
import { fail } from './format.js';
import type { SealedSnapshot, SourceDetail } from './format.js';
import type { BlobLoc, MasterIndex, Repository, SnapshotEntry } from './repository.js';
import type { Dsn } from './sources/dsn.js';
import { sameDatabase } from './sources/dsn.js';
import { restoreDump } from './sources/mariadb.js';
import { TreeReader } from './tree.js';
import type { TreeNode } from './tree.js';
import type { Placement } from './worker/codec.js';
import type { WorkerPool } from './worker/pool.js';

export interface RestoreOptions {
  target: string | null;
  /** Database targets: by source label (database name) or '*' for the only dump. */
  databases: Map<string, Dsn>;
  force: boolean;
  pool: WorkerPool;
  onProgress?: (p: { bytes: number; totalBytes: number; files: number }) => void;
  note?: (message: string) => void;
}

export interface RestoreResult {
  files: number;
  bytes: number;
  dumps: { source: string; into: string; bytes: number }[];
  warnings: string[];
}

export async function readTree(
  repo: Repository,
  index: MasterIndex,
  sealed: SealedSnapshot,
): Promise<TreeNode[]> {
  const nodes: TreeNode[] = [];
  const reader = new TreeReader();
  for (const id of sealed.tree) reader.push(await repo.readBlob(id, index), nodes);
  reader.finish(nodes);
  return nodes;
}

/** Splits the flat tree into its sources. */
export function splitSources(nodes: TreeNode[]): Map<number, TreeNode[]> {
  const out = new Map<number, TreeNode[]>();
  let cur: TreeNode[] | null = null;
  for (const n of nodes) {
    if (n.t === 'src') {
      cur = [];
      out.set(n.i, cur);
    } else if (cur) cur.push(n);
    else fail('tree: node before any source');
  }
  return out;
}

function nsToSeconds(ns: string): number {
  const b = BigInt(ns);
  return Number(b / 1_000_000_000n) + Number(b % 1_000_000_000n) / 1e9;
}

/** Target directory of a files source: the original absolute path below `target`. */
export function sourceDir(target: string, label: string): string {
  return join(target, label.replace(/^\/+/, ''));
}

export async function restoreSnapshot(
  repo: Repository,
  snap: SnapshotEntry,
  opts: RestoreOptions,
): Promise<RestoreResult> {
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    opts.note?.(`warning: ${m}`);
  };
  const sealed = await repo.openSealed(snap);
  const index = await repo.loadIndex();
  const nodes = await readTree(repo, index, sealed);
  const bySource = splitSources(nodes);
  const result: RestoreResult = { files: 0, bytes: 0, dumps: [], warnings };
  const dumps = sealed.sources.map((s, i) => ({ s, i })).filter((x) => x.s.kind === 'mariadb');
  const wantFiles = opts.target !== null;

  // database targets first: refuse before anything is written
  const dbPlan: { src: SourceDetail; nodes: TreeNode[]; dsn: Dsn | null }[] = [];
  for (const { s, i } of dumps) {
    const dsn =
      opts.databases.get(s.label) ?? (dumps.length === 1 ? opts.databases.get('*') : undefined) ?? null;
    if (
      dsn &&
      s.db &&
      sameDatabase(
        { host: s.db.host, port: s.db.port, socket: s.db.socket ?? null, database: s.db.name },
        dsn,
      ) &&
      !opts.force
    ) {
      throw new CiviguardError(
        'E_USAGE',
        `--db names the live database ${s.db.name} this dump was taken from: restore into another database, or add --force to overwrite it`,
      );
    }
    dbPlan.push({ src: s, nodes: bySource.get(i) ?? [], dsn });
  }
  if (opts.databases.size && !dbPlan.some((d) => d.dsn)) {
    throw new CiviguardError(
      'E_USAGE',
      `--db: the snapshot's dumps are ${dumps.map((d) => d.s.label).join(', ') || '(none)'}`,
    );
  }

  if (wantFiles) {
    const target = opts.target!;
    if (existsSync(target) && readdirSync(target).length && !opts.force) {
      throw new CiviguardError(
        'E_USAGE',
        `--target ${target} is not empty: restore into a new directory, or add --force`,
      );
    }
    mkdirSync(target, { recursive: true });
    // plan: every file's chunks, grouped by pack
    const byPack = new Map<string, { id: string; loc: BlobLoc; to: Placement[] }[]>();
    const perId = new Map<string, { id: string; loc: BlobLoc; to: Placement[] }>();
    const fileNodes: { path: string; node: Extract<TreeNode, { t: 'f' }> }[] = [];
    const dirs: { path: string; node: Extract<TreeNode, { t: 'd' }> }[] = [];
    const links: { path: string; node: Extract<TreeNode, { t: 'l' }> }[] = [];
    let totalBytes = 0;
    for (const [i, list] of bySource) {
      const src = sealed.sources[i];
      if (!src) fail('tree: source index out of range');
      const base = src.kind === 'files' ? sourceDir(target, src.label) : join(target, 'mariadb');
      for (const n of list) {
        if (n.t === 'src') continue;
        if (n.t === 'sql') {
          if (dbPlan.find((d) => d.src === src)?.dsn) continue;
          const path = join(base, n.p);
          fileNodes.push({
            path,
            node: { t: 'f', p: n.p, m: 0o600, u: -1, g: -1, mt: '', sz: n.sz, c: n.c },
          });
          continue;
        }
        const path = n.p ? join(base, n.p) : base;
        if (n.t === 'd') dirs.push({ path, node: n });
        else if (n.t === 'l') links.push({ path, node: n });
        else fileNodes.push({ path, node: n });
      }
    }
    const made = new Set<string>();
    const ensureDir = (d: string) => {
      if (made.has(d)) return;
      mkdirSync(d, { recursive: true, mode: 0o700 });
      made.add(d);
    };
    for (const d of dirs) ensureDir(d.path);
    // files are created by their first write, in a worker (the target is empty unless --force: then
    // existing files are truncated here first); empty files are made here
    for (const f of fileNodes) {
      ensureDir(dirname(f.path));
      if (opts.force || f.node.c.length === 0) {
        closeSync(
          openSync(
            f.path,
            constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
            0o600,
          ),
        );
      }
      let off = 0;
      for (const id of f.node.c) {
        const loc = index.blobs.get(id);
        if (!loc) fail(`blob ${id} of ${f.node.p} is in no index`);
        let e = perId.get(id);
        if (!e) {
          e = { id, loc, to: [] };
          perId.set(id, e);
          const list = byPack.get(loc.pack) ?? [];
          list.push(e);
          byPack.set(loc.pack, list);
        }
        e.to.push({ path: f.path, offset: off });
        off += loc.rawLength;
      }
      if (off !== f.node.sz) fail(`${f.node.p}: chunks add up to ${off} bytes, the tree says ${f.node.sz}`);
      totalBytes += off;
    }
    const keys: Record<string, Uint8Array> = {};
    for (const e of perId.values()) if (!keys[e.loc.key]) keys[e.loc.key] = await repo.sessionKey(e.loc.key);

    let done = 0;
    const packs = [...byPack.entries()];
    const inflight = new Set<Promise<void>>();
    const handle = async (pack: string, list: { id: string; loc: BlobLoc; to: Placement[] }[]) => {
      list.sort((a, b) => a.loc.offset - b.loc.offset);
      const start = list[0]!.loc.offset;
      const last = list[list.length - 1]!;
      const span = await repo.backend.readRange(
        dataName(pack),
        start,
        last.loc.offset + last.loc.length - start,
      );
      // the worker takes the span's memory itself when it owns a whole ArrayBuffer (local reads do);
      // a view into a shared one (another backend's pooled buffer) is copied first
      const own = span.byteOffset === 0 && span.buffer.byteLength === span.length;
      const buf = own ? span : Uint8Array.prototype.slice.call(span);
      const items = list.map((e) => ({
        id: e.id,
        type: e.loc.type,
        off: e.loc.offset - start,
        len: e.loc.length,
        rawLength: e.loc.rawLength,
        compressed: e.loc.compressed,
        key: e.loc.key,
      }));
      // the worker opens each blob and writes it to its files: the plaintext never comes back here
      done += await opts.pool.decodeWrite(
        { buf: buf.buffer as ArrayBuffer, items },
        keys,
        repo.keyring.idKey,
        false,
        list.map((e) => e.to),
      );
      opts.onProgress?.({ bytes: done, totalBytes, files: fileNodes.length });
    };
    for (const [pack, list] of packs) {
      const job = handle(pack, list).finally(() => inflight.delete(job));
      inflight.add(job);
      if (inflight.size >= opts.pool.size + 1) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    result.files = fileNodes.length;
    result.bytes = done;

    // metadata: links, then files, then directories deepest first (writing into a dir changes its mtime)
    const isRoot = process.getuid?.() === 0;
    for (const l of links) {
      mkdirSync(dirname(l.path), { recursive: true });
      try {
        symlinkSync(l.node.ln, l.path);
        if (isRoot) lchownSync(l.path, l.node.u, l.node.g);
        lutimesSync(l.path, nsToSeconds(l.node.mt), nsToSeconds(l.node.mt));
      } catch (e) {
        warn(`symlink ${l.path}: ${describeError(e)}`);
      }
    }
    for (const f of fileNodes) {
      const n = f.node;
      if (!n.mt) continue; // a dump written as a file
      try {
        if (isRoot) lchownSync(f.path, n.u, n.g);
        chmodSync(f.path, n.m);
        utimesSync(f.path, nsToSeconds(n.mt), nsToSeconds(n.mt));
      } catch (e) {
        warn(`${f.path}: ${describeError(e)}`);
      }
    }
    for (const d of [...dirs].reverse()) {
      try {
        if (isRoot) lchownSync(d.path, d.node.u, d.node.g);
        chmodSync(d.path, d.node.m);
        utimesSync(d.path, nsToSeconds(d.node.mt), nsToSeconds(d.node.mt));
      } catch (e) {
        warn(`${d.path}: ${describeError(e)}`);
      }
    }
  }

  for (const d of dbPlan) {
    if (!d.dsn) continue;
    const node = d.nodes.find((n) => n.t === 'sql');
    if (!node || node.t !== 'sql') fail(`snapshot has no dump data for ${d.src.label}`);
    const bytes = await restoreDumpInto(repo, index, node.c, d.dsn);
    result.dumps.push({ source: d.src.label, into: d.dsn.database, bytes });
  }
  return result;
}

/** Streams a dump's chunks, in order, through the DEFINER rewriter into `mariadb <db>`. */
export async function restoreDumpInto(
  repo: Repository,
  index: MasterIndex,
  ids: string[],
  dsn: Dsn,
): Promise<number> {
  let bytes = 0;
  await restoreDump(dsn, async (write) => {
    for (const id of ids) {
      const data = await repo.readBlob(id, index);
      bytes += data.length;
      await write(data);
    }
  });
  return bytes;
}
