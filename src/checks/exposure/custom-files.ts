import { defineCheck } from '../../core/check.js';
import { exposureProbe } from '../../probes/exposure/index.js';
import { canaryProbe } from '../../probes/local/canary.js';
import { judgePrivateDir } from './private-dir.js';

export default defineCheck({
  id: 'exposure.custom-files',
  area: 'exposure',
  title: 'CiviCRM custom files dir not downloadable',
  severity: 'error',
  seed: 'Uploads should not be accessible',
  description:
    'Requests the CiviCRM custom files dir (file fields and attachments: `…/civicrm/custom/`, Standalone `private/attachment/`). Fails when a file there downloads: one named by a served listing, or the deny-all `.htaccess` CiviCRM writes there. Without a listing it skips and says what it saw. With --root a canary file written into the configured dir and fetched by its URL decides, pass included.',
  remediation:
    "Deny web access to the custom files dir (nginx: a `location … { deny all; }` for `files/civicrm/custom/`; Apache: let CiviCRM's `.htaccess` apply), or move it outside the web root.",
  references: [
    'https://docs.civicrm.org/sysadmin/en/latest/setup/security/#uploads-should-not-be-accessible',
  ],
  outcomes: {
    downloadable: { title: 'A file in the custom files dir downloads', severity: 'error' },
    listed: { title: 'The custom files dir is listed with its files', severity: 'error' },
    'dir-open': { title: 'The custom files dir is served (empty listing)', severity: 'warning' },
  },
  probes: { exposure: exposureProbe },
  optional: { canary: canaryProbe },
  mode: 'both',
  run: ({ exposure }, { optional }) => judgePrivateDir('custom', exposure, optional.canary),
});
