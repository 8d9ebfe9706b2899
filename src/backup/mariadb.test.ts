import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CiviguardError } from '../core/errors.js';
import type { MariaDb } from '../test-support/servers/mariadb.js';
import { mariadbMissing, startMariaDb } from '../test-support/servers/mariadb.js';
import { LocalBackend } from './backends/local.js';
import { drillSnapshot, recordDrill } from './drill.js';
import type { DrillRecord } from './format.js';
import { Repository } from './repository.js';
import { restoreSnapshot } from './restore.js';
import { runBackup } from './run.js';
import type { SourceSpec } from './run.js';
import { parseDsn } from './sources/dsn.js';
import { loadCivicrmFixture } from './testing/civicrm-fixture.js';
import { newIdentity, tempDir } from './testing/fixtures.js';
import { WorkerPool } from './worker/pool.js';

const missing = mariadbMissing();

describe('backup: MariaDB dumps (Debian mariadbd, CiviCRM-shaped schema)', { skip: missing ?? false }, () => {
  const tmp = tempDir();
  const repoDir = join(tmp.path, 'repo');
  let db: MariaDb;
  let id: { identity: string; recipient: string };
  let pool: WorkerPool;
  let snapshotId = '';

  before(async () => {
    db = await startMariaDb();
    await loadCivicrmFixture(db.query, 'civicrm', 60);
    id = await newIdentity();
    pool = new WorkerPool(2);
    await Repository.init(new LocalBackend(repoDir), { recipients: [id.recipient] });
  });
  after(async () => {
    await pool?.close();
    await db?.stop();
    tmp.cleanup();
  });

  const run = (sources: SourceSpec[]) =>
    runBackup({
      dests: [{ backend: new LocalBackend(repoDir), required: true }],
      sources,
      unlock: {},
      cacheDir: null,
    });
  const readRepo = () => Repository.open(new LocalBackend(repoDir), { identities: [id.identity] });

  it('dumps the database streamed, recording the dump status and row counts', async () => {
    const r = await run([{ kind: 'mariadb', dsn: parseDsn(db.dsn('civicrm')) }]);
    assert.equal(r.ok, true);
    snapshotId = r.snapshot!;
    const src = r.catalogue!.sources[0]!;
    assert.equal(src.kind, 'mariadb');
    assert.equal(src.dumpExit, 0);
    assert.equal(src.endMarker, true);
    const repo = await readRepo();
    const sealed = await repo.openSealed(await repo.findSnapshot(snapshotId));
    const detail = sealed.sources[0]!;
    assert.equal(detail.label, 'civicrm');
    assert.deepEqual(detail.rows, {
      civicrm_cache: 0,
      civicrm_contact: 60,
      civicrm_contribution: 30,
      civicrm_domain: 1,
      civicrm_email: 60,
      civicrm_phone: 60,
      log_civicrm_contact: 60,
    });
    assert.equal(detail.triggers, 1);
    assert.equal(detail.routines, 1);
  });

  it('restores the dump into a database the user names, with definers rewritten', async () => {
    await db.query('CREATE DATABASE civicrm_restored');
    const repo = await readRepo();
    const res = await restoreSnapshot(repo, await repo.findSnapshot(snapshotId), {
      target: null,
      databases: new Map([['*', parseDsn(db.dsn('civicrm_restored'))]]),
      force: false,
      pool,
    });
    assert.equal(res.dumps[0]!.into, 'civicrm_restored');
    const [c] = await db.query<{ n: number }>(
      'SELECT COUNT(*) AS n FROM civicrm_contact',
      'civicrm_restored',
    );
    assert.equal(Number(c!.n), 60);
    const [names] = await db.query<{ a: string; b: string }>(
      'SELECT (SELECT display_name FROM civicrm_restored.civicrm_contact WHERE id = 1) AS a, (SELECT display_name FROM civicrm.civicrm_contact WHERE id = 1) AS b',
    );
    assert.equal(names!.a, names!.b, 'tricky strings survive the round trip');
    const [blob] = await db.query<{ h: string }>(
      'SELECT HEX(invoice) AS h FROM civicrm_contribution WHERE id = 1',
      'civicrm_restored',
    );
    assert.equal(blob!.h, '00FF27225C3B28290A');
    const [trg] = await db.query<{ d: string }>(
      "SELECT DEFINER AS d FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'civicrm_restored'",
    );
    assert.equal(trg!.d, `${db.user}@%`, 'DEFINER rewritten to the restoring account');
    const [fn] = await db.query<{ v: string }>(
      "SELECT civicrm_restored.civicrm_strip_non_numeric('+1 (555) 01') AS v",
    );
    assert.equal(fn!.v, '155501');
  });

  it('refuses to restore into the live database unless forced', async () => {
    const repo = await readRepo();
    await assert.rejects(
      restoreSnapshot(repo, await repo.findSnapshot(snapshotId), {
        target: null,
        databases: new Map([['civicrm', parseDsn(db.dsn('civicrm'))]]),
        force: false,
        pool,
      }),
      (e) => e instanceof CiviguardError && e.code === 'E_USAGE' && /live database/.test(e.message),
    );
  });

  it('drills into a scratch database, compares row counts, runs sanity queries and drops it', async () => {
    const repo = await readRepo();
    const rec = await drillSnapshot(repo, await repo.findSnapshot(snapshotId), parseDsn(db.dsn('')));
    assert.equal(rec.ok, true, JSON.stringify(rec));
    const d = rec.databases[0]!;
    assert.equal(d.rowsExpected, 271);
    assert.equal(d.rowsFound, 271);
    assert.deepEqual(d.mismatches, []);
    assert.deepEqual(
      d.sanity.map((s) => `${s.name}:${s.ok}`),
      [
        'triggers:true',
        'routines:true',
        'civicrm_domain:true',
        'civicrm_contact:true',
        'civicrm_strip_non_numeric:true',
      ],
    );
    const left = await db.query(
      "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'civiguard_drill_%'",
    );
    assert.deepEqual(left, [], 'scratch database dropped');
    await recordDrill([repo], rec);
    const recs = await (
      await Repository.open(new LocalBackend(repoDir), {})
    ).listRecords<DrillRecord>('drills');
    assert.equal(recs.length, 1);
    assert.equal(recs[0]!.rec.ok, true);
  });

  it('a drill that cannot restore (no TRIGGER privilege) fails, says why, and still drops the scratch database', async () => {
    await db.query(
      "CREATE USER 'limited'@'%' IDENTIFIED BY 'pw'; GRANT SELECT, INSERT, CREATE, DROP, ALTER, INDEX, CREATE ROUTINE, ALTER ROUTINE, CREATE VIEW, SHOW VIEW, LOCK TABLES, REFERENCES ON `civiguard\\_drill\\_%`.* TO 'limited'@'%';",
    );
    const repo = await readRepo();
    const rec = await drillSnapshot(
      repo,
      await repo.findSnapshot(snapshotId),
      parseDsn(`mysql://limited:pw@127.0.0.1:${db.port}/`),
    );
    assert.equal(rec.ok, false);
    assert.match(rec.error ?? '', /TRIGGER|denied/i);
    const left = await db.query(
      "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'civiguard_drill_%'",
    );
    assert.deepEqual(left, []);
  });

  const failures: { name: string; script?: string; dsn?: () => string; expect: RegExp }[] = [
    {
      name: 'a wrong password (mariadb-dump exits non-zero)',
      dsn: () => `mysql://${db.user}:wrong@127.0.0.1:${db.port}/civicrm`,
      expect: /mariadb-dump of civicrm.* failed \(exit 2\).*Access denied/,
    },
    {
      name: 'a missing database',
      dsn: () => db.dsn('no_such_db'),
      expect: /failed \(exit 2\).*Unknown database/,
    },
    {
      name: 'a dump cut short (no end marker) even with exit status 0',
      script:
        '#!/bin/sh\nprintf -- "-- MariaDB dump\\nCREATE TABLE `t` (a int);\\nINSERT INTO `t` VALUES (1),(2"\nexit 0\n',
      expect: /truncated: no '-- Dump completed' end marker/,
    },
    {
      name: 'a dump that dies after producing output',
      script:
        '#!/bin/sh\nprintf -- "-- MariaDB dump\\nINSERT INTO `t` VALUES (1);\\n"\necho "mariadb-dump: Error 2013: Lost connection to server during query" >&2\nexit 2\n',
      expect: /exit 2.*Lost connection/,
    },
    {
      name: 'a dump carrying CREATE DATABASE / USE of the live name',
      script: '#!/bin/sh\nprintf -- "CREATE DATABASE `civicrm`;\\nUSE `civicrm`;\\n-- Dump completed\\n"\n',
      expect: /must not: CREATE DATABASE/,
    },
  ];
  for (const f of failures) {
    it(`fails the snapshot, recording nothing, on ${f.name}`, async () => {
      const before = (await new LocalBackend(repoDir).list('snapshots')).length;
      const prev = process.env.CIVIGUARD_MARIADB_DUMP;
      if (f.script) {
        const s = join(tmp.path, `fake-dump-${before}-${f.name.length}.sh`);
        writeFileSync(s, f.script);
        chmodSync(s, 0o755);
        process.env.CIVIGUARD_MARIADB_DUMP = s;
      }
      try {
        await assert.rejects(
          run([{ kind: 'mariadb', dsn: parseDsn(f.dsn ? f.dsn() : db.dsn('civicrm')) }]),
          (e) => e instanceof CiviguardError && e.code === 'E_DB' && f.expect.test(e.message),
        );
      } finally {
        if (prev === undefined) delete process.env.CIVIGUARD_MARIADB_DUMP;
        else process.env.CIVIGUARD_MARIADB_DUMP = prev;
      }
      assert.equal(
        (await new LocalBackend(repoDir).list('snapshots')).length,
        before,
        'no snapshot recorded',
      );
      assert.equal(readFileSync(join(repoDir, 'config')).length > 0, true);
    });
  }
});
