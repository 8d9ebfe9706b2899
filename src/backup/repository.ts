/**
 * A civiguard backup repository on one backend: config, keys, index, snapshots, refs, drills, escrow.
 * Reading verifies every content-addressed file against its name; parsing is capped (format.ts).
 */
import { createHmac } from 'node:crypto';
import { CiviguardError } from '../core/errors.js';
import type { Backend } from './backends/backend.js';
import { BackendError, dataName } from './backends/backend.js';
import { Cutter, DATA_CHUNKS, TREE_CHUNKS } from './chunker.js';
import { open, sha256Hex } from './crypto.js';
import type {
  BlobRow,
  BlobType,
  Catalogue,
  DrillRecord,
  EscrowRecord,
  IndexFile,
  KeyFile,
  PackHeader,
  RepoConfig,
  SealedSnapshot,
  SnapshotFile,
} from './format.js';
import {
  LIMITS,
  PACK_TRAILER_LEN,
  SNAPSHOT_AAD,
  blobAad,
  checkConfig,
  checkHashName,
  checkIndexFile,
  checkKeyFile,
  checkPackHeader,
  checkSnapshotFile,
  decodeSelfChecked,
  encodeSelfChecked,
  fail,
  parseJson,
  parsePackTrailer,
  unzjson,
  zjson,
} from './format.js';
import type { Unlock } from './keyring.js';
import { Keyring, newConfig } from './keyring.js';
import { boundedDecompress } from './zstd.js';

export interface BlobLoc {
  pack: string;
  type: BlobType;
  offset: number;
  length: number;
  rawLength: number;
  compressed: 0 | 1;
  key: string;
}

export interface PackInfo {
  size: number;
  keys: string[];
  blobs: BlobRow[];
  /** Index files that list this pack. */
  indexFiles: Set<string>;
}

/** Every index file merged: blob id → where it is. A blob listed twice keeps its first location. */
export class MasterIndex {
  readonly blobs = new Map<string, BlobLoc>();
  readonly packs = new Map<string, PackInfo>();
  readonly indexFiles: string[] = [];

  add(indexName: string, idx: IndexFile): void {
    this.indexFiles.push(indexName);
    for (const p of idx.packs) {
      const known = this.packs.get(p.id);
      if (known) {
        known.indexFiles.add(indexName);
        continue;
      }
      this.packs.set(p.id, { size: p.size, keys: p.keys, blobs: p.blobs, indexFiles: new Set([indexName]) });
      for (const row of p.blobs) this.addRow(p.id, p.keys, row);
    }
  }

  addPack(packId: string, size: number, header: PackHeader): void {
    if (this.packs.has(packId)) return;
    this.packs.set(packId, { size, keys: header.keys, blobs: header.blobs, indexFiles: new Set() });
    for (const row of header.blobs) this.addRow(packId, header.keys, row);
  }

  private addRow(pack: string, keys: string[], row: BlobRow): void {
    if (this.blobs.has(row[0])) return;
    this.blobs.set(row[0], {
      pack,
      type: row[1],
      offset: row[2],
      length: row[3],
      rawLength: row[4],
      compressed: row[5],
      key: keys[row[6]]!,
    });
  }

  has(id: string): boolean {
    return this.blobs.has(id);
  }
}

export interface SnapshotEntry {
  id: string;
  file: SnapshotFile;
  catalogue: Catalogue;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
export { mapLimit };

export class Repository {
  readonly backend: Backend;
  readonly config: RepoConfig;
  readonly keyring: Keyring;
  private readonly keyFiles = new Map<string, KeyFile>();

  private constructor(backend: Backend, config: RepoConfig, keyring: Keyring) {
    this.backend = backend;
    this.config = config;
    this.keyring = keyring;
  }

  get id(): string {
    return this.config.id;
  }

