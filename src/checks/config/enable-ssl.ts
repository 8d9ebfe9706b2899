import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { plainHttpProbe } from '../../probes/http/plain-http.js';
import { phpTruthy } from '../../probes/local/php-serialize.js';
import { runtimeSettingsProbe } from '../../probes/local/runtime-settings.js';
import { siteProbe } from '../../probes/site.js';
import redirectCheck from '../http/redirect.js';

export default defineCheck({
  id: 'config.enable-ssl',
  area: 'config',
  title: 'Neither a whole-site https redirect nor CiviCRM’s force-SSL setting',
  severity: 'error',
  seed: 'Redirecting http to https',
  description:
    "Passes when CiviCRM's `enableSSL` setting is on (settings-file override, else civicrm_setting via --db/--use-site-db) or when the web server redirects the whole site from http to https (the http.redirect judgement on the same facts). Fails when neither holds: CiviCRM's pages may then be used over plain http.",
  remediation:
    'Redirect all plain-http requests to https in the web server (preferred; see http.redirect), and/or turn on Administer » System Settings » Resource URLs » "Force Secure URLs (SSL)" (`cv vset enableSSL=1`).',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/#redirecting-http-to-https'],
  outcomes: {},
  probes: {},
  optional: { settings: runtimeSettingsProbe, plain: plainHttpProbe, site: siteProbe },
  mode: 'both',
  run(_facts, { target, optional }): Finding[] {
    const { settings, plain, site } = optional;
    const v = settings.ok ? settings.value.values.enableSSL : null;
    const sslOn = v?.state === 'known' && phpTruthy(v.value);
    if (sslOn)
      return [
        {
          status: 'pass',
          message: `CiviCRM forces https: enableSSL is on (${v.detail})`,
          evidence: { enableSSL: v.value, source: v.detail },
        },
      ];
    // The whole-site redirect, judged exactly as http.redirect judges it.
    let redirect: { status: string; message: string } | null = null;
    if (plain.ok) {
      const r = redirectCheck.run({ plain: plain.value } as never, { target, optional: { site } as never });
      const worst = r.find((f) => f.status === 'fail') ?? r.find((f) => f.status === 'error') ?? r[0];
      if (worst) redirect = { status: worst.status, message: worst.message };
    }
    const enableWhy = !settings.ok
      ? settings.reason
      : v?.state === 'unknown'
        ? v.reason
        : `enableSSL is off (${v?.state === 'known' ? v.detail : '?'})`;
    if (redirect?.status === 'pass')
      return [
        {
          status: 'pass',
          message: `the web server redirects the whole site to https (${redirect.message}); ${enableWhy}`,
          evidence: { redirect: redirect.message },
        },
      ];
    const redirectWhy = redirect
      ? redirect.message
      : plain.ok
        ? 'http.redirect gave no result'
        : plain.reason;
    if (v?.state === 'known' && redirect?.status === 'fail')
      return [
        {
          status: 'fail',
          message: `${enableWhy}, and plain http is not redirected: ${redirectWhy}`,
          evidence: { enableSSL: v.value, source: v.detail, redirect: redirectWhy },
        },
      ];
    const status =
      (!settings.ok && settings.status === 'error') ||
      (v?.state === 'unknown' && v.status === 'error') ||
      redirect?.status === 'error'
        ? 'error'
        : 'skip';
    return [{ status, message: `cannot tell: ${enableWhy}; redirect: ${redirectWhy}` }];
  },
});
