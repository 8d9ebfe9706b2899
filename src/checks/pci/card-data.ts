import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { cardDataProbe } from '../../probes/pci/card-data.js';
import type { DbHit, DbScanReport } from '../../probes/pci/scan-db.js';
import type { FileHit, FileScanReport } from '../../probes/pci/scan-files.js';

const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`;

function filesFindings(r: FileScanReport): Finding[] {
  const out: Finding[] = [];
  const real = r.hits.filter((h) => !h.test);
  const where = (h: FileHit) => `${h.path}:${h.line} (${h.brand} ${h.masked})`;
  const evidence = {
    roots: r.roots,
    filesScanned: r.filesScanned,
    bytesScanned: r.bytesScanned,
    gzipFiles: r.gzipFiles,
    hitCount: r.hitCount,
    testHitCount: r.testHitCount,
    hits: r.hits,
    durationMs: Math.round(r.durationMs),
  };
  const realCount = r.hitCount - r.testHitCount;
  if (realCount > 0) {
    out.push({
      outcome: 'files',
      status: 'fail',
      message: `${plural(realCount, 'card number')} in ${plural(r.filesWithHits, 'file')}: ${real
        .slice(0, 5)
        .map(where)
        .join(', ')}${real.length > 5 ? ', …' : ''}`,
      evidence,
    });
  } else if (r.testHitCount > 0) {
    out.push({
      outcome: 'files',
      status: 'fail',
      severity: 'notice',
      message: `only published test card numbers found (${plural(r.testHitCount, 'hit')}, e.g. ${where(r.hits[0]!)}): a test install, or test data left on a live site`,
      evidence,
    });
  } else {
    out.push({
      outcome: 'files',
      status: 'pass',
      message: `no card number in ${plural(r.filesScanned, 'file')} (${(r.bytesScanned / 1048576).toFixed(1)} MiB${r.gzipFiles ? `, ${r.gzipFiles} gzip` : ''}) under ${r.roots.join(', ')}`,
      evidence,
    });
  }
  if (r.notScannedCount > 0 || r.stoppedEarly) {
    out.push({
      outcome: 'not-scanned',
      status: 'skip',
      message: `${r.stoppedEarly ? `scan stopped early (${r.stoppedEarly}); ` : ''}${plural(r.notScannedCount, 'file')} not read or read only in part, e.g. ${r.notScanned
        .slice(0, 3)
        .map((n) => `${n.path}: ${n.reason}`)
        .join('; ')}`,
      evidence: {
        notScanned: r.notScanned,
        notScannedCount: r.notScannedCount,
        stoppedEarly: r.stoppedEarly,
      },
    });
  }
  return out;
}

function dbFindings(r: DbScanReport): Finding[] {
  const out: Finding[] = [];
  const where = (h: DbHit) => `${h.table}.${h.column} id=${h.rowId ?? '?'} (${h.brand} ${h.masked})`;
  const real = r.hits.filter((h) => !h.test);
  const realCount = r.hitCount - r.testHitCount;
  const evidence = {
    database: r.database,
    tablesScanned: r.tablesScanned,
    columnsScanned: r.columnsScanned,
    rowsExamined: r.rowsExamined,
    hitCount: r.hitCount,
    testHitCount: r.testHitCount,
    hits: r.hits,
    durationMs: Math.round(r.durationMs),
  };
  if (realCount > 0) {
    out.push({
      outcome: 'database',
      status: 'fail',
      message: `${plural(realCount, 'card number')} in database ${r.database}: ${real
        .slice(0, 5)
        .map(where)
        .join(', ')}${real.length > 5 ? ', …' : ''}`,
      evidence,
    });
  } else if (r.testHitCount > 0) {
    out.push({
      outcome: 'database',
      status: 'fail',
      severity: 'notice',
      message: `only published test card numbers in database ${r.database} (e.g. ${where(r.hits[0]!)})`,
      evidence,
    });
  } else {
    out.push({
      outcome: 'database',
      status: 'pass',
      message: `no card number in ${plural(r.columnsScanned, 'text column')} of ${plural(r.tablesScanned, 'table')} in ${r.database}`,
      evidence,
    });
  }
  if (r.incomplete.length) {
    out.push({
      outcome: 'not-scanned',
      status: 'skip',
      message: `${plural(r.incomplete.length, 'table')} not fully read: ${r.incomplete
        .slice(0, 3)
        .map((i) => `${i.table}: ${i.reason}`)
        .join('; ')}`,
      evidence: { incomplete: r.incomplete },
    });
  }
  return out;
}

export default defineCheck({
  id: 'pci.card-data',
  area: 'pci',
  title: 'Card numbers stored on the server',
  severity: 'critical',
  seed: 'PCI compliance',
  description:
    'Scans files, logs and dumps under --root (gzip included) and, with --db, the text columns of the civicrm_* tables for Luhn-valid card numbers (PANs) with a known brand prefix and length (Visa, Mastercard incl. 2-series, Amex, Discover, JCB, Diners, UnionPay, Maestro), plain, spaced or dashed. Reports file and line or table, column and row id, the number masked to first 6 / last 4. Any real card number fails it; only published test numbers: notice.',
  remediation:
    'Delete the card numbers (and the backups and logs that copied them), find out how they got there (a debug log of payment requests, a form field that is not the processor’s, a pasted note) and stop it. A site that stores card numbers falls under PCI DSS SAQ D; let the payment processor hold them instead.',
  references: [
    'https://docs.civicrm.org/sysadmin/en/latest/setup/security/#pci-compliance',
    'https://www.pcisecuritystandards.org/document_library/',
  ],
  outcomes: {
    files: { title: 'Card numbers in files, logs or dumps', severity: 'critical' },
    database: { title: 'Card numbers in the CiviCRM database', severity: 'critical' },
    'not-scanned': {
      title: 'Parts not scanned for card numbers',
      // Only ever a skip (what could not be looked at); it never fails on its own.
      severity: 'notice',
      remediation:
        'Make the files readable to the audit (run it as root or the site owner) or raise the caps.',
    },
  },
  probes: { cards: cardDataProbe },
  mode: 'local',
  run({ cards }) {
    const out: Finding[] = [];
    if (cards.files.ok) out.push(...filesFindings(cards.files.report));
    else out.push({ outcome: 'files', status: cards.files.status, message: cards.files.reason });
    if (cards.db.ok) out.push(...dbFindings(cards.db.report));
    else out.push({ outcome: 'database', status: cards.db.status, message: cards.db.reason });
    return out;
  },
});
