/**
 * The audit's view of the backups (`backupRepos` / `--backup-repo`): for each repository, what can be
 * read without any key. A civiguard repository gives its catalogue (snapshot times, hosts, sources),
 * drill records and escrow records. Other things are recognised rather than trusted: a restic
 * repository (always encrypted; snapshot times from the file dates of a local one), a Borg repository
 * (its encryption mode read from the type byte of the first stored object), or a plain directory of
 * dumps and archives (each classified by its magic bytes as encrypted or not). Gathers facts only.
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describeError } from '../core/errors.js';
import type { ProbeContext } from '../core/probe.js';
import { FactUnavailable, defineProbe } from '../core/probe.js';
import { redactString } from '../core/redact.js';
import type { Backend, BackendLocation } from './backends/backend.js';
import { openBackend } from './backends/backend.js';
import type { DrillRecord, EscrowRecord, SourceSummary } from './format.js';
import { Repository } from './repository.js';

export type RepoFormat = 'civiguard' | 'restic' | 'borg' | 'plain' | 'unknown';

export interface PlainFile {
  path: string;
  size: number;
  mtime: string;
  /** What the magic bytes say. */
  kind: string;
  encrypted: boolean;
}

export interface BackupRepoFact {
  repo: string;
  location: Pick<BackendLocation, 'kind' | 'host' | 'port'> | null;
  /** True when the repository's host is this machine (local directory, or a loopback/own-name server). */
  onThisHost: boolean;
  /** `error`: it could not be read (unreachable, damaged); see `error`. */
  status: 'ok' | 'error';
  error?: string;
  format: RepoFormat;
  /** civiguard: age | passphrase; restic: repository; borg: its key type; plain: see files. */
  encryption: string | null;
  encrypted: boolean | null;
  repoId: string | null;
  recipients: string[];
  snapshots: { id: string; time: string; host: string; sources: SourceSummary[] }[];
  /** Newest backup time from file dates (restic, plain directories) when there is no catalogue. */
  newestFileTime: string | null;
  drills: Pick<DrillRecord, 'time' | 'snapshot' | 'snapshotTime' | 'ok' | 'error'>[];
  escrows: Pick<EscrowRecord, 'time' | 'host' | 'recipients' | 'files' | 'constants'>[];
  plainFiles: PlainFile[];
}

export interface BackupFacts {
  repos: BackupRepoFact[];
  host: string;
}

const BACKUP_NAME =
  /\.(?:sql|sql\.gz|sql\.bz2|sql\.xz|sql\.zst|dump|tar|tar\.gz|tgz|tar\.bz2|tar\.xz|tar\.zst|zip|bak|gz|zst|7z|age|gpg|pgp|enc)$/i;
const MAX_ENTRIES = 5000;
const MAX_DEPTH = 4;

/** Classifies a backup-looking file by its first bytes. */
export function classifyMagic(head: Buffer): { kind: string; encrypted: boolean } {
  const s = head.toString('latin1');
  if (s.startsWith('age-encryption.org/v1') || s.startsWith('-----BEGIN AGE ENCRYPTED FILE-----'))
    return { kind: 'age', encrypted: true };
  if (s.startsWith('-----BEGIN PGP MESSAGE-----')) return { kind: 'openpgp (armored)', encrypted: true };
  const b0 = head[0] ?? 0;
  // OpenPGP binary: a public-key or symmetric-key encrypted session key packet first (tags 1, 3)
  if ((b0 & 0x80) !== 0 && [1, 3].includes(b0 & 0x40 ? b0 & 0x3f : (b0 >> 2) & 0x0f))
    return { kind: 'openpgp', encrypted: true };
  if (s.startsWith('Salted__')) return { kind: 'openssl enc', encrypted: true };
  if (b0 === 0x1f && head[1] === 0x8b) return { kind: 'gzip', encrypted: false };
  if (head.readUInt32LE(0) === 0xfd2fb528) return { kind: 'zstd', encrypted: false };
  if (s.startsWith('BZh')) return { kind: 'bzip2', encrypted: false };
  if (s.startsWith('\xfd7zXZ\x00')) return { kind: 'xz', encrypted: false };
  if (s.startsWith("7z\xbc\xaf'\x1c")) return { kind: '7z (may be encrypted)', encrypted: false };
  if (s.startsWith('PK\x03\x04')) {
    const flags = head.length >= 8 ? head.readUInt16LE(6) : 0;
    return (flags & 1) === 1
      ? { kind: 'zip (encrypted entries)', encrypted: true }
      : { kind: 'zip', encrypted: false };
  }
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar')
    return { kind: 'tar', encrypted: false };
  if (/^(?:\/\*M?!|--\s|CREATE |INSERT |SET |DROP |-- MySQL dump|-- MariaDB dump)/.test(s))
    return { kind: 'SQL text', encrypted: false };
  return { kind: 'unknown', encrypted: false };
}