  static async readConfig(backend: Backend): Promise<RepoConfig> {
    let raw: Buffer;
    try {
      raw = await backend.read('config', LIMITS.configBytes);
    } catch (e) {
      if (e instanceof BackendError && e.missing) {
        throw new CiviguardError(
          'E_BACKUP',
          `${backend.location.display}: not a civiguard repository (no config): run \`civiguard backup init\` first`,
        );
      }
      throw new CiviguardError('E_BACKUP', (e as Error).message, { cause: e });
    }
    return checkConfig(decodeSelfChecked(raw, 'config'));
  }

  static async init(
    backend: Backend,
    opts: { recipients: string[] } | { passphrase: string },
    unlock: Unlock = {},
  ): Promise<Repository> {
    if (await backend.exists('config')) {
      throw new CiviguardError('E_BACKUP', `${backend.location.display}: a repository already exists there`);
    }
    const config = await newConfig(opts);
    return Repository.create(
      backend,
      config,
      'passphrase' in opts ? { passphrase: opts.passphrase } : unlock,
    );
  }

  /** Writes `config` (as given: replicas share it) and the layout. */
  static async create(backend: Backend, config: RepoConfig, unlock: Unlock): Promise<Repository> {
    await backend.mkdirs();
    await backend.write('config', [encodeSelfChecked(config)]);
    return new Repository(backend, config, await Keyring.unlock(config, unlock));
  }

  static async open(backend: Backend, unlock: Unlock): Promise<Repository> {
    const config = await Repository.readConfig(backend);
    return new Repository(backend, config, await Keyring.unlock(config, unlock));
  }

  /** Opens without any key: enough to list, forget, prune and copy (which never decrypt). */
  static async openLocked(backend: Backend): Promise<Repository> {
    const config = await Repository.readConfig(backend);
    return new Repository(backend, config, Keyring.locked(config));
  }

  /** Creates a replica's `config` (copied verbatim: same id, same keys) without unlocking anything. */
  static async createReplica(backend: Backend, config: RepoConfig): Promise<Repository> {
    await backend.mkdirs();
    await backend.write('config', [encodeSelfChecked(config)]);
    return new Repository(backend, config, Keyring.locked(config));
  }

  /** Another backend holding a replica of this repository (same config, same keys). */
  withBackend(backend: Backend): Repository {
    return new Repository(backend, this.config, this.keyring);
  }

  cutter(kind: 'data' | 'tree'): Cutter {
    return new Cutter({
      ...(kind === 'data' ? DATA_CHUNKS : TREE_CHUNKS),
      gearSeed: this.config.chunker.gearSeed,
    });
  }

  // ------------------------------------------------------------ keys

  async keyFile(id: string): Promise<KeyFile> {
    const cached = this.keyFiles.get(id);
    if (cached) return cached;
    const name = `keys/${id}`;
    let raw: Buffer;
    try {
      raw = await this.backend.read(name, LIMITS.keyFileBytes);
    } catch (e) {
      if (e instanceof BackendError && e.missing) fail(`${name} is missing`);
      throw e;
    }
    checkHashName(name, raw);
    const kf = checkKeyFile(parseJson(raw, name), name);
    this.keyFiles.set(id, kf);
    return kf;
  }

  async sessionKey(id: string): Promise<Buffer> {
    return this.keyring.openSession(id, await this.keyFile(id));
  }

  // ------------------------------------------------------------ index

  async loadIndex(): Promise<MasterIndex> {
    const mi = new MasterIndex();
    const files = await this.backend.list('index');
    const parsed = await mapLimit(files, 8, async (f) => {
      if (f.size > LIMITS.indexBytes) fail(`${f.name}: larger than ${LIMITS.indexBytes} bytes`);
      const raw = await this.backend.read(f.name, LIMITS.indexBytes);
      checkHashName(f.name, raw);
      return checkIndexFile(unzjson(raw, f.name, LIMITS.indexBytes * 4), f.name);
    });
    files.forEach((f, i) => mi.add(f.name, parsed[i]!));
    return mi;
  }

