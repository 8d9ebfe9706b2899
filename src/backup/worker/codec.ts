/**
 * The CPU-heavy parts of the format, as pure functions over batches, run in worker threads
 * (worker/pool.ts) and in-thread by tests: compress + seal blobs, and verify whole packs.
 * Batches travel as one ArrayBuffer plus offsets, so a message is one transfer, not thousands.
 */
import { createCipheriv, createHash, randomFillSync } from 'node:crypto';
import type { Compressor } from 'zstd-napi';
import { NONCE_LEN, TAG_LEN } from '../crypto.js';
import type { BlobRow, BlobType, PackHeader } from '../format.js';
import {
  PACK_MAGIC,
  PACK_TRAILER_LEN,
  blobAad,
  checkPackHeader,
  parsePackTrailer,
  unzjson,
  LIMITS,
} from '../format.js';
import { decodeSealedBlob } from '../repository.js';
import { makeCompressor } from '../zstd.js';

export interface PlainBatch {
  /** All blobs back to back. */
  buf: ArrayBuffer;
  items: { id: string; type: BlobType; off: number; len: number }[];
}

export interface SealedBatch {
  buf: ArrayBuffer;
  items: { id: string; type: BlobType; off: number; len: number; rawLength: number; compressed: 0 | 1 }[];
  /** Plaintext bytes in, sealed bytes out (for the stats). */
  rawBytes: number;
}

let compressor: Compressor | null = null;
let compressorLevel = 0;

/** Compresses (when it pays) and seals each blob with `key`. */
export function encodeBatch(batch: PlainBatch, key: Uint8Array, level: number): SealedBatch {
  if (!compressor || compressorLevel !== level) {
    compressor = makeCompressor(level);
    compressorLevel = level;
  }
  const src = new Uint8Array(batch.buf);
  const bodies: { body: Uint8Array; compressed: 0 | 1 }[] = [];
  let total = 0;
  let rawBytes = 0;
  for (const it of batch.items) {
    const raw = src.subarray(it.off, it.off + it.len);
    rawBytes += it.len;
    let body: Uint8Array = raw;
    let compressed: 0 | 1 = 0;
    if (it.len >= 64) {
      const z = compressor.compress(raw);
      // keep the compressed form only when it saves something worth a decompression
      if (z.length < it.len - (it.len >> 5)) {
        body = z;
        compressed = 1;
      }
    }
    bodies.push({ body, compressed });
    total += NONCE_LEN + body.length + TAG_LEN;
  }
  const out = new Uint8Array(total);
  const items: SealedBatch['items'] = [];
  let p = 0;
  batch.items.forEach((it, i) => {
    const { body, compressed } = bodies[i]!;
    const start = p;
    randomFillSync(out, p, NONCE_LEN);
    const c = createCipheriv('aes-256-gcm', key, out.subarray(p, p + NONCE_LEN));
    c.setAAD(blobAad(it.id, it.type, compressed));
    p += NONCE_LEN;
    const ct = c.update(body);
    out.set(ct, p);
    p += ct.length;
    const fin = c.final();
    out.set(fin, p);
    p += fin.length;
    out.set(c.getAuthTag(), p);
    p += TAG_LEN;
    items.push({ id: it.id, type: it.type, off: start, len: p - start, rawLength: it.len, compressed });
  });
  return { buf: out.buffer, items, rawBytes };
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
      decodeSealedBlob(key, input.idKey, id, { type, compressed, rawLength }, bytes.subarray(off, off + len));
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
    const data = decodeSealedBlob(key, idKey, it.id, it, src.subarray(it.off, it.off + it.len));
    out.set(data, p);
    p += data.length;
    lengths.push(data.length);
  }
  return { buf: out.buffer, lengths };
}
