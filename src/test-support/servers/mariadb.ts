/**
 * A throw-away MariaDB server for integration tests: Debian's `mariadbd`, initialised by
 * `mariadb-install-db` in a temp datadir, listening on 127.0.0.1 on an ephemeral port and on a unix
 * socket inside the datadir. Nothing of the system's MariaDB (config, datadir, service) is touched.
 *
 * API
 *   mariadbMissing(): string | null              — why the binaries are unavailable (tests t.skip(reason))
 *   startMariaDb(opts?): Promise<MariaDb>
 *     opts.user / opts.password                  — a TCP user with ALL PRIVILEGES (default civiguard / random)
 *   MariaDb {
 *     port, socket, datadir, user, password,
 *     dsn(db?)           — mysql://user:password@127.0.0.1:port/db  (what civiguard's --db takes)
 *     query(sql, db?)    — runs SQL as root over the socket (multiple statements allowed), returns rows
 *     stop()             — kills the server and removes the datadir
 *   }
 * Startup takes ~2 s. Run as root (as CI does) the server runs with --user=root.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';

export interface MariaDb {
  port: number;
  socket: string;
  datadir: string;
  user: string;
  password: string;
  dsn(db?: string): string;
  query<T = Record<string, unknown>>(sql: string, db?: string): Promise<T[]>;
  stop(): Promise<void>;
}

const BIN = { server: '/usr/sbin/mariadbd', install: '/usr/bin/mariadb-install-db' };

export function mariadbMissing(): string | null {
  for (const b of Object.values(BIN))
    if (!existsSync(b)) return `${b} is not installed (apt-get install mariadb-server)`;
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function startMariaDb(opts: { user?: string; password?: string } = {}): Promise<MariaDb> {
  const missing = mariadbMissing();
  if (missing) throw new Error(missing);
  const base = mkdtempSync(join(tmpdir(), 'civiguard-mariadb-'));
  const datadir = join(base, 'data');
  const socket = join(base, 'mysqld.sock');
  const osUser = userInfo().username;
  const init = spawnSync(
    BIN.install,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--user=${osUser}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (init.status !== 0) {
    rmSync(base, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed: ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const proc: ChildProcess = spawn(
    BIN.server,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--user=${osUser}`,
      `--pid-file=${join(base, 'mysqld.pid')}`,
      `--log-error=${join(base, 'error.log')}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=64M',
      '--innodb-log-file-size=32M',
      '--max-allowed-packet=64M',
      '--performance-schema=OFF',
      // CiviCRM's detailed logging tables use the ARCHIVE engine, a plugin in Debian's build
      ...(existsSync('/usr/lib/mysql/plugin/ha_archive.so') ? ['--plugin-load-add=ha_archive.so'] : []),
    ],
    { stdio: 'ignore' },
  );
  let exited = false;
  proc.on('exit', () => (exited = true));

  const rootConn = () =>
    mysql.createConnection({ socketPath: socket, user: 'root', multipleStatements: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      rmSync(base, { recursive: true, force: true });
      throw new Error('mariadbd exited during startup');
    }
    try {
      const c = await rootConn();
      await c.end();
      break;
    } catch {
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error('mariadbd did not start within 60 s');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const user = opts.user ?? 'civiguard';
  const password = opts.password ?? randomBytes(12).toString('hex');
  const query = async <T>(sql: string, db?: string): Promise<T[]> => {
    const c = await rootConn();
    try {
      if (db) await c.query(`USE \`${db.replace(/`/g, '``')}\``);
      const [rows] = await c.query(sql);
      return rows as T[];
    } finally {
      await c.end();
    }
  };
  await query(
    `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; GRANT ALL PRIVILEGES ON *.* TO '${user}'@'%' WITH GRANT OPTION;`,
  );
  return {
    port,
    socket,
    datadir,
    user,
    password,
    dsn: (db = '') => `mysql://${user}:${password}@127.0.0.1:${port}/${db}`,
    query,
    async stop() {
      if (!exited) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await done;
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}
