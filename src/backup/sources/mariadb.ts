/**
 * The database source: one `mariadb-dump` per database (never `--databases`, so a dump carries no
 * `CREATE DATABASE`/`USE` of the live name), streamed into the chunker as it is produced — never a
 * temp file. The dump fails the snapshot when mariadb-dump exits non-zero, when the stream lacks the
 * end marker (truncated), or when it carries statements a per-database dump must not contain.
 *
 * ARCHIVE tables (CiviCRM's `log_civicrm_*`): `--single-transaction` gives a consistent snapshot of the
 * InnoDB tables only. ARCHIVE tables are append-only (INSERT and SELECT, no UPDATE/DELETE), so reading
 * them without a lock can only add log rows written while the dump ran, never lose or tear rows; the
 * drill compares their counts with the counts seen in the stream, not with the live table.
 *
 * Restore goes through the `mariadb` client (dumps contain client commands such as `DELIMITER`), with
 * `DEFINER=` clauses rewritten to `DEFINER=CURRENT_USER` so that triggers, routines and views belong to
 * the restoring account.
 */
import { spawn } from 'node:child_process';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { CiviguardError } from '../../core/errors.js';
import { redactString } from '../../core/redact.js';
import type { Dsn } from './dsn.js';
import { clientArgs, clientEnv } from './dsn.js';
import type { DumpScan } from './sql-scan.js';
import { SqlScanner } from './sql-scan.js';

/** The client programs (overridable for packaging and for the failure tests). */
const dumpBin = () => process.env.CIVIGUARD_MARIADB_DUMP ?? 'mariadb-dump';
const clientBin = () => process.env.CIVIGUARD_MARIADB_CLIENT ?? 'mariadb';

export const DUMP_OPTIONS = [
  '--single-transaction',
  '--quick',
  '--routines',
  '--triggers',
  '--events',
  '--hex-blob',
  '--default-character-set=utf8mb4',
  '--no-tablespaces',
  '--skip-dump-date',
];

export class DumpFailed extends CiviguardError {
  constructor(message: string) {
    super('E_DB', message);
  }
}

/**
 * Runs mariadb-dump and hands its stdout to `onData` block by block (awaiting it: backpressure).
 * Resolves with the scan once the dump is proven complete; rejects with DumpFailed otherwise.
 */
export async function streamDump(
  dsn: Dsn,
  onData: (block: Buffer) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<DumpScan & { exitCode: number }> {
  if (!dsn.database) throw new CiviguardError('E_USAGE', '--db: the DSN names no database');
  const args = [...clientArgs(dsn), ...DUMP_OPTIONS, '--', dsn.database];
  const child = spawn(dumpBin(), args, { env: clientEnv(dsn), stdio: ['ignore', 'pipe', 'pipe'] });
  const onAbort = () => child.kill('SIGTERM');
  signal?.addEventListener('abort', onAbort, { once: true });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; sig: NodeJS.Signals | null; err?: Error }>((resolve) => {
    child.once('error', (err) => resolve({ code: null, sig: null, err }));
    child.once('close', (code, sig) => resolve({ code, sig }));
  });
  const scanner = new SqlScanner();
  try {
    for await (const block of child.stdout as AsyncIterable<Buffer>) {
      scanner.push(block);
      await onData(block);
    }
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const { code, sig, err } = await exited;
  const where = `${dsn.database}@${dsn.socket ?? `${dsn.host}:${dsn.port}`}`;
  const why = redactString(stderr.trim().split('\n').slice(-2).join(' / '));
  if (err) throw new DumpFailed(`cannot run ${dumpBin()}: ${err.message}`);
  if (code !== 0) {
    throw new DumpFailed(
      `mariadb-dump of ${where} failed (${sig ? `killed by ${sig}` : `exit ${code}`})${why ? `: ${why}` : ''}`,
    );
  }
  const scan = scanner.result();
  if (!scan.endMarker)
    throw new DumpFailed(`dump of ${where} is truncated: no '-- Dump completed' end marker`);
  if (scan.forbidden.length)
    throw new DumpFailed(
      `dump of ${where} carries statements a per-database dump must not: ${scan.forbidden.join('; ')}`,
    );
  return { ...scan, exitCode: 0 };
}

const DEFINER =
  /DEFINER\s*=\s*(?:`(?:[^`]|``)*`|'(?:[^'\\]|\\.)*'|[\w.%-]+)@(?:`(?:[^`]|``)*`|'(?:[^'\\]|\\.)*'|[\w.%:-]+)/g;

/** Rewrites `DEFINER=user@host` to `DEFINER=CURRENT_USER`, line by line; data lines pass untouched. */
export class DefinerRewriter extends Transform {
  private rest = '';
  rewritten = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const text = this.rest + chunk.toString('latin1');
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      this.rest = text;
      cb();
      return;
    }
    this.rest = text.slice(cut + 1);
    cb(null, Buffer.from(this.rewrite(text.slice(0, cut + 1)), 'latin1'));
  }

  override _flush(cb: TransformCallback): void {
    cb(null, Buffer.from(this.rewrite(this.rest), 'latin1'));
  }

  private rewrite(block: string): string {
    if (!block.includes('DEFINER')) return block;
    return block
      .split('\n')
      .map((line) => {
        if (line.startsWith('INSERT INTO ') || !line.includes('DEFINER')) return line;
        return line.replace(DEFINER, () => {
          this.rewritten++;
          return 'DEFINER=CURRENT_USER';
        });
      })
      .join('\n');
  }
}

/** Feeds a dump into `mariadb <db>`; resolves when the client exited 0, else throws with its stderr. */
export async function restoreDump(
  dsn: Dsn,
  feed: (write: (data: Buffer) => Promise<void>) => Promise<void>,
): Promise<{ definers: number }> {
  const child = spawn(
    clientBin(),
    [...clientArgs(dsn), '--default-character-set=utf8mb4', '--binary-mode', '--', dsn.database],
    {
      env: clientEnv(dsn),
      stdio: ['pipe', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; err?: Error }>((resolve) => {
    child.once('error', (err) => resolve({ code: null, err }));
    child.once('close', (code) => resolve({ code }));
  });
  let gone = false;
  void exited.then(() => (gone = true));
  const rewriter = new DefinerRewriter();
  rewriter.pipe(child.stdin);
  child.stdin.on('error', () => undefined); // EPIPE when the client dies: reported from its exit below
  const write = async (data: Buffer) => {
    if (gone) throw new Error('the mariadb client exited early');
    if (!rewriter.write(data)) {
      await Promise.race([new Promise<void>((r) => rewriter.once('drain', () => r())), exited]);
      if (gone) throw new Error('the mariadb client exited early');
    }
  };
  let feedError: unknown = null;
  try {
    await feed(write);
    rewriter.end();
  } catch (e) {
    feedError = e;
    rewriter.destroy();
    child.kill('SIGKILL');
  }
  const { code, err } = await exited;
  if (err) throw new CiviguardError('E_DB', `cannot run ${clientBin()}: ${err.message}`);
  if (feedError && code === null) throw feedError; // we killed it
  if (code !== 0) {
    throw new CiviguardError(
      'E_DB',
      `restoring into ${dsn.database} failed (exit ${code}): ${redactString(stderr.trim().split('\n').slice(0, 2).join(' / '))}`,
    );
  }
  if (feedError) throw feedError;
  return { definers: rewriter.rewritten };
}
