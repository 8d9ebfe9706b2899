import type { RowDataPacket } from 'mysql2';
import { describeError } from '../../core/errors.js';
import type { CardBrand } from './pan.js';
import type { PanForm } from './pan-scanner.js';
import { findPans } from './pan-scanner.js';
import type { ReadOnlyDb } from './db.js';

/**
 * Scans the text columns of CiviCRM's tables (`civicrm_*`) for card numbers. The server narrows rows
 * first with a REGEXP that any PAN form matches (12 digits in 4-4-2-2 with optional separators), and
 * only those rows come over the wire, cells cut at `maxCellBytes`, at most `maxRowsPerTable` per table;
 * each cell is then judged by the same scanner as files.
 */

export interface DbHit {
  table: string;
  column: string;
  /** Primary key value (single-column keys), else null. */
  rowId: string | null;
  masked: string;
  brand: CardBrand;
  test: boolean;
  form: PanForm;
}

export interface DbScanReport {
  database: string;
  tablesScanned: number;
  columnsScanned: number;
  rowsExamined: number;
  hitCount: number;
  testHitCount: number;
  hits: DbHit[];
  /** Tables not fully read (statement time limit, row cap, errors), with the reason. */
  incomplete: { table: string; reason: string }[];
  durationMs: number;
}

export interface DbScanOptions {
  signal?: AbortSignal;
  maxRowsPerTable?: number;
  maxCellBytes?: number;
  maxHits?: number;
  /** Table name pattern (LIKE), default `civicrm\_%`. */
  tableLike?: string;
}

const TEXT_TYPES = ['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext'];
const PREFILTER = '[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{2}[ -]?[0-9]{2}';

interface ColumnRow extends RowDataPacket {
  t: string;
  c: string;
}

export async function scanDatabase(db: ReadOnlyDb, opts: DbScanOptions = {}): Promise<DbScanReport> {
  const t0 = performance.now();
  const maxRows = opts.maxRowsPerTable ?? 20_000;
  const maxCell = opts.maxCellBytes ?? 1 << 20;
  const maxHits = opts.maxHits ?? 200;
  const report: DbScanReport = {
    database: db.parts.database,
    tablesScanned: 0,
    columnsScanned: 0,
    rowsExamined: 0,
    hitCount: 0,
    testHitCount: 0,
    hits: [],
    incomplete: [],
    durationMs: 0,
  };
  const cols = await db.query<ColumnRow>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE ? AND DATA_TYPE IN (?)
        AND (CHARACTER_MAXIMUM_LENGTH IS NULL OR CHARACTER_MAXIMUM_LENGTH >= 13)
      ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [opts.tableLike ?? 'civicrm\\_%', TEXT_TYPES],
  );
  const pks = await db.query<ColumnRow>(
    `SELECT TABLE_NAME AS t, MIN(COLUMN_NAME) AS c, COUNT(*) AS n FROM information_schema.KEY_COLUMN_USAGE
      WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'PRIMARY' GROUP BY TABLE_NAME HAVING n = 1`,
  );
  const pkOf = new Map(pks.map((r) => [r.t, r.c]));
  const byTable = new Map<string, string[]>();
  for (const r of cols) byTable.set(r.t, [...(byTable.get(r.t) ?? []), r.c]);

  for (const [table, columns] of byTable) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const pk = pkOf.get(table) ?? null;
    const id = (s: string) => db.raw.escapeId(s);
    const select = [
      pk ? `${id(pk)} AS \`__pk\`` : 'NULL AS `__pk`',
      ...columns.map((c, i) => `LEFT(${id(c)}, ${maxCell}) AS \`c${i}\``),
    ].join(', ');
    const where = columns.map((c) => `${id(c)} REGEXP '${PREFILTER}'`).join(' OR ');
    const sql = `SELECT ${select} FROM ${id(table)} WHERE ${where} LIMIT ${maxRows + 1}`;
    let rows = 0;
    try {
      await db.each(sql, (row) => {
        if (++rows > maxRows) return true; // counted below; the LIMIT ends the stream
        report.rowsExamined++;
        for (let i = 0; i < columns.length; i++) {
          const v: unknown = row[`c${i}`];
          if (typeof v !== 'string' && !Buffer.isBuffer(v)) continue;
          for (const h of findPans(v)) {
            report.hitCount++;
            if (h.test) report.testHitCount++;
            const pkv: unknown = row['__pk'];
            const hit: DbHit = {
              table,
              column: columns[i]!,
              rowId: pkv === null || pkv === undefined ? null : String(pkv as string | number),
              masked: h.masked,
              brand: h.brand,
              test: h.test,
              form: h.form,
            };
            if (report.hits.length < maxHits) report.hits.push(hit);
            else if (!h.test) {
              // Keep real card numbers over published test numbers when the list is full.
              const k = report.hits.findIndex((x) => x.test);
              if (k >= 0) report.hits[k] = hit;
            }
          }
        }
        return true;
      });
      report.tablesScanned++;
      report.columnsScanned += columns.length;
      if (rows > maxRows) {
        report.incomplete.push({
          table,
          reason: `more than ${maxRows} rows with long digit runs; first ${maxRows} read`,
        });
      }
    } catch (e) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      report.incomplete.push({ table, reason: describeError(e) });
    }
  }
  report.durationMs = performance.now() - t0;
  return report;
}
