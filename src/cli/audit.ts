import { writeFileSync, renameSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { buildTarget } from '../audit/build-target.js';
import { exitCodeFor, runAudit } from '../audit/run-audit.js';
import type { AuditConfig } from '../core/config.js';
import { loadAuditConfig } from '../core/config.js';
import { CiviguardError, describeError } from '../core/errors.js';
import type { Severity } from '../core/severity.js';
import { SEVERITIES } from '../core/severity.js';
import type { CmsName } from '../core/target.js';
import { CMS_NAMES } from '../core/target.js';
import type { Format } from '../report/index.js';
import { FORMATS, render } from '../report/index.js';
import { useColor } from './errors.js';
import { createProgress } from './progress.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const list = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

/** The flags as commander hands them over: the config keys of the same names, plus the CLI-only ones. */
type AuditFlags = Omit<
  AuditConfig,
  'url' | 'timeout' | 'allowedCountries' | 'backupMaxAgeHours' | 'drillMaxAgeDays' | 'backupRepos'
> & {
  timeout?: string;
  config?: string;
  backupRepo?: string[];
};

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('audit a CiviCRM site: remote checks from its URL, local ones with --root')
    .argument('[url]', 'the site, e.g. https://example.org/')
    .option('--root <dir>', 'the site root on this server (enables local checks)')
    .addOption(
      new Option('--cms <name>', 'the CMS').choices(['auto', ...CMS_NAMES.filter((c) => c !== 'unknown')]),
    )
    .option('--resolve <host:port:ip>', 'pin a host name and port to an address (repeatable)', collect)
    .option('--ca <file>', 'trust an extra CA certificate (PEM; repeatable)', collect)
    .option('--ssh <host[:port]>', 'SSH server to check')
    .option('--ftp <host[:port]>', 'FTP server to check')
    .option('--db <dsn>', 'CiviCRM database DSN (read-only queries)')
    .option('--access-log <file>', 'web server access log to scan (repeatable)', collect)
    .option('--only <ids>', 'only these checks or areas (comma-separated, `tls`, `http.*`)', list)
    .option('--skip <ids>', 'skip these checks or areas', list)
    .addOption(
      new Option('--format <format>', 'report format (default: text on a TTY, else json)').choices([
        ...FORMATS,
      ]),
    )
    .option('--output <file>', 'write the report to a file instead of stdout')
    .addOption(
      new Option('--fail-on <level>', 'exit 1 on a failure at or above this severity').choices([
        ...SEVERITIES,
      ]),
    )
    .option('--web-user <user>', 'the user PHP runs as (overrides detection)')
    .option('--use-site-db', "use the DSN from the site's settings file")
    .option('--allow-errors', 'do not exit 1 because a check could not run')
    .option('--http-url <url>', 'where the plain-http side answers (default http://<host>/)')
    .option('--timeout <ms>', 'time budget per probe in ms (default 20000)')
    .option('--backup-repo <repo>', 'civiguard backup repository to judge (backup.*; repeatable)', collect)
    .option('--config <file>', 'YAML config file (every flag has a key)')
    .action(async (url: string | undefined, flags: AuditFlags) => {
      process.exitCode = await auditCommand(url, flags);
    });
}

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

/** Writes a file via temp + rename, so a reader never sees half a report. */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    throw new CiviguardError('E_IO', `cannot write ${file}: ${describeError(e)}`);
  }
}
