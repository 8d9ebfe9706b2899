import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { phpTruthy } from '../../probes/local/php-serialize.js';
import { runtimeSettingsProbe } from '../../probes/local/runtime-settings.js';

export default defineCheck({
  id: 'config.debug',
  area: 'config',
  title: 'Debug or backtrace output on a production site',
  severity: 'warning',
  seed: '',
  description:
    "Reads CiviCRM's `debug_enabled` and `backtrace` settings (a $civicrm_setting override in civicrm.settings.php, else civicrm_setting through --db or --use-site-db, read-only; no row means the default, off) and the `environment` setting. Either one on while the environment is Production fails: error pages then show SQL, paths and stack traces to visitors.",
  remediation:
    'Administer » System Settings » Debugging: set "Enable Debugging" and "Display Backtrace" to No (or `cv vset debug_enabled=0 backtrace=0`); keep them on only where environment is Development.',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/debugging/'],
  outcomes: {
    debug_enabled: { title: 'CiviCRM debugging enabled in production', severity: 'warning' },
    backtrace: { title: 'CiviCRM backtraces shown in production', severity: 'warning' },
  },
  probes: { settings: runtimeSettingsProbe },
  mode: 'both',
  run({ settings }) {
    const env = settings.values.environment;
    const envName = env.state === 'known' ? String(env.value) : null;
    const production = envName === null || /^prod/i.test(envName);
    const out: Finding[] = [];
    for (const name of ['debug_enabled', 'backtrace'] as const) {
      const v = settings.values[name];
      if (v.state === 'unknown') {
        out.push({ outcome: name, status: v.status, message: `${name}: ${v.reason}` });
        continue;
      }
      const on = phpTruthy(v.value);
      const evidence = {
        setting: name,
        value: v.value,
        source: v.detail,
        environment: envName ?? `unknown (${env.state === 'unknown' ? env.reason : ''})`,
      };
      if (on && production)
        out.push({
          outcome: name,
          status: 'fail',
          message: `${name} is on (${v.detail}) and the environment is ${envName ?? 'not known, so taken as Production'}`,
          evidence,
        });
      else
        out.push({
          outcome: name,
          status: 'pass',
          message: on ? `${name} is on, but the environment is ${envName}` : `${name} is off (${v.detail})`,
          evidence,
        });
    }
    return out;
  },
});
