/**
 * Key escrow: the settings file(s) and the CiviCRM secrets they define (CIVICRM_SITE_KEY,
 * CIVICRM_CRED_KEYS, CIVICRM_SIGN_KEYS), encrypted with age to a recipient that is not the repository's
 * — whoever restores data is not automatically able to read the keys, and losing the data identity
 * does not lose the keys. A database restored without CIVICRM_CRED_KEYS cannot decrypt the
 * credentials CiviCRM stored with them. The record's plaintext part says when, from where, to whom and
 * which constants are inside (names only), so the audit can check it exists without any key.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { hostname } from 'node:os';
import { CiviguardError, describeError } from '../core/errors.js';
import type { EscrowRecord } from './format.js';
import { loadAge, validateRecipient } from './keyring.js';
import type { Repository } from './repository.js';
import { Repository as Repo } from './repository.js';
import { SECRET_CONSTANTS, readSettingsConstants } from './sources/settings.js';

const MAX_SETTINGS = 1024 * 1024;

export async function makeEscrow(
  repoRecipients: string[],
  recipients: string[],
  files: string[],
): Promise<EscrowRecord> {
  if (!recipients.length) throw new CiviguardError('E_USAGE', 'escrow needs --recipient');
  for (const r of recipients) {
    await validateRecipient(r);
    if (repoRecipients.includes(r)) {
      throw new CiviguardError(
        'E_USAGE',
        `--recipient ${r} is the repository's own recipient: escrow to a separate key`,
      );
    }
  }
  if (!files.length)
    throw new CiviguardError('E_USAGE', 'escrow needs --settings FILE (civicrm.settings.php)');
  const contents: Record<string, string> = {};
  const found = new Set<string>();
  for (const f of files) {
    let text: Buffer;
    try {
      if (statSync(f).size > MAX_SETTINGS) throw new Error('larger than 1 MiB');
      text = readFileSync(f);
    } catch (e) {
      throw new CiviguardError('E_USAGE', `--settings ${f}: ${describeError(e)}`);
    }
    contents[f] = text.toString('base64');
    const c = readSettingsConstants(text.toString('utf8'));
    for (const k of SECRET_CONSTANTS) if (k in c.values || c.dynamic.includes(k)) found.add(k);
  }
  const age = await loadAge();
  const enc = new age.Encrypter();
  for (const r of recipients) enc.addRecipient(r);
  const sealed = await enc.encrypt(JSON.stringify({ v: 1, files: contents }));
  return {
    v: 1,
    time: new Date().toISOString(),
    host: hostname(),
    recipients,
    files: files.map((f) => basename(f)),
    constants: [...found].sort(),
    sealed: Buffer.from(sealed).toString('base64'),
  };
}

export async function storeEscrow(repos: Repository[], rec: EscrowRecord): Promise<string> {
  const { name, data } = Repo.encodeRecord('escrow', rec);
  for (const r of repos) await r.backend.write(name, [data]);
  return name;
}

/** Opens an escrow record with the escrow identity (for the operator; tests use it to prove the round trip). */
export async function openEscrow(rec: EscrowRecord, identities: string[]): Promise<Record<string, Buffer>> {
  const age = await loadAge();
  const dec = new age.Decrypter();
  for (const i of identities) dec.addIdentity(i);
  let text: string;
  try {
    text = await dec.decrypt(Buffer.from(rec.sealed, 'base64'), 'text');
  } catch (e) {
    throw new CiviguardError('E_BACKUP_KEY', `escrow record: ${describeError(e)}`);
  }
  const doc = JSON.parse(text) as { files: Record<string, string> };
  return Object.fromEntries(Object.entries(doc.files).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}
