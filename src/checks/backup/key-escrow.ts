import { backupProbe } from '../../backup/audit-probe.js';
import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { UNREADABLE, civiguardRepos } from './catalogue-times.js';

export default defineCheck({
  id: 'backup.key-escrow',
  area: 'backup',
  title: 'Key escrow',
  severity: 'warning',
  seed: 'Backups and their security',
  description:
    "Looks for a key-escrow record in the civiguard repositories: the settings file with CIVICRM_SITE_KEY / CIVICRM_CRED_KEYS / CIVICRM_SIGN_KEYS, encrypted to a recipient that is not the repository's own. Fails when there is none (a database restored without CIVICRM_CRED_KEYS cannot decrypt the credentials CiviCRM stored with it), or when the escrow is encrypted to the data recipient.",
  remediation:
    "Run `civiguard backup escrow --repo … --recipient age1… --settings civicrm.settings.php` with a recipient whose identity is kept apart from the backup identity (e.g. in the organisation's safe), and again whenever the keys change.",
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/secret-keys/'],
  outcomes: {
    'no-escrow': { title: 'No escrowed settings and keys', severity: 'warning' },
    'same-recipient': { title: 'Escrow encrypted to the data recipient', severity: 'warning' },
    'no-keys': { title: 'Escrowed settings carry no CiviCRM keys', severity: 'notice' },
    unreadable: UNREADABLE,
  },
  probes: { backup: backupProbe },
  mode: 'both',
  run({ backup }): Finding[] {
    const { out, civi } = civiguardRepos(backup.repos, 'key escrow is recorded by `civiguard backup escrow`');
    if (!civi.length) return out;
    const escrows = civi
      .flatMap((r) => r.escrows.map((e) => ({ ...e, repo: r.repo, dataRecipients: r.recipients })))
      .sort((a, b) => b.time.localeCompare(a.time));
    const last = escrows[0];
    if (!last) {
      out.push({
        outcome: 'no-escrow',
        status: 'fail',
        message: `no escrow of the settings file and CiviCRM keys in ${civi.map((r) => r.repo).join(', ')}`,
        evidence: {},
      });
      return out;
    }
    const evidence = {
      time: last.time,
      host: last.host,
      recipients: last.recipients,
      files: last.files,
      constants: last.constants,
      repo: last.repo,
    };
    if (last.recipients.some((r) => last.dataRecipients.includes(r))) {
      out.push({
        outcome: 'same-recipient',
        status: 'fail',
        message: `the escrow of ${last.time} is encrypted to the backup recipient itself: one lost or stolen identity opens both`,
        evidence,
      });
    } else if (
      !last.constants.includes('CIVICRM_SITE_KEY') &&
      !last.constants.includes('CIVICRM_CRED_KEYS')
    ) {
      out.push({
        outcome: 'no-keys',
        status: 'fail',
        message: `the escrow of ${last.time} (${last.files.join(', ')}) defines neither CIVICRM_SITE_KEY nor CIVICRM_CRED_KEYS`,
        evidence,
      });
    } else {
      out.push({
        status: 'pass',
        message: `settings and keys escrowed ${last.time} to ${last.recipients.join(', ')} (${last.constants.join(', ')})`,
        evidence,
      });
    }
    return out;
  },
});
