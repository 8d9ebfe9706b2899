import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { blobIdOf } from '../repository.js';
import type { MemoryPack } from '../pack-builder.js';
import { MAX_PACK_BLOBS, PACK_TARGET } from '../pack-builder.js';
import type { PlainBatch } from './codec.js';
import {
  AUTO_SMALL_BLOB,
  Packer,
  fromMessage,
  levelFor,
  openBlobInto,
  toMessage,
  verifyPack,
} from './codec.js';

const key = randomBytes(32);
const idKey = randomBytes(32);
const keyId = 'a'.repeat(64);

function batchOf(blobs: Buffer[]): PlainBatch {
  const total = blobs.reduce((n, b) => n + b.length, 0);
  const buf = new ArrayBuffer(total);
  const view = new Uint8Array(buf);
  let off = 0;
  const items = blobs.map((b) => {
    view.set(b, off);
    const it = { id: blobIdOf(idKey, b), type: 'd' as const, off, len: b.length };
    off += b.length;
    return it;
  });
  return { buf, items };
}

describe('Packer: blobs sealed straight into packs', () => {
  it('auto level: 1 below 128 KiB, 2 above; a number is used as given', () => {
    assert.equal(levelFor('auto', AUTO_SMALL_BLOB - 1), 1);
    assert.equal(levelFor('auto', AUTO_SMALL_BLOB), 2);
    assert.equal(levelFor(7, 10), 7);
  });

  it('every blob opens again, byte for byte; compressible ones are stored compressed', () => {
    const text = Buffer.from('civicrm_contribution '.repeat(5000));
    const blobs = [
      text,
      randomBytes(300 * 1024),
      Buffer.from('x'),
      Buffer.from('civicrm_event '.repeat(20000)),
    ];
    const p = new Packer(key, keyId, 'auto', null);
    const added = p.add(batchOf(blobs));
    p.flush();
    const packs = p.take().map((f) => fromMessage(toMessage(f)) as MemoryPack);
    assert.equal(packs.length, 1);
    assert.equal(added.blobs, 4);
    const pack = packs[0]!;
    const rows = pack.header.blobs;
    assert.deepEqual(
      rows.map((r) => r[5]),
      [1, 0, 0, 1],
      'text compressed, random and tiny blobs stored as they are',
    );
    for (const [i, r] of rows.entries()) {
      const dst = new Uint8Array(r[4]);
      openBlobInto(
        key,
        idKey,
        r[0],
        { type: r[1], compressed: r[5], rawLength: r[4] },
        pack.parts[0]!.subarray(r[2], r[2] + r[3]),
        dst,
      );
      assert.ok(Buffer.from(dst).equals(blobs[i]!));
    }
    // the pack's name is the SHA-256 of its bytes, computed while it filled
    const whole = Buffer.concat(pack.parts);
    const v = verifyPack({
      pack: pack.id,
      buf: whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.length) as ArrayBuffer,
      indexRows: rows,
      keys: { [keyId]: key },
      idKey,
    });
    assert.deepEqual(v.problems, []);
    assert.equal(v.decrypted, 4);
  });

  it('closes a pack before a blob would take it past the target, and at the blob-count cap', () => {
    const big = () => randomBytes(3 * 1024 * 1024);
    const p = new Packer(key, keyId, 1, null);
    p.add(batchOf([big()]));
    p.add(batchOf([big()]));
    p.add(batchOf([big()]));
    p.flush();
    const packs = p.take();
    assert.equal(packs.length, 3, 'three 3 MiB blobs: one pack each');
    for (const f of packs) assert.ok(f.size <= PACK_TARGET + 64 * 1024);

    const tiny = new Packer(key, keyId, 1, null);
    const many = Array.from({ length: MAX_PACK_BLOBS + 10 }, (_, i) => Buffer.from(`blob ${i}`));
    tiny.add(batchOf(many));
    tiny.flush();
    assert.deepEqual(
      tiny.take().map((f) => f.header.blobs.length),
      [MAX_PACK_BLOBS, 10],
    );
  });
});
