/**
 * `prune`: deletes what no snapshot needs, under an exclusive lock, without any key — sealed blobs are
 * moved between packs as ciphertext (their associated data binds them to id, type and compression, not
 * to a pack). Order, so that a crash at any point leaves a valid repository:
 *   1. write new packs holding the still-used blobs of packs worth repacking;
 *   2. write one new index describing every pack that stays;
 *   3. delete the old index files;
 *   4. delete unused and repacked packs, leftovers of interrupted runs (unindexed packs, temp files),
 *      refs and key files nothing refers to.
 * A crash before 3 leaves old and new index side by side (duplicates are harmless); after 3, only
 * unindexed packs, which the next prune removes.
 */
import { describeError } from '../core/errors.js';
import type { Backend } from './backends/backend.js';
import { dataName } from './backends/backend.js';
import { HEX64 } from './format.js';
import type { IndexPack } from './format.js';
import { PackBuilder } from './pack-builder.js';
import type { MemoryPack } from './pack-builder.js';
import type { Repository } from './repository.js';
import { Repository as Repo } from './repository.js';

export interface PruneOptions {
  dryRun?: boolean;
  /** Repack a pack when at least this fraction of its bytes is unused (default 0.2). */
  repackThreshold?: number;
  note?: (message: string) => void;
  /** Test hook: called between the steps (crash tests kill the process here). */
  step?: (name: string) => Promise<void> | void;
}

export interface PruneResult {
  packsDeleted: number;
  packsRepacked: number;
  packsWritten: number;
  bytesFreed: number;
  blobsRemoved: number;
  leftovers: number;
  dryRun: boolean;
}

export async function prune(repo: Repository, opts: PruneOptions = {}): Promise<PruneResult> {
  const b: Backend = repo.backend;
  const step = opts.step ?? (() => undefined);
  const threshold = opts.repackThreshold ?? 0.2;
  const index = await repo.loadIndex();
  const snaps = await repo.listSnapshots();
  const used = new Set<string>();
  const usedRefs = new Set<string>();
  const usedKeys = new Set<string>();
  for (const s of snaps) {
    for (const id of await repo.loadRefs(s)) used.add(id); // a damaged refs file aborts the prune: usage unknown
    usedRefs.add(s.file.refs);
    usedKeys.add(s.catalogue.key);
  }
  const onDisk = new Map<string, number>();
  for (const f of await b.list('data')) {
    const id = f.name.slice(f.name.lastIndexOf('/') + 1);
    if (HEX64.test(id)) onDisk.set(id, f.size);
  }

  const keep: IndexPack[] = [];
  const remove: string[] = [];
  const repack: { id: string; rows: IndexPack['blobs']; keys: string[] }[] = [];
  let blobsRemoved = 0;
  let bytesFreed = 0;
  for (const [id, info] of index.packs) {
    if (!onDisk.has(id)) continue; // missing pack: check reports it; nothing to keep
    // a row is live when a snapshot needs the blob and this pack is its canonical location
    const live = info.blobs.filter((r) => used.has(r[0]) && index.blobs.get(r[0])?.pack === id);
    const liveBytes = live.reduce((n, r) => n + r[3], 0);
    const dead = info.blobs.length - live.length;
    if (live.length === 0) {
      remove.push(id);
      blobsRemoved += dead;
      bytesFreed += info.size;
    } else if (dead > 0 && (info.size - liveBytes) / info.size >= threshold) {
      repack.push({ id, rows: live, keys: info.keys });
      blobsRemoved += dead;
      bytesFreed += info.size - liveBytes;
    } else {
      keep.push({ id, size: info.size, keys: info.keys, blobs: info.blobs });
      for (const r of info.blobs) usedKeys.add(info.keys[r[6]]!);
    }
  }
  const orphans = [...onDisk.keys()].filter((id) => !index.packs.has(id));
  const temps = await b.listTemp();
  const result: PruneResult = {
    packsDeleted: remove.length + orphans.length,
    packsRepacked: repack.length,
    packsWritten: 0,
    bytesFreed: bytesFreed + orphans.reduce((n, id) => n + onDisk.get(id)!, 0),
    blobsRemoved,
    leftovers: orphans.length + temps.length,
    dryRun: Boolean(opts.dryRun),
  };
  if (opts.dryRun) return result;

  // 1. repack
  const builder = new PackBuilder();
  const written: MemoryPack[] = [];
  const flush = async () => {
    if (!builder.count) return;
    const pack = builder.finish();
    await b.write(dataName(pack.id), pack.parts);
    written.push(pack);
    await step('repack-pack-written');
  };
  for (const p of repack) {
    const span = await b.read(dataName(p.id), 1024 * 1024 * 1024);
    for (const r of p.rows) {
      const key = p.keys[r[6]]!;
      usedKeys.add(key);
      // close the pack first when this blob would take it past the target (or not fit at all)
      if (builder.full(r[3])) await flush();
      builder.add(r[0], r[1], span.subarray(r[2], r[2] + r[3]), r[4], r[5], key);
    }
  }
  await flush();
  result.packsWritten = written.length;
  for (const w of written) keep.push({ id: w.id, size: w.size, keys: w.header.keys, blobs: w.header.blobs });

  // 2. the new index
  const newIndex = Repo.encodeIndex({ v: 1, packs: keep });
  const oldIndexFiles = index.indexFiles.filter((f) => f !== newIndex.name);
  if (keep.length) await b.write(newIndex.name, [newIndex.data]);
  await step('index-written');

  // 3. old index files
  for (const f of oldIndexFiles) await b.remove(f);
  await step('old-index-removed');

  // 4. packs and leftovers
  for (const id of [...remove, ...repack.map((p) => p.id), ...orphans]) {
    await b.remove(dataName(id));
  }
  await step('packs-removed');
  for (const t of temps)
    await b.remove(t.name).catch((e: unknown) => opts.note?.(`cannot remove ${t.name}: ${describeError(e)}`));
  for (const f of await b.list('refs')) if (!usedRefs.has(f.name.slice(5))) await b.remove(f.name);
  for (const f of await b.list('keys')) if (!usedKeys.has(f.name.slice(5))) await b.remove(f.name);
  return result;
}
