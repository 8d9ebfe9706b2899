/**
 * A repository in a local directory. Writes go to `<dir>/.tmp-<random>`, are fsynced, then renamed over
 * the final name, so a crash (or a full disk) never leaves a half-written repository file.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Backend, BackendLocation, FileInfo, RepoDir } from './backend.js';
import { BackendError, REPO_DIRS, TEMP_PREFIX, ioError } from './backend.js';

export class LocalBackend implements Backend {
  readonly location: BackendLocation;
  private readonly root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
    this.location = { kind: 'local', host: null, port: null, path: this.root, display: this.root };
  }

  private abs(name: string): string {
    if (name.includes('..') || name.startsWith('/')) throw new Error(`bad repository file name ${name}`);
    return join(this.root, name);
  }

  async read(name: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
    try {
      const fh = await fsp.open(this.abs(name), 'r');
      try {
        const { size } = await fh.stat();
        if (size > maxBytes)
          throw new BackendError(`${this.location.display}: ${name} is larger than ${maxBytes} bytes`);
        const buf = Buffer.allocUnsafeSlow(size);
        let off = 0;
        while (off < size) {
          const { bytesRead } = await fh.read(buf, off, size - off, off);
          if (bytesRead === 0) break;
          off += bytesRead;
        }
        return off === size ? buf : buf.subarray(0, off);
      } finally {
        await fh.close();
      }
    } catch (e) {
      if (e instanceof BackendError) throw e;
      throw ioError(this.location, 'read', name, e);
    }
  }

  async readRange(name: string, offset: number, length: number): Promise<Buffer> {
    try {
      const fh = await fsp.open(this.abs(name), 'r');
      try {
        const buf = Buffer.allocUnsafeSlow(length);
        let off = 0;
        while (off < length) {
          const { bytesRead } = await fh.read(buf, off, length - off, offset + off);
          if (bytesRead === 0)
            throw new BackendError(`${this.location.display}: ${name} is shorter than expected`);
          off += bytesRead;
        }
        return buf;
      } finally {
        await fh.close();
      }
    } catch (e) {
      if (e instanceof BackendError) throw e;
      throw ioError(this.location, 'read', name, e);
    }
  }

  async write(name: string, parts: readonly Uint8Array[], released?: () => void): Promise<void> {
    const final = this.abs(name);
    const tmp = join(dirname(final), `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    let fh: fsp.FileHandle | undefined;
    try {
      fh = await fsp.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      let pending = [...parts];
      while (pending.length) {
        const batch = pending.slice(0, 512);
        const total = batch.reduce((n, p) => n + p.length, 0);
        const { bytesWritten } = await fh.writev(batch as Uint8Array[]);
        if (bytesWritten === total) pending = pending.slice(batch.length);
        else {
          // short write: drop what was written and go on from there
          let left = bytesWritten;
          const rest: Uint8Array[] = [];
          for (const p of pending) {
            if (left >= p.length) left -= p.length;
            else {
              rest.push(left > 0 ? p.subarray(left) : p);
              left = 0;
            }
          }
          pending = rest;
        }
      }
      // the bytes are in the page cache: the caller may reuse its buffers while they reach the disk
      released?.();
      await fh.sync();
      await fh.close();
      fh = undefined;
      await fsp.rename(tmp, final);
    } catch (e) {
      await fh?.close().catch(() => undefined);
      await fsp.unlink(tmp).catch(() => undefined);
      throw ioError(this.location, 'write', name, e);
    }
  }

  stageDir(): string {
    return join(this.root, 'data');
  }

  async adopt(tmp: string, name: string): Promise<void> {
    const final = this.abs(name);
    try {
      const fh = await fsp.open(tmp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, final);
    } catch (e) {
      await fsp.unlink(tmp).catch(() => undefined);
      throw ioError(this.location, 'write', name, e);
    }
  }

  async exists(name: string): Promise<boolean> {
    try {
      await fsp.access(this.abs(name));
      return true;
    } catch {
      return false;
    }
  }

  async list(dir: RepoDir): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    const walk = async (rel: string, depth: number) => {
      let entries;
      try {
        entries = await fsp.readdir(join(this.root, rel), { withFileTypes: true });
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT' && depth === 0) return;
        throw ioError(this.location, 'list', rel, e);
      }
      for (const ent of entries) {
        if (ent.name.startsWith(TEMP_PREFIX)) continue;
        const r = `${rel}/${ent.name}`;
        if (ent.isDirectory() && depth === 0 && dir === 'data') await walk(r, 1);
        else if (ent.isFile()) {
          const st = await fsp.stat(join(this.root, r)).catch(() => null);
          if (st) out.push({ name: r, size: st.size });
        }
      }
    };
    await walk(dir, 0);
    return out;
  }

  async listTemp(): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    const dirs: string[] = ['', ...REPO_DIRS];
    const data = await fsp.readdir(join(this.root, 'data')).catch(() => [] as string[]);
    for (const d of data) if (!d.startsWith(TEMP_PREFIX)) dirs.push(`data/${d}`);
    for (const d of dirs) {
      const names = await fsp.readdir(join(this.root, d)).catch(() => [] as string[]);
      for (const n of names) {
        if (!n.startsWith(TEMP_PREFIX)) continue;
        const rel = d ? `${d}/${n}` : n;
        const st = await fsp.stat(join(this.root, rel)).catch(() => null);
        if (st) out.push({ name: rel, size: st.size });
      }
    }
    return out;
  }

  async remove(name: string): Promise<void> {
    try {
      await fsp.unlink(this.abs(name));
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw ioError(this.location, 'remove', name, e);
    }
  }

  async mkdirs(): Promise<void> {
    try {
      await fsp.mkdir(this.root, { recursive: true, mode: 0o700 });
      for (const d of REPO_DIRS) await fsp.mkdir(join(this.root, d), { recursive: true, mode: 0o700 });
      for (let i = 0; i < 256; i++) {
        await fsp.mkdir(join(this.root, 'data', i.toString(16).padStart(2, '0')), {
          recursive: true,
          mode: 0o700,
        });
      }
    } catch (e) {
      throw ioError(this.location, 'create', this.root, e);
    }
  }

  async close(): Promise<void> {}
}
