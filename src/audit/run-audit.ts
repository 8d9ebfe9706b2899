import { ALL_CHECKS } from '../checks/index.js';
import type { AnyCheck } from '../core/check.js';
import { CiviguardError } from '../core/errors.js';
import type { Report, Result } from '../core/result.js';
import { summarize } from '../core/result.js';
import type { RunOptions } from '../core/runner.js';
import { runChecks } from '../core/runner.js';
import type { Severity } from '../core/severity.js';
import { severityRank } from '../core/severity.js';
import type { AuditTarget, CmsName } from '../core/target.js';
import { didYouMean } from '../core/did-you-mean.js';
import { layoutProbe } from '../probes/local/layout.js';
import { siteProbe } from '../probes/site.js';
import { VERSION } from '../version.js';

export interface AuditOptions extends RunOptions {
  only?: string[];
  skip?: string[];
  checks?: readonly AnyCheck[];
}

/** `--only`/`--skip` accept check ids, area names (`tls`) and prefixes ending in `*`. */
export function selectChecks(all: readonly AnyCheck[], only: string[] = [], skip: string[] = []): AnyCheck[] {
  const ids = all.map((c) => c.id);
  const areas = [...new Set(all.map((c) => c.area))];
  const matcher = (pattern: string, flag: string) => {
    const p = pattern.trim();
    if (p.endsWith('*')) return (c: AnyCheck) => c.id.startsWith(p.slice(0, -1));
    if (areas.includes(p as AnyCheck['area'])) return (c: AnyCheck) => c.area === p;
    if (ids.includes(p)) return (c: AnyCheck) => c.id === p;
    throw new CiviguardError(
      'E_USAGE',
      `${flag}: no check or area '${p}'${didYouMean(p, [...ids, ...areas])}`,
    );
  };
  const onlyM = only.map((p) => matcher(p, '--only'));
  const skipM = skip.map((p) => matcher(p, '--skip'));
  return all.filter((c) => (onlyM.length === 0 || onlyM.some((m) => m(c))) && !skipM.some((m) => m(c)));
}

const AREA_ORDER = [
  'tls',
  'http',
  'exposure',
  'access',
  'fs',
  'config',
  'ssh',
  'ftp',
  'pci',
  'backup',
  'jurisdiction',
  'ids',
];

export async function runAudit(target: AuditTarget, opts: AuditOptions = {}): Promise<Report> {
  const started = new Date();
  const t0 = performance.now();
  const checks = selectChecks(opts.checks ?? ALL_CHECKS, opts.only, opts.skip);
  if (checks.length === 0) throw new CiviguardError('E_USAGE', 'no checks selected (see --only / --skip)');
  const out = await runChecks(target, checks, opts);
  const site = out.fact(siteProbe);
  // The server's own files (--root) are better evidence than the front page's markup.
  const layout = out.fact(layoutProbe);
  const cms: CmsName =
    target.cms !== 'auto'
      ? target.cms
      : layout?.ok
        ? layout.value.cms
        : site?.ok
          ? site.value.cms
          : 'unknown';
  const results = [...out.results].sort(
    (a, b) => AREA_ORDER.indexOf(a.check.split('.')[0]!) - AREA_ORDER.indexOf(b.check.split('.')[0]!),
  );
  return {
    tool: { name: 'civiguard', version: VERSION },
    target: { url: target.url.toString(), root: target.root, cms },
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    results,
    summary: summarize(results),
  };
}

/** SPEC §2 exit codes: 1 when a fail at/above `failOn`, or any error result unless `allowErrors`. */
export function exitCodeFor(results: readonly Result[], failOn: Severity, allowErrors: boolean): 0 | 1 {
  for (const r of results) {
    if (r.status === 'fail' && severityRank(r.severity) >= severityRank(failOn)) return 1;
    if (r.status === 'error' && !allowErrors) return 1;
  }
  return 0;
}
