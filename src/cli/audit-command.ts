import type { AuditConfig } from '../core/config.js';
import { loadAuditConfig } from '../core/config.js';
import { buildTarget } from '../audit/build-target.js';
import { exitCodeFor, runAudit } from '../audit/run-audit.js';
import { CiviguardError } from '../core/errors.js';
import type { Severity } from '../core/severity.js';
import type { CmsName } from '../core/target.js';
import { writeAtomic } from '../core/write-atomic.js';
import type { Format } from '../report/index.js';
import { render } from '../report/index.js';
import { useColor } from './errors.js';
import { createProgress } from './progress.js';

export /** The flags as commander hands them over: the config keys of the same names, plus the CLI-only ones. */
type AuditFlags = Omit<
  AuditConfig,
  'url' | 'timeout' | 'allowedCountries' | 'backupMaxAgeHours' | 'drillMaxAgeDays' | 'backupRepos'
> & {
  timeout?: string;
  config?: string;
  backupRepo?: string[];
};

export async function auditCommand(urlArg: string | undefined, flags: AuditFlags): Promise<number> {
  const cfg: AuditConfig = flags.config ? loadAuditConfig(flags.config) : {};
  const url = urlArg ?? cfg.url;
  if (!url) throw new CiviguardError('E_USAGE', 'audit needs a URL (civiguard audit https://example.org/)');
  const timeout = flags.timeout !== undefined ? Number(flags.timeout) : cfg.timeout;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 100)) {
    throw new CiviguardError('E_USAGE', `--timeout '${flags.timeout}' must be a whole number of ms ≥ 100`);
  }
  const target = buildTarget({
    url,
    httpUrl: flags.httpUrl ?? cfg.httpUrl,
    root: flags.root ?? cfg.root ?? null,
    cms: (flags.cms ?? cfg.cms ?? 'auto') as CmsName | 'auto',
    resolve: [...(cfg.resolve ?? []), ...(flags.resolve ?? [])],
    ca: [...(cfg.ca ?? []), ...(flags.ca ?? [])],
    ssh: flags.ssh ?? cfg.ssh ?? null,
    ftp: flags.ftp ?? cfg.ftp ?? null,
    db: flags.db ?? cfg.db ?? null,
    useSiteDb: flags.useSiteDb ?? cfg.useSiteDb ?? false,
    accessLogs: [...(cfg.accessLog ?? []), ...(flags.accessLog ?? [])],
    webUser: flags.webUser ?? cfg.webUser ?? null,
    timeoutMs: timeout,
    backupRepos: [...(cfg.backupRepos ?? []), ...(flags.backupRepo ?? [])],
    policy: {
      ...(cfg.allowedCountries ? { allowedCountries: cfg.allowedCountries } : {}),
      ...(cfg.backupMaxAgeHours ? { backupMaxAgeHours: cfg.backupMaxAgeHours } : {}),
      ...(cfg.drillMaxAgeDays ? { drillMaxAgeDays: cfg.drillMaxAgeDays } : {}),
    },
  });
  const output = flags.output ?? cfg.output;
  const format = (flags.format ??
    cfg.format ??
    (process.stdout.isTTY && !output ? 'text' : 'json')) as Format;
  const failOn = (flags.failOn ?? cfg.failOn ?? 'error') as Severity;
  const allowErrors = flags.allowErrors ?? cfg.allowErrors ?? false;

  const controller = new AbortController();
  const onSigint = () => controller.abort(new CiviguardError('E_ABORTED', 'interrupted'));
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const progress = createProgress();
  let report;
  try {
    report = await runAudit(target, {
      only: flags.only ?? cfg.only,
      skip: flags.skip ?? cfg.skip,
      signal: controller.signal,
      onProgress: progress.onProgress,
    });
  } finally {
    progress.done();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  if (controller.signal.aborted)
    throw new CiviguardError('E_ABORTED', 'audit interrupted; nothing was left behind', { exitCode: 130 });
  const text = await render(report, format, { color: !output && useColor(process.stdout) });
  if (output) writeAtomic(output, text);
  else process.stdout.write(text);
  return exitCodeFor(report.results, failOn, allowErrors);
}
