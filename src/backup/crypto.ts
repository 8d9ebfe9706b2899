/**
 * The symmetric primitives of the repository format (docs/backup-format.md §3): AES-256-GCM with a random
 * 96-bit nonce per sealed object, HMAC-SHA256 chunk ids, SHA-256 file names, scrypt for passphrases.
 * All from node:crypto; nothing here does I/O.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  scryptSync,
} from 'node:crypto';

export const NONCE_LEN = 12;
export const TAG_LEN = 16;
/** Bytes a sealed object adds to its plaintext: nonce + tag. */
export const SEAL_OVERHEAD = NONCE_LEN + TAG_LEN;

export class AuthError extends Error {
  constructor(message = 'authentication failed (wrong key or corrupted data)') {
    super(message);
    this.name = 'AuthError';
  }
}

/** nonce ‖ AES-256-GCM(key, nonce, plaintext, aad) ‖ tag. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE_LEN);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  if (aad) c.setAAD(aad);
  const body = c.update(plaintext);
  const fin = c.final();
  return Buffer.concat([nonce, body, fin, c.getAuthTag()]);
}

/** Inverse of {@link seal}; throws AuthError when the key is wrong or any byte changed. */
export function open(key: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Buffer {
  if (sealed.length < SEAL_OVERHEAD) throw new AuthError('sealed object too short');
  const nonce = sealed.subarray(0, NONCE_LEN);
  const tag = sealed.subarray(sealed.length - TAG_LEN);
  const d = createDecipheriv('aes-256-gcm', key, nonce);
  if (aad) d.setAAD(aad);
  d.setAuthTag(tag);
  try {
    const body = d.update(sealed.subarray(NONCE_LEN, sealed.length - TAG_LEN));
    return Buffer.concat([body, d.final()]);
  } catch {
    throw new AuthError();
  }
}

export function hmac(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function sha256Hex(...parts: Uint8Array[]): string {
  return sha256(...parts).toString('hex');
}

export function randomKey(): Buffer {
  return randomBytes(32);
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  salt: string;
}

/** scrypt work factor for new passphrase repositories (2^17, r=8: ~128 MiB, ~0.3 s). */
export function defaultScrypt(): ScryptParams {
  return { N: 1 << 17, r: 8, p: 1, salt: randomBytes(32).toString('base64') };
}

export function deriveKey(passphrase: string, params: ScryptParams): Buffer {
  if (params.N > 1 << 22 || params.r > 32 || params.p > 16) throw new Error('scrypt parameters out of range');
  return scryptSync(passphrase.normalize('NFC'), Buffer.from(params.salt, 'base64'), 32, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.N * params.r + 16 * 1024 * 1024,
  });
}

/** Constant-time-ish comparison is not needed here: ids are not secrets. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
