import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2';
import { buildTarget } from '../../audit/build-target.js';
import { runChecks } from '../../core/runner.js';
import { phpUnserialize } from '../../probes/local/php-serialize.js';
import type { MariaDb } from '../../test-support/servers/mariadb.js';
import { mariadbMissing, startMariaDb } from '../../test-support/servers/mariadb.js';
import type { SiteFixture } from '../../test-support/sites/index.js';
import { buildSite } from '../../test-support/sites/index.js';
import debug from './debug.js';
import enableSsl from './enable-ssl.js';
import verifySsl from './verify-ssl.js';

/** civicrm_setting as CiviCRM creates it (the columns the checks read). */
const SCHEMA = `
CREATE TABLE civicrm_setting (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name varchar(255) NOT NULL,
  value text NULL,
  domain_id int unsigned NULL,
  contact_id int unsigned NULL,
  is_domain tinyint NOT NULL DEFAULT 0,
  component_id int unsigned NULL,
  created_date datetime NULL,
  created_id int unsigned NULL,
  UNIQUE KEY index_domain_contact_name (domain_id, contact_id, name)
) ENGINE=InnoDB;`;

type Rows = Record<string, string | null>;

describe('config.debug / config.verify-ssl / config.enable-ssl against a real MariaDB civicrm_setting', () => {
  const missing = mariadbMissing();
  let db: MariaDb;
  const sites: SiteFixture[] = [];
  let n = 0;
  before(async () => {
    if (missing) return;
    db = await startMariaDb();
  });
  after(async () => {
    await db?.stop();
    sites.forEach((s) => s.remove());
  });

  /** A fresh database with these serialized rows for domain 1 (and a decoy for domain 2). */
  async function civicrmDb(rows: Rows): Promise<string> {
    const name = `civicrm_${++n}`;
    await db.query(`CREATE DATABASE ${name}`);
    await db.query(SCHEMA, name);
    for (const [k, v] of Object.entries(rows)) {
      await db.query(
        `INSERT INTO civicrm_setting (name, value, domain_id, is_domain) VALUES (${mysql.escape(k)}, ${v === null ? 'NULL' : mysql.escape(v)}, 1, 1)`,
        name,
      );
    }
    await db.query(
      `INSERT INTO civicrm_setting (name, value, domain_id, is_domain) VALUES ('debug_enabled', 'i:1;', 2, 1), ('verifySSL', 'b:0;', 2, 1)`,
      name,
    );
    return db.dsn(name);
  }

  const cases: { name: string; rows: Rows; expect: string[] }[] = [
    {
      name: 'no rows at all: defaults (debug off, verifySSL on, enableSSL off)',
      rows: {},
      expect: ['config.debug.debug_enabled:pass', 'config.debug.backtrace:pass', 'config.verify-ssl:pass'],
    },
    {
      name: 'debug and backtrace on in Production, verifySSL off',
      rows: { debug_enabled: 's:1:"1";', backtrace: 'i:1;', verifySSL: 's:1:"0";' },
      expect: ['config.debug.debug_enabled:fail', 'config.debug.backtrace:fail', 'config.verify-ssl:fail'],
    },
    {
      name: 'debug on in a Development environment is fine',
      rows: { debug_enabled: 'b:1;', environment: 's:11:"Development";', verifySSL: 'b:1;' },
      expect: ['config.debug.debug_enabled:pass', 'config.debug.backtrace:pass', 'config.verify-ssl:pass'],
    },
    {
      name: 'a corrupt serialized value is an error, not a guess',
      rows: { verifySSL: 'O:8:"stdClass":0:{}' },
      expect: ['config.debug.debug_enabled:pass', 'config.debug.backtrace:pass', 'config.verify-ssl:error'],
    },
  ];
  for (const c of cases) {
    it(c.name, async (t) => {
      if (missing) return t.skip(missing);
      const dsn = await civicrmDb(c.rows);
      const target = buildTarget({ url: 'https://site.test/', db: dsn });
      const out = await runChecks(target, [debug, verifySsl]);
      assert.deepEqual(
        out.results.map((r) => `${r.id ?? r.check}:${r.status}`),
        c.expect,
        JSON.stringify(out.results, null, 1),
      );
      assert.ok(!JSON.stringify(out.results).includes(db.password), 'the DSN password never appears');
    });
  }

  it('--use-site-db takes CIVICRM_DSN from civicrm.settings.php; a settings-file override wins over the row', async (t) => {
    if (missing) return t.skip(missing);
    const dsn = await civicrmDb({ debug_enabled: 'i:0;', verifySSL: 'i:0;', enableSSL: 'i:1;' });
    const fx = buildSite('backdrop', {
      dsn,
      settingsExtra: "$civicrm_setting['domain']['debug_enabled'] = 1;",
    });
    sites.push(fx);
    const target = buildTarget({
      url: 'https://site.test/',
      root: fx.root,
      useSiteDb: true,
      resolve: ['site.test:443:127.0.0.1', 'site.test:80:127.0.0.1'],
    });
    const out = await runChecks(target, [debug, verifySsl, enableSsl]);
    const got = Object.fromEntries(out.results.map((r) => [r.id ?? r.check, r]));
    assert.equal(got['config.debug.debug_enabled']!.status, 'fail');
    assert.match(got['config.debug.debug_enabled']!.message, /\$civicrm_setting/);
    assert.equal(got['config.verify-ssl']!.status, 'fail');
    assert.equal(got['config.enable-ssl']!.status, 'pass');
    assert.ok(!JSON.stringify(out.results).includes(db.password));
  });

  it('without --db or --use-site-db: skip with the reason (never pass)', async () => {
    const out = await runChecks(buildTarget({ url: 'https://site.test/' }), [debug, verifySsl]);
    for (const r of out.results) {
      assert.equal(r.status, 'skip');
      assert.match(r.message, /--db/);
    }
  });

  it('a DSN that refuses: error with the redacted DSN', async (t) => {
    if (missing) return t.skip(missing);
    const bad = db.dsn('civicrm_1').replace(db.password, 'wrong-password-123');
    const out = await runChecks(buildTarget({ url: 'https://site.test/', db: bad }), [verifySsl]);
    assert.equal(out.results[0]!.status, 'error');
    assert.match(out.results[0]!.message, /Access denied/);
    assert.ok(!out.results[0]!.message.includes('wrong-password-123'));
  });
});

describe('PHP unserialize (civicrm_setting values)', () => {
  it('scalars, arrays, refusals', () => {
    assert.equal(phpUnserialize('i:1;'), 1);
    assert.equal(phpUnserialize('b:0;'), false);
    assert.equal(phpUnserialize('s:10:"Production";'), 'Production');
    assert.equal(phpUnserialize('s:4:"Zoë";'), 'Zoë');
    assert.equal(phpUnserialize('N;'), null);
    assert.deepEqual(phpUnserialize('a:2:{i:0;s:1:"a";i:1;b:1;}'), ['a', true]);
    assert.deepEqual(phpUnserialize('a:1:{s:1:"k";d:0.5;}'), { k: 0.5 });
    assert.throws(() => phpUnserialize('O:8:"stdClass":0:{}'), /unsupported type 'O'/);
    assert.throws(() => phpUnserialize('s:99:"short";'), /bad string length/);
    assert.throws(() => phpUnserialize('i:1;junk'), /trailing data/);
  });
});
