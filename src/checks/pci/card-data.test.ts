import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CardDataFacts } from '../../probes/pci/card-data.js';
import type { DbScanReport } from '../../probes/pci/scan-db.js';
import type { FileHit, FileScanReport } from '../../probes/pci/scan-files.js';
import { judge, statuses } from '../../test-support/facts.js';
import cardData from './card-data.js';

function files(hits: FileHit[], extra: Partial<FileScanReport> = {}): FileScanReport {
  return {
    roots: ['/srv/site'],
    filesScanned: 10,
    bytesScanned: 12345,
    gzipFiles: 1,
    hitCount: hits.length,
    testHitCount: hits.filter((h) => h.test).length,
    filesWithHits: new Set(hits.filter((h) => !h.test).map((h) => h.path)).size,
    hits,
    notScanned: [],
    notScannedCount: 0,
    skippedByType: {},
    symlinksSkipped: 0,
    stoppedEarly: null,
    durationMs: 5,
    ...extra,
  };
}

function db(hits: DbScanReport['hits'], extra: Partial<DbScanReport> = {}): DbScanReport {
  return {
    database: 'civicrm',
    tablesScanned: 3,
    columnsScanned: 9,
    rowsExamined: 4,
    hitCount: hits.length,
    testHitCount: hits.filter((h) => h.test).length,
    hits,
    incomplete: [],
    durationMs: 3,
    ...extra,
  };
}

const fileHit = (test = false): FileHit => ({
  path: '/srv/site/files/civicrm/ConfigAndLog/CiviCRM.x.log',
  line: 42,
  masked: test ? '411111******1111' : '453201******0366',
  brand: 'visa',
  test,
  form: 'plain',
});
const dbHit = (test = false) => ({
  table: 'civicrm_note',
  column: 'note',
  rowId: '7',
  masked: test ? '411111******1111' : '545454******5454',
  brand: 'mastercard' as const,
  test,
  form: 'spaced' as const,
});
const skipPart = { ok: false as const, status: 'skip' as const, reason: 'no --db DSN given' };

describe('pci.card-data', () => {
  const cases: { name: string; facts: CardDataFacts; expect: string[]; severity?: string }[] = [
    {
      name: 'card number in a log file',
      facts: { files: { ok: true, report: files([fileHit()]) }, db: skipPart },
      expect: ['pci.card-data.files:fail', 'pci.card-data.database:skip'],
      severity: 'critical',
    },
    {
      name: 'clean files, no db',
      facts: { files: { ok: true, report: files([]) }, db: skipPart },
      expect: ['pci.card-data.files:pass', 'pci.card-data.database:skip'],
    },
    {
      name: 'only a test number in files: notice',
      facts: { files: { ok: true, report: files([fileHit(true)]) }, db: skipPart },
      expect: ['pci.card-data.files:fail', 'pci.card-data.database:skip'],
      severity: 'notice',
    },
    {
      name: 'card number in the database',
      facts: {
        files: { ok: false, status: 'skip', reason: 'no --root given' },
        db: { ok: true, report: db([dbHit()]) },
      },
      expect: ['pci.card-data.files:skip', 'pci.card-data.database:fail'],
      severity: 'critical',
    },
    {
      name: 'clean database, files partly unreadable',
      facts: {
        files: {
          ok: true,
          report: files([], {
            notScanned: [{ path: '/srv/site/x.log', reason: 'EACCES' }],
            notScannedCount: 1,
          }),
        },
        db: { ok: true, report: db([]) },
      },
      expect: ['pci.card-data.files:pass', 'pci.card-data.not-scanned:skip', 'pci.card-data.database:pass'],
    },
    {
      name: 'database refused',
      facts: {
        files: { ok: true, report: files([]) },
        db: { ok: false, status: 'error', reason: 'cannot open the database: ECONNREFUSED' },
      },
      expect: ['pci.card-data.files:pass', 'pci.card-data.database:error'],
    },
    {
      name: 'a table not fully read',
      facts: {
        files: skipPart,
        db: { ok: true, report: db([], { incomplete: [{ table: 'civicrm_log', reason: 'timeout' }] }) },
      },
      expect: ['pci.card-data.files:skip', 'pci.card-data.database:pass', 'pci.card-data.not-scanned:skip'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const results = judge(cardData, { cards: c.facts });
      assert.deepEqual(statuses(results), c.expect);
      const failed = results.find((r) => r.status === 'fail');
      if (c.severity) assert.equal(failed?.severity, c.severity);
      const text = JSON.stringify(results);
      assert.ok(!/\d{13,19}/.test(text.replace(/"(?:bytesScanned|durationMs)":\d+/g, '')), 'no full number');
    });
  }
  it('says where: file and line, table/column/row, masked', () => {
    const [f] = judge(cardData, { cards: { files: { ok: true, report: files([fileHit()]) }, db: skipPart } });
    assert.match(f!.message, /CiviCRM\.x\.log:42 \(visa 453201\*{6}0366\)/);
    const [, d] = judge(cardData, {
      cards: { files: skipPart, db: { ok: true, report: db([dbHit()]) } },
    });
    assert.match(d!.message, /civicrm_note\.note id=7 \(mastercard 545454\*{6}5454\)/);
  });
});