function readHead(path: string, n = 512): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(n);
    const got = readSync(fd, b, 0, n, 0);
    return b.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Borg key types that do not encrypt: plaintext (0x02), authenticated (0x07, 0x06 blake2). */
const BORG_TYPES: Record<number, { name: string; encrypted: boolean }> = {
  0x00: { name: 'keyfile', encrypted: true },
  0x01: { name: 'passphrase (legacy)', encrypted: true },
  0x02: { name: 'none', encrypted: false },
  0x03: { name: 'repokey', encrypted: true },
  0x04: { name: 'keyfile-blake2', encrypted: true },
  0x05: { name: 'repokey-blake2', encrypted: true },
  0x06: { name: 'authenticated-blake2', encrypted: false },
  0x07: { name: 'authenticated', encrypted: false },
};

/** The key type of a local Borg repository, from the first PUT of its first segment. */
export function borgEncryption(dir: string): { name: string; encrypted: boolean } | null {
  const segs: { n: number; path: string }[] = [];
  for (const d of readdirSync(join(dir, 'data')).filter((x) => /^\d+$/.test(x))) {
    for (const f of readdirSync(join(dir, 'data', d)))
      if (/^\d+$/.test(f)) segs.push({ n: Number(f), path: join(dir, 'data', d, f) });
  }
  segs.sort((a, b) => a.n - b.n);
  for (const seg of segs.slice(0, 4)) {
    const buf = readHead(seg.path, 64 * 1024);
    if (buf.toString('latin1', 0, 8) !== 'BORG_SEG') continue;
    let p = 8;
    while (p + 9 <= buf.length) {
      const size = buf.readUInt32LE(p + 4);
      const tag = buf[p + 8];
      if (size < 9) break;
      if (tag === 0 && p + 41 < buf.length) {
        const t = buf[p + 41]!;
        return BORG_TYPES[t] ?? { name: `unknown type 0x${t.toString(16)}`, encrypted: true };
      }
      p += size;
    }
  }
  return null;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host) || host === hostname();
}

function emptyFact(repo: string): BackupRepoFact {
  return {
    repo,
    location: null,
    onThisHost: true,
    status: 'ok',
    format: 'unknown',
    encryption: null,
    encrypted: null,
    repoId: null,
    recipients: [],
    snapshots: [],
    newestFileTime: null,
    drills: [],
    escrows: [],
    plainFiles: [],
  };
}

/** Walks a plain directory (capped) for backup-looking files. */
function scanPlain(dir: string, fact: BackupRepoFact): void {
  let seen = 0;
  let newest = 0;
  const walk = (d: string, depth: number) => {
    let ents: Dirent[];
    try {
      ents = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      if (++seen > MAX_ENTRIES) return;
      const p = join(d, e.name);
      if (e.isDirectory() && depth < MAX_DEPTH) walk(p, depth + 1);
      else if (e.isFile() && BACKUP_NAME.test(e.name)) {
        try {
          const st = statSync(p);
          const m = classifyMagic(readHead(p));
          fact.plainFiles.push({ path: p, size: st.size, mtime: st.mtime.toISOString(), ...m });
          newest = Math.max(newest, st.mtimeMs);
        } catch {
          // vanished or unreadable: not judged
        }
      }
    }
  };
  walk(dir, 0);
  if (newest) fact.newestFileTime = new Date(newest).toISOString();
}

