/**
 * Keys of a repository. Each `run` makes a fresh random 256-bit session key, seals its blobs and its
 * snapshot with it, stores the key wrapped in `keys/<id>` and forgets it:
 *  - age mode (write-only): wrapped to the repository's age X25519 recipients; only the identity, kept
 *    off the server, unwraps it, so a stolen server cannot read any snapshot, not even its own;
 *  - passphrase mode: wrapped with a master key that the passphrase (scrypt) unlocks.
 * The chunk-id MAC key is readable by the server in both modes (it needs it to deduplicate).
 */
import { hostname } from 'node:os';
import type * as AgeNs from 'age-encryption';
import { CiviguardError } from '../core/errors.js';
import type { ScryptParams } from './crypto.js';
import {
  AuthError,
  defaultScrypt,
  deriveKey,
  open,
  randomHex,
  randomKey,
  seal,
  sha256Hex,
} from './crypto.js';
import type { KeyFile, RepoConfig } from './format.js';
import { FORMAT_VERSION, MASTER_AAD, SESSION_AAD, fail, parseJson } from './format.js';

type AgeModule = typeof AgeNs;
let ageModule: Promise<AgeModule> | undefined;
/** age-encryption pulls in several crypto libraries: load it only when a key is wrapped or unwrapped. */
export function loadAge(): Promise<AgeModule> {
  ageModule ??= import('age-encryption');
  return ageModule;
}

export interface Unlock {
  passphrase?: string | undefined;
  /** age identities (`AGE-SECRET-KEY-1…`). */
  identities?: string[] | undefined;
}

export async function validateRecipient(r: string, flag = '--recipient'): Promise<void> {
  if (!/^age1[0-9a-z]{58}$/.test(r)) {
    throw new CiviguardError('E_USAGE', `${flag} '${r.slice(0, 80)}' is not an age X25519 recipient (age1…)`);
  }
  const age = await loadAge();
  try {
    new age.Encrypter().addRecipient(r);
  } catch {
    throw new CiviguardError('E_USAGE', `${flag} '${r.slice(0, 80)}' is not a valid age recipient`);
  }
}

/** Reads age identities from an identity file's text (one `AGE-SECRET-KEY-1…` per line, `#` comments). */
export function parseIdentityFile(text: string, file: string): string[] {
  const ids = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (ids.length === 0 || !ids.every((l) => /^AGE-SECRET-KEY-1[0-9A-Z]+$/.test(l))) {
    throw new CiviguardError(
      'E_USAGE',
      `--identity ${file}: not an age identity file (AGE-SECRET-KEY-1… lines)`,
    );
  }
  return ids;
}

export async function newConfig(
  opts: { recipients: string[] } | { passphrase: string; scrypt?: ScryptParams },
): Promise<RepoConfig> {
  const base = {
    version: FORMAT_VERSION,
    id: randomHex(16),
    created: new Date().toISOString(),
    chunker: { gearSeed: randomHex(32) },
  };
  const idKey = randomKey();
  if ('recipients' in opts) {
    for (const r of opts.recipients) await validateRecipient(r);
    return { ...base, mode: 'age', recipients: opts.recipients, idKey: idKey.toString('base64') };
  }
  const kdf = opts.scrypt ?? defaultScrypt();
  const kek = deriveKey(opts.passphrase, kdf);
  const inner = Buffer.from(
    JSON.stringify({ idKey: idKey.toString('base64'), masterKey: randomKey().toString('base64') }),
  );
  return { ...base, mode: 'passphrase', kdf, master: seal(kek, inner, MASTER_AAD).toString('base64') };
}

export class Keyring {
  readonly config: RepoConfig;
  /** The chunk-id MAC key. */
  readonly idKey: Buffer;
  private readonly masterKey: Buffer | null;
  private readonly identities: string[];
  private readonly sessions = new Map<string, Buffer>();

  private constructor(config: RepoConfig, idKey: Buffer, masterKey: Buffer | null, identities: string[]) {
    this.config = config;
    this.idKey = idKey;
    this.masterKey = masterKey;
    this.identities = identities;
  }

  /** No secrets at all: for commands that move or inspect files only (copy, list, prune, forget). */
  static locked(config: RepoConfig): Keyring {
    return new Keyring(
      config,
      config.idKey ? Buffer.from(config.idKey, 'base64') : Buffer.alloc(0),
      null,
      [],
    );
  }

