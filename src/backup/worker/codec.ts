/**
 * The CPU-heavy parts of the format, as pure functions over batches, run in worker threads
 * (worker/pool.ts) and in-thread: compress + seal blobs into packs, open blobs (and, for restore,
 * write them to their files), and verify whole packs.
 * Batches travel as one ArrayBuffer plus offsets, so a message is one transfer, not thousands.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomFillSync } from 'node:crypto';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { NONCE_LEN, TAG_LEN } from '../crypto.js';
import type { ZstdBinding } from '../zstd.js';
import { zstdBinding } from '../zstd.js';
import type { BlobRow, BlobType, PackHeader } from '../format.js';
import type { FinishedPack } from '../pack-builder.js';
import { FilePackBuilder, PACK_CAPACITY, PackBuilder } from '../pack-builder.js';
import {
  PACK_MAGIC,
  PACK_TRAILER_LEN,
  packTrailer,
  blobAad,
  fail,
  checkPackHeader,
  parsePackTrailer,
  unzjson,
  LIMITS,
} from '../format.js';

export interface PlainBatch {
  /** All blobs back to back (a recycled buffer: only `items` say what is in it). */
  buf: ArrayBuffer;
  items: { id: string; type: BlobType; off: number; len: number }[];
}

/**
 * A finished pack as it travels from a worker: a staged one by its temp file name; a memory one with
 * its buffer and header bytes (both transferred).
 */
export type PackMessage =
  | { id: string; size: number; header: PackHeader; file: string }
  | {
      id: string;
      size: number;
      header: PackHeader;
      /** The pack buffer; the sealed blobs are its first `blobsLength` bytes. */
      buf: ArrayBuffer;
      blobsLength: number;
      /** The compressed header, in its own buffer. */
      head: Uint8Array;
    };

export interface PackedBatch {
  /** The input buffer, handed back for reuse. */
  in: ArrayBuffer | null;
  /** Packs that filled up (or were flushed) while sealing this batch. */
  packs: PackMessage[];
  /** Spare pack buffers the worker hands back. */
  spare: ArrayBuffer[];
  blobs: number;
  /** Plaintext bytes in, and sealed bytes out (for the stats). */
  rawBytes: number;
  sealedBytes: number;
}

export function toMessage(p: FinishedPack): PackMessage {
  if (p.file !== undefined) return { id: p.id, size: p.size, header: p.header, file: p.file };
  const h = p.parts[1]!;
  const head = new Uint8Array(h.length);
  head.set(h);
  return { id: p.id, size: p.size, header: p.header, buf: p.buffer, blobsLength: p.parts[0]!.length, head };
}

/** The buffers a message transfers. */
export function transferOf(m: PackMessage): ArrayBuffer[] {
  return 'file' in m ? [] : [m.buf, m.head.buffer as ArrayBuffer];
}

export function fromMessage(m: PackMessage): FinishedPack {
  if ('file' in m) return { id: m.id, size: m.size, header: m.header, file: m.file };
  return {
    id: m.id,
    size: m.size,
    header: m.header,
    buffer: m.buf,
    parts: [new Uint8Array(m.buf, 0, m.blobsLength), m.head, packTrailer(m.head.length)],
  };
}

/** zstd contexts of this thread, made on first use (zstd-napi loads lazily: see zstd.ts). */
let contexts: {
  binding: ZstdBinding;
  cctx: InstanceType<ZstdBinding['CCtx']>;
  dctx: InstanceType<ZstdBinding['DCtx']>;
} | null = null;
function zctx(): NonNullable<typeof contexts> {
  if (!contexts) {
    const binding = zstdBinding();
    contexts = { binding, cctx: new binding.CCtx(), dctx: new binding.DCtx() };
  }
  return contexts;
}
let scratch = Buffer.allocUnsafeSlow(0);
let plainScratch = Buffer.allocUnsafeSlow(0);

/** Drops this thread's scratch buffers (the calling thread, once its sealing is done). */
export function releaseScratch(): void {
  scratch = Buffer.allocUnsafeSlow(0);
  plainScratch = Buffer.allocUnsafeSlow(0);
}

/**
 * Opens a sealed blob into `dst` (which must hold `rawLength` bytes): decrypt (in slices, into a
 * reused scratch or straight into `dst`), decompress into `dst`, verify the length and (unless told
 * not to) the keyed id. Restore skips the id: the AEAD tag already binds the ciphertext to its id (it
 * is in the associated data), so only a holder of the session key could mislabel a blob; `check
 * --read-data` recomputes it anyway.
 * Throws E_BACKUP_CORRUPT naming the blob on any mismatch. Allocates nothing per blob but the
 * cipher's small slice outputs.
 */
