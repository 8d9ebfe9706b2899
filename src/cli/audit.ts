import type { Command } from 'commander';
import { Option } from 'commander';
import { SEVERITIES } from '../core/severity.js';
import { CMS_NAMES } from '../core/target.js';
import { FORMATS } from '../report/formats.js';
import type { AuditFlags } from './audit-command.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const list = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

/** `civiguard audit` (SPEC §6): the options here; the audit itself (probes, checks, reporters) loads only when it runs. */
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
      const { auditCommand } = await import('./audit-command.js');
      process.exitCode = await auditCommand(url, flags);
    });
}
