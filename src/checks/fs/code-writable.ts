import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { KIND_DIR, KIND_FILE, insideAny } from '../../probes/local/fs-walk.js';
import { layoutProbe } from '../../probes/local/layout.js';
import { siteTreeProbe } from '../../probes/local/site-tree.js';
import type { Account } from '../../probes/local/web-user.js';
import { canWrite, webServerProbe } from '../../probes/local/web-user.js';

/** PHP and what PHP or Apache would obey: code, and the files that change how code runs. */
export const CODE_FILE =
  /\.(php\d?|phtml|phar|inc|module|install|theme|profile|engine)$|^\.htaccess$|^\.user\.ini$/i;
const MAX_LISTED = 20;

export default defineCheck({
  id: 'fs.code-writable',
  area: 'fs',
  title: 'Code writable by the PHP user or by anyone',
  severity: 'warning',
  seed: 'Filesystem permissions',
  description:
    'Walks the code trees (CMS core, CiviCRM core, extensions; not the files and private data dirs, not templates_c) and compares each directory and code file (PHP, .htaccess, .user.ini) with the users PHP runs as (the PHP-FPM pool or Apache user, from the running processes, their config or --web-user). Writable by that user or group: warning (a hole in any plugin becomes a permanent backdoor). Writable by everyone: error.',
  remediation:
    'Give the code to a deploy user the web server does not run as (e.g. `chown -R deploy:deploy <root>`), keep directories 755 and files 644, and let PHP write only to the files/upload dirs. Run `civiguard harden` for a permission plan.',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/#file-permissions'],
  outcomes: {
    'world-writable': {
      title: 'Code writable by every user',
      severity: 'error',
      remediation:
        'Remove the world-write bit: `chmod -R o-w <root>` (and find out which install step set it).',
    },
    'php-user-writable': { title: 'Code writable by the user PHP runs as', severity: 'warning' },
    'php-as-root': {
      title: 'PHP runs as root',
      severity: 'error',
      remediation: 'Run the PHP-FPM pool (or Apache) as an unprivileged user such as www-data, never root.',
    },
    'php-user': { title: 'PHP user not known', severity: 'warning' },
  },
  probes: { layout: layoutProbe, tree: siteTreeProbe },
  optional: { web: webServerProbe },
  mode: 'local',
  run({ layout, tree }, { optional }) {
    const t = tree.table;
    const all: Account[] = optional.web.ok ? optional.web.value.phpUsers : [];
    const roots = all.filter((u) => u.uid === 0);
    const users = all.filter((u) => u.uid !== 0);
    const isData = insideAny(layout.dataRoots);
    const world: string[] = [];
    let worldCount = 0;
    const byUser = new Map<string, { count: number; paths: string[] }>();
    let examined = 0;
    for (let i = 0; i < t.count; i++) {
      const kind = t.kind[i]!;
      if (kind !== KIND_DIR && kind !== KIND_FILE) continue;
      const p = t.paths[i]!;
      if (kind === KIND_FILE && !CODE_FILE.test(p.slice(p.lastIndexOf('/') + 1))) continue;
      if (isData(p)) continue;
      examined++;
      const mode = t.mode[i]!;
      if (mode & 0o002) {
        if (world.length < MAX_LISTED) world.push(p);
        worldCount++;
        continue;
      }
      for (const u of users) {
        if (!canWrite(u, mode, t.uid[i]!, t.gid[i]!)) continue;
        const e = byUser.get(u.name) ?? { count: 0, paths: [] };
        e.count++;
        if (e.paths.length < MAX_LISTED) e.paths.push(p);
        byUser.set(u.name, e);
      }
    }
    const walkNote = tree.truncated
      ? ` (the walk stopped at ${t.count} entries: the rest was not looked at)`
      : tree.errorCount
        ? ` (${tree.errorCount} paths could not be read)`
        : '';
    const findings: Finding[] = [];
    if (worldCount) {
      findings.push({
        outcome: 'world-writable',
        status: 'fail',
        message: `${worldCount} code dirs/files are writable by every user on the server, e.g. ${world[0]}`,
        evidence: { count: worldCount, paths: world },
      });
    }
    for (const u of roots) {
      findings.push({
        outcome: 'php-as-root',
        status: 'fail',
        message: `PHP runs as root (${u.source}): every file on the server is writable by the site's PHP code`,
        evidence: { user: u.name, source: u.source },
      });
    }
    if (!optional.web.ok) {
      findings.push({
        outcome: 'php-user',
        status: optional.web.status,
        message: `code writable by PHP's user not judged: ${optional.web.reason}`,
      });
    } else {
      for (const [name, e] of byUser) {
        const u = users.find((x) => x.name === name)!;
        findings.push({
          outcome: 'php-user-writable',
          status: 'fail',
          message: `${e.count} code dirs/files are writable by ${name} (uid ${u.uid}), the user PHP runs as (${u.source}), e.g. ${e.paths[0]}`,
          evidence: { user: name, uid: u.uid, source: u.source, count: e.count, paths: e.paths },
        });
      }
    }
    if (findings.every((f) => f.status !== 'fail')) {
      if (examined === 0) {
        findings.push({
          status: 'skip',
          message: `no code found to examine under ${tree.roots.join(', ')}${walkNote}`,
        });
      } else if (tree.truncated) {
        findings.push({
          status: 'skip',
          message: `no writable code among the ${examined} entries seen${walkNote}`,
        });
      } else {
        findings.push({
          status: optional.web.ok ? 'pass' : 'skip',
          message: `${examined} code dirs/files: none writable by ${users.map((u) => u.name).join(', ') || 'everyone'}${walkNote}`,
          evidence: { examined, roots: tree.roots, users: users.map((u) => `${u.name} (${u.source})`) },
        });
      }
    } else if (optional.web.ok && byUser.size === 0 && users.length > 0) {
      findings.push({
        status: 'pass',
        message: `no code writable by ${users.map((u) => u.name).join(', ')}${walkNote}`,
        evidence: { examined },
      });
    }
    return findings;
  },
});
