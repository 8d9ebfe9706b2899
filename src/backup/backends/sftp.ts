/**
 * A repository on an SFTP server (OpenSSH's sftp-server), through ssh2.
 *
 *   sftp://user@host[:port]/absolute/path[?key=FILE&known_hosts=FILE&fingerprint=SHA256:…]
 *
 * Authentication: the private key in `key=`, $CIVIGUARD_SFTP_KEY, or ~/.ssh/id_ed25519 / id_ecdsa /
 * id_rsa; or a password in $CIVIGUARD_SFTP_PASSWORD. The server's host key must be known: `fingerprint=`
 * (OpenSSH's SHA256:… form), or an entry in `known_hosts=` / ~/.ssh/known_hosts (plain or hashed
 * names, `[host]:port` for other ports). An unknown key is refused, with its fingerprint in the message.
 *
 * Writes go to a temp name, are fsynced (fsync@openssh.com) and renamed over the final name with
 * posix-rename@openssh.com. Reads and writes are pipelined (many requests in flight). A dropped
 * connection fails every pending and later operation with a clear error; nothing is retried silently.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import ssh2 from 'ssh2';

const { Client, utils } = ssh2;
type Client = InstanceType<typeof Client>;
import { CiviguardError, describeError } from '../../core/errors.js';
import { redactString } from '../../core/redact.js';
import type { Backend, BackendLocation, FileInfo, RepoDir } from './backend.js';
import { BackendError, REPO_DIRS, TEMP_PREFIX, ioError } from './backend.js';

const PIECE = 32 * 1024;
const WINDOW = 64;
const NO_SUCH_FILE = 2;

export function fingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** True when a known_hosts text has an entry for host:port with exactly this key blob. */
export function knownHostsMatch(text: string, host: string, port: number, key: Buffer): boolean {
  const names = port === 22 ? [host, `[${host}]:22`] : [`[${host}]:${port}`];
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const parts = l.split(/\s+/);
    if (parts[0]?.startsWith('@')) {
      // @revoked refuses the key; @cert-authority lines are not supported
      if (parts[0] === '@revoked' && parts[3] && Buffer.from(parts[3], 'base64').equals(key)) return false;
      continue;
    }
    const i = 0;
    const hostsField = parts[i];
    const blob = parts[i + 2];
    if (!hostsField || !blob) continue;
    let hostMatch = false;
    if (hostsField.startsWith('|1|')) {
      const [, , salt, hash] = hostsField.split('|');
      if (salt && hash) {
        for (const n of names) {
          if (createHmac('sha1', Buffer.from(salt, 'base64')).update(n).digest('base64') === hash)
            hostMatch = true;
        }
      }
    } else {
      const pats = hostsField.split(',');
      hostMatch = pats.some((p) => !p.startsWith('!') && names.includes(p));
    }
    if (hostMatch && Buffer.from(blob, 'base64').equals(key)) return true;
  }
  return false;
}

interface SftpUrl {
  user: string;
  host: string;
  port: number;
  path: string;
  keyFile: string | null;
  knownHosts: string;
  fingerprint: string | null;
  display: string;
}

export function parseSftpUrl(raw: string): SftpUrl {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new CiviguardError('E_USAGE', `repository '${redactString(raw)}' is not an sftp:// URL`);
  }
  if (!u.username)
    throw new CiviguardError(
      'E_USAGE',
      `repository '${redactString(raw)}': give the user (sftp://user@host/path)`,
    );
  if (u.password)
    throw new CiviguardError(
      'E_USAGE',
      'sftp:// URLs must not carry a password: use a key, or $CIVIGUARD_SFTP_PASSWORD',
    );
  const path = decodeURIComponent(u.pathname);
  if (!path || path === '/')
    throw new CiviguardError('E_USAGE', `repository '${raw}': give a directory path`);
  const port = u.port ? Number(u.port) : 22;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    user: decodeURIComponent(u.username),
    host,
    port,
    path: path.startsWith('/~/') ? path.slice(3) : path,
    keyFile: u.searchParams.get('key') ?? process.env.CIVIGUARD_SFTP_KEY ?? null,
    knownHosts:
      u.searchParams.get('known_hosts') ??
      process.env.CIVIGUARD_SFTP_KNOWN_HOSTS ??
      join(homedir(), '.ssh', 'known_hosts'),
    fingerprint: u.searchParams.get('fingerprint') ?? process.env.CIVIGUARD_SFTP_FINGERPRINT ?? null,
    display: `sftp://${u.username}@${u.host}${path}`,
  };
}

