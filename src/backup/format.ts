/**
 * On-disk structures of a civiguard backup repository, version 1. docs/backup-format.md is the
 * specification; this file is its implementation. Everything that is parsed from a repository is
 * size-capped and shape-checked before use: a repository may be hostile (an off-site host).
 */
import { CiviguardError } from '../core/errors.js';
import type { ScryptParams } from './crypto.js';
import { sha256Hex } from './crypto.js';
import { boundedDecompress, zstdCompress } from './zstd.js';

export const FORMAT_VERSION = 1;

/** Caps on what is read from a repository before parsing. */
export const LIMITS = {
  configBytes: 64 * 1024,
  keyFileBytes: 64 * 1024,
  indexBytes: 256 * 1024 * 1024,
  snapshotBytes: 256 * 1024 * 1024,
  packHeaderBytes: 64 * 1024 * 1024,
  recordBytes: 4 * 1024 * 1024,
  blobBytes: 16 * 1024 * 1024,
  lockBytes: 64 * 1024,
} as const;

export type BlobType = 'd' | 't';

export interface RepoConfig {
  version: number;
  /** Random 32 hex digits; replicas share it. */
  id: string;
  created: string;
  chunker: { gearSeed: string };
  /** `age`: write-only (the server holds only recipients); `passphrase`: scrypt-derived master key. */
  mode: 'age' | 'passphrase';
  /** age mode: the X25519 recipients session keys are wrapped to. */
  recipients?: string[];
  /** age mode: the chunk-id MAC key, base64 (the server needs it for deduplication). */
  idKey?: string;
  /** passphrase mode: scrypt parameters of the key-encryption key. */
  kdf?: ScryptParams;
  /** passphrase mode: base64 seal(kek, JSON {idKey, masterKey}). */
  master?: string;
}

export interface KeyFile {
  v: 1;
  created: string;
  host: string;
  mode: 'age' | 'passphrase';
  /** base64: age file (age mode) or seal(masterKey, sessionKey) (passphrase mode). */
  wrapped: string;
}

/** One blob in a pack header / index: [id hex, type, offset, length, raw length, compressed 0|1, key index]. */
export type BlobRow = [string, BlobType, number, number, number, 0 | 1, number];

export interface PackHeader {
  v: 1;
  /** Key ids (names of `keys/` files) the blobs are sealed with. */
  keys: string[];
  blobs: BlobRow[];
}

export interface IndexPack {
  id: string;
  size: number;
  keys: string[];
  blobs: BlobRow[];
}

export interface IndexFile {
  v: 1;
  packs: IndexPack[];
}

export interface SourceSummary {
  kind: 'files' | 'mariadb';
  files: number;
  bytes: number;
  /** mariadb: exit status of mariadb-dump (always 0 in a recorded snapshot) and the end marker seen. */
  dumpExit?: number;
  endMarker?: boolean;
}

/** The public part of a snapshot: what the server, `list`, `forget` and the audit read without a key. */
export interface Catalogue {
  time: string;
  host: string;
  tool: string;
  durationMs: number;
  encryption: 'age' | 'passphrase';
  /** Key the sealed part is encrypted with. */
  key: string;
  sources: SourceSummary[];
  totals: { files: number; bytes: number; blobs: number; newBlobs: number; newBytes: number };
  tags: string[];
}

export interface SnapshotFile {
  v: 1;
  catalogue: Catalogue;
  /** SHA-256 of the `refs/` file listing every blob the snapshot needs (data and tree). */
  refs: string;
  /** base64(seal(sessionKey, zstd(JSON SealedSnapshot))). */
  sealed: string;
}

export interface SourceDetail {
  kind: 'files' | 'mariadb';
  /** files: the absolute path backed up; mariadb: `<db name>`. */
  label: string;
  /** mariadb: where the live database was (for restore's refusal to overwrite it). */
  db?: { host: string; port: number; name: string; socket?: string };
  /** mariadb: rows per table counted in the dump stream. */
  rows?: Record<string, number>;
  triggers?: number;
  routines?: number;
  dumpBytes?: number;
}

export interface SealedSnapshot {
  v: 1;
  sources: SourceDetail[];
  /** Tree blob ids, in order: their concatenation is the JSON-lines tree. */
  tree: string[];
}

