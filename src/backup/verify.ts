/**
 * `backup check`: the structure (every file parses and matches its name; every snapshot's refs are in
 * the index; every indexed pack exists with its size; with a key, every tree is readable and every file
 * chunk is among the snapshot's refs) and, with `--read-data`, every byte: each pack re-hashed, its
 * header compared with the index, each blob decrypted, decompressed and its keyed id recomputed.
 * Without the identity of a write-only repository, read-data verifies hashes and headers only and says so.
 * Leftovers of interrupted runs (unindexed packs, temp files, unreferenced blobs) are notes, not errors.
 */
import { describeError } from '../core/errors.js';
import { dataName } from './backends/backend.js';
import { HEX64, LIMITS, checkHashName, checkIndexFile, checkKeyFile, parseJson, unzjson } from './format.js';
import type { MasterIndex, Repository, SnapshotEntry } from './repository.js';
import { MasterIndex as MI, mapLimit } from './repository.js';
import { readTree } from './restore.js';
import { staleReason } from './lock.js';
import type { LockInfo } from './lock.js';
import { decodeSelfChecked } from './format.js';
import { gcEvery } from './gc.js';
import type { WorkerPool } from './worker/pool.js';

export interface CheckProblem {
  level: 'error' | 'note';
  file?: string;
  blob?: string;
  message: string;
}

export interface CheckReport {
  ok: boolean;
  problems: CheckProblem[];
  snapshots: number;
  packs: number;
  blobs: number;
  readData: boolean;
  /** Blobs decrypted and verified (0 without a key). */
  decrypted: number;
  bytesRead: number;
  /** Why contents were not decrypted, when they were not. */
  contentNotVerified: string | null;
}

export interface CheckOptions {
  readData: boolean;
  pool: WorkerPool | null;
  onProgress?: (p: { bytes: number; totalBytes: number }) => void;
}

