/**
 * `copy`: makes or refreshes a replica without decrypting anything. The replica gets the source's
 * `config` verbatim (same id, same keys), then, for every snapshot it lacks: the key files, the packs
 * holding blobs it lacks (verified against their SHA-256 name before they are written, so damage is not
 * replicated), one index for those packs, the refs file and the snapshot — in that order, as `run`
 * writes. Drill and escrow records are copied too. Nothing is deleted on the replica: an off-site copy
 * survives a primary whose snapshots were forgotten, by mistake or by an intruder.
 */
import { CiviguardError } from '../core/errors.js';
import type { Backend } from './backends/backend.js';
import { dataName } from './backends/backend.js';
import { sha256Hex } from './crypto.js';
import type { IndexPack } from './format.js';
import { LIMITS } from './format.js';
import { RepoLock } from './lock.js';
import { Repository } from './repository.js';

export interface CopyResult {
  to: string;
  created: boolean;
  snapshots: number;
  packs: number;
  bytes: number;
  records: number;
}

export async function copyRepository(
  from: Repository,
  to: Backend,
  opts: { note?: (m: string) => void; onProgress?: (p: { bytes: number }) => void } = {},
): Promise<CopyResult> {
  let created = false;
  let dest: Repository;
  if (await to.exists('config')) {
    dest = await Repository.openLocked(to);
    if (dest.id !== from.id) {
      throw new CiviguardError(
        'E_USAGE',
        `${to.location.display} holds another repository (id ${dest.id.slice(0, 8)}, not ${from.id.slice(0, 8)}): copy into an empty location`,
      );
    }
  } else {
    dest = await Repository.createReplica(to, from.config);
    created = true;
  }
  const lock = await RepoLock.acquire(to, { exclusive: false, command: 'backup copy', note: opts.note });
  try {
    const srcIndex = await from.loadIndex();
    const dstIndex = await dest.loadIndex();
    const have = new Set((await to.list('snapshots')).map((f) => f.name));
    const haveKeys = new Set((await to.list('keys')).map((f) => f.name));
    const haveRefs = new Set((await to.list('refs')).map((f) => f.name));
    const snaps = (await from.listSnapshots()).filter((s) => !have.has(`snapshots/${s.id}`));
    const packs = new Map<string, IndexPack>();
    const keys = new Set<string>();
    for (const s of snaps) {
      keys.add(s.catalogue.key);
      for (const id of await from.loadRefs(s)) {
        if (dstIndex.has(id)) continue;
        const loc = srcIndex.blobs.get(id);
        if (!loc)
          throw new CiviguardError(
            'E_BACKUP_CORRUPT',
            `snapshot ${s.id.slice(0, 12)} needs blob ${id}, which the source does not have: run check`,
          );
        if (packs.has(loc.pack)) continue;
        const info = srcIndex.packs.get(loc.pack)!;
        packs.set(loc.pack, { id: loc.pack, size: info.size, keys: info.keys, blobs: info.blobs });
        for (const k of info.keys) keys.add(k);
      }
    }
    for (const k of keys) {
      const name = `keys/${k}`;
      if (haveKeys.has(name)) continue;
      const raw = await from.backend.read(name, LIMITS.keyFileBytes);
      if (sha256Hex(raw) !== k)
        throw new CiviguardError('E_BACKUP_CORRUPT', `${name} is damaged in the source: not copied`);
      await to.write(name, [raw]);
    }
    let bytes = 0;
    for (const p of packs.values()) {
      const raw = await from.backend.read(dataName(p.id), 1024 * 1024 * 1024);
      if (sha256Hex(raw) !== p.id)
        throw new CiviguardError(
          'E_BACKUP_CORRUPT',
          `${dataName(p.id)} is damaged in the source: not copied (run check)`,
        );
      await to.write(dataName(p.id), [raw]);
      bytes += raw.length;
      opts.onProgress?.({ bytes });
    }
    if (packs.size) {
      const idx = Repository.encodeIndex({ v: 1, packs: [...packs.values()] });
      await to.write(idx.name, [idx.data]);
    }
    for (const s of snaps.sort((a, b) => a.catalogue.time.localeCompare(b.catalogue.time))) {
      const refsName = `refs/${s.file.refs}`;
      if (!haveRefs.has(refsName)) {
        const raw = await from.backend.read(refsName, LIMITS.snapshotBytes);
        if (sha256Hex(raw) !== s.file.refs)
          throw new CiviguardError('E_BACKUP_CORRUPT', `${refsName} is damaged in the source`);
        await to.write(refsName, [raw]);
        haveRefs.add(refsName);
      }
      const raw = await from.backend.read(`snapshots/${s.id}`, LIMITS.snapshotBytes);
      if (sha256Hex(raw) !== s.id)
        throw new CiviguardError('E_BACKUP_CORRUPT', `snapshots/${s.id} is damaged in the source`);
      await to.write(`snapshots/${s.id}`, [raw]);
    }
    let records = 0;
    for (const dir of ['drills', 'escrow'] as const) {
      const there = new Set((await to.list(dir)).map((f) => f.name));
      for (const f of await from.backend.list(dir)) {
        if (there.has(f.name)) continue;
        const raw = await from.backend.read(f.name, LIMITS.recordBytes);
        if (sha256Hex(raw) !== f.name.slice(dir.length + 1)) continue;
        await to.write(f.name, [raw]);
        records++;
      }
    }
    return { to: to.location.display, created, snapshots: snaps.length, packs: packs.size, bytes, records };
  } finally {
    await lock.release();
  }
}
