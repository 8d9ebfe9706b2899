import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { exposureProbe } from '../../probes/exposure/index.js';
import { phpSource, vimSwap } from './content.js';
import { answered, evidenceOf, listOf, present, served, unansweredFinding } from './judge.js';

export default defineCheck({
  id: 'exposure.settings',
  area: 'exposure',
  title: 'Settings files not downloadable',
  severity: 'critical',
  seed: '',
  description:
    "Requests `civicrm.settings.php` and the CMS settings (`settings.php`, `wp-config.php`, `configuration.php`) at the layout's standard paths, and their editor/backup copies (`~`, `.bak`, `.orig`, `.save`, `.old`, `.txt`, `.name.swp`). Fails when PHP source (or a vim swap file) comes back: a settings file that executes returns empty output, which is not exposure. Passes when none leaks and the site's layout is known or a settings file was seen at its path.",
  remediation:
    'Delete editor and backup copies of settings files from the web root, and make sure PHP runs for `.php` files (never serve them as text); deny `~`, `.bak`, `.orig`, `.save`, `.swp`, `.old` and `.txt` copies in the server config. Then change every secret the file held: database passwords, CIVICRM_SITE_KEY, CIVICRM_CRED_KEYS, CIVICRM_SIGN_KEYS.',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/'],
  outcomes: {
    source: { title: 'A settings file is served as source', severity: 'critical' },
    copy: { title: 'A copy of a settings file downloads', severity: 'critical' },
  },
  probes: { exposure: exposureProbe },
  mode: 'remote',
  run({ exposure }) {
    const originals = exposure.items.filter((i) => i.group === 'settings');
    const copies = exposure.items.filter((i) => i.group === 'settings-copy');
    const findings: Finding[] = [];
    for (const item of [...originals, ...copies]) {
      if (!served(item)) continue;
      const marker =
        phpSource(item.answer!.body) ?? (item.group === 'settings-copy' ? vimSwap(item.answer!.body) : null);
      if (!marker) continue;
      findings.push({
        outcome: item.group === 'settings' ? 'source' : 'copy',
        status: 'fail',
        message: `${item.url} downloads: ${marker}`,
        evidence: { ...evidenceOf(item), found: marker },
      });
    }
    const unanswered = unansweredFinding([...originals, ...copies], 'settings files', exposure);
    if (unanswered) findings.push(unanswered);
    if (findings.length > 0) return findings;
    const seen = originals.filter(present);
    const summary = `none of ${originals.length} settings paths and ${copies.length} copy names returns source`;
    if (seen.length === 0 && exposure.cms === 'unknown') {
      return [
        {
          status: 'skip',
          message: `${summary}, but no settings file was found at the standard paths of any layout (CMS unknown), so their real place was not looked at`,
          evidence: { looked: originals.map(evidenceOf) },
        },
      ];
    }
    return [
      {
        status: 'pass',
        message: seen.length
          ? `${summary}; ${listOf(
              seen.map((s) => `${s.url} answered ${answered(s)}`),
              2,
            )} (there, not served as source)`
          : `${summary} (${exposure.cms} layout)`,
        evidence: { settings: originals.map(evidenceOf) },
      },
    ];
  },
});
