/**
 * `drill`: proves a snapshot's dumps restore. Never touches the live database: each dump goes into a
 * fresh scratch database with a random name on the server of `--scratch-db`, whose row counts per
 * table are compared with the counts recorded in the dump stream at backup time; then a few CiviCRM
 * sanity queries (a domain row, triggers and routines present, CiviCRM's stored function answers),
 * and the scratch database is dropped whatever happened. The result is recorded in the repository
 * (`drills/`), where the audit's `backup.restorable` reads it.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import mysql from 'mysql2/promise';
import { CiviguardError, describeError } from '../core/errors.js';
import type { DrillRecord } from './format.js';
import type { Repository, SnapshotEntry } from './repository.js';
import { Repository as Repo } from './repository.js';
import type { Dsn } from './sources/dsn.js';
import { restoreDumpInto } from './restore.js';
import { readTree, splitSources } from './restore.js';

type Conn = mysql.Connection;

async function connect(dsn: Dsn): Promise<Conn> {
  try {
    return await mysql.createConnection({
      ...(dsn.socket ? { socketPath: dsn.socket } : { host: dsn.host, port: dsn.port }),
      user: dsn.user,
      password: dsn.password,
      connectTimeout: 10_000,
    });
  } catch (e) {
    throw new CiviguardError(
      'E_DB',
      `--scratch-db: cannot connect to ${dsn.socket ?? `${dsn.host}:${dsn.port}`}: ${describeError(e)}`,
    );
  }
}

const q = (name: string) => `\`${name.replace(/`/g, '``')}\``;

export async function drillSnapshot(
  repo: Repository,
  snap: SnapshotEntry,
  scratch: Dsn,
  opts: { note?: (m: string) => void } = {},
): Promise<DrillRecord> {
  const t0 = performance.now();
  const sealed = await repo.openSealed(snap);
  const dumps = sealed.sources.map((s, i) => ({ s, i })).filter((x) => x.s.kind === 'mariadb');
  const record: DrillRecord = {
    v: 1,
    time: new Date().toISOString(),
    host: hostname(),
    snapshot: snap.id,
    snapshotTime: snap.catalogue.time,
    ok: false,
    durationMs: 0,
    databases: [],
  };
  if (!dumps.length)
    throw new CiviguardError('E_USAGE', `snapshot ${snap.id.slice(0, 12)} has no database dump to drill`);
  const index = await repo.loadIndex();
  const bySource = splitSources(await readTree(repo, index, sealed));
  const conn = await connect(scratch);
  try {
    for (const { s, i } of dumps) {
      const node = (bySource.get(i) ?? []).find((n) => n.t === 'sql');
      if (!node || node.t !== 'sql')
        throw new CiviguardError('E_BACKUP_CORRUPT', `snapshot has no dump data for ${s.label}`);
      const name = `civiguard_drill_${randomBytes(6).toString('hex')}`;
      if (s.db && name === s.db.name) throw new Error('unreachable: scratch name equals the live name');
      const entry: DrillRecord['databases'][number] = {
        source: s.label,
        scratch: name,
        tables: 0,
        rowsExpected: 0,
        rowsFound: 0,
        mismatches: [],
        sanity: [],
      };
      record.databases.push(entry);
      await conn.query(`CREATE DATABASE ${q(name)} CHARACTER SET utf8mb4`);
      try {
        opts.note?.(`restoring ${s.label} into scratch database ${name}`);
        await restoreDumpInto(repo, index, node.c, { ...scratch, database: name });
        const expected = s.rows ?? {};
        const [tables] = (await conn.query(
          `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
          [name],
        )) as unknown as [{ t: string }[]];
        const present = new Set(tables.map((r) => r.t));
        entry.tables = present.size;
        for (const [table, want] of Object.entries(expected)) {
          entry.rowsExpected += want;
          if (!present.has(table)) {
            entry.mismatches.push({ table, expected: want, found: null });
            continue;
          }
          const [rows] = (await conn.query(
            `SELECT COUNT(*) AS n FROM ${q(name)}.${q(table)}`,
          )) as unknown as [{ n: number }[]];
          const found = Number(rows[0]?.n ?? -1);
          entry.rowsFound += found;
          if (found !== want) entry.mismatches.push({ table, expected: want, found });
        }
        for (const t of present)
          if (!(t in expected)) entry.mismatches.push({ table: t, expected: 0, found: null });
        // sanity
        const sanity = entry.sanity;
        const [trg] = (await conn.query(
          `SELECT COUNT(*) AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?`,
          [name],
        )) as unknown as [{ n: number }[]];
        sanity.push({
          name: 'triggers',
          ok: Number(trg[0]?.n) === (s.triggers ?? 0),
          detail: `${trg[0]?.n} restored, ${s.triggers ?? 0} in the dump`,
        });
        const [rtn] = (await conn.query(
          `SELECT COUNT(*) AS n FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?`,
          [name],
        )) as unknown as [{ n: number }[]];
        sanity.push({
          name: 'routines',
          ok: Number(rtn[0]?.n) === (s.routines ?? 0),
          detail: `${rtn[0]?.n} restored, ${s.routines ?? 0} in the dump`,
        });
        if (present.has('civicrm_domain')) {
          const [d] = (await conn.query(
            `SELECT COUNT(*) AS n FROM ${q(name)}.civicrm_domain`,
          )) as unknown as [{ n: number }[]];
          sanity.push({
            name: 'civicrm_domain',
            ok: Number(d[0]?.n) > 0,
            detail: `${d[0]?.n} domain row(s)`,
          });
        }
        if (present.has('civicrm_contact')) {
          const [c] = (await conn.query(
            `SELECT COUNT(*) AS n, MAX(id) AS m FROM ${q(name)}.civicrm_contact`,
          )) as unknown as [{ n: number; m: number | null }[]];
          sanity.push({
            name: 'civicrm_contact',
            ok: Number(c[0]?.n) > 0 || expected.civicrm_contact === 0,
            detail: `${c[0]?.n} contacts, highest id ${c[0]?.m}`,
          });
        }
        const [fn] = (await conn.query(
          `SELECT COUNT(*) AS n FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_NAME = 'civicrm_strip_non_numeric'`,
          [name],
        )) as unknown as [{ n: number }[]];
        if (Number(fn[0]?.n) > 0) {
          const [r] = (await conn.query(
            `SELECT ${q(name)}.civicrm_strip_non_numeric('+1 (555) 0100-42') AS v`,
          )) as unknown as [{ v: string }[]];
          sanity.push({
            name: 'civicrm_strip_non_numeric',
            ok: r[0]?.v === '1555010042',
            detail: `returned ${JSON.stringify(r[0]?.v)}`,
          });
        }
      } catch (e) {
        record.error = `${s.label}: ${describeError(e)}`;
      } finally {
        await conn.query(`DROP DATABASE IF EXISTS ${q(name)}`).catch((e: unknown) => {
          opts.note?.(`warning: cannot drop scratch database ${name}: ${describeError(e)}`);
        });
      }
      if (record.error) break;
    }
  } finally {
    await conn.end().catch(() => undefined);
  }
  record.ok =
    !record.error && record.databases.every((d) => d.mismatches.length === 0 && d.sanity.every((x) => x.ok));
  record.durationMs = Math.round(performance.now() - t0);
  return record;
}

/** Stores a drill record in every given replica. */
export async function recordDrill(repos: Repository[], rec: DrillRecord): Promise<string> {
  const { name, data } = Repo.encodeRecord('drills', rec);
  for (const r of repos) await r.backend.write(name, [data]);
  return name;
}