export interface DrillRecord {
  v: 1;
  time: string;
  host: string;
  snapshot: string;
  snapshotTime: string;
  ok: boolean;
  durationMs: number;
  databases: {
    source: string;
    scratch: string;
    tables: number;
    rowsExpected: number;
    rowsFound: number;
    mismatches: { table: string; expected: number; found: number | null }[];
    sanity: { name: string; ok: boolean; detail: string }[];
  }[];
  error?: string;
}

export interface EscrowRecord {
  v: 1;
  time: string;
  host: string;
  /** The escrow recipient (public). */
  recipients: string[];
  /** Names of the files inside (basename only) and which secret constants were found. */
  files: string[];
  constants: string[];
  /** base64 age file: JSON {files: {name: base64 content}}. */
  sealed: string;
}

// ---------------------------------------------------------------- helpers

export function fail(what: string): never {
  throw new CiviguardError('E_BACKUP_CORRUPT', what);
}

export function zjson(value: unknown): Buffer {
  return zstdCompress(Buffer.from(JSON.stringify(value)), 3);
}

export function unzjson(buf: Uint8Array, what: string, maxBytes: number): unknown {
  let raw: Buffer;
  try {
    raw = boundedDecompress(buf, maxBytes);
  } catch (e) {
    fail(`${what}: ${(e as Error).message}`);
  }
  return parseJson(raw, what);
}

export function parseJson(raw: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  } catch {
    fail(`${what}: not valid JSON`);
  }
}

/** A JSON file carrying its own SHA-256 (for files not named by their hash: config, locks). */
export function encodeSelfChecked(body: unknown): Buffer {
  const text = JSON.stringify(body);
  return Buffer.from(
    JSON.stringify({ body: JSON.parse(text) as unknown, sha256: sha256Hex(Buffer.from(text)) }) + '\n',
  );
}

export function decodeSelfChecked(raw: Uint8Array, what: string): unknown {
  const doc = parseJson(raw, what) as { body?: unknown; sha256?: unknown };
  if (!doc || typeof doc !== 'object' || typeof doc.sha256 !== 'string') fail(`${what}: no checksum`);
  if (sha256Hex(Buffer.from(JSON.stringify(doc.body))) !== doc.sha256) fail(`${what}: checksum mismatch`);
  return doc.body;
}

/** Verifies that a content-addressed file's bytes hash to its name. */
export function checkHashName(name: string, raw: Uint8Array): void {
  const id = name.slice(name.lastIndexOf('/') + 1);
  if (sha256Hex(raw) !== id) fail(`${name}: content does not match its name (SHA-256): the file is damaged`);
}

export const HEX64 = /^[0-9a-f]{64}$/;
export const HEX32 = /^[0-9a-f]{32}$/;

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function checkConfig(v: unknown): RepoConfig {
  if (!isObj(v)) fail('config: not an object');
  if (!isNat(v.version)) fail('config: no version');
  if (v.version > FORMAT_VERSION) {
    throw new CiviguardError(
      'E_BACKUP_VERSION',
      `repository format version ${v.version} is newer than this civiguard understands (${FORMAT_VERSION}): upgrade civiguard`,
    );
  }
  if (typeof v.id !== 'string' || !HEX32.test(v.id)) fail('config: bad repository id');
  if (!isObj(v.chunker) || typeof v.chunker.gearSeed !== 'string') fail('config: bad chunker');
  if (v.mode === 'age') {
    if (
      !Array.isArray(v.recipients) ||
      !v.recipients.every((r) => typeof r === 'string' && r.startsWith('age1'))
    )
      fail('config: bad recipients');
    if (typeof v.idKey !== 'string') fail('config: no id key');
  } else if (v.mode === 'passphrase') {
    if (!isObj(v.kdf) || typeof v.master !== 'string') fail('config: no key derivation parameters');
  } else fail('config: unknown mode');
  return v as unknown as RepoConfig;
}

export function checkKeyFile(v: unknown, name: string): KeyFile {
  if (
    !isObj(v) ||
    v.v !== 1 ||
    typeof v.wrapped !== 'string' ||
    (v.mode !== 'age' && v.mode !== 'passphrase')
  )
    fail(`${name}: not a key file`);
  return v as unknown as KeyFile;
}