function defaultKey(): string | null {
  for (const n of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const p = join(homedir(), '.ssh', n);
    if (existsSync(p)) return p;
  }
  return null;
}

type Cb<T> = (err: Error | null | undefined, v: T) => void;

export class SftpBackend implements Backend {
  readonly location: BackendLocation;
  private dead: Error | null = null;
  private readonly waiters = new Set<(e: Error) => void>();

  constructor(
    private readonly client: Client,
    private readonly sftp: SFTPWrapper,
    private readonly root: string,
    loc: BackendLocation,
  ) {
    this.location = loc;
    const onDown = (why: string) => {
      if (this.dead) return;
      this.dead = new BackendError(`${loc.display}: connection lost (${why})`);
      for (const w of this.waiters) w(this.dead);
      this.waiters.clear();
    };
    client.on('close', () => onDown('closed by the server or the network'));
    client.on('error', (e: Error) => onDown(e.message));
    sftp.on('close', () => onDown('SFTP channel closed'));
  }

  /** Runs one SFTP call; fails at once if the connection drops while it is pending. */
  private call<T>(fn: (cb: Cb<T>) => void): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<T>((resolve, reject) => {
      const onDead = (e: Error) => reject(e);
      this.waiters.add(onDead);
      try {
        fn((err, v) => {
          this.waiters.delete(onDead);
          if (err) reject(err);
          else resolve(v);
        });
      } catch (e) {
        this.waiters.delete(onDead);
        reject(e as Error);
      }
    });
  }

  private abs(name: string): string {
    if (name.includes('..') || name.startsWith('/')) throw new Error(`bad repository file name ${name}`);
    return posix.join(this.root, name);
  }

  private open(path: string, flags: 'r' | 'wx'): Promise<Buffer> {
    return this.call<Buffer>((cb) => this.sftp.open(path, flags, { mode: 0o600 }, (e, h) => cb(e, h)));
  }

  private closeHandle(h: Buffer): Promise<void> {
    return this.call<undefined>((cb) => this.sftp.close(h, (e) => cb(e, undefined)));
  }

  private async readInto(h: Buffer, buf: Buffer, position: number): Promise<number> {
    let next = 0;
    let total = 0;
    let eof = false;
    const worker = async () => {
      while (next < buf.length && !eof) {
        const off = next;
        const len = Math.min(PIECE, buf.length - off);
        next += len;
        let got = 0;
        while (got < len) {
          const n = await this.call<number>((cb) =>
            this.sftp.read(h, buf, off + got, len - got, position + off + got, (e, bytes) => cb(e, bytes)),
          );
          if (n === 0) {
            eof = true;
            break;
          }
          got += n;
        }
        total += got;
      }
    };
    await Promise.all(Array.from({ length: Math.min(WINDOW, Math.ceil(buf.length / PIECE) || 1) }, worker));
    return total;
  }

  async read(name: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
    const path = this.abs(name);
    try {
      const h = await this.open(path, 'r');
      try {
        const st = await this.call<{ size?: number }>((cb) => this.sftp.fstat(h, cb));
        const size = st.size ?? 0;
        if (size > maxBytes)
          throw new BackendError(`${this.location.display}: ${name} is larger than ${maxBytes} bytes`);
        const buf = Buffer.allocUnsafeSlow(size);
        const n = await this.readInto(h, buf, 0);
        if (n !== size) throw new BackendError(`${this.location.display}: ${name} changed while being read`);
        return buf;
      } finally {
        await this.closeHandle(h).catch(() => undefined);
      }
    } catch (e) {
      if (e instanceof BackendError) throw e;
      throw ioError(this.location, 'read', name, e);
    }
  }

  async readRange(name: string, offset: number, length: number): Promise<Buffer> {
    try {
      const h = await this.open(this.abs(name), 'r');
      try {
        const buf = Buffer.allocUnsafeSlow(length);
        const n = await this.readInto(h, buf, offset);
        if (n !== length)
          throw new BackendError(`${this.location.display}: ${name} is shorter than expected`);
        return buf;
      } finally {
        await this.closeHandle(h).catch(() => undefined);
      }
    } catch (e) {
      if (e instanceof BackendError) throw e;
      throw ioError(this.location, 'read', name, e);
    }
  }

  async write(name: string, parts: readonly Uint8Array[]): Promise<void> {
    const final = this.abs(name);
    const tmp = posix.join(posix.dirname(final), `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    let h: Buffer | null = null;
    try {
      h = await this.open(tmp, 'wx');
      const pieces: { buf: Buffer; pos: number }[] = [];
      let pos = 0;
      for (const p of parts) {
        const b = Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
        for (let o = 0; o < b.length; o += PIECE) {
          pieces.push({ buf: b.subarray(o, Math.min(b.length, o + PIECE)), pos: pos + o });
        }
        pos += b.length;
      }
      let next = 0;
      const handle = h;
      const worker = async () => {
        while (next < pieces.length) {
          const pc = pieces[next++]!;
          await this.call<undefined>((cb) =>
            this.sftp.write(handle, pc.buf, 0, pc.buf.length, pc.pos, (e) => cb(e, undefined)),
          );
        }
      };
      await Promise.all(Array.from({ length: Math.min(WINDOW, pieces.length) }, worker));
      await this.call<undefined>((cb) => this.sftp.ext_openssh_fsync(handle, (e) => cb(e, undefined))).catch(
        (e: Error) => {
          if (!/not supported/i.test(e.message)) throw e;
        },
      );
      await this.closeHandle(handle);
      h = null;
      await this.call<undefined>((cb) => this.sftp.ext_openssh_rename(tmp, final, (e) => cb(e, undefined)));
    } catch (e) {
      if (h) await this.closeHandle(h).catch(() => undefined);
      if (!this.dead)
        await this.call<undefined>((cb) => this.sftp.unlink(tmp, (er) => cb(er, undefined))).catch(
          () => undefined,
        );
      if (e instanceof BackendError) throw e;
      throw ioError(this.location, 'write', name, e);
    }
  }

  async exists(name: string): Promise<boolean> {
    try {
      await this.call((cb) => this.sftp.stat(this.abs(name), cb));
      return true;
    } catch (e) {
      if ((e as { code?: unknown }).code === NO_SUCH_FILE) return false;
      throw ioError(this.location, 'stat', name, e);
    }
  }

  private async readdir(
    rel: string,
  ): Promise<{ filename: string; attrs: { size?: number; mode?: number } }[] | null> {
    try {
      return await this.call((cb) => this.sftp.readdir(this.abs(rel), cb));
    } catch (e) {
      if ((e as { code?: unknown }).code === NO_SUCH_FILE) return null;
      throw ioError(this.location, 'list', rel, e);
    }
  }

  async list(dir: RepoDir): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    const isDir = (m?: number) => m !== undefined && (m & 0o170000) === 0o040000;
    const top = await this.readdir(dir);
    if (!top) return out;
    for (const e of top) {
      if (e.filename.startsWith(TEMP_PREFIX) || e.filename === '.' || e.filename === '..') continue;
      const rel = `${dir}/${e.filename}`;
      if (isDir(e.attrs.mode) && dir === 'data') {
        for (const f of (await this.readdir(rel)) ?? []) {
          if (
            f.filename.startsWith(TEMP_PREFIX) ||
            isDir(f.attrs.mode) ||
            f.filename === '.' ||
            f.filename === '..'
          )
            continue;
          out.push({ name: `${rel}/${f.filename}`, size: f.attrs.size ?? 0 });
        }
      } else if (!isDir(e.attrs.mode)) out.push({ name: rel, size: e.attrs.size ?? 0 });
    }
    return out;
  }

  async listTemp(): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    const dirs = ['', ...REPO_DIRS.filter((d) => d !== 'data')];
    for (const e of (await this.readdir('data')) ?? [])
      if (!e.filename.startsWith('.')) dirs.push(`data/${e.filename}`);
    dirs.push('data');
    for (const d of dirs) {
      for (const e of (await this.readdir(d || '.')) ?? []) {
        if (e.filename.startsWith(TEMP_PREFIX))
          out.push({ name: d ? `${d}/${e.filename}` : e.filename, size: e.attrs.size ?? 0 });
      }
    }
    return out;
  }

  async remove(name: string): Promise<void> {
    try {
      await this.call<undefined>((cb) => this.sftp.unlink(this.abs(name), (e) => cb(e, undefined)));
    } catch (e) {
      if ((e as { code?: unknown }).code !== NO_SUCH_FILE) throw ioError(this.location, 'remove', name, e);
    }
  }

  private async mkdir(path: string): Promise<void> {
    try {
      await this.call<undefined>((cb) => this.sftp.mkdir(path, { mode: 0o700 }, (e) => cb(e, undefined)));
    } catch (e) {
      const exists = await this.call((cb) => this.sftp.stat(path, cb)).then(
        () => true,
        () => false,
      );
      if (!exists) throw e;
    }
  }

  async mkdirs(): Promise<void> {
    try {
      const segs = this.root.split('/').filter(Boolean);
      let p = this.root.startsWith('/') ? '' : '.';
      for (const s of segs) {
        p = `${p}/${s}`;
        await this.mkdir(p);
      }
      for (const d of REPO_DIRS) await this.mkdir(posix.join(this.root, d));
      await Promise.all(
        Array.from({ length: 256 }, (_, i) =>
          this.mkdir(posix.join(this.root, 'data', i.toString(16).padStart(2, '0'))),
        ),
      );
    } catch (e) {
      throw ioError(this.location, 'create', this.root, e);
    }
  }

  async close(): Promise<void> {
    this.client.end();
  }
}

export async function openSftpBackend(
  raw: string,
  opts: { signal?: AbortSignal } = {},
): Promise<SftpBackend> {
  const url = parseSftpUrl(raw);
  const keyFile = url.keyFile ?? defaultKey();
  const password = process.env.CIVIGUARD_SFTP_PASSWORD;
  let privateKey: Buffer | undefined;
  if (keyFile) {
    try {
      privateKey = readFileSync(keyFile);
    } catch (e) {
      throw new CiviguardError('E_USAGE', `SFTP key ${keyFile}: ${describeError(e)}`);
    }
    const parsed = utils.parseKey(privateKey);
    if (parsed instanceof Error)
      throw new CiviguardError('E_USAGE', `SFTP key ${keyFile}: ${parsed.message}`);
  }
  if (!privateKey && !password) {
    throw new CiviguardError(
      'E_USAGE',
      `${url.display}: no SSH key (key=FILE, $CIVIGUARD_SFTP_KEY, ~/.ssh/id_*) and no $CIVIGUARD_SFTP_PASSWORD`,
    );
  }
  let known = '';
  try {
    known = readFileSync(url.knownHosts, 'utf8');
  } catch {
    // no known_hosts: only `fingerprint=` can vouch for the host
  }
  const loc: BackendLocation = {
    kind: 'sftp',
    host: url.host,
    port: url.port,
    path: url.path,
    display: url.display,
  };
  const client = new Client();
  let rejectedKey: string | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', (e) => reject(e));
    opts.signal?.addEventListener('abort', () => reject(new CiviguardError('E_ABORTED', 'interrupted')), {
      once: true,
    });
  });
  client.connect({
    host: url.host,
    port: url.port,
    username: url.user,
    ...(privateKey ? { privateKey } : {}),
    ...(password ? { password } : {}),
    readyTimeout: 20_000,
    keepaliveInterval: 10_000,
    keepaliveCountMax: 3,
    hostVerifier: (key: Buffer) => {
      const fp = fingerprint(key);
      if (url.fingerprint) {
        if (fp === url.fingerprint) return true;
      } else if (knownHostsMatch(known, url.host, url.port, key)) return true;
      rejectedKey = fp;
      return false;
    },
  });
  try {
    await ready;
  } catch (e) {
    client.end();
    if (rejectedKey) {
      throw new BackendError(
        `${url.display}: the server's host key ${rejectedKey} is not trusted: add it to ${url.knownHosts} or put ?fingerprint=${rejectedKey} in the URL after checking it`,
      );
    }
    throw new BackendError(`${url.display}: cannot connect: ${describeError(e)}`, { cause: e });
  }
  const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
    client.sftp((e, s) => (e ? reject(e) : resolve(s))),
  );
  return new SftpBackend(client, sftp, url.path, loc);
}