export async function inspectRepository(repo: string): Promise<BackupRepoFact> {
  const fact = emptyFact(redactString(repo));
  let b: Backend | null = null;
  try {
    b = await openBackend(repo);
    fact.location = { kind: b.location.kind, host: b.location.host, port: b.location.port };
    fact.onThisHost = b.location.host === null || isLoopback(b.location.host);
    fact.repo = b.location.display;
    if (await b.exists('config')) {
      let cfg;
      try {
        cfg = await Repository.readConfig(b);
      } catch (e) {
        if (b.location.kind === 'local') return inspectOther(b.location.path, fact);
        throw e;
      }
      const r = await Repository.openLocked(b);
      fact.format = 'civiguard';
      fact.encryption = cfg.mode;
      fact.encrypted = true;
      fact.repoId = cfg.id;
      fact.recipients = cfg.recipients ?? [];
      fact.snapshots = (await r.listSnapshots()).map((s) => ({
        id: s.id,
        time: s.catalogue.time,
        host: s.catalogue.host,
        sources: s.catalogue.sources,
      }));
      fact.drills = (await r.listRecords<DrillRecord>('drills')).map(({ rec }) => ({
        time: rec.time,
        snapshot: rec.snapshot,
        snapshotTime: rec.snapshotTime,
        ok: rec.ok,
        ...(rec.error ? { error: rec.error } : {}),
      }));
      fact.escrows = (await r.listRecords<EscrowRecord>('escrow')).map(({ rec }) => ({
        time: rec.time,
        host: rec.host,
        recipients: rec.recipients,
        files: rec.files,
        constants: rec.constants,
      }));
      return fact;
    }
    if (b.location.kind === 'local') return inspectOther(b.location.path, fact);
    fact.status = 'error';
    fact.error = `${b.location.display} holds no civiguard repository (no config)`;
    return fact;
  } catch (e) {
    fact.status = 'error';
    fact.error = redactString(describeError(e));
    return fact;
  } finally {
    await b?.close().catch(() => undefined);
  }
}

function inspectOther(dir: string, fact: BackupRepoFact): BackupRepoFact {
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    fact.status = 'error';
    fact.error = `${dir}: ${describeError(e)}`;
    return fact;
  }
  if (!st.isDirectory()) {
    fact.status = 'error';
    fact.error = `${dir} is not a directory`;
    return fact;
  }
  const has = (p: string) => {
    try {
      statSync(join(dir, p));
      return true;
    } catch {
      return false;
    }
  };
  if (
    has('README') &&
    readFileSync(join(dir, 'README'), 'utf8').slice(0, 200).includes('Borg Backup repository')
  ) {
    fact.format = 'borg';
    const enc = borgEncryption(dir);
    fact.encryption = enc?.name ?? null;
    fact.encrypted = enc?.encrypted ?? null;
    return fact;
  }
  if (has('config') && has('keys') && has('snapshots') && has('data') && has('index')) {
    fact.format = 'restic';
    fact.encryption = 'repository';
    fact.encrypted = true; // restic always encrypts
    let newest = 0;
    for (const f of readdirSync(join(dir, 'snapshots')))
      newest = Math.max(newest, statSync(join(dir, 'snapshots', f)).mtimeMs);
    if (newest) fact.newestFileTime = new Date(newest).toISOString();
    return fact;
  }
  fact.format = 'plain';
  scanPlain(dir, fact);
  fact.encrypted = fact.plainFiles.length ? fact.plainFiles.every((f) => f.encrypted) : null;
  return fact;
}

export const backupProbe = defineProbe<BackupFacts>({
  name: 'backup-repositories',
  timeoutMs: (t) => Math.max(60_000, t.timeoutMs),
  async run(ctx: ProbeContext) {
    const repos = ctx.target.backupRepos;
    if (!repos.length) {
      throw new FactUnavailable(
        'skip',
        'no backup repositories given (config key backupRepos, or --backup-repo)',
      );
    }
    const out: BackupRepoFact[] = [];
    for (const r of repos) {
      if (ctx.signal.aborted) break;
      ctx.note(`reading ${redactString(r)}`);
      out.push(await inspectRepository(r));
    }
    return { repos: out, host: hostname() };
  },
});
