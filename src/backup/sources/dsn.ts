/**
 * MariaDB/MySQL DSNs as CiviCRM writes them: mysql://user:pass@host[:port]/db[?socket=/path], also
 * mysqli:// and the PEAR form with a socket host `unix(/path/to.sock)`.
 */
import { CiviguardError } from '../../core/errors.js';
import { redactDsn } from '../../core/redact.js';

export interface Dsn {
  user: string;
  password: string;
  host: string;
  port: number;
  socket: string | null;
  database: string;
}

export function parseDsn(raw: string, flag = '--db'): Dsn {
  let s = raw.trim();
  let socket: string | null = null;
  const pear = /@unix\(([^)]+)\)/.exec(s);
  if (pear) {
    socket = pear[1]!;
    s = s.replace(pear[0], '@localhost');
  }
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new CiviguardError(
      'E_USAGE',
      `${flag} '${redactDsn(raw)}' is not a DSN (mysql://user:pass@host:port/db)`,
    );
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mysqli:' && u.protocol !== 'mariadb:') {
    throw new CiviguardError('E_USAGE', `${flag} '${redactDsn(raw)}' must start with mysql://`);
  }
  socket ??= u.searchParams.get('socket');
  const port = u.port ? Number(u.port) : 3306;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new CiviguardError('E_USAGE', `${flag}: bad port`);
  return {
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    host: u.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port,
    socket,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
  };
}

export function withDatabase(dsn: Dsn, database: string): Dsn {
  return { ...dsn, database };
}

/** Command-line connection options for mariadb / mariadb-dump (the password goes in MYSQL_PWD). */
export function clientArgs(dsn: Dsn): string[] {
  const args = ['--no-defaults', `--user=${dsn.user}`];
  if (dsn.socket) args.push(`--socket=${dsn.socket}`);
  else args.push(`--host=${dsn.host}`, `--port=${dsn.port}`, '--protocol=TCP');
  return args;
}

export function clientEnv(dsn: Dsn): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  if (dsn.password) env.MYSQL_PWD = dsn.password;
  return env;
}

/**
 * True when two DSNs may name the same database on the same server. Conservative: two local
 * connections (socket, localhost, loopback) with the same database name count as the same unless both
 * are TCP on different ports.
 */
export function sameDatabase(
  a: { host: string; port: number; socket?: string | null | undefined; database: string },
  b: Dsn,
): boolean {
  if (a.database !== b.database) return false;
  const loopback = (h: string) => ['localhost', '127.0.0.1', '::1'].includes(h);
  const isLocal = (d: { host: string; socket?: string | null | undefined }) => !!d.socket || loopback(d.host);
  if (isLocal(a) && isLocal(b)) return a.socket || b.socket ? true : a.port === b.port;
  return a.host === b.host && a.port === b.port;
}