export function openBlobInto(
  key: Uint8Array,
  idKey: Uint8Array,
  id: string,
  loc: { type: BlobType; compressed: 0 | 1; rawLength: number },
  sealed: Uint8Array,
  dst: Uint8Array,
  verifyId = true,
): void {
  if (sealed.length < NONCE_LEN + TAG_LEN) fail(`blob ${id}: sealed object too short`);
  const body = sealed.subarray(NONCE_LEN, sealed.length - TAG_LEN);
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_LEN));
  d.setAAD(blobAad(id, loc.type, loc.compressed));
  d.setAuthTag(sealed.subarray(sealed.length - TAG_LEN));
  if (!loc.compressed && body.length !== loc.rawLength)
    fail(`blob ${id}: length ${body.length}, index says ${loc.rawLength}`);
  if (loc.compressed && plainScratch.length < body.length) plainScratch = Buffer.allocUnsafeSlow(body.length);
  const into = loc.compressed ? plainScratch : dst;
  let p = 0;
  try {
    for (let o = 0; o < body.length; o += 256 * 1024) {
      const part = d.update(body.subarray(o, Math.min(body.length, o + 256 * 1024)));
      into.set(part, p);
      p += part.length;
    }
    const fin = d.final();
    into.set(fin, p);
    p += fin.length;
  } catch {
    fail(`blob ${id}: authentication failed (damaged, or sealed with another key)`);
  }
  if (loc.compressed) {
    const z = zctx();
    let size: number | null;
    try {
      size = z.binding.getFrameContentSize(plainScratch.subarray(0, p));
    } catch {
      fail(`blob ${id}: not a zstd frame`);
    }
    if (size !== loc.rawLength)
      fail(`blob ${id}: zstd frame says ${size} bytes, index says ${loc.rawLength}`);
    let n: number;
    try {
      n = z.dctx.decompress(dst.subarray(0, loc.rawLength), plainScratch.subarray(0, p));
    } catch {
      fail(`blob ${id}: zstd data is damaged`);
    }
    if (n !== loc.rawLength) fail(`blob ${id}: length ${n}, index says ${loc.rawLength}`);
  }
  if (verifyId && createHmac('sha256', idKey).update(dst.subarray(0, loc.rawLength)).digest('hex') !== id) {
    fail(`blob ${id}: content does not match its id`);
  }
}

/**
 * `auto`, the default zstd level: 1 for blobs under 128 KiB, 2 above. Measured on the bench dataset
 * (bench/backup): small text files come out the same size at level 1 as at 3 (+0.2 %) and compress
 * 1.5× faster (level 3 clears bigger tables on every call); big chunks at level 2 are 1.2 % larger
 * than at 3 and 1.2× faster. The repository ends up within 1 % of level 3's size.
 */
export type ZstdLevel = number | 'auto';
export const AUTO_SMALL_BLOB = 128 * 1024;

export function levelFor(level: ZstdLevel, len: number): number {
  if (level !== 'auto') return level;
  return len < AUTO_SMALL_BLOB ? 1 : 2;
}

/**
 * Cipher input slices: below glibc's mmap threshold (128 KiB), so the cipher's output buffers are
 * small malloc blocks that are reused, not mmapped blocks whose release raises the threshold.
 */
const SEAL_SLICE = 64 * 1024;

/**
 * Seals blobs straight into pack files: each blob is compressed (when it pays) into a scratch buffer,
 * then encrypted into the current pack, which is hashed as it fills. The pack is a temp file in the
 * local repository when `stage` names its data dir (pack-builder.ts), else a recycled memory buffer
 * from `take`. Nothing per blob is allocated but the cipher's output slices, so a thread's memory
 * stays flat however much data passes through it. One Packer per thread and session key.
 */
export class Packer {
  private readonly builder: PackBuilder | FilePackBuilder;
  private done: FinishedPack[] = [];

  constructor(
    private readonly key: Uint8Array,
    private readonly keyId: string,
    private readonly level: ZstdLevel,
    stage: string | null,
    take?: () => ArrayBuffer,
  ) {
    this.builder = stage ? new FilePackBuilder(stage) : new PackBuilder(PACK_CAPACITY, take);
  }

