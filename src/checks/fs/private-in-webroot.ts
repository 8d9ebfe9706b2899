import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import type { ProbeOutcome } from '../../core/probe.js';
import type { CanaryFacts } from '../../probes/local/canary.js';
import { canaryProbe } from '../../probes/local/canary.js';
import type { DataDir, DirKind } from '../../probes/local/layout.js';
import { PRIVATE_KINDS, layoutProbe } from '../../probes/local/layout.js';
import type { WebServerFacts } from '../../probes/local/web-user.js';
import { webServerProbe } from '../../probes/local/web-user.js';

export const DIR_OUTCOME: Record<DirKind, string> = {
  upload: 'upload',
  custom: 'custom',
  log: 'ConfigAndLog',
  compile: 'templates_c',
  persist: 'persist',
  ext: 'ext',
};

/** Judgement for one dir; exported for the table test. */
export function judgeDir(
  d: DataDir,
  canary: ProbeOutcome<CanaryFacts>,
  web: ProbeOutcome<WebServerFacts>,
): Finding {
  const outcome = DIR_OUTCOME[d.kind];
  const where = d.path ?? '(unknown path)';
  if (!d.path) return { outcome, status: 'skip', message: `${d.kind} dir not known: ${d.source}` };
  if (!d.exists) return { outcome, status: 'skip', message: `${d.path} does not exist` };
  const c = canary.ok ? canary.value.dirs.find((x) => x.kind === d.kind) : undefined;
  const evidence = { path: d.path, inWebRoot: d.inWebRoot, urls: d.urls };
  if (c?.status === 'reachable') {
    return {
      outcome,
      status: 'fail',
      message: d.inWebRoot
        ? `${where} is inside the document root and a canary file in it was served at ${c.reachableUrl}`
        : `${where} is outside the document root, yet a canary file in it was served at ${c.reachableUrl} (an alias or symlink serves it)`,
      evidence: { ...evidence, canaryUrl: c.reachableUrl },
    };
  }
  if (c?.status === 'not-reachable')
    return {
      outcome,
      status: 'pass',
      message: `${where}: a canary file in it was not served (${c.reason})`,
      evidence,
    };
  const why = canary.ok ? (c?.reason ?? 'not tested') : canary.reason;
  if (!d.inWebRoot)
    return {
      outcome,
      status: 'pass',
      message: `${where} is outside the document root (the canary fetch could not confirm no alias serves it: ${why})`,
      evidence,
    };
  const servers = web.ok ? web.value.servers : [];
  if (servers.includes('apache') && !servers.includes('nginx')) {
    const deny = d.htaccessDeny;
    if (deny)
      return {
        outcome,
        status: 'pass',
        message: `${where}: Apache deny rule in ${deny} (not confirmed by a fetch: ${why})`,
        evidence: { ...evidence, htaccess: deny },
      };
    return {
      outcome,
      status: 'fail',
      message: `${where} is inside the document root of an Apache site with no .htaccess deny rule`,
      evidence,
    };
  }
  return {
    outcome,
    status: 'skip',
    message: `${where} is inside the document root; ${servers.includes('nginx') ? 'nginx ignores .htaccess, so only a fetch shows whether a location rule protects it' : 'the web server is not known'}, and the canary fetch did not run (${why})`,
    evidence,
  };
}

export default defineCheck({
  id: 'fs.private-in-webroot',
  area: 'fs',
  title: "CiviCRM's private dirs inside the web root without protection the server honours",
  severity: 'warning',
  seed: 'Uploads should not be accessible / Directories should not be browsable',
  description:
    'For ConfigAndLog, templates_c, upload and custom: judged by the canary fetch when it ran (a canary file served: fail, refused: pass). Without it: outside the document root passes; inside it, on Apache a missing .htaccess deny rule fails, and on nginx (which ignores .htaccess) the check skips rather than warn about a file nginx never reads.',
  remediation:
    "Move the private dirs out of the document root ($civicrm_paths['civicrm.private'] / civicrm.log / civicrm.compile, uploadDir, customFileUploadDir), or deny them in the server: nginx `location ~ ^/<files path>/civicrm/(ConfigAndLog|templates_c|upload|custom)/ { deny all; }`, Apache `Require all denied` (with AllowOverride for .htaccess).",
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/#protect-your-private-files'],
  outcomes: Object.fromEntries(
    PRIVATE_KINDS.map((k) => [
      DIR_OUTCOME[k],
      {
        title: `${DIR_OUTCOME[k]} dir reachable or unprotected in the web root`,
        severity: 'warning' as const,
      },
    ]),
  ),
  probes: { layout: layoutProbe },
  optional: { canary: canaryProbe, web: webServerProbe },
  mode: 'local',
  run({ layout }, { optional }) {
    return layout.dirs.filter((d) => d.private).map((d) => judgeDir(d, optional.canary, optional.web));
  },
});
