import { backupProbe } from '../../backup/audit-probe.js';
import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { UNREADABLE, civiguardRepos, formatAge, hoursSince } from './catalogue-times.js';

export default defineCheck({
  id: 'backup.restorable',
  area: 'backup',
  title: 'Restore drill',
  severity: 'warning',
  seed: 'Backups and their security (recovery)',
  description:
    "Reads the restore-drill records of the civiguard repositories (written by `civiguard backup drill`, which restores the latest dump into a scratch database and compares row counts). Fails when the newest drill is older than the policy's period (drillMaxAgeDays, default 35) or failed, or when there is none.",
  remediation:
    'Run `civiguard backup drill --repo … --identity FILE --scratch-db mysql://…/` monthly, from a machine that holds the identity, and fix what it reports.',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/'],
  outcomes: {
    'no-drill': { title: 'No restore drill recorded', severity: 'warning' },
    'drill-old': { title: 'Last restore drill is too old', severity: 'warning' },
    'drill-failed': { title: 'Last restore drill failed', severity: 'error' },
    unreadable: UNREADABLE,
  },
  probes: { backup: backupProbe },
  mode: 'both',
  run({ backup }, ctx): Finding[] {
    const maxDays = ctx.target.policy.drillMaxAgeDays;
    const now = Date.now();
    const { out, civi } = civiguardRepos(
      backup.repos,
      'restore drills are recorded by `civiguard backup drill`',
    );
    if (!civi.length) return out;
    const drills = civi
      .flatMap((r) => r.drills.map((d) => ({ ...d, repo: r.repo })))
      .sort((a, b) => b.time.localeCompare(a.time));
    const last = drills[0];
    const lastOk = drills.find((d) => d.ok);
    const evidence = { maxAgeDays: maxDays, lastDrill: last ?? null, lastSuccessfulDrill: lastOk ?? null };
    if (!last) {
      out.push({
        outcome: 'no-drill',
        status: 'fail',
        message: `no restore drill recorded in ${civi.map((r) => r.repo).join(', ')}`,
        evidence,
      });
    } else if (!last.ok) {
      out.push({
        outcome: 'drill-failed',
        status: 'fail',
        message: `the last drill (${last.time}, snapshot ${last.snapshot.slice(0, 12)}) failed${last.error ? `: ${last.error}` : ''}`,
        evidence,
      });
    } else if (hoursSince(last.time, now) > maxDays * 24) {
      out.push({
        outcome: 'drill-old',
        status: 'fail',
        message: `the last successful drill is ${formatAge(hoursSince(last.time, now))} old; the policy asks for one every ${maxDays} days`,
        evidence,
      });
    } else {
      out.push({
        status: 'pass',
        message: `restore drill succeeded ${formatAge(hoursSince(last.time, now))} ago (snapshot of ${last.snapshotTime})`,
        evidence,
      });
    }
    return out;
  },
});
