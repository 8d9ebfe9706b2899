import type { BackupRepoFact } from '../../backup/audit-probe.js';
import type { Finding } from '../../core/check.js';

/** Newest backup time a repository shows: its newest snapshot, else (restic, plain dirs) its newest file. */
export function newestBackup(r: BackupRepoFact): string | null {
  let newest: string | null = null;
  for (const s of r.snapshots) if (!newest || s.time > newest) newest = s.time;
  if (!newest && r.newestFileTime) newest = r.newestFileTime;
  return newest;
}

export function hoursSince(iso: string, now: number): number {
  return (now - Date.parse(iso)) / 3_600_000;
}

export function formatAge(hours: number): string {
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}

/** A repository's error as a finding (the check could not look there). */
export function unreadable(r: BackupRepoFact): {
  outcome: 'unreadable';
  status: 'error';
  message: string;
  evidence: Record<string, unknown>;
} {
  return {
    outcome: 'unreadable',
    status: 'error',
    message: `${r.repo}: ${r.error ?? 'cannot be read'}`,
    evidence: { repo: r.repo },
  };
}

export const UNREADABLE = {
  title: 'Backup repository cannot be read',
  severity: 'error' as const,
  remediation:
    'Make the repository reachable from where the audit runs (path, SSH key and known_hosts, S3 credentials).',
};

/**
 * The start of every check on civiguard-only records (drills, escrows): an error per unreadable
 * repository, and the readable civiguard repositories; with none among readable ones, a skip that
 * says which command records what the check looks for.
 */
export function civiguardRepos(
  repos: BackupRepoFact[],
  recordedBy: string,
): { out: Finding[]; civi: BackupRepoFact[] } {
  const out: Finding[] = repos.filter((r) => r.status === 'error').map(unreadable);
  const civi = repos.filter((r) => r.status === 'ok' && r.format === 'civiguard');
  if (!civi.length && repos.some((r) => r.status === 'ok'))
    out.push({
      status: 'skip',
      message: `no civiguard repository among the backup locations: ${recordedBy}`,
    });
  return { out, civi };
}
