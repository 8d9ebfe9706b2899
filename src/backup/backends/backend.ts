/**
 * Where repository files live. A backend stores named files (`config`, `keys/<id>`, `data/ab/<id>`, …)
 * and knows nothing of their format. Every write is all-or-nothing: a reader sees the old state or the
 * whole new file, never half of one (local and SFTP write a temp name and rename; S3's PUT is atomic).
 */
import { CiviguardError, describeError } from '../../core/errors.js';
import { redactString } from '../../core/redact.js';

export const REPO_DIRS = ['keys', 'data', 'index', 'snapshots', 'refs', 'locks', 'drills', 'escrow'] as const;
export type RepoDir = (typeof REPO_DIRS)[number];

export interface FileInfo {
  /** Path relative to the repository root, `/`-separated (`data/ab/ab12…`). */
  name: string;
  size: number;
}

export interface BackendLocation {
  kind: 'local' | 'sftp' | 's3';
  /** Host name or address of the server holding the data; null for a local directory. */
  host: string | null;
  port: number | null;
  /** Path / bucket+prefix on that host. */
  path: string;
  /** For messages: the URL without secrets. */
  display: string;
}

export interface Backend {
  readonly location: BackendLocation;
  /** Whole file; throws a BackendError with `missing` when it does not exist, or when over `maxBytes`. */
  read(name: string, maxBytes?: number): Promise<Buffer>;
  readRange(name: string, offset: number, length: number): Promise<Buffer>;
  /**
   * Creates or replaces `name` atomically with the concatenation of `parts`. `released`, when given, is called once `parts` are no longer needed (their bytes are with the OS
   * or the server), which may be before the write is durable and the promise resolves; a backend that
   * keeps them to the end need not call it (the caller then releases them on settling).
   */
  write(name: string, parts: readonly Uint8Array[], released?: () => void): Promise<void>;
  /**
   * Local backends only: a dir on the repository's own filesystem where packs can be written as temp
   * files in place, and `adopt`, which makes such a file `name` (fsync + rename; the temp file is
   * removed if that fails).
   */
  stageDir?(): string;
  adopt?(tmp: string, name: string): Promise<void>;
  exists(name: string): Promise<boolean>;
  /** Files under one top-level directory (recursively for `data`); temp files are not listed. */
  list(dir: RepoDir): Promise<FileInfo[]>;
  /** Removes a file; a missing one is not an error. */
  remove(name: string): Promise<void>;
  /** Creates the directory layout of a new repository (no-op on S3). */
  mkdirs(): Promise<void>;
  /** Temp files left by a crashed writer (for check and prune). */
  listTemp(): Promise<FileInfo[]>;
  close(): Promise<void>;
}

export class BackendError extends Error {
  readonly missing: boolean;
  constructor(message: string, opts: { missing?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BackendError';
    this.missing = opts.missing ?? false;
  }
}

/** Message for an I/O error on a backend: where, what, why — never the credentials. */
export function ioError(loc: BackendLocation, op: string, name: string, e: unknown): BackendError {
  const code = (e as { code?: unknown }).code;
  const missing = code === 'ENOENT' || code === 2 || code === 'NoSuchKey' || code === 'NotFound';
  let why = describeError(e);
  if (code === 'ENOSPC') why = 'no space left on the device (ENOSPC)';
  else if (code === 'EDQUOT') why = 'disk quota exceeded (EDQUOT)';
  return new BackendError(redactString(`${loc.display}: ${op} ${name}: ${why}`), { missing, cause: e });
}

export const TEMP_PREFIX = '.tmp-';

export function dataName(packId: string): string {
  return `data/${packId.slice(0, 2)}/${packId}`;
}

/** Where a snapshot lives, from the `--repo` argument (SPEC §6 REPO). */
export interface RepoUrl {
  kind: 'local' | 'sftp' | 's3';
  raw: string;
}

export function parseRepoKind(repo: string): RepoUrl['kind'] {
  if (/^sftp:\/\//i.test(repo)) return 'sftp';
  if (/^s3:\/\//i.test(repo)) return 's3';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo)) {
    throw new CiviguardError(
      'E_USAGE',
      `repository '${redactString(repo)}': unknown scheme (a directory, sftp://user@host/path or s3://bucket/prefix?endpoint=URL)`,
    );
  }
  return 'local';
}

/** Opens a backend for a `--repo` value. SFTP and S3 load their client libraries only when used. */
export async function openBackend(repo: string, opts: { signal?: AbortSignal } = {}): Promise<Backend> {
  const kind = parseRepoKind(repo);
  if (kind === 'sftp') {
    const { openSftpBackend } = await import('./sftp.js');
    return openSftpBackend(repo, opts);
  }
  if (kind === 's3') {
    const { openS3Backend } = await import('./s3.js');
    return openS3Backend(repo);
  }
  const { LocalBackend } = await import('./local.js');
  return new LocalBackend(repo);
}
