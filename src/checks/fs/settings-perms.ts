import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { layoutProbe } from '../../probes/local/layout.js';
import { settingsFilesProbe } from '../../probes/local/settings-perms.js';
import { canWrite, webServerProbe } from '../../probes/local/web-user.js';

export default defineCheck({
  id: 'fs.settings-perms',
  area: 'fs',
  title: 'Settings files readable by others or writable by the web server',
  severity: 'warning',
  seed: 'Filesystem permissions',
  description:
    "Looks at civicrm.settings.php (and the files it includes) and the CMS's own settings (settings.php, wp-config.php and Debian's /etc/wordpress/config-<host>.php, configuration.php). They hold the database password and CiviCRM's keys: readable by every local user, or writable by the user PHP runs as, is a warning.",
  remediation:
    'Make the settings files owned by the deploy user (or root), group the PHP user, mode 640: `chown root:www-data civicrm.settings.php && chmod 640 civicrm.settings.php`.',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/#file-permissions'],
  outcomes: {
    'world-readable': { title: 'Settings file readable by every local user', severity: 'warning' },
    'php-user-writable': { title: 'Settings file writable by the user PHP runs as', severity: 'warning' },
    'php-user': { title: 'PHP user not known', severity: 'warning' },
  },
  probes: { layout: layoutProbe, files: settingsFilesProbe },
  optional: { web: webServerProbe },
  mode: 'local',
  run({ files }, { optional }) {
    if (files.length === 0) return [{ status: 'skip', message: 'no settings file found to look at' }];
    const findings: Finding[] = [];
    const readable = files.filter((f) => f.mode & 0o004);
    if (readable.length) {
      findings.push({
        outcome: 'world-readable',
        status: 'fail',
        message: `readable by every local user: ${readable.map((f) => `${f.path} (${f.mode.toString(8)})`).join(', ')}`,
        evidence: {
          files: readable.map((f) => ({ path: f.path, mode: f.mode.toString(8), uid: f.uid, gid: f.gid })),
        },
      });
    }
    if (!optional.web.ok) {
      findings.push({
        outcome: 'php-user',
        status: optional.web.status,
        message: `writability by PHP's user not judged: ${optional.web.reason}`,
      });
    } else {
      for (const u of optional.web.value.phpUsers) {
        const writable = files.filter((f) => canWrite(u, f.mode, f.uid, f.gid));
        if (!writable.length) continue;
        findings.push({
          outcome: 'php-user-writable',
          status: 'fail',
          message: `writable by ${u.name} (the user PHP runs as, ${u.source}): ${writable.map((f) => f.path).join(', ')}`,
          evidence: {
            user: u.name,
            uid: u.uid,
            files: writable.map((f) => ({ path: f.path, mode: f.mode.toString(8), uid: f.uid, gid: f.gid })),
          },
        });
      }
    }
    if (!findings.some((f) => f.status === 'fail')) {
      if (!optional.web.ok)
        findings.push({
          status: 'skip',
          message: `${files.length} settings files not readable by others; PHP user unknown`,
        });
      else
        findings.push({
          status: 'pass',
          message: `${files.length} settings files: not readable by others, not writable by ${optional.web.value.phpUsers.map((u) => u.name).join(', ')}`,
          evidence: { files: files.map((f) => ({ path: f.path, mode: f.mode.toString(8) })) },
        });
    }
    return findings;
  },
});