  /** Seals every blob of the batch; returns what it added (finished packs are kept for `take`). */
  add(batch: PlainBatch): { blobs: number; rawBytes: number; sealedBytes: number } {
    const src = new Uint8Array(batch.buf);
    const nonce = Buffer.allocUnsafe(NONCE_LEN);
    let rawBytes = 0;
    let sealedBytes = 0;
    for (const it of batch.items) {
      const raw = src.subarray(it.off, it.off + it.len);
      rawBytes += it.len;
      let body: Uint8Array = raw;
      let compressed: 0 | 1 = 0;
      if (it.len >= 64) {
        const { binding, cctx } = zctx();
        const bound = binding.compressBound(it.len);
        if (scratch.length < bound) scratch = Buffer.allocUnsafeSlow(bound);
        const zlen = cctx.compress(scratch, raw, levelFor(this.level, it.len));
        // keep the compressed form only when it saves something worth a decompression
        if (zlen < it.len - (it.len >> 5)) {
          body = scratch.subarray(0, zlen);
          compressed = 1;
        }
      }
      const len = NONCE_LEN + body.length + TAG_LEN;
      if (this.builder.full(len)) this.done.push(this.builder.finish());
      if (!this.builder.fits(len)) throw new Error('blob does not fit into a pack');
      randomFillSync(nonce);
      const c = createCipheriv('aes-256-gcm', this.key, nonce);
      c.setAAD(blobAad(it.id, it.type, compressed));
      this.builder.append(nonce);
      for (let o = 0; o < body.length; o += SEAL_SLICE)
        this.builder.append(c.update(body.subarray(o, Math.min(body.length, o + SEAL_SLICE))));
      const fin = c.final();
      if (fin.length) this.builder.append(fin);
      this.builder.append(c.getAuthTag());
      this.builder.commit(it.id, it.type, it.len, compressed, this.keyId);
      sealedBytes += len;
    }
    return { blobs: batch.items.length, rawBytes, sealedBytes };
  }

  /** Closes the current pack if it holds anything. */
  flush(): void {
    if (this.builder.count) this.done.push(this.builder.finish());
  }

  /** Drops the (empty) pack buffer; the packer is not used again. */
  release(): void {
    if (this.builder instanceof PackBuilder) this.builder.release();
  }

  /** Abandons the pack being filled (a staged one's temp file is removed). */
  abort(): void {
    if (this.builder instanceof FilePackBuilder) this.builder.abort();
    this.done = [];
  }

  /** The packs finished since the last call. */
  take(): FinishedPack[] {
    const d = this.done;
    this.done = [];
    return d;
  }
}

export interface PackProblem {
  pack: string;
  blob?: string;
  offset?: number;
  message: string;
}

export interface VerifyPackInput {
  pack: string;
  buf: ArrayBuffer;
  /** Rows the index lists for this pack (compared with the pack's own header). */
  indexRows: BlobRow[] | null;
  /** Session keys by id; a blob whose key is absent is checked structurally only. */
  keys: Record<string, Uint8Array>;
  idKey: Uint8Array | null;
}

export interface VerifyPackOutput {
  problems: PackProblem[];
  blobs: number;
  decrypted: number;
  bytes: number;
}

let verifyScratch = Buffer.allocUnsafeSlow(0);

