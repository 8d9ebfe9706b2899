import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSettingsConstants } from './settings.js';
import { parseDsn, sameDatabase } from './dsn.js';

describe('civicrm.settings.php constants (static read)', () => {
  const php = `<?php
// define('CIVICRM_DSN', 'mysql://commented:out@x/y');
define( 'CIVICRM_DSN', 'mysql://civi:p%40ss@localhost:3307/civicrm?new_link=true' );
define("CIVICRM_UF_DSN", "mysql://drupal:pw@localhost/drupal?new_link=true");
define('CIVICRM_SITE_KEY', 'abc\\'def');
define('CIVICRM_CRED_KEYS', getenv('CRED_KEYS'));
# define('CIVICRM_SIGN_KEYS', 'x');
`;
  const c = readSettingsConstants(php);
  it('reads literal defines and ignores commented ones', () => {
    assert.equal(c.values.CIVICRM_DSN, 'mysql://civi:p%40ss@localhost:3307/civicrm?new_link=true');
    assert.equal(c.values.CIVICRM_UF_DSN, 'mysql://drupal:pw@localhost/drupal?new_link=true');
    assert.equal(c.values.CIVICRM_SITE_KEY, "abc'def");
    assert.equal('CIVICRM_SIGN_KEYS' in c.values, false);
  });
  it('reports runtime values as dynamic instead of guessing', () => {
    assert.deepEqual(c.dynamic, ['CIVICRM_CRED_KEYS']);
  });
});

describe('DSNs', () => {
  const cases: { dsn: string; expect: Partial<ReturnType<typeof parseDsn>> }[] = [
    {
      dsn: 'mysql://civi:p%40ss@localhost:3307/civicrm?new_link=true',
      expect: {
        user: 'civi',
        password: 'p@ss',
        host: 'localhost',
        port: 3307,
        database: 'civicrm',
        socket: null,
      },
    },
    {
      dsn: 'mysql://u:p@unix(/run/mysqld/mysqld.sock)/civicrm',
      expect: { socket: '/run/mysqld/mysqld.sock', database: 'civicrm' },
    },
    {
      dsn: 'mysqli://u:p@db.example.org/civi?socket=/tmp/s',
      expect: { host: 'db.example.org', port: 3306, socket: '/tmp/s' },
    },
  ];
  for (const c of cases) {
    it(`parses ${c.dsn}`, () => {
      const d = parseDsn(c.dsn);
      for (const [k, v] of Object.entries(c.expect)) assert.equal(d[k as keyof typeof d], v, k);
    });
  }
  it('rejects other schemes', () => assert.throws(() => parseDsn('postgres://x/y'), /mysql:\/\//));
  it('tells the live database from another one', () => {
    const live = { host: '127.0.0.1', port: 3306, database: 'civicrm' };
    assert.equal(sameDatabase(live, parseDsn('mysql://a:b@localhost:3306/civicrm')), true);
    assert.equal(sameDatabase(live, parseDsn('mysql://a:b@localhost:3306/civicrm_restore')), false);
    assert.equal(sameDatabase(live, parseDsn('mysql://a:b@localhost:3307/civicrm')), false);
    assert.equal(sameDatabase(live, parseDsn('mysql://a:b@unix(/run/mysqld/mysqld.sock)/civicrm')), true);
  });
});
