// mysql2 is loaded on first use: only audits with a database need it.
import type { Connection, RowDataPacket } from 'mysql2';
import { CiviguardError, describeError } from '../../core/errors.js';
import type { ProbeContext } from '../../core/probe.js';
import { defineProbe, FactUnavailable } from '../../core/probe.js';
import { layoutProbe } from '../local/layout.js';
import { redactDsn } from '../../core/redact.js';

/**
 * CiviCRM's database, read-only: DSN parsing (PEAR DB style, as in CIVICRM_DSN) and one connection per
 * audit, in a READ ONLY transaction with a per-statement time limit. The password never leaves this file
 * (errors carry the redacted DSN).
 */

export interface DsnParts {
  user: string;
  password: string;
  /** Host name or address; null with a Unix socket. */
  host: string | null;
  port: number;
  socketPath: string | null;
  database: string;
}

/**
 * Parses `mysql://user:pass@host[:port]/db[?opts]` (also `mysqli://`, and PEAR's `unix(/path/to.sock)`
 * host form). Throws E_USAGE with the DSN redacted.
 */
export function parseDsn(dsn: string): DsnParts {
  const bad = (why: string) =>
    new CiviguardError('E_USAGE', `DSN ${redactDsn(dsn)} ${why} (expected mysql://USER:PASS@HOST[:PORT]/DB)`);
  const m =
    /^(mysqli?|mariadb):\/\/(?:([^:@/]*)(?::([^@]*))?@)?(unix\(([^)]+)\)|\[[0-9a-fA-F:]+\]|[^:/?]*)(?::(\d{1,5}))?\/([^?#]+)/.exec(
      dsn.trim(),
    );
  if (!m) throw bad('is not a MySQL/MariaDB DSN');
  const dec = (s: string | undefined) => {
    try {
      return decodeURIComponent(s ?? '');
    } catch {
      return s ?? '';
    }
  };
  const socketPath = m[5] ?? null;
  const host = socketPath ? null : m[4]!.replace(/^\[|\]$/g, '') || 'localhost';
  const port = m[6] ? Number(m[6]) : 3306;
  if (port < 1 || port > 65535) throw bad('has a bad port');
  return { user: dec(m[2]), password: dec(m[3]), host, port, socketPath, database: dec(m[7]) };
}

export interface ReadOnlyDb {
  /** Redacted DSN, for messages. */
  label: string;
  parts: Omit<DsnParts, 'password'>;
  query<T extends RowDataPacket = RowDataPacket>(sql: string, values?: unknown[]): Promise<T[]>;
  /** Streams rows of one query; the consumer may stop early by returning false. */
  each(sql: string, onRow: (row: RowDataPacket) => boolean | Promise<boolean>): Promise<void>;
  close(): Promise<void>;
  raw: Connection;
}

export interface ConnectOptions {
  signal?: AbortSignal;
  connectTimeoutMs?: number;
  /** Server-side limit for one statement (MariaDB max_statement_time / MySQL max_execution_time). */
  statementTimeoutMs?: number;
}

export async function connectReadOnly(dsn: string, opts: ConnectOptions = {}): Promise<ReadOnlyDb> {
  const p = parseDsn(dsn);
  const label = redactDsn(dsn);
  const { default: mysql } = await import('mysql2');
  const conn = mysql.createConnection({
    user: p.user,
    password: p.password,
    database: p.database,
    ...(p.socketPath ? { socketPath: p.socketPath } : { host: p.host ?? 'localhost', port: p.port }),
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    multipleStatements: false,
    charset: 'utf8mb4',
  });
  const onAbort = () => conn.destroy();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const run = <T>(sql: string, values?: unknown[]) =>
    new Promise<T[]>((resolve, reject) => {
      conn.query(sql, values ?? [], (err, rows) => (err ? reject(err) : resolve(rows as T[])));
    });
  try {
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    await run('SET SESSION TRANSACTION READ ONLY');
    await run('START TRANSACTION READ ONLY');
    const secs = Math.max(1, Math.round((opts.statementTimeoutMs ?? 60_000) / 1000));
    await run(`SET SESSION max_statement_time = ${secs}`).catch(() =>
      run(`SET SESSION max_execution_time = ${secs * 1000}`).catch(() => undefined),
    );
  } catch (e) {
    conn.destroy();
    opts.signal?.removeEventListener('abort', onAbort);
    throw new CiviguardError('E_DB', `${label}: ${describeError(e)}`, { cause: e });
  }
  const { password: _pw, ...parts } = p;
  void _pw;
  return {
    label,
    parts,
    raw: conn,
    query: (sql, values) => run(sql, values),
    each: (sql, onRow) =>
      new Promise<void>((resolve, reject) => {
        const stream = conn.query(sql).stream({ highWaterMark: 64 });
        let stopped = false;
        stream.on('error', (e) => (stopped ? resolve() : reject(e)));
        stream.on('end', () => resolve());
        stream.on('data', (row: RowDataPacket) => {
          stream.pause();
          Promise.resolve(onRow(row)).then(
            (go) => {
              if (go === false && !stopped) {
                stopped = true;
                // Dropping the rest of a result set needs the connection closed; callers stop last.
                stream.destroy();
                resolve();
              } else stream.resume();
            },
            (e: unknown) => {
              stopped = true;
              stream.destroy();
              reject(e instanceof Error ? e : new Error(String(e)));
            },
          );
        });
      }),
    close: async () => {
      opts.signal?.removeEventListener('abort', onAbort);
      await new Promise<void>((resolve) => {
        conn.end(() => resolve());
        setTimeout(() => {
          conn.destroy();
          resolve();
        }, 2000).unref();
      });
    },
  };
}

/**
 * The DSN the audit may use: `--db`, else the site's own CIVICRM_DSN when the user allowed it with
 * --use-site-db. Returns the DSN or why there is none.
 */
async function auditDsn(ctx: ProbeContext): Promise<{ dsn: string } | { why: string }> {
  if (ctx.target.db) return { dsn: ctx.target.db };
  if (!ctx.target.useSiteDb) return { why: 'no --db DSN given (or --use-site-db with --root)' };
  const layout = await ctx.outcome(layoutProbe);
  if (!layout.ok) return { why: `--use-site-db: site layout unavailable: ${layout.reason}` };
  const dsn = layout.value.settings?.dsn;
  if (dsn?.state === 'set') return { dsn: dsn.value };
  if (dsn?.state === 'unknown')
    return { why: `--use-site-db: CIVICRM_DSN cannot be read statically (${dsn.reason})` };
  return { why: '--use-site-db: no CIVICRM_DSN in civicrm.settings.php' };
}

/** One read-only connection to CiviCRM's database per audit, shared by the pci.* probes. */
export const civicrmDbProbe = defineProbe<ReadOnlyDb>({
  name: 'civicrm database (read-only)',
  async run(ctx) {
    const found = await auditDsn(ctx);
    if ('why' in found) throw new FactUnavailable('skip', found.why);
    try {
      return await connectReadOnly(found.dsn, {
        signal: ctx.signal,
        connectTimeoutMs: Math.min(ctx.target.timeoutMs, 15_000),
      });
    } catch (e) {
      if (e instanceof CiviguardError && e.code === 'E_USAGE') throw new FactUnavailable('error', e.message);
      throw new FactUnavailable('error', `cannot open the database: ${describeError(e)}`);
    }
  },
  async dispose(db) {
    await db.close();
  },
});