export async function checkRepository(repo: Repository, opts: CheckOptions): Promise<CheckReport> {
  const problems: CheckProblem[] = [];
  const err = (message: string, file?: string, blob?: string) =>
    problems.push({ level: 'error', message, ...(file ? { file } : {}), ...(blob ? { blob } : {}) });
  const note = (message: string, file?: string) =>
    problems.push({ level: 'note', message, ...(file ? { file } : {}) });
  const b = repo.backend;

  // keys
  const keyFiles = await b.list('keys');
  const keyIds = new Set<string>();
  await mapLimit(keyFiles, 8, async (f) => {
    try {
      const raw = await b.read(f.name, LIMITS.keyFileBytes);
      checkHashName(f.name, raw);
      checkKeyFile(parseJson(raw, f.name), f.name);
      keyIds.add(f.name.slice(5));
    } catch (e) {
      err(describeError(e), f.name);
    }
  });

  // index, file by file so that one damaged file is named and the rest still checked
  const index: MasterIndex = new MI();
  const indexFiles = await b.list('index');
  const parsed = await mapLimit(indexFiles, 8, async (f) => {
    try {
      const raw = await b.read(f.name, LIMITS.indexBytes);
      checkHashName(f.name, raw);
      return checkIndexFile(unzjson(raw, f.name, LIMITS.indexBytes * 4), f.name);
    } catch (e) {
      err(describeError(e), f.name);
      return null;
    }
  });
  indexFiles.forEach((f, i) => {
    const p = parsed[i];
    if (p) index.add(f.name, p);
  });

  // packs on the backend vs packs in the index
  const packFiles = await b.list('data');
  const onDisk = new Map<string, number>();
  for (const f of packFiles) {
    const id = f.name.slice(f.name.lastIndexOf('/') + 1);
    if (!HEX64.test(id) || f.name !== dataName(id)) {
      note(`unexpected file in data/`, f.name);
      continue;
    }
    onDisk.set(id, f.size);
  }
  for (const [id, info] of index.packs) {
    const size = onDisk.get(id);
    if (size === undefined)
      err(`pack is listed in ${[...info.indexFiles].join(', ')} but missing`, dataName(id));
    else if (size !== info.size) err(`pack is ${size} bytes, the index says ${info.size}`, dataName(id));
    for (const k of info.keys)
      if (!keyIds.has(k))
        err(`pack's blobs are sealed with keys/${k}, which is missing or damaged`, dataName(id));
  }
  const unindexed = [...onDisk.keys()].filter((id) => !index.packs.has(id));
  if (unindexed.length)
    note(
      `${unindexed.length} pack(s) are in no index (left by an interrupted run or prune; prune removes them)`,
    );

  // snapshots
  const snapFiles = await b.list('snapshots');
  const snaps: SnapshotEntry[] = [];
  await mapLimit(snapFiles, 8, async (f) => {
    try {
      snaps.push(await repo.loadSnapshotFile(f.name.slice('snapshots/'.length)));
    } catch (e) {
      err(describeError(e), f.name);
    }
  });
  snaps.sort((a, c) => a.catalogue.time.localeCompare(c.catalogue.time));
  const referenced = new Set<string>();
  let refsComplete = true;
  for (const s of snaps) {
    const name = `snapshots/${s.id}`;
    if (!keyIds.has(s.catalogue.key)) err(`its key keys/${s.catalogue.key} is missing or damaged`, name);
    let refs: string[];
    try {
      refs = await repo.loadRefs(s);
    } catch (e) {
      err(`${describeError(e)} (needed by ${name})`, `refs/${s.file.refs}`);
      refsComplete = false;
      continue;
    }
    let missing = 0;
    for (const id of refs) {
      referenced.add(id);
      const loc = index.blobs.get(id);
      if (!loc || !onDisk.has(loc.pack)) {
        if (missing++ < 5)
          err(`needs blob ${id}, which ${loc ? `is in missing pack ${loc.pack}` : 'is in no index'}`, name);
      }
    }
    if (missing > 5) err(`needs ${missing} blobs that are not stored`, name);
    if (repo.keyring.canRead && missing === 0) {
      try {
        const sealed = await repo.openSealed(s);
        const refSet = new Set(refs);
        for (const t of sealed.tree)
          if (!refSet.has(t)) err(`tree blob ${t} is not among the snapshot's refs`, name);
        const nodes = await readTree(repo, index, sealed);
        for (const n of nodes) {
          if (n.t !== 'f' && n.t !== 'sql') continue;
          for (const c of n.c)
            if (!refSet.has(c)) err(`file chunk ${c} is not among the snapshot's refs`, name, c);
        }
      } catch (e) {
        err(describeError(e), name);
      }
    }
  }
  const unused = [...index.blobs.keys()].filter((id) => !referenced.has(id)).length;
  if (unused && refsComplete) note(`${unused} blob(s) are used by no snapshot (prune removes them)`);

  const temps = await b.listTemp();
  if (temps.length) note(`${temps.length} temp file(s) left by interrupted writes (prune removes them)`);
  for (const f of await b.list('locks')) {
    try {
      const info = decodeSelfChecked(await b.read(f.name, LIMITS.lockBytes), f.name) as LockInfo;
      if (info.pid === process.pid) continue;
      const stale = staleReason(info);
      note(
        `${stale ? 'stale' : 'live'} lock by \`${info.command}\` (pid ${info.pid} on ${info.host})${stale ? `: ${stale}` : ''}`,
        f.name,
      );
    } catch {
      note('unreadable lock file', f.name);
    }
  }

  // read-data
  let decrypted = 0;
  let bytesRead = 0;
  let contentNotVerified: string | null = null;
  if (opts.readData) {
    const keys: Record<string, Uint8Array> = {};
    if (repo.keyring.canRead) {
      for (const k of keyIds) {
        try {
          keys[k] = await repo.sessionKey(k);
        } catch (e) {
          err(describeError(e), `keys/${k}`);
        }
      }
    } else
      contentNotVerified =
        'write-only repository without --identity: pack hashes and headers verified, contents not decrypted';
    const ids = [...onDisk.keys()].sort();
    const totalBytes = ids.reduce((n, id) => n + onDisk.get(id)!, 0);
    const pool = opts.pool!;
    const collect = gcEvery(64 * 1024 * 1024, 'major');
    const inflight = new Set<Promise<void>>();
    for (const id of ids) {
      const job = (async () => {
        const name = dataName(id);
        let raw: Buffer;
        try {
          raw = await b.read(name, 1024 * 1024 * 1024);
        } catch (e) {
          err(describeError(e), name);
          return;
        }
        bytesRead += raw.length;
        const buf =
          raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength
            ? raw.buffer
            : raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
        const r = await pool.verify({
          pack: id,
          buf: buf as ArrayBuffer,
          indexRows: index.packs.get(id)?.blobs ?? null,
          keys,
          idKey: repo.keyring.canRead ? repo.keyring.idKey : null,
        });
        decrypted += r.decrypted;
        collect(r.bytes);
        for (const p of r.problems) err(p.message, name, p.blob);
        opts.onProgress?.({ bytes: bytesRead, totalBytes });
      })().finally(() => inflight.delete(job));
      inflight.add(job);
      if (inflight.size >= pool.size + 1) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  }
  return {
    ok: !problems.some((p) => p.level === 'error'),
    problems,
    snapshots: snaps.length,
    packs: onDisk.size,
    blobs: index.blobs.size,
    readData: opts.readData,
    decrypted,
    bytesRead,
    contentNotVerified,
  };
}
