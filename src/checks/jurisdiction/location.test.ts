import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ProbeContext } from '../../core/probe.js';
import { runChecks } from '../../core/runner.js';
import type { AuditTarget } from '../../core/target.js';
import { addressScope, AsnTable, lookupCountry } from '../../probes/geo/ip-db.js';
import { locateDataHolders } from '../../probes/geo/locations.js';
import { buildTarget } from '../../audit/build-target.js';
import { judge, statuses } from '../../test-support/facts.js';
import location from './location.js';

/**
 * The real offline database from npm, with public IP literals and --resolve pins: file lookups only,
 * no DNS query and no packet leaves the machine.
 */
function target(extra: Partial<AuditTarget> & { backupRepos?: string[] } = {}, resolve: string[] = []) {
  return {
    ...buildTarget({ url: 'https://site.example/', resolve, timeoutMs: 5000 }),
    ...extra,
  } as AuditTarget;
}

const PINS = ['site.example:443:8.8.8.8', 'db.example:3306:5.9.0.1', 'backup.example:22:1.1.1.1'];

describe('offline IP data', () => {
  const cases: [string, string | null][] = [
    ['8.8.8.8', 'US'],
    ['5.9.0.1', 'DE'],
    ['193.0.6.139', 'NL'],
    ['2001:67c:2e8::2', 'NL'],
    ['::ffff:81.2.69.160', 'GB'],
  ];
  for (const [ip, cc] of cases) it(`${ip} → ${cc}`, () => assert.equal(lookupCountry(ip).country, cc));
  const scopes: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.1.1', 'private'],
    ['fd00::1', 'private'],
    ['fe80::1', 'link-local'],
    ['203.0.113.5', 'reserved'],
    ['8.8.8.8', 'public'],
    ['2a00:1450:4001:82b::200e', 'public'],
  ];
  for (const [ip, scope] of scopes) it(`${ip} is ${scope}`, () => assert.equal(addressScope(ip), scope));

  it('ASN table from CSV ranges (the @ip-location-db/asn format), quoted names, IPv4 and IPv6', () => {
    const dir = mkdtempSync(join(tmpdir(), 'civiguard-asn-'));
    try {
      writeFileSync(
        join(dir, 'asn-ipv4.csv'),
        [
          '1.1.1.0,1.1.1.255,13335,Cloudflare',
          '5.9.0.0,5.9.255.255,24940,"Hetzner Online GmbH, Gunzenhausen"',
          '8.8.8.0,8.8.8.255,15169,Google LLC',
        ].join('\n'),
      );
      writeFileSync(
        join(dir, 'asn-ipv6.csv'),
        '2001:67c:2e8::,2001:67c:2e8:ffff:ffff:ffff:ffff:ffff,3333,RIPE-NCC\n',
      );
      const t = new AsnTable(dir);
      assert.deepEqual(t.lookup('5.9.1.2'), { asn: 24940, org: 'Hetzner Online GmbH, Gunzenhausen' });
      assert.deepEqual(t.lookup('8.8.8.8'), { asn: 15169, org: 'Google LLC' });
      assert.equal(t.lookup('8.8.9.1'), null);
      assert.equal(t.lookup('0.0.0.1'), null);
      assert.deepEqual(t.lookup('2001:67c:2e8::2'), { asn: 3333, org: 'RIPE-NCC' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('jurisdiction.location', () => {
  it('site, database and backup hosts → countries; outside allowedCountries fails', async () => {
    const t = target(
      {
        db: 'mysql://civi:s3cret@db.example:3306/civicrm',
        backupRepos: ['sftp://backup@backup.example/srv/repo', 's3://bucket/civi', '/var/backups/civi'],
        policy: { allowedCountries: ['DE', 'US'], backupMaxAgeHours: 26, drillMaxAgeDays: 35 },
      },
      PINS,
    );
    const out = await runChecks(t, [location]);
    assert.deepEqual(statuses(out.results), [
      'jurisdiction.location.site:pass',
      'jurisdiction.location.database:pass',
      'jurisdiction.location.backup:fail',
      'jurisdiction.location.backup:skip',
      'jurisdiction.location.backup:skip',
    ]);
    const [site, db, backup, s3, local] = out.results;
    assert.match(site!.message, /https:\/\/site\.example \(site\.example\) → 8\.8\.8\.8: US/);
    assert.match(site!.message, /not always where the datacentre is/);
    assert.equal(site!.severity, 'info');
    assert.match(db!.message, /5\.9\.0\.1: DE/);
    assert.match(backup!.message, /1\.1\.1\.1: AU.*outside the allowed countries \(DE, US\)/);
    assert.equal(backup!.severity, 'error');
    assert.match(s3!.message, /region is not known offline/);
    assert.match(local!.message, /directory on this machine/);
    assert.ok(!JSON.stringify(out.results).includes('s3cret'));
  });

  it('no policy: every public address is reported (info), none fails', async () => {
    const out = await runChecks(target({}, ['site.example:443:2001:67c:2e8::2']), [location]);
    assert.deepEqual(statuses(out.results), ['jurisdiction.location.site:pass']);
    assert.match(out.results[0]!.message, /2001:67c:2e8::2: NL/);
  });

  it('loopback, private and socket addresses: skip with the reason', async () => {
    const t = target(
      {
        db: 'mysql://u:p@unix(/run/mysqld/mysqld.sock)/civicrm',
        policy: { allowedCountries: ['DE'], backupMaxAgeHours: 1, drillMaxAgeDays: 1 },
      },
      ['site.example:443:127.0.0.1'],
    );
    const out = await runChecks(t, [location]);
    assert.deepEqual(statuses(out.results), [
      'jurisdiction.location.site:skip',
      'jurisdiction.location.database:skip',
    ]);
    assert.match(out.results[0]!.message, /loopback address/);
    assert.match(out.results[1]!.message, /Unix socket/);
    const priv = await runChecks(target({}, ['site.example:443:10.20.30.40']), [location]);
    assert.match(priv.results[0]!.message, /private address/);
  });

  it('an unresolvable host is an error for that holder; the others still report', async () => {
    const t = target({ db: 'mysql://u:p@db.nowhere:3306/x' }, ['site.example:443:8.8.8.8']);
    const ctx = { target: t, signal: new AbortController().signal } as unknown as ProbeContext;
    const facts = await locateDataHolders(ctx, {
      resolve: (h) => Promise.reject(new Error(`getaddrinfo ENOTFOUND ${h}`)),
      asn: null,
    });
    const r = judge(location, { loc: facts }, {}, t);
    assert.deepEqual(statuses(r), [
      'jurisdiction.location.site:pass',
      'jurisdiction.location.database:error',
    ]);
    assert.match(r[1]!.message, /cannot resolve db\.nowhere/);
    assert.match(facts.asnUnavailable ?? '', /@ip-location-db\/asn/);
  });

  it('names the network owner when an ASN table is present', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'civiguard-asn-'));
    try {
      writeFileSync(join(dir, 'asn-ipv4.csv'), '8.8.8.0,8.8.8.255,15169,Google LLC\n');
      const t = target({}, ['site.example:443:8.8.8.8']);
      const ctx = { target: t, signal: new AbortController().signal } as unknown as ProbeContext;
      const facts = await locateDataHolders(ctx, { asn: new AsnTable(dir) });
      const [r] = judge(location, { loc: facts }, {}, t);
      assert.match(r!.message, /US, AS15169 Google LLC/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
