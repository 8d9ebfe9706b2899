import { backupProbe } from '../../backup/audit-probe.js';
import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { UNREADABLE, formatAge, hoursSince, newestBackup, unreadable } from './catalogue-times.js';

export default defineCheck({
  id: 'backup.recent',
  area: 'backup',
  title: 'Recent backup',
  severity: 'error',
  seed: 'Backups and their security',
  description:
    "Reads each configured backup repository's catalogue (no key needed) and fails when the newest backup in any of them is older than the policy's maximum age (backupMaxAgeHours, default 26 h), or when there is none. Restic repositories and plain dump directories are dated by their newest file.",
  remediation:
    'Schedule `civiguard backup run` (contrib/systemd/civiguard-backup.timer, or `--schedule`), and look at why the last runs failed (`journalctl -u civiguard-backup`).',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/'],
  outcomes: {
    stale: { title: 'Newest backup is too old', severity: 'error' },
    none: { title: 'No backup at all', severity: 'error' },
    unreadable: UNREADABLE,
  },
  probes: { backup: backupProbe },
  mode: 'both',
  run({ backup }, ctx): Finding[] {
    const max = ctx.target.policy.backupMaxAgeHours;
    const now = Date.now();
    const out: Finding[] = backup.repos.filter((r) => r.status === 'error').map(unreadable);
    const dated = backup.repos
      .filter((r) => r.status === 'ok')
      .map((r) => ({ repo: r.repo, newest: newestBackup(r), format: r.format }))
      .filter((x): x is { repo: string; newest: string; format: typeof x.format } => x.newest !== null);
    const readable = backup.repos.filter((r) => r.status === 'ok');
    if (!readable.length) return out;
    const evidence = {
      maxAgeHours: max,
      repos: dated.map((d) => ({
        repo: d.repo,
        newest: d.newest,
        ageHours: Math.round(hoursSince(d.newest, now) * 10) / 10,
      })),
    };
    if (!dated.length) {
      out.push({
        outcome: 'none',
        status: 'fail',
        message: `no backup found in ${readable.map((r) => r.repo).join(', ')}`,
        evidence,
      });
      return out;
    }
    const best = dated.reduce((a, b) => (a.newest > b.newest ? a : b));
    const age = hoursSince(best.newest, now);
    if (age > max) {
      out.push({
        outcome: 'stale',
        status: 'fail',
        message: `the newest backup (${best.repo}, ${best.newest}) is ${formatAge(age)} old; the policy allows ${max} h`,
        evidence,
      });
    } else {
      out.push({ status: 'pass', message: `newest backup ${formatAge(age)} old (${best.repo})`, evidence });
    }
    return out;
  },
});
