import { backupProbe } from '../../backup/audit-probe.js';
import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { UNREADABLE, unreadable } from './catalogue-times.js';

export default defineCheck({
  id: 'backup.encrypted',
  area: 'backup',
  title: 'Backups are encrypted',
  severity: 'error',
  seed: 'Backups and their security (encrypt backups)',
  description:
    'Tells, for each configured backup location, whether what is stored there is encrypted: civiguard repositories always are (age or passphrase), restic repositories always are, a Borg repository is judged by the key type of its first stored object (`none` and `authenticated` do not encrypt), and in a plain directory every dump or archive is classified by its magic bytes (SQL text, gzip, zstd, tar, zip fail; age, OpenPGP and openssl-enc pass).',
  remediation:
    'Store backups only encrypted: `civiguard backup init --recipient age1…` (write-only) and `backup run`; re-encrypt or delete the plain dumps listed (`age -r age1… dump.sql.gz > dump.sql.gz.age`).',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/'],
  outcomes: {
    plaintext: { title: 'Unencrypted backup files', severity: 'error' },
    'borg-unencrypted': { title: 'Borg repository without encryption', severity: 'error' },
    unknown: { title: 'Cannot tell whether the backups are encrypted', severity: 'warning' },
    unreadable: UNREADABLE,
  },
  probes: { backup: backupProbe },
  mode: 'both',
  run({ backup }): Finding[] {
    const out: Finding[] = [];
    for (const r of backup.repos) {
      if (r.status === 'error') {
        out.push(unreadable(r));
        continue;
      }
      const ev = { repo: r.repo, format: r.format, encryption: r.encryption };
      switch (r.format) {
        case 'civiguard':
          out.push({
            status: 'pass',
            message: `${r.repo}: civiguard repository, ${r.encryption === 'age' ? 'write-only (age)' : 'passphrase'} encryption`,
            evidence: ev,
          });
          break;
        case 'restic':
          out.push({
            status: 'pass',
            message: `${r.repo}: restic repository (always encrypted)`,
            evidence: ev,
          });
          break;
        case 'borg':
          if (r.encrypted === null)
            out.push({
              outcome: 'unknown',
              status: 'skip',
              message: `${r.repo}: Borg repository with no stored object yet: its encryption cannot be told`,
              evidence: ev,
            });
          else if (r.encrypted)
            out.push({
              status: 'pass',
              message: `${r.repo}: Borg repository, ${r.encryption} encryption`,
              evidence: ev,
            });
          else
            out.push({
              outcome: 'borg-unencrypted',
              status: 'fail',
              message: `${r.repo}: Borg repository with encryption mode '${r.encryption}': the data is not encrypted`,
              evidence: ev,
            });
          break;
        case 'plain': {
          const plain = r.plainFiles.filter((f) => !f.encrypted);
          const files = r.plainFiles
            .slice(0, 20)
            .map((f) => ({ path: f.path, kind: f.kind, encrypted: f.encrypted, size: f.size }));
          if (plain.length) {
            out.push({
              outcome: 'plaintext',
              status: 'fail',
              message: `${r.repo}: ${plain.length} unencrypted backup file(s), e.g. ${plain
                .slice(0, 3)
                .map((f) => `${f.path} (${f.kind})`)
                .join(', ')}`,
              evidence: { ...ev, files },
            });
          } else if (r.plainFiles.length) {
            out.push({
              status: 'pass',
              message: `${r.repo}: ${r.plainFiles.length} backup file(s), all encrypted`,
              evidence: { ...ev, files },
            });
          } else
            out.push({ status: 'skip', message: `${r.repo}: no backup files found there`, evidence: ev });
          break;
        }
        case 'unknown':
          out.push({
            outcome: 'unknown',
            status: 'skip',
            message: `${r.repo}: not a repository this audit can read`,
            evidence: ev,
          });
          break;
      }
    }
    return out;
  },
});