/** `check --read-data` for one pack: hash, trailer, header, and (with keys) every blob opened and re-hashed. */
export function verifyPack(input: VerifyPackInput): VerifyPackOutput {
  const { pack } = input;
  const bytes = Buffer.from(input.buf);
  const problems: PackProblem[] = [];
  const out: VerifyPackOutput = { problems, blobs: 0, decrypted: 0, bytes: bytes.length };
  const name = `data/${pack.slice(0, 2)}/${pack}`;
  const hash = createHash('sha256').update(bytes).digest('hex');
  const hashOk = hash === pack;
  if (!hashOk)
    problems.push({
      pack,
      message: `${name}: content does not match its name (SHA-256): the pack is damaged`,
    });
  if (!bytes.subarray(0, PACK_MAGIC.length).equals(PACK_MAGIC))
    problems.push({ pack, offset: 0, message: `${name}: bad magic` });
  let header: PackHeader;
  try {
    const hlen = parsePackTrailer(bytes.subarray(bytes.length - PACK_TRAILER_LEN), bytes.length, name);
    const hstart = bytes.length - PACK_TRAILER_LEN - hlen;
    header = checkPackHeader(
      unzjson(bytes.subarray(hstart, hstart + hlen), `${name} header`, LIMITS.packHeaderBytes),
      name,
    );
  } catch (e) {
    problems.push({ pack, message: `${name}: header unreadable: ${(e as Error).message}` });
    return out;
  }
  out.blobs = header.blobs.length;
  if (input.indexRows) {
    const inHeader = new Map(header.blobs.map((r) => [r[0], r]));
    for (const r of input.indexRows) {
      const h = inHeader.get(r[0]);
      if (!h || h[2] !== r[2] || h[3] !== r[3] || h[4] !== r[4] || h[5] !== r[5])
        problems.push({
          pack,
          blob: r[0],
          offset: r[2],
          message: `${name}: index entry for blob ${r[0]} does not match the pack header`,
        });
    }
  }
  const hstartLimit = bytes.length - PACK_TRAILER_LEN;
  for (const row of header.blobs) {
    const [id, type, off, len, rawLength, compressed, ki] = row;
    if (off < PACK_MAGIC.length || off + len > hstartLimit) {
      problems.push({ pack, blob: id, offset: off, message: `${name}: blob ${id} lies outside the pack` });
      continue;
    }
    const key = input.keys[header.keys[ki]!];
    if (!key || !input.idKey) continue;
    try {
      if (verifyScratch.length < rawLength) verifyScratch = Buffer.allocUnsafeSlow(rawLength);
      openBlobInto(
        key,
        input.idKey,
        id,
        { type, compressed, rawLength },
        bytes.subarray(off, off + len),
        verifyScratch,
      );
      out.decrypted++;
    } catch (e) {
      problems.push({ pack, blob: id, offset: off, message: `${name} @${off}: ${(e as Error).message}` });
    }
  }
  return out;
}

export interface SealedItems {
  buf: ArrayBuffer;
  items: {
    id: string;
    type: BlobType;
    off: number;
    len: number;
    rawLength: number;
    compressed: 0 | 1;
    key: string;
  }[];
}

/** Opens a batch of sealed blobs; returns the plaintexts back to back in one buffer, in order. */
export function decodeBatch(
  batch: SealedItems,
  keys: Record<string, Uint8Array>,
  idKey: Uint8Array,
  verifyId = true,
): { buf: ArrayBuffer; lengths: number[] } {
  const src = new Uint8Array(batch.buf);
  let total = 0;
  for (const it of batch.items) total += it.rawLength;
  const out = new Uint8Array(total);
  const lengths: number[] = [];
  let p = 0;
  for (const it of batch.items) {
    const key = keys[it.key];
    if (!key) throw new Error(`no session key ${it.key} for blob ${it.id}`);
    openBlobInto(
      key,
      idKey,
      it.id,
      it,
      src.subarray(it.off, it.off + it.len),
      out.subarray(p, p + it.rawLength),
      verifyId,
    );
    p += it.rawLength;
    lengths.push(it.rawLength);
  }
  return { buf: out.buffer, lengths };
}

/** Where one restored blob goes: a file (created if need be) and the offset in it. */
export interface Placement {
  path: string;
  offset: number;
}

let writeScratch = Buffer.allocUnsafeSlow(0);

/**
 * `restore` in the worker: opens each blob of the batch (authenticated before a byte of it is
 * written) into a reused buffer and writes it at each of its placements, so the plaintext never
 * travels back to the calling thread. Files are opened without following symlinks; a failed write
 * names the file. Returns the bytes written.
 */
export function decodeWrite(
  batch: SealedItems,
  keys: Record<string, Uint8Array>,
  idKey: Uint8Array,
  verifyId: boolean,
  places: Placement[][],
): number {
  const src = new Uint8Array(batch.buf);
  let written = 0;
  for (const [k, it] of batch.items.entries()) {
    const key = keys[it.key];
    if (!key) throw new Error(`no session key ${it.key} for blob ${it.id}`);
    if (writeScratch.length < it.rawLength) writeScratch = Buffer.allocUnsafeSlow(it.rawLength);
    const data = writeScratch.subarray(0, it.rawLength);
    openBlobInto(key, idKey, it.id, it, src.subarray(it.off, it.off + it.len), data, verifyId);
    for (const to of places[k] ?? []) {
      let fd = -1;
      try {
        fd = openSync(to.path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
        let w = 0;
        while (w < data.length) w += writeSync(fd, data, w, data.length - w, to.offset + w);
      } catch (e) {
        const err = e as { message?: string; code?: string };
        throw Object.assign(new Error(`${to.path}: ${err.message ?? String(e)}`), { code: err.code });
      } finally {
        if (fd >= 0) closeSync(fd);
      }
      written += data.length;
    }
  }
  return written;
}
