import { defineCheck } from '../../core/check.js';
import { exposureProbe } from '../../probes/exposure/index.js';
import { canaryProbe } from '../../probes/local/canary.js';
import { judgePrivateDir } from './private-dir.js';

export default defineCheck({
  id: 'exposure.uploads',
  area: 'exposure',
  title: 'CiviCRM upload dir not downloadable',
  severity: 'error',
  seed: 'Uploads should not be accessible',
  description:
    "Requests the CiviCRM upload dir of the site's CMS layout (e.g. `sites/default/files/civicrm/upload/`). Fails when a file there downloads: one named by a served listing, or the deny-all `.htaccess` CiviCRM writes there. Without a listing remote mode cannot name a file, so it skips and says what it saw. With --root a canary file written into the configured dir and fetched by its URL decides, pass included.",
  remediation:
    "Deny web access to the upload dir: on nginx `location ~ ^/sites/[^/]+/files/civicrm/(upload|custom|ConfigAndLog|templates_c)/ { deny all; }` (nginx ignores .htaccess); on Apache keep `AllowOverride` on so CiviCRM's `.htaccess` applies, or move the dir outside the web root.",
  references: [
    'https://docs.civicrm.org/sysadmin/en/latest/setup/security/#uploads-should-not-be-accessible',
  ],
  outcomes: {
    downloadable: { title: 'A file in the upload dir downloads', severity: 'error' },
    listed: { title: 'The upload dir is listed with its files', severity: 'error' },
    'dir-open': { title: 'The upload dir is served (empty listing)', severity: 'warning' },
  },
  probes: { exposure: exposureProbe },
  optional: { canary: canaryProbe },
  mode: 'both',
  run: ({ exposure }, { optional }) => judgePrivateDir('upload', exposure, optional.canary),
});
