import { backupProbe } from '../../backup/audit-probe.js';
import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { UNREADABLE, formatAge, hoursSince, newestBackup, unreadable } from './catalogue-times.js';

export default defineCheck({
  id: 'backup.offsite',
  area: 'backup',
  title: 'Off-site copy',
  severity: 'warning',
  seed: 'Backups and their security (duplicate them)',
  description:
    'Fails unless there are two current copies: at least one backup location on another machine (an SFTP or S3 server that is not this host) and at least one more, each with a backup younger than the policy age. A second directory on the same server is not off-site.',
  remediation:
    'Add an off-site replica: `civiguard backup copy --from /srv/backup --to sftp://backup@offsite.example.net/srv/civicrm`, then give both to `backup run --repo … --repo …` so each run writes to both.',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/'],
  outcomes: {
    'no-offsite': { title: 'No off-site backup location', severity: 'warning' },
    'offsite-stale': { title: 'The off-site copy is out of date', severity: 'warning' },
    'single-copy': { title: 'Only one copy of the backups', severity: 'warning' },
    unreadable: UNREADABLE,
  },
  probes: { backup: backupProbe },
  mode: 'both',
  run({ backup }, ctx): Finding[] {
    const max = ctx.target.policy.backupMaxAgeHours;
    const now = Date.now();
    const out: Finding[] = backup.repos.filter((r) => r.status === 'error').map(unreadable);
    const rows = backup.repos
      .filter((r) => r.status === 'ok')
      .map((r) => {
        const newest = newestBackup(r);
        return {
          repo: r.repo,
          offsite: !r.onThisHost,
          host: r.location?.host ?? null,
          newest,
          current: newest !== null && hoursSince(newest, now) <= max,
        };
      });
    if (!rows.length) return out;
    const evidence = { maxAgeHours: max, locations: rows };
    const offsite = rows.filter((r) => r.offsite);
    const currentOff = offsite.filter((r) => r.current);
    const currentAll = rows.filter((r) => r.current);
    if (!offsite.length) {
      out.push({
        outcome: 'no-offsite',
        status: 'fail',
        message: `every backup location is on this machine (${rows.map((r) => r.repo).join(', ')}): a lost or compromised server takes the backups with it`,
        evidence,
      });
    } else if (!currentOff.length) {
      const o = offsite[0]!;
      out.push({
        outcome: 'offsite-stale',
        status: 'fail',
        message: `the off-site copy ${o.repo} ${o.newest ? `is ${formatAge(hoursSince(o.newest, now))} old` : 'holds no backup'} (policy: ${max} h)`,
        evidence,
      });
    } else if (currentAll.length < 2) {
      out.push({
        outcome: 'single-copy',
        status: 'fail',
        message: `only ${currentOff[0]!.repo} holds a current backup: keep a second copy`,
        evidence,
      });
    } else {
      out.push({
        status: 'pass',
        message: `current copies in ${currentAll.length} locations, off-site: ${currentOff.map((r) => r.repo).join(', ')}`,
        evidence,
      });
    }
    return out;
  },
});