  /** Unlocks what `unlock` allows. A passphrase repository needs its passphrase even to write. */
  static async unlock(config: RepoConfig, unlock: Unlock): Promise<Keyring> {
    if (config.mode === 'passphrase') {
      if (!unlock.passphrase) {
        throw new CiviguardError(
          'E_BACKUP_KEY',
          'this repository is passphrase-protected: set CIVIGUARD_PASSPHRASE (or CIVIGUARD_PASSPHRASE_FILE)',
        );
      }
      const kek = deriveKey(unlock.passphrase, config.kdf!);
      let inner: Buffer;
      try {
        inner = open(kek, Buffer.from(config.master!, 'base64'), MASTER_AAD);
      } catch (e) {
        if (e instanceof AuthError)
          throw new CiviguardError('E_BACKUP_KEY', 'wrong passphrase for this repository');
        throw e;
      }
      const k = parseJson(inner, 'config master key') as { idKey: string; masterKey: string };
      return new Keyring(config, Buffer.from(k.idKey, 'base64'), Buffer.from(k.masterKey, 'base64'), []);
    }
    const ids = unlock.identities ?? [];
    if (ids.length) {
      const age = await loadAge();
      const mine = await Promise.all(ids.map((i) => age.identityToRecipient(i)));
      if (!mine.some((r) => config.recipients!.includes(r))) {
        throw new CiviguardError(
          'E_BACKUP_KEY',
          `wrong identity: it belongs to ${mine.join(', ')}, but this repository is encrypted to ${config.recipients!.join(', ')}`,
        );
      }
    }
    return new Keyring(config, Buffer.from(config.idKey!, 'base64'), null, ids);
  }

  /** True when snapshots can be decrypted (passphrase given, or a matching age identity). */
  get canRead(): boolean {
    return this.masterKey !== null || this.identities.length > 0;
  }

  /** A new session key and its `keys/` file (named by its SHA-256). */
  async newSession(): Promise<{ id: string; key: Buffer; file: Buffer }> {
    const key = randomKey();
    let wrapped: Buffer;
    if (this.masterKey) wrapped = seal(this.masterKey, key, SESSION_AAD);
    else {
      const age = await loadAge();
      const enc = new age.Encrypter();
      for (const r of this.config.recipients!) enc.addRecipient(r);
      wrapped = Buffer.from(await enc.encrypt(key));
    }
    const kf: KeyFile = {
      v: 1,
      created: new Date().toISOString(),
      host: hostname(),
      mode: this.config.mode,
      wrapped: wrapped.toString('base64'),
    };
    const file = Buffer.from(JSON.stringify(kf) + '\n');
    const id = sha256Hex(file);
    this.sessions.set(id, key);
    return { id, key, file };
  }

  hasSession(id: string): boolean {
    return this.sessions.has(id);
  }

  /** Unwraps a session key from its key file. Needs the passphrase or an identity. */
  async openSession(id: string, kf: KeyFile): Promise<Buffer> {
    const cached = this.sessions.get(id);
    if (cached) return cached;
    if (!this.canRead) {
      throw new CiviguardError(
        'E_BACKUP_KEY',
        'this is a write-only repository: reading snapshots needs the age identity (--identity FILE)',
      );
    }
    const wrapped = Buffer.from(kf.wrapped, 'base64');
    let key: Buffer;
    if (this.masterKey) {
      try {
        key = open(this.masterKey, wrapped, SESSION_AAD);
      } catch {
        fail(`keys/${id}: cannot be unwrapped with this repository's master key (damaged)`);
      }
    } else {
      const age = await loadAge();
      const dec = new age.Decrypter();
      for (const i of this.identities) dec.addIdentity(i);
      try {
        key = Buffer.from(await dec.decrypt(wrapped));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (/no identity matched/i.test(msg))
          throw new CiviguardError('E_BACKUP_KEY', `keys/${id}: not encrypted to the given identity`);
        fail(`keys/${id}: cannot be decrypted (${msg})`);
      }
    }
    if (key.length !== 32) fail(`keys/${id}: wrong key length`);
    this.sessions.set(id, key);
    return key;
  }
}