  /** Encodes an index file; returns its name and bytes (the caller writes it to each destination). */
  static encodeIndex(idx: IndexFile): { name: string; data: Buffer } {
    const data = zjson(idx);
    return { name: `index/${sha256Hex(data)}`, data };
  }

  // ------------------------------------------------------------ packs and blobs

  async readPackHeader(packId: string, size: number): Promise<PackHeader> {
    const name = dataName(packId);
    const trailer = await this.backend.readRange(name, size - PACK_TRAILER_LEN, PACK_TRAILER_LEN);
    const hlen = parsePackTrailer(trailer, size, name);
    const raw = await this.backend.readRange(name, size - PACK_TRAILER_LEN - hlen, hlen);
    return checkPackHeader(unzjson(raw, `${name} header`, LIMITS.packHeaderBytes), name);
  }

  /** Decrypts and decompresses one sealed blob, verifying its MAC and its keyed id. */
  async decodeBlob(id: string, loc: BlobLoc, sealed: Uint8Array): Promise<Buffer> {
    const key = await this.sessionKey(loc.key);
    return decodeSealedBlob(key, this.keyring.idKey, id, loc, sealed);
  }

  async readBlob(id: string, index: MasterIndex): Promise<Buffer> {
    const loc = index.blobs.get(id);
    if (!loc) fail(`blob ${id} is not in the index`);
    const sealed = await this.backend.readRange(dataName(loc.pack), loc.offset, loc.length);
    return this.decodeBlob(id, loc, sealed);
  }

  // ------------------------------------------------------------ snapshots

  async listSnapshots(): Promise<SnapshotEntry[]> {
    const files = await this.backend.list('snapshots');
    const out = await mapLimit(files, 8, async (f) =>
      this.loadSnapshotFile(f.name.slice('snapshots/'.length)),
    );
    return out.sort((a, b) => a.catalogue.time.localeCompare(b.catalogue.time));
  }

  async loadSnapshotFile(id: string): Promise<SnapshotEntry> {
    const name = `snapshots/${id}`;
    const raw = await this.backend.read(name, LIMITS.snapshotBytes);
    checkHashName(name, raw);
    const file = checkSnapshotFile(parseJson(raw, name), name);
    return { id, file, catalogue: file.catalogue };
  }

  /** `latest`, a full id, or a unique id prefix of at least 6 hex digits. */
  async findSnapshot(ref: string): Promise<SnapshotEntry> {
    const all = await this.listSnapshots();
    if (all.length === 0)
      throw new CiviguardError('E_BACKUP', `${this.backend.location.display}: no snapshots`);
    if (ref === 'latest') return all[all.length - 1]!;
    if (!/^[0-9a-f]{6,64}$/.test(ref))
      throw new CiviguardError('E_USAGE', `snapshot '${ref}': give 'latest' or an id (≥ 6 hex digits)`);
    const hits = all.filter((s) => s.id.startsWith(ref));
    if (hits.length !== 1) {
      throw new CiviguardError(
        'E_USAGE',
        hits.length
          ? `snapshot prefix '${ref}' is ambiguous`
          : `no snapshot '${ref}' in ${this.backend.location.display}`,
      );
    }
    return hits[0]!;
  }

  async loadRefs(snap: SnapshotEntry): Promise<string[]> {
    const name = `refs/${snap.file.refs}`;
    let raw: Buffer;
    try {
      raw = await this.backend.read(name, LIMITS.snapshotBytes);
    } catch (e) {
      if (e instanceof BackendError && e.missing) fail(`snapshots/${snap.id}: its ${name} is missing`);
      throw e;
    }
    checkHashName(name, raw);
    return decodeRefs(raw, name);
  }

