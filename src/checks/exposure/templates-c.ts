import { defineCheck } from '../../core/check.js';
import { exposureProbe } from '../../probes/exposure/index.js';
import { canaryProbe } from '../../probes/local/canary.js';
import { judgePrivateDir } from './private-dir.js';

export default defineCheck({
  id: 'exposure.templates-c',
  area: 'exposure',
  title: 'Compiled templates dir not reachable',
  severity: 'warning',
  seed: 'Directories should not be browsable',
  description:
    'Requests the compiled templates dir (`…/civicrm/templates_c/`, Standalone `private/cache/`). Fails when it is listed or a file in it (the deny-all `.htaccess`, a listed compiled template) downloads. Otherwise it skips with what it saw: compiled names cannot be guessed remotely. With --root a canary file written into the configured compile dir and fetched by its URL decides, pass included.',
  remediation:
    "Deny web access to templates_c (nginx: `location ~ /files/civicrm/templates_c/ { deny all; }`; Apache: let CiviCRM's `.htaccess` apply), or move the compile dir outside the web root (`CIVICRM_TEMPLATE_COMPILEDIR`).",
  references: [
    'https://docs.civicrm.org/sysadmin/en/latest/setup/security/#directories-should-not-be-browsable',
  ],
  outcomes: {
    downloadable: { title: 'A file in templates_c downloads', severity: 'warning' },
    listed: { title: 'templates_c is listed', severity: 'warning' },
  },
  probes: { exposure: exposureProbe },
  optional: { canary: canaryProbe },
  mode: 'both',
  run: ({ exposure }, { optional }) => judgePrivateDir('templates', exposure, optional.canary),
});
