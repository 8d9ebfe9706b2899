/**
 * Repository locks: `locks/<random>` files. `run`, `check`, `copy` and `restore` take shared locks; `forget`
 * and `prune` an exclusive one. A lock is stale — and only then removed by someone else — when it was
 * taken on this host by a process that no longer exists (pid gone, or pid reused by a process that
 * started later), or when its holder has not refreshed it for 30 minutes (holders refresh every 5).
 * Nothing ever removes a live lock: there is no blind unlock.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { CiviguardError } from '../core/errors.js';
import type { Backend } from './backends/backend.js';
import { BackendError } from './backends/backend.js';
import { LIMITS, decodeSelfChecked, encodeSelfChecked } from './format.js';

export const REFRESH_MS = 5 * 60_000;
export const STALE_MS = 30 * 60_000;

export interface LockInfo {
  v: 1;
  host: string;
  pid: number;
  /** Process start time in clock ticks since boot (Linux /proc), to detect pid reuse. */
  start: number | null;
  time: string;
  refreshed: string;
  exclusive: boolean;
  command: string;
}

/** Start time of a process (field 22 of /proc/<pid>/stat), or null when unknown. */
export function processStart(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(fields[19]);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Why a lock is stale, or null when it must be respected. */
export function staleReason(lock: LockInfo, now = Date.now(), host = hostname()): string | null {
  const age = now - Date.parse(lock.refreshed);
  if (age > STALE_MS) return `not refreshed for ${Math.round(age / 60_000)} min`;
  if (lock.host === host) {
    if (!pidAlive(lock.pid)) return `process ${lock.pid} on this host is gone`;
    const start = processStart(lock.pid);
    if (lock.start !== null && start !== null && start !== lock.start)
      return `process ${lock.pid} on this host is a different process now`;
  }
  return null;
}

export interface LockOptions {
  exclusive: boolean;
  command: string;
  /** Told about stale locks that were removed. */
  note?: (message: string) => void;
}

export class RepoLock {
  private readonly backend: Backend;
  private readonly name: string;
  private info: LockInfo;
  private timer: NodeJS.Timeout | null = null;
  private released = false;
  private refreshing: Promise<void> = Promise.resolve();

  private constructor(backend: Backend, name: string, info: LockInfo) {
    this.backend = backend;
    this.name = name;
    this.info = info;
  }

  static async acquire(backend: Backend, opts: LockOptions): Promise<RepoLock> {
    const now = new Date().toISOString();
    const info: LockInfo = {
      v: 1,
      host: hostname(),
      pid: process.pid,
      start: processStart(process.pid),
      time: now,
      refreshed: now,
      exclusive: opts.exclusive,
      command: opts.command,
    };
    const name = `locks/${randomBytes(16).toString('hex')}`;
    await backend.write(name, [encodeSelfChecked(info)]);
    const lock = new RepoLock(backend, name, info);
    try {
      const conflicts = await lock.conflicts(opts);
      if (conflicts.length) {
        await backend.remove(name);
        const c = conflicts[0]!;
        throw new CiviguardError(
          'E_BACKUP_LOCKED',
          `${backend.location.display} is locked${c.info ? ` (${c.info.exclusive ? 'exclusively ' : ''}by \`${c.info.command}\`, pid ${c.info.pid} on ${c.info.host}, since ${c.info.time})` : ` by ${c.name}, which cannot be read`}; try again when it is done`,
        );
      }
    } catch (e) {
      await backend.remove(name).catch(() => undefined);
      throw e;
    }
    lock.timer = setInterval(() => {
      lock.refreshing = lock.refresh();
    }, REFRESH_MS);
    lock.timer.unref();
    return lock;
  }

  /** Other live locks that conflict with ours; stale ones are removed on the way. */
  private async conflicts(opts: LockOptions): Promise<{ name: string; info: LockInfo | null }[]> {
    const out: { name: string; info: LockInfo | null }[] = [];
    for (const f of await this.backend.list('locks')) {
      if (f.name === this.name) continue;
      let info: LockInfo | null = null;
      try {
        info = decodeSelfChecked(await this.backend.read(f.name, LIMITS.lockBytes), f.name) as LockInfo;
      } catch (e) {
        if (e instanceof BackendError && e.missing) continue; // released meanwhile
        out.push({ name: f.name, info: null });
        continue;
      }
      const stale = staleReason(info);
      if (stale) {
        await this.backend.remove(f.name);
        opts.note?.(
          `removed stale lock ${f.name} (${info.command}, pid ${info.pid} on ${info.host}: ${stale})`,
        );
        continue;
      }
      if (opts.exclusive || info.exclusive) out.push({ name: f.name, info });
    }
    return out;
  }

  private async refresh(): Promise<void> {
    if (this.released) return;
    this.info = { ...this.info, refreshed: new Date().toISOString() };
    await this.backend.write(this.name, [encodeSelfChecked(this.info)]).catch(() => undefined);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
    await this.backend.remove(this.name).catch(() => undefined);
  }
}

/** For `backup unlock`: removes stale locks only and lists the live ones. */
export async function removeStaleLocks(backend: Backend): Promise<{ removed: string[]; live: LockInfo[] }> {
  const removed: string[] = [];
  const live: LockInfo[] = [];
  for (const f of await backend.list('locks')) {
    let info: LockInfo;
    try {
      info = decodeSelfChecked(await backend.read(f.name, LIMITS.lockBytes), f.name) as LockInfo;
    } catch {
      continue;
    }
    const why = staleReason(info);
    if (why) {
      await backend.remove(f.name);
      removed.push(`${f.name}: ${why}`);
    } else live.push(info);
  }
  return { removed, live };
}
