import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactDeep, redactDsn, redactString } from './redact.js';

describe('redaction', () => {
  const cases: [string, string, string][] = [
    ['DSN password', 'mysql://civi:s3cr3t@db.example.org/civicrm?new_link=true', 's3cr3t'],
    ['password=', 'connect failed: password=hunter2 user=x', 'hunter2'],
    ['site key', "define('CIVICRM_SITE_KEY', 'abcdef0123456789abcdef')", 'abcdef0123456789abcdef'],
    ['age secret', 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ', 'QQQQQQQQQQQQQQQQ'],
    ['PEM key', '-----BEGIN PRIVATE KEY-----\nMIIabc\n-----END PRIVATE KEY-----', 'MIIabc'],
  ];
  for (const [name, input, secret] of cases) {
    it(`hides ${name}`, () => assert.ok(!redactString(input).includes(secret), redactString(input)));
  }
  it('keeps the DSN usable for reading', () => {
    assert.equal(redactDsn('mysql://civi:s3cr3t@db:3306/civicrm'), 'mysql://civi:***@db:3306/civicrm');
  });
  it('redacts secret-named fields deeply but keeps ordinary ones', () => {
    const out = redactDeep({
      evidence: { password: 'pw1', keyType: 'RSA', dsn: 'mysql://u:pw2@h/d', list: ['token=pw3'] },
    });
    const s = JSON.stringify(out);
    for (const secret of ['pw1', 'pw2', 'pw3']) assert.ok(!s.includes(secret), s);
    assert.ok(s.includes('"keyType":"RSA"'));
  });
});
