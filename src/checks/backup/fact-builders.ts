import type { BackupFacts, BackupRepoFact } from '../../backup/audit-probe.js';

/** Facts for the backup.* check tables: a repository fact with sensible defaults. */
export function repo(over: Partial<BackupRepoFact> = {}): BackupRepoFact {
  return {
    repo: '/srv/backup/civicrm',
    location: { kind: 'local', host: null, port: null },
    onThisHost: true,
    status: 'ok',
    format: 'civiguard',
    encryption: 'age',
    encrypted: true,
    repoId: 'a'.repeat(32),
    recipients: ['age1data'],
    snapshots: [],
    newestFileTime: null,
    drills: [],
    escrows: [],
    plainFiles: [],
    ...over,
  };
}

export const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

export function snap(hours: number): BackupRepoFact['snapshots'][number] {
  return { id: `${hours}`.padStart(64, '0'), time: hoursAgo(hours), host: 'web1', sources: [] };
}

export const offsite = (over: Partial<BackupRepoFact> = {}) =>
  repo({
    repo: 'sftp://backup@offsite.example.net/srv/civicrm',
    location: { kind: 'sftp', host: 'offsite.example.net', port: 22 },
    onThisHost: false,
    ...over,
  });

export function facts(...repos: BackupRepoFact[]): { backup: BackupFacts } {
  return { backup: { repos, host: 'web1' } };
}
