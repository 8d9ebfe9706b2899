import { defineCheck } from '../../core/check.js';
import { phpTruthy } from '../../probes/local/php-serialize.js';
import { runtimeSettingsProbe } from '../../probes/local/runtime-settings.js';

export default defineCheck({
  id: 'config.verify-ssl',
  area: 'config',
  title: 'Outbound certificate verification (verifySSL) off',
  severity: 'error',
  seed: 'Encrypted data transfer',
  description:
    "Reads CiviCRM's `verifySSL` setting (settings-file override, else civicrm_setting via --db/--use-site-db; no row means the default, on). Off means CiviCRM talks to payment processors, extension feeds and other APIs without checking their certificates: anyone on the path can read and change those requests.",
  remediation:
    "Administer » System Settings » Option Settings (or `cv vset verifySSL=1`): verify SSL certificates. If a processor then fails, fix the server's CA bundle instead of turning verification off.",
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/'],
  outcomes: {},
  probes: { settings: runtimeSettingsProbe },
  mode: 'both',
  run({ settings }) {
    const v = settings.values.verifySSL;
    if (v.state === 'unknown') return [{ status: v.status, message: `verifySSL: ${v.reason}` }];
    const evidence = { value: v.value, source: v.detail };
    if (!phpTruthy(v.value))
      return [
        {
          status: 'fail',
          message: `verifySSL is off (${v.detail}): outbound https is not verified`,
          evidence,
        },
      ];
    return [{ status: 'pass', message: `verifySSL is on (${v.detail})`, evidence }];
  },
});
