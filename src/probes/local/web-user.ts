import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FactUnavailable, defineProbe } from '../../core/probe.js';

/**
 * Who serves the site and who runs PHP (SPEC §3 fs.*): the PHP-FPM pool user and Apache's user write
 * files (PHP runs as them); nginx workers only read. Found from running processes (/proc), else from
 * the PHP-FPM pool and Apache envvars config, or given with --web-user.
 */

export type ServerName = 'nginx' | 'apache' | 'php-fpm' | 'lighttpd' | 'caddy';

export interface UnixUser {
  name: string;
  uid: number;
  /** Primary and supplementary groups. */
  gids: number[];
}

export interface Account extends UnixUser {
  /** Where this came from: `--web-user`, `process php-fpm (pid 123)`, `/etc/php/8.2/fpm/pool.d/www.conf`. */
  source: string;
}

export interface WebServerFacts {
  /** Web servers seen running (or configured, when none runs). */
  servers: ServerName[];
  /** Users PHP code runs as: they can write what the checks call writable. */
  phpUsers: Account[];
  /** Users that only read (nginx workers). */
  readers: Account[];
  /** How the users were found: 'override' | 'processes' | 'config'. */
  method: 'override' | 'processes' | 'config';
  notes: string[];
}

export interface UserDb {
  byName: Map<string, { uid: number; gid: number }>;
  byUid: Map<number, string>;
  /** group id → member names (supplementary). */
  members: Map<number, string[]>;
  groupByName: Map<string, number>;
}

export function readUserDb(etc = '/etc'): UserDb {
  const db: UserDb = { byName: new Map(), byUid: new Map(), members: new Map(), groupByName: new Map() };
  const read = (f: string) => {
    try {
      return readFileSync(join(etc, f), 'utf8').slice(0, 4 * 1024 * 1024);
    } catch {
      return '';
    }
  };
  for (const line of read('passwd').split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (!name || uid === undefined || gid === undefined) continue;
    db.byName.set(name, { uid: Number(uid), gid: Number(gid) });
    if (!db.byUid.has(Number(uid))) db.byUid.set(Number(uid), name);
  }
  for (const line of read('group').split('\n')) {
    const [name, , gid, members] = line.split(':');
    if (!name || gid === undefined) continue;
    db.groupByName.set(name, Number(gid));
    db.members.set(Number(gid), (members ?? '').split(',').filter(Boolean));
  }
  return db;
}

export function accountFor(db: UserDb, name: string, source: string): Account | null {
  const u = /^\d+$/.test(name) ? { uid: Number(name), gid: Number(name) } : db.byName.get(name);
  if (!u) return null;
  const gids = new Set([u.gid]);
  const uname = db.byUid.get(u.uid) ?? name;
  for (const [gid, members] of db.members) if (members.includes(uname)) gids.add(gid);
  return { name: uname, uid: u.uid, gids: [...gids], source };
}

export interface ProcInfo {
  pid: number;
  name: string;
  uid: number;
  gids: number[];
  cmdline: string;
}

function readProcs(proc = '/proc'): ProcInfo[] {
  const out: ProcInfo[] = [];
  let pids: string[] = [];
  try {
    pids = readdirSync(proc).filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids.slice(0, 100_000)) {
    try {
      const status = readFileSync(join(proc, pid, 'status'), 'utf8');
      const name = /^Name:\s*(.+)$/m.exec(status)?.[1]?.trim() ?? '';
      if (!/^(nginx|apache2|httpd|php-fpm|php\d|lighttpd|caddy)/.test(name)) continue;
      const uid = Number(/^Uid:\s*\d+\s+(\d+)/m.exec(status)?.[1] ?? -1); // effective uid
      const gid = Number(/^Gid:\s*\d+\s+(\d+)/m.exec(status)?.[1] ?? -1);
      const groups = (/^Groups:\s*(.*)$/m.exec(status)?.[1] ?? '').split(/\s+/).filter(Boolean).map(Number);
      let cmdline = '';
      try {
        cmdline = readFileSync(join(proc, pid, 'cmdline'), 'utf8')
          .replace(/\0/g, ' ')
          .trim();
      } catch {
        /* gone */
      }
      out.push({ pid: Number(pid), name, uid, gids: [...new Set([gid, ...groups])], cmdline });
    } catch {
      /* process ended */
    }
  }
  return out;
}

function serverOf(p: ProcInfo): ServerName | null {
  if (p.name.startsWith('nginx')) return 'nginx';
  if (p.name.startsWith('apache2') || p.name.startsWith('httpd')) return 'apache';
  if (p.name.startsWith('php-fpm') || p.name.startsWith('php')) return 'php-fpm';
  if (p.name.startsWith('lighttpd')) return 'lighttpd';
  if (p.name.startsWith('caddy')) return 'caddy';
  return null;
}

function dedupe(list: Account[]): Account[] {
  const seen = new Map<number, Account>();
  for (const a of list) if (!seen.has(a.uid)) seen.set(a.uid, a);
  return [...seen.values()];
}

