import { defineCheck } from '../../core/check.js';
import { exposureProbe } from '../../probes/exposure/index.js';
import { canaryProbe } from '../../probes/local/canary.js';
import { judgePrivateDir } from './private-dir.js';

export default defineCheck({
  id: 'exposure.log',
  area: 'exposure',
  title: 'CiviCRM log file not downloadable',
  severity: 'error',
  seed: 'The Log file should not be accessible',
  description:
    'Requests the CiviCRM log dir (`…/civicrm/ConfigAndLog/`, Standalone `private/log/`) and the old `CiviCRM.log` name. Fails when a log downloads, or a served listing names `CiviCRM.*.log` files; warns when the dir itself is served (a listing, or its deny-all `.htaccess` / `Config.IDS.ini` downloads). Hashed log names cannot be guessed remotely: without those signs it skips. With --root a canary log written into the configured dir, and the real log files, are fetched by URL and decide, pass included.',
  remediation:
    "Deny web access to ConfigAndLog (nginx: `location ~ /files/civicrm/ConfigAndLog/ { deny all; }`; Apache: let CiviCRM's `.htaccess` apply), and delete logs that were exposed after checking them for secrets.",
  references: [
    'https://docs.civicrm.org/sysadmin/en/latest/setup/security/#the-log-file-should-not-be-accessible',
  ],
  outcomes: {
    downloadable: { title: 'The CiviCRM log downloads', severity: 'error' },
    listed: { title: 'A listing names the CiviCRM log files', severity: 'error' },
    'dir-open': { title: 'The log dir is served', severity: 'warning' },
  },
  probes: { exposure: exposureProbe },
  optional: { canary: canaryProbe },
  mode: 'both',
  run: ({ exposure }, { optional }) => judgePrivateDir('log', exposure, optional.canary),
});