  async openSealed(snap: SnapshotEntry): Promise<SealedSnapshot> {
    const key = await this.sessionKey(snap.catalogue.key);
    let plain: Buffer;
    try {
      plain = open(key, Buffer.from(snap.file.sealed, 'base64'), SNAPSHOT_AAD);
    } catch {
      fail(`snapshots/${snap.id}: sealed part does not decrypt (damaged)`);
    }
    const s = unzjson(plain, `snapshots/${snap.id}`, LIMITS.snapshotBytes) as SealedSnapshot;
    if (!s || s.v !== 1 || !Array.isArray(s.tree) || !Array.isArray(s.sources))
      fail(`snapshots/${snap.id}: bad sealed part`);
    return s;
  }

  // ------------------------------------------------------------ drills, escrow

  async listRecords<T extends DrillRecord | EscrowRecord>(
    dir: 'drills' | 'escrow',
  ): Promise<{ id: string; rec: T }[]> {
    const files = await this.backend.list(dir);
    const out = await mapLimit(files, 8, async (f) => {
      const raw = await this.backend.read(f.name, LIMITS.recordBytes);
      checkHashName(f.name, raw);
      const rec = parseJson(raw, f.name) as T;
      if (!rec || rec.v !== 1 || typeof rec.time !== 'string') fail(`${f.name}: not a ${dir} record`);
      return { id: f.name.slice(dir.length + 1), rec };
    });
    return out.sort((a, b) => a.rec.time.localeCompare(b.rec.time));
  }

  static encodeRecord(
    dir: 'drills' | 'escrow',
    rec: DrillRecord | EscrowRecord,
  ): { name: string; data: Buffer } {
    const data = Buffer.from(JSON.stringify(rec) + '\n');
    return { name: `${dir}/${sha256Hex(data)}`, data };
  }
}

/** Pure decode of a sealed blob (shared with the worker threads). */
export function decodeSealedBlob(
  key: Uint8Array,
  idKey: Uint8Array,
  id: string,
  loc: Pick<BlobLoc, 'type' | 'compressed' | 'rawLength'>,
  sealed: Uint8Array,
): Buffer {
  let plain: Buffer;
  try {
    plain = open(key, sealed, blobAad(id, loc.type, loc.compressed));
  } catch {
    fail(`blob ${id}: authentication failed (damaged, or sealed with another key)`);
  }
  let data = plain;
  if (loc.compressed) {
    try {
      data = boundedDecompress(plain, loc.rawLength);
    } catch (e) {
      fail(`blob ${id}: ${(e as Error).message}`);
    }
  }
  if (data.length !== loc.rawLength) fail(`blob ${id}: length ${data.length}, index says ${loc.rawLength}`);
  if (blobIdOf(idKey, data) !== id) fail(`blob ${id}: content does not match its id`);
  return data;
}

export function blobIdOf(idKey: Uint8Array, data: Uint8Array): string {
  return createHmac('sha256', idKey).update(data).digest('hex');
}

const REFS_MAGIC = Buffer.from('CGRF0001', 'latin1');

/** refs file: "CGRF0001" ‖ sorted 32-byte blob ids. Named by its SHA-256; snapshots with equal refs share it. */
export function encodeRefs(ids: Iterable<string>): { name: string; data: Buffer } {
  const sorted = [...new Set(ids)].sort();
  const data = Buffer.allocUnsafe(REFS_MAGIC.length + sorted.length * 32);
  REFS_MAGIC.copy(data, 0);
  sorted.forEach((id, i) => data.write(id, REFS_MAGIC.length + i * 32, 'hex'));
  return { name: `refs/${sha256Hex(data)}`, data };
}

export function decodeRefs(raw: Buffer, name: string): string[] {
  if (!raw.subarray(0, REFS_MAGIC.length).equals(REFS_MAGIC)) fail(`${name}: not a refs file`);
  const body = raw.subarray(REFS_MAGIC.length);
  if (body.length % 32 !== 0) fail(`${name}: length is not a multiple of 32`);
  const out: string[] = new Array<string>(body.length / 32);
  for (let i = 0; i < out.length; i++) out[i] = body.toString('hex', i * 32, i * 32 + 32);
  return out;
}