function checkRows(rows: unknown, what: string): BlobRow[] {
  if (!Array.isArray(rows)) fail(`${what}: no blob list`);
  for (const r of rows as unknown[]) {
    if (
      !Array.isArray(r) ||
      r.length !== 7 ||
      typeof r[0] !== 'string' ||
      !HEX64.test(r[0]) ||
      (r[1] !== 'd' && r[1] !== 't') ||
      !isNat(r[2]) ||
      !isNat(r[3]) ||
      !isNat(r[4]) ||
      (r[5] !== 0 && r[5] !== 1) ||
      !isNat(r[6])
    )
      fail(`${what}: malformed blob entry`);
    if ((r[4] as number) > LIMITS.blobBytes) fail(`${what}: blob larger than ${LIMITS.blobBytes} bytes`);
  }
  return rows as BlobRow[];
}

export function checkPackHeader(v: unknown, what: string): PackHeader {
  if (
    !isObj(v) ||
    v.v !== 1 ||
    !Array.isArray(v.keys) ||
    !v.keys.every((k) => typeof k === 'string' && HEX64.test(k))
  )
    fail(`${what}: bad pack header`);
  const blobs = checkRows(v.blobs, what);
  for (const b of blobs) if (b[6] >= v.keys.length) fail(`${what}: blob refers to an unknown key`);
  return v as unknown as PackHeader;
}

export function checkIndexFile(v: unknown, what: string): IndexFile {
  if (!isObj(v) || v.v !== 1 || !Array.isArray(v.packs)) fail(`${what}: not an index`);
  for (const p of v.packs as unknown[]) {
    if (!isObj(p) || typeof p.id !== 'string' || !HEX64.test(p.id) || !isNat(p.size))
      fail(`${what}: bad pack entry`);
    checkPackHeader({ v: 1, keys: p.keys, blobs: p.blobs }, what);
  }
  return v as unknown as IndexFile;
}

export function checkSnapshotFile(v: unknown, what: string): SnapshotFile {
  if (
    !isObj(v) ||
    v.v !== 1 ||
    !isObj(v.catalogue) ||
    typeof v.refs !== 'string' ||
    !HEX64.test(v.refs) ||
    typeof v.sealed !== 'string'
  )
    fail(`${what}: not a snapshot`);
  const c = v.catalogue;
  if (typeof c.time !== 'string' || Number.isNaN(Date.parse(c.time)) || typeof c.host !== 'string')
    fail(`${what}: bad catalogue`);
  if (typeof c.key !== 'string' || !HEX64.test(c.key)) fail(`${what}: bad key id`);
  if (!Array.isArray(c.sources) || !isObj(c.totals)) fail(`${what}: bad catalogue`);
  return v as unknown as SnapshotFile;
}

/** Associated data of a sealed blob: binds the ciphertext to its id, type and compression flag. */
export function blobAad(idHex: string, type: BlobType, compressed: 0 | 1): Buffer {
  const aad = Buffer.allocUnsafe(38);
  aad.write('cgb1', 0, 'latin1');
  aad.write(type, 4, 'latin1');
  aad[5] = compressed;
  aad.write(idHex, 6, 'hex');
  return aad;
}

export const SNAPSHOT_AAD = Buffer.from('civiguard-snapshot-v1');
export const MASTER_AAD = Buffer.from('civiguard-master-v1');
export const SESSION_AAD = Buffer.from('civiguard-session-v1');

/** Pack layout: "CGPACK01" ‖ blobs ‖ zstd(JSON header) ‖ u32le header length ‖ "CGPH". */
export const PACK_MAGIC = Buffer.from('CGPACK01', 'latin1');
export const PACK_TRAILER_MAGIC = Buffer.from('CGPH', 'latin1');
export const PACK_TRAILER_LEN = 8;

export function packTrailer(headerLen: number): Buffer {
  const t = Buffer.allocUnsafe(PACK_TRAILER_LEN);
  t.writeUInt32LE(headerLen, 0);
  PACK_TRAILER_MAGIC.copy(t, 4);
  return t;
}

export function parsePackTrailer(t: Uint8Array, packSize: number, what: string): number {
  const b = Buffer.from(t.buffer, t.byteOffset, t.byteLength);
  if (b.length !== PACK_TRAILER_LEN || !b.subarray(4).equals(PACK_TRAILER_MAGIC))
    fail(`${what}: no pack trailer`);
  const len = b.readUInt32LE(0);
  if (len > LIMITS.packHeaderBytes || len + PACK_TRAILER_LEN + PACK_MAGIC.length > packSize)
    fail(`${what}: bad header length`);
  return len;
}
