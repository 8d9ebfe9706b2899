import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { exposureProbe } from '../../probes/exposure/index.js';
import { archive, sqlDump } from './content.js';
import { evidenceOf, served, unansweredFinding } from './judge.js';

export default defineCheck({
  id: 'exposure.backups',
  area: 'exposure',
  title: 'No database dumps or archives in the web root',
  severity: 'critical',
  seed: 'Backups and their security',
  description:
    'Requests a bounded list of well-known dump and archive names at the web root (`backup.sql`, `dump.sql.gz`, `<host>.sql`, `site.tar.gz`, …; first 4 KiB only) and any dump/archive a served listing names. Fails when one downloads, judged by content: a SQL dump header or statements, or gzip/zip/tar/bzip2/xz/7z/zstd magic. Passes when none does; dumps under other names cannot be seen remotely (fs.backups-in-webroot with --root).',
  remediation:
    'Move dumps and archives out of the web root (and out of every served dir), keep backups encrypted and off the server (`civiguard backup`), and change the database passwords a leaked dump may contain.',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/'],
  outcomes: {
    dump: { title: 'A database dump downloads', severity: 'critical' },
    archive: { title: 'An archive downloads', severity: 'critical' },
  },
  probes: { exposure: exposureProbe },
  mode: 'remote',
  run({ exposure }) {
    const items = exposure.items.filter((i) => i.group === 'backup');
    const findings: Finding[] = [];
    for (const item of items) {
      if (!served(item)) continue;
      const sql = sqlDump(item.answer!.body);
      const arc = sql ? null : archive(item.answer!.body);
      if (!sql && !arc) continue;
      findings.push({
        outcome: sql ? 'dump' : 'archive',
        status: 'fail',
        message: `${item.url} downloads: ${sql ?? arc}${item.tag === 'listed' ? ' (named by a directory listing)' : ''}`,
        evidence: { ...evidenceOf(item), found: sql ?? arc },
      });
    }
    const unanswered = unansweredFinding(items, 'dump and archive names', exposure);
    if (unanswered) findings.push(unanswered);
    if (findings.length > 0) return findings;
    return [
      {
        status: 'pass',
        message: `none of ${items.length} well-known dump and archive names downloads (other names need --root: fs.backups-in-webroot)`,
        evidence: { looked: items.length },
      },
    ];
  },
});
