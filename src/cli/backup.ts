import type { Command } from 'commander';
import { Option } from 'commander';
import { CiviguardError } from '../core/errors.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Aborts on SIGINT/SIGTERM: writes in flight finish or are abandoned as temp files; nothing half-done is recorded. */
async function withSignals(fn: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const onSig = () => controller.abort(new CiviguardError('E_ABORTED', 'interrupted'));
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}

const formatOption = () =>
  new Option('--format <format>', 'output format (default: text on a TTY, else json)').choices([
    'text',
    'json',
  ]);

/** `civiguard backup …` (SPEC §6). The implementation in src/backup is loaded only when a subcommand runs. */
export function registerBackup(program: Command): void {
  const backup = program
    .command('backup')
    .description('encrypted, deduplicated, verified backups of the CiviCRM database and files');
  const load = () => import('../backup/commands.js');

  backup
    .command('init')
    .description(
      'create a repository: write-only with --recipient, else passphrase-protected ($CIVIGUARD_PASSPHRASE)',
    )
    .requiredOption(
      '--repo <repo>',
      'a directory, sftp://user@host[:port]/path or s3://bucket/prefix?endpoint=URL',
      collect,
    )
    .option('--recipient <age1…>', 'age X25519 recipient the data keys are wrapped to (repeatable)', collect)
    .addOption(formatOption())
    .action(async (flags: { repo: string[]; recipient?: string[]; format?: string }) => {
      const c = await load();
      process.exitCode = await c.initCommand(flags, c.defaultIo(flags.format));
    });

  backup
    .command('keygen')
    .description('print a new age identity (keep it off the server) and its public key')
    .action(async () => {
      const c = await load();
      process.exitCode = await c.keygenCommand(c.defaultIo());
    });

  backup
    .command('run')
    .description('back up databases and directories into one or more repositories (replicas)')
    .option('--repo <repo>', 'destination; every --repo is required (repeatable)', collect)
    .option('--optional-repo <repo>', 'destination whose failure does not fail the run (repeatable)', collect)
    .option('--path <dir>', 'a directory to back up (repeatable)', collect)
    .option('--db <dsn>', 'a database to dump, mysql://user:pass@host:port/db (repeatable)', collect)
    .option(
      '--settings <file>',
      'civicrm.settings.php: back up the databases it names (CIVICRM_DSN, CIVICRM_UF_DSN, CIVICRM_LOGGING_DSN)',
    )
    .option(
      '--site-root <dir>',
      'add the CiviCRM data dirs (upload, custom, persist, ext) found under this site root',
    )
    .option('--exclude <glob>', 'leave out matching paths (repeatable)', collect)
    .option('--no-default-excludes', 'also back up templates_c, caches and settings files')
    .option('--config <file>', 'YAML file with repos, paths, dbs, excludes, schedule')
    .option('--cache-dir <dir>', 'files cache directory (default $CIVIGUARD_CACHE_DIR or ~/.cache/civiguard)')
    .option('--no-cache', 'read every file again')
    .option('--level <n>', 'zstd level -5…19, or auto (default: 1 for small blobs, 2 for big ones)')
    .option('--tag <tag>', 'tag the snapshot (repeatable)', collect)
    .option('--schedule <cron>', 'stay running and back up on this cron schedule (e.g. "15 3 * * *")')
    .addOption(formatOption())
    .action(async (flags: Record<string, unknown>) => {
      const c = await load();
      process.exitCode = await withSignals((signal) => c.runFromCli(flags, signal));
    });

  backup
    .command('list')
    .description('list snapshots and drills (no key needed)')
    .requiredOption('--repo <repo>', 'repository', collect)
    .addOption(formatOption())
    .action(async (flags: { repo: string[]; format?: string }) => {
      const c = await load();
      process.exitCode = await c.listCommand(flags, c.defaultIo(flags.format));
    });

  backup
    .command('check')
    .description('verify the repository structure; --read-data reads and verifies every byte')
    .requiredOption('--repo <repo>', 'repository', collect)
    .option('--read-data', 'read every pack: hashes, and with a key every blob decrypted and verified')
    .option('--identity <file>', 'age identity file (write-only repositories)')
    .addOption(formatOption())
    .action(async (flags: { repo: string[]; readData?: boolean; identity?: string; format?: string }) => {
      const c = await load();
      process.exitCode = await c.checkCommand(flags, c.defaultIo(flags.format));
    });

  backup
    .command('restore')
    .description(
      'restore a snapshot: files into --target, dumps into --db (never the live database unless --force)',
    )
    .argument('<snapshot>', "snapshot id (prefix) or 'latest'")
    .requiredOption('--repo <repo>', 'repository', collect)
    .option('--target <dir>', 'directory to restore files (and dumps without --db) into')
    .option('--identity <file>', 'age identity file (write-only repositories)')
    .option('--db <dsn>', 'restore the dump into this database ([source=]mysql://…/db; repeatable)', collect)
    .option('--force', 'allow a non-empty target directory or the live database')
    .addOption(formatOption())
    .action(
      async (
        snapshot: string,
        flags: {
          repo: string[];
          target?: string;
          identity?: string;
          db?: string[];
          force?: boolean;
          format?: string;
        },
      ) => {
        const c = await load();
        process.exitCode = await c.restoreCommand(snapshot, flags, c.defaultIo(flags.format));
      },
    );

  backup
    .command('forget')
    .description(
      'remove snapshots outside the retention policy (catalogue only: no key needed); --prune then frees space',
    )
    .requiredOption('--repo <repo>', 'repository', collect)
    .option('--keep-last <n>', 'keep the n newest snapshots')
    .option('--keep-hourly <n>', 'keep the newest snapshot of each of the last n hours that have one')
    .option('--keep-daily <n>', 'same, days')
    .option('--keep-weekly <n>', 'same, ISO weeks')
    .option('--keep-monthly <n>', 'same, months')
    .option('--keep-yearly <n>', 'same, years')
    .option('--dry-run', 'only say what would be removed')
    .option('--prune', 'prune afterwards')
    .addOption(formatOption())
    .action(async (flags: Record<string, unknown>) => {
      const c = await load();
      process.exitCode = await c.forgetCommand(flags, c.defaultIo(flags.format as string | undefined));
    });

  backup
    .command('prune')
    .description('delete data no snapshot uses (repacking without decrypting)')
    .requiredOption('--repo <repo>', 'repository', collect)
    .option('--dry-run', 'only say what would be removed')
    .addOption(formatOption())
    .action(async (flags: { repo: string[]; dryRun?: boolean; format?: string }) => {
      const c = await load();
      process.exitCode = await c.pruneCommand(flags, c.defaultIo(flags.format));
    });

  backup
    .command('copy')
    .description('make or refresh a replica: copy snapshots and their data without decrypting')
    .requiredOption('--from <repo>', 'source repository')
    .requiredOption('--to <repo>', 'replica (created when empty)', collect)
    .addOption(formatOption())
    .action(async (flags: { from: string; to: string[]; format?: string }) => {
      const c = await load();
      process.exitCode = await c.copyCommand(flags, c.defaultIo(flags.format));
    });

  backup
    .command('drill')
    .description(
      'restore the latest dump into a scratch database, compare row counts, sanity-check, drop it, record the result',
    )
    .requiredOption('--repo <repo>', 'repository', collect)
    .option('--identity <file>', 'age identity file (a passphrase repository uses $CIVIGUARD_PASSPHRASE)')
    .requiredOption(
      '--scratch-db <dsn>',
      'server and account for the scratch database (mysql://user:pass@host:port/)',
    )
    .option('--snapshot <id>', "snapshot to drill (default 'latest')")
    .addOption(formatOption())
    .action(
      async (flags: {
        repo: string[];
        identity?: string;
        scratchDb: string;
        snapshot?: string;
        format?: string;
      }) => {
        const c = await load();
        process.exitCode = await c.drillCommand(flags, c.defaultIo(flags.format));
      },
    );

  backup
    .command('escrow')
    .description('store the settings file and CiviCRM keys encrypted to a separate recipient')
    .requiredOption('--repo <repo>', 'repository (repeatable: every replica gets the escrow record)', collect)
    .requiredOption(
      '--recipient <age1…>',
      'escrow recipient: not the repository recipient (repeatable)',
      collect,
    )
    .option('--settings <file>', 'civicrm.settings.php (and CMS settings files; repeatable)', collect)
    .addOption(formatOption())
    .action(async (flags: { repo: string[]; recipient: string[]; settings?: string[]; format?: string }) => {
      const c = await load();
      process.exitCode = await c.escrowCommand(flags, c.defaultIo(flags.format));
    });

  backup
    .command('unlock')
    .description('remove stale locks (of dead processes); live locks are never removed')
    .requiredOption('--repo <repo>', 'repository', collect)
    .action(async (flags: { repo: string[] }) => {
      const c = await load();
      process.exitCode = await c.unlockCommand(flags, c.defaultIo());
    });

  for (const c of backup.commands) c.exitOverride();
  backup.exitOverride();
}