/** From running processes: workers (not the root master) of each server. */
export function fromProcesses(
  db: UserDb,
  procs = readProcs(),
): Omit<WebServerFacts, 'method' | 'notes'> | null {
  const servers = new Set<ServerName>();
  const php: Account[] = [];
  const readers: Account[] = [];
  for (const p of procs) {
    const s = serverOf(p);
    if (!s) continue;
    servers.add(s);
    if (p.uid === 0) continue; // masters run as root and do not serve requests
    const a: Account = {
      name: db.byUid.get(p.uid) ?? String(p.uid),
      uid: p.uid,
      gids: p.gids,
      source: `process ${p.name} (pid ${p.pid})`,
    };
    if (s === 'nginx') readers.push(a);
    else if (s === 'php-fpm' || s === 'apache' || s === 'lighttpd') php.push(a);
  }
  if (servers.size === 0) return null;
  return { servers: [...servers], phpUsers: dedupe(php), readers: dedupe(readers) };
}

/** From config when nothing runs: PHP-FPM pools' `user =`, Apache's APACHE_RUN_USER, nginx's `user`. */
export function fromConfig(db: UserDb, etc = '/etc'): Omit<WebServerFacts, 'method' | 'notes'> | null {
  const servers = new Set<ServerName>();
  const php: Account[] = [];
  const readers: Account[] = [];
  const tryRead = (f: string) => {
    try {
      return readFileSync(f, 'utf8').slice(0, 1024 * 1024);
    } catch {
      return null;
    }
  };
  const ls = (d: string) => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  };
  for (const ver of ls(join(etc, 'php'))) {
    const poolDir = join(etc, 'php', ver, 'fpm', 'pool.d');
    for (const f of ls(poolDir).filter((x) => x.endsWith('.conf'))) {
      const text = tryRead(join(poolDir, f));
      const user = text && /^\s*user\s*=\s*([^\s;]+)/m.exec(text)?.[1];
      if (!user) continue;
      servers.add('php-fpm');
      const a = accountFor(db, user.replace(/^\$pool$/, f.replace(/\.conf$/, '')), join(poolDir, f));
      if (a) {
        const group = text && /^\s*group\s*=\s*([^\s;]+)/m.exec(text)?.[1];
        const g = group ? db.groupByName.get(group) : undefined;
        if (g !== undefined && !a.gids.includes(g)) a.gids.push(g);
        php.push(a);
      }
    }
  }
  const envvars = tryRead(join(etc, 'apache2', 'envvars'));
  if (envvars) {
    const name = /^\s*(?:export\s+)?APACHE_RUN_USER=["']?([\w.-]+)/m.exec(envvars)?.[1];
    if (name) {
      servers.add('apache');
      const a = accountFor(db, name, join(etc, 'apache2', 'envvars'));
      if (a) php.push(a);
    }
  }
  const nginx = tryRead(join(etc, 'nginx', 'nginx.conf'));
  if (nginx) {
    servers.add('nginx');
    const name = /^\s*user\s+([\w.-]+)/m.exec(nginx)?.[1] ?? 'nobody';
    const a = accountFor(db, name, join(etc, 'nginx', 'nginx.conf'));
    if (a) readers.push(a);
  }
  if (servers.size === 0) return null;
  return { servers: [...servers], phpUsers: dedupe(php), readers: dedupe(readers) };
}

export const webServerProbe = defineProbe<WebServerFacts>({
  name: 'web server and PHP users',
  async run(ctx) {
    if (!ctx.target.root)
      throw new FactUnavailable('skip', 'local check: needs --root DIR (run civiguard on the server)');
    const db = readUserDb();
    const notes: string[] = [];
    const running = fromProcesses(db);
    if (ctx.target.webUser) {
      const a = accountFor(db, ctx.target.webUser, '--web-user');
      if (!a)
        throw new FactUnavailable('error', `--web-user ${ctx.target.webUser}: no such user in /etc/passwd`);
      return {
        servers: running?.servers ?? [],
        phpUsers: [a],
        readers: running?.readers ?? [],
        method: 'override',
        notes,
      };
    }
    if (running && running.phpUsers.length) return { ...running, method: 'processes', notes };
    const configured = fromConfig(db);
    if (running)
      notes.push(
        `running: ${running.servers.join(', ')}, but no PHP worker process found; PHP users taken from config`,
      );
    if (configured && configured.phpUsers.length) {
      return {
        servers: running?.servers.length ? running.servers : configured.servers,
        phpUsers: configured.phpUsers,
        readers: running?.readers.length ? running.readers : configured.readers,
        method: 'config',
        notes,
      };
    }
    throw new FactUnavailable(
      'skip',
      'cannot tell which user PHP runs as: no PHP-FPM/Apache process or config found; give --web-user USER',
    );
  },
});

/** Whether `user` may write an entry with these mode bits and owner (ACLs and capabilities aside). */
export function canWrite(user: UnixUser, mode: number, uid: number, gid: number): boolean {
  if (user.uid === 0) return true;
  if (uid === user.uid) return (mode & 0o200) !== 0;
  if (user.gids.includes(gid)) return (mode & 0o020) !== 0;
  return (mode & 0o002) !== 0;
}

export function canRead(user: UnixUser, mode: number, uid: number, gid: number): boolean {
  if (user.uid === 0) return true;
  if (uid === user.uid) return (mode & 0o400) !== 0;
  if (user.gids.includes(gid)) return (mode & 0o040) !== 0;
  return (mode & 0o004) !== 0;
}
