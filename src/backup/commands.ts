/**
 * The `civiguard backup …` commands: flag values in, work done, a summary out (text on a TTY, JSON
 * otherwise), an exit code back. src/cli/backup.ts only declares the flags and loads this lazily.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { CiviguardError, describeError } from '../core/errors.js';
import { redactString } from '../core/redact.js';
import type { Backend } from './backends/backend.js';
import { openBackend } from './backends/backend.js';
import type { DrillRecord } from './format.js';
import type { Unlock } from './keyring.js';
import { loadAge, parseIdentityFile } from './keyring.js';
import { RepoLock, removeStaleLocks } from './lock.js';
import { createProgressSink, formatBytes } from './progress.js';
import { Repository } from './repository.js';
import { restoreSnapshot } from './restore.js';
import type { SourceSpec } from './run.js';
import { runBackup } from './run.js';
import type { Dsn } from './sources/dsn.js';
import { parseDsn } from './sources/dsn.js';
import { checkRepository } from './verify.js';
import { WorkerPool } from './worker/pool.js';
import type { ZstdLevel } from './worker/codec.js';
import { defaultCacheDir } from './files-cache.js';
import type { CopyResult } from './copy.js';
import { copyRepository } from './copy.js';
import { makeEscrow, storeEscrow } from './escrow.js';
import type { PruneResult } from './prune.js';
import { prune } from './prune.js';
import { applyRetention, parsePolicy } from './retention.js';
import { discoverSitePaths } from './sources/site-layout.js';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Human-readable output (a TTY) or JSON. */
  human: boolean;
  progress: boolean;
}

export function defaultIo(format?: string): Io {
  const human = format ? format === 'text' : Boolean(process.stdout.isTTY);
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    human,
    progress: true,
  };
}

export function readPassphrase(): string | undefined {
  if (process.env.CIVIGUARD_PASSPHRASE) return process.env.CIVIGUARD_PASSPHRASE;
  const file = process.env.CIVIGUARD_PASSPHRASE_FILE;
  if (file) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new CiviguardError('E_USAGE', `CIVIGUARD_PASSPHRASE_FILE ${file}: ${describeError(e)}`);
    }
  }
  return undefined;
}

export function readIdentities(file: string | undefined): string[] | undefined {
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CiviguardError('E_USAGE', `--identity ${file}: ${describeError(e)}`);
  }
  return parseIdentityFile(text, file);
}

export function unlockFrom(flags: { identity?: string | undefined }): Unlock {
  return { passphrase: readPassphrase(), identities: readIdentities(flags.identity) };
}

async function withBackend<T>(repo: string, fn: (b: Backend) => Promise<T>): Promise<T> {
  const b = await openBackend(repo);
  try {
    return await fn(b);
  } finally {
    await b.close().catch(() => undefined);
  }
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

// ------------------------------------------------------------------ init

export async function initCommand(flags: { repo: string[]; recipient?: string[] }, io: Io): Promise<number> {
  if (flags.repo.length !== 1)
    throw new CiviguardError(
      'E_USAGE',
      'backup init takes exactly one --repo (make replicas with `backup copy`)',
    );
  return withBackend(flags.repo[0]!, async (b) => {
    let repo: Repository;
    if (flags.recipient?.length) repo = await Repository.init(b, { recipients: flags.recipient });
    else {
      const passphrase = readPassphrase();
      if (!passphrase) {
        throw new CiviguardError(
          'E_USAGE',
          'backup init needs --recipient AGE_PUBLIC_KEY (write-only repository) or a passphrase in CIVIGUARD_PASSPHRASE',
        );
      }
      if (passphrase.length < 12)
        throw new CiviguardError('E_USAGE', 'the passphrase is too short (12 characters at least)');
      repo = await Repository.init(b, { passphrase });
    }
    const summary = {
      repository: b.location.display,
      id: repo.id,
      mode: repo.config.mode,
      recipients: repo.config.recipients ?? [],
    };
    if (io.human) {
      io.out(
        `created ${repo.config.mode === 'age' ? 'write-only' : 'passphrase'} repository ${repo.id.slice(0, 8)} at ${b.location.display}\n`,
      );
      if (repo.config.mode === 'age')
        io.out(
          'keep the age identity off this server: it is needed to restore, drill and check --read-data\n',
        );
    } else io.out(json(summary));
    return 0;
  });
}

// ------------------------------------------------------------------ keygen

export async function keygenCommand(io: Io): Promise<number> {
  const age = await loadAge();
  const id = await age.generateX25519Identity();
  const recipient = await age.identityToRecipient(id);
  io.out(`# created: ${new Date().toISOString()}\n# public key: ${recipient}\n${id}\n`);
  io.err(`Public key: ${recipient}\n`);
  return 0;
}

// ------------------------------------------------------------------ run

export interface RunFlags {
  repo: string[];
  optionalRepo?: string[];
  path?: string[];
  db?: string[];
  exclude?: string[];
  noDefaultExcludes?: boolean;
  cacheDir?: string;
  cache?: boolean;
  level?: string;
  tag?: string[];
  format?: string;
}

export async function runCommand(flags: RunFlags, io: Io, signal?: AbortSignal): Promise<number> {
  const sources: SourceSpec[] = [
    ...(flags.db ?? []).map((d): SourceSpec => ({ kind: 'mariadb', dsn: parseDsn(d) })),
    ...(flags.path ?? []).map((p): SourceSpec => ({
      kind: 'files',
      path: p,
      exclude: flags.exclude ?? [],
      defaultExcludes: !flags.noDefaultExcludes,
    })),
  ];
  const level: ZstdLevel = flags.level === undefined || flags.level === 'auto' ? 'auto' : Number(flags.level);
  if (level !== 'auto' && (!Number.isInteger(level) || level < -5 || level > 19))
    throw new CiviguardError('E_USAGE', "--level must be 'auto' or a zstd level from -5 to 19");
  const repos = [
    ...flags.repo.map((r) => ({ r, required: true })),
    ...(flags.optionalRepo ?? []).map((r) => ({ r, required: false })),
  ];
  if (!repos.length) throw new CiviguardError('E_USAGE', 'backup run needs --repo');
  const unlock: Unlock = { passphrase: readPassphrase() };
  const backends: { backend: Backend; required: boolean }[] = [];
  const failedOpen: { repo: string; required: boolean; error: string }[] = [];
  for (const { r, required } of repos) {
    try {
      backends.push({ backend: await openBackend(r, { signal }), required });
    } catch (e) {
      if (e instanceof CiviguardError && e.code === 'E_USAGE') throw e;
      failedOpen.push({ repo: redactString(r), required, error: describeError(e) });
    }
  }
  if (!backends.length) {
    throw new CiviguardError(
      'E_BACKUP',
      `no destination could be opened: ${failedOpen.map((f) => `${f.repo}: ${f.error}`).join('; ')}`,
    );
  }
  const sink = createProgressSink('backup run', process.stderr, { quiet: !io.progress });
  try {
    const res = await runBackup({
      dests: backends,
      sources,
      unlock,
      cacheDir: flags.cache === false ? null : (flags.cacheDir ?? defaultCacheDir()),
      level,
      tags: flags.tag ?? [],
      signal,
      estimate: io.human && Boolean(process.stderr.isTTY),
      onProgress: (p) =>
        sink.update({ bytes: p.bytes, totalBytes: p.totalBytes, files: p.files, newBytes: p.newBytes }),
      note: (m) => {
        sink.done();
        io.err(`${m}\n`);
      },
    });
    sink.done();
    const destinations = [...res.destinations, ...failedOpen.map((f) => ({ ...f, ok: false }))];
    const ok = res.ok && failedOpen.every((f) => !f.required);
    if (io.human) {
      const c = res.catalogue;
      if (c) {
        io.out(
          `snapshot ${res.snapshot!.slice(0, 12)}: ${c.totals.files} files, ${formatBytes(c.totals.bytes)}, ` +
            `${formatBytes(c.totals.newBytes)} new (${c.totals.newBlobs} blobs) in ${(c.durationMs / 1000).toFixed(1)} s\n`,
        );
      }
      for (const d of destinations) {
        io.out(
          `  ${d.ok ? 'ok    ' : d.required ? 'FAILED' : 'failed'} ${d.repo}${d.error ? `: ${d.error}` : ''}${d.required ? '' : ' (optional)'}\n`,
        );
      }
      if (res.excludedSettings.length)
        io.out(
          `  settings files left out (store them with \`backup escrow\`): ${res.excludedSettings.join(', ')}\n`,
        );
      if (res.warnings.length) io.out(`  ${res.warnings.length} warning(s), see above\n`);
    } else {
      io.out(
        JSON.stringify({
          ok,
          snapshot: res.snapshot,
          catalogue: res.catalogue,
          destinations,
          warnings: res.warnings,
          excludedSettings: res.excludedSettings,
        }) + '\n',
      );
    }
    return ok ? 0 : 1;
  } finally {
    sink.done();
    for (const b of backends) await b.backend.close().catch(() => undefined);
  }
}

// ------------------------------------------------------------------ list

export async function listCommand(flags: { repo: string[]; format?: string }, io: Io): Promise<number> {
  const human = flags.format ? flags.format === 'text' : io.human;
  return withBackend(oneRepo(flags.repo), async (b) => {
    const repo = await Repository.openLocked(b);
    const snaps = await repo.listSnapshots();
    const drills = await repo.listRecords<DrillRecord>('drills');
    if (!human) {
      io.out(
        json({
          repository: { location: b.location.display, id: repo.id, mode: repo.config.mode },
          snapshots: snaps.map((s) => ({ id: s.id, ...s.catalogue })),
          drills: drills.map((d) => ({ id: d.id, time: d.rec.time, snapshot: d.rec.snapshot, ok: d.rec.ok })),
        }),
      );
      return 0;
    }
    io.out(
      `repository ${repo.id.slice(0, 8)} (${repo.config.mode === 'age' ? 'write-only, age' : 'passphrase'}) at ${b.location.display}\n`,
    );
    if (!snaps.length) io.out('no snapshots\n');
    for (const s of snaps) {
      const c = s.catalogue;
      const srcs = c.sources.map((x) => (x.kind === 'mariadb' ? 'db' : `${x.files} files`)).join(', ');
      io.out(
        `${s.id.slice(0, 12)}  ${c.time.replace('T', ' ').slice(0, 19)}  ${c.host}  ${formatBytes(c.totals.bytes).padStart(10)}  ${srcs}${c.tags.length ? `  [${c.tags.join(',')}]` : ''}\n`,
      );
    }
    for (const d of drills.slice(-3))
      io.out(
        `drill ${d.rec.time.slice(0, 19)} of ${d.rec.snapshot.slice(0, 12)}: ${d.rec.ok ? 'ok' : 'FAILED'}\n`,
      );
    return 0;
  });
}

function oneRepo(repos: string[] | undefined): string {
  if (!repos || repos.length !== 1) throw new CiviguardError('E_USAGE', 'give exactly one --repo');
  return repos[0]!;
}

// ------------------------------------------------------------------ check

export async function checkCommand(
  flags: { repo: string[]; readData?: boolean; identity?: string; format?: string },
  io: Io,
): Promise<number> {
  const human = flags.format ? flags.format === 'text' : io.human;
  return withBackend(oneRepo(flags.repo), async (b) => {
    const repo = await Repository.open(b, unlockFrom(flags));
    const lock = await RepoLock.acquire(b, {
      exclusive: false,
      command: 'backup check',
      note: (m) => io.err(`${m}\n`),
    });
    const pool = flags.readData ? new WorkerPool(availableParallelism()) : null;
    const sink = createProgressSink('backup check', process.stderr, {
      quiet: !io.progress || !flags.readData,
    });
    try {
      const rep = await checkRepository(repo, {
        readData: Boolean(flags.readData),
        pool,
        onProgress: (p) => sink.update({ bytes: p.bytes, totalBytes: p.totalBytes }),
      });
      sink.done();
      if (!human) io.out(json(rep));
      else {
        for (const p of rep.problems)
          io.out(`${p.level === 'error' ? 'ERROR' : 'note '} ${p.file ? `${p.file}: ` : ''}${p.message}\n`);
        io.out(
          `${rep.ok ? 'no errors' : 'ERRORS FOUND'}: ${rep.snapshots} snapshots, ${rep.packs} packs, ${rep.blobs} blobs` +
            (rep.readData
              ? `; read ${formatBytes(rep.bytesRead)}, ${rep.decrypted} blobs decrypted and verified`
              : '') +
            '\n',
        );
        if (rep.contentNotVerified) io.out(`note: ${rep.contentNotVerified}\n`);
      }
      return rep.ok ? 0 : 1;
    } finally {
      sink.done();
      await pool?.close();
      await lock.release();
    }
  });
}

// ------------------------------------------------------------------ restore

export async function restoreCommand(
  snapshot: string,
  flags: {
    repo: string[];
    target?: string;
    identity?: string;
    db?: string[];
    force?: boolean;
    format?: string;
  },
  io: Io,
): Promise<number> {
  if (!flags.target && !flags.db?.length)
    throw new CiviguardError('E_USAGE', 'backup restore needs --target DIR and/or --db DSN');
  const databases = new Map<string, Dsn>();
  for (const d of flags.db ?? []) {
    const m = /^([A-Za-z0-9_$-]+)=(.+)$/.exec(d);
    if (m && !/^[a-z]+:\/\//.test(d)) databases.set(m[1]!, parseDsn(m[2]!));
    else databases.set('*', parseDsn(d));
  }
  for (const [k, v] of databases)
    if (!v.database)
      throw new CiviguardError('E_USAGE', `--db ${k === '*' ? '' : k + '='}…: the DSN names no database`);
  return withBackend(oneRepo(flags.repo), async (b) => {
    const repo = await Repository.open(b, unlockFrom(flags));
    if (!repo.keyring.canRead) {
      throw new CiviguardError(
        'E_BACKUP_KEY',
        'this is a write-only repository: restore needs the age identity (--identity FILE)',
      );
    }
    const lock = await RepoLock.acquire(b, {
      exclusive: false,
      command: 'backup restore',
      note: (m) => io.err(`${m}\n`),
    });
    const pool = new WorkerPool(availableParallelism());
    const sink = createProgressSink('backup restore', process.stderr, { quiet: !io.progress });
    try {
      const snap = await repo.findSnapshot(snapshot);
      const res = await restoreSnapshot(repo, snap, {
        target: flags.target ?? null,
        databases,
        force: Boolean(flags.force),
        pool,
        onProgress: (p) => sink.update({ bytes: p.bytes, totalBytes: p.totalBytes }),
        note: (m) => io.err(`${m}\n`),
      });
      sink.done();
      if (io.human) {
        io.out(
          `restored snapshot ${snap.id.slice(0, 12)}: ${res.files} files, ${formatBytes(res.bytes)}${flags.target ? ` into ${flags.target}` : ''}\n`,
        );
        for (const d of res.dumps)
          io.out(`  dump ${d.source} → database ${d.into} (${formatBytes(d.bytes)})\n`);
      } else io.out(json({ snapshot: snap.id, ...res }));
      return 0;
    } finally {
      sink.done();
      await pool.close();
      await lock.release();
    }
  });
}

// ------------------------------------------------------------------ unlock

export async function unlockCommand(flags: { repo: string[] }, io: Io): Promise<number> {
  return withBackend(oneRepo(flags.repo), async (b) => {
    await Repository.readConfig(b);
    const { removed, live } = await removeStaleLocks(b);
    for (const r of removed) io.out(`removed stale lock ${r}\n`);
    for (const l of live)
      io.out(`live lock kept: \`${l.command}\` pid ${l.pid} on ${l.host} since ${l.time}\n`);
    if (!removed.length && !live.length) io.out('no locks\n');
    return 0;
  });
}

// ------------------------------------------------------------------ run from the CLI (config, settings, schedule)

export async function runFromCli(raw: Record<string, unknown>, signal: AbortSignal): Promise<number> {
  // the config schema (ajv, yaml) and the settings parser load only when a run uses them
  const rc = typeof raw.config === 'string' || raw.settings ? await import('./run-config.js') : null;
  const cfg = rc && typeof raw.config === 'string' ? rc.loadRunConfig(raw.config) : {};
  const list = (k: string) => (Array.isArray(raw[k]) ? (raw[k] as string[]) : []);
  const settings = (raw.settings as string | undefined) ?? cfg.settings;
  const siteRoot = (raw.siteRoot as string | undefined) ?? cfg.siteRoot;
  const io = defaultIo(raw.format as string | undefined);
  const site = siteRoot ? discoverSitePaths(siteRoot, settings) : { paths: [], notes: [] };
  for (const n of site.notes) io.err(`note: ${n}\n`);
  const flags: RunFlags = {
    repo: [...(cfg.repos ?? []), ...list('repo')],
    optionalRepo: [...(cfg.optionalRepos ?? []), ...list('optionalRepo')],
    path: [...site.paths, ...(cfg.paths ?? []), ...list('path')],
    db: [
      ...(settings ? (rc ?? (await import('./run-config.js'))).databasesFromSettings(settings) : []),
      ...(cfg.databases ?? []),
      ...list('db'),
    ],
    exclude: [...(cfg.exclude ?? []), ...list('exclude')],
    noDefaultExcludes: raw.defaultExcludes === false || cfg.defaultExcludes === false,
    cacheDir: (raw.cacheDir as string | undefined) ?? cfg.cacheDir,
    cache: raw.cache !== false,
    level: (raw.level as string | undefined) ?? (cfg.level !== undefined ? String(cfg.level) : undefined),
    tag: [...(cfg.tags ?? []), ...list('tag')],
  };
  const schedule = (raw.schedule as string | undefined) ?? cfg.schedule;
  if (!schedule) return runCommand(flags, io, signal);
  const { Cron } = await import('croner');
  let job: InstanceType<typeof Cron>;
  try {
    job = new Cron(schedule, { protect: true, paused: true });
  } catch (e) {
    throw new CiviguardError('E_USAGE', `--schedule '${schedule}': ${describeError(e)}`);
  }
  io.err(`civiguard backup: scheduled "${schedule}", next run ${job.nextRun()?.toISOString() ?? 'never'}\n`);
  let worst = 0;
  await new Promise<void>((resolve) => {
    job = new Cron(schedule, { protect: true }, async () => {
      try {
        const code = await runCommand(flags, { ...io, human: false }, signal);
        worst = Math.max(worst, code);
      } catch (e) {
        io.err(`civiguard backup: run failed: ${redactString(describeError(e))}\n`);
        worst = 1;
      }
    });
    signal.addEventListener(
      'abort',
      () => {
        job.stop();
        resolve();
      },
      { once: true },
    );
  });
  return worst;
}

// ------------------------------------------------------------------ forget / prune

export async function forgetCommand(raw: Record<string, unknown>, io: Io): Promise<number> {
  const human = raw.format ? raw.format === 'text' : io.human;
  const policy = parsePolicy(raw);
  const repoArg = oneRepo(raw.repo as string[]);
  return withBackend(repoArg, async (b) => {
    const repo = await Repository.openLocked(b);
    const lock = await RepoLock.acquire(b, {
      exclusive: !raw.dryRun,
      command: 'backup forget',
      note: (m) => io.err(`${m}\n`),
    });
    try {
      const snaps = await repo.listSnapshots();
      const d = applyRetention(
        snaps.map((s) => ({ id: s.id, time: s.catalogue.time })),
        policy,
      );
      if (!raw.dryRun) for (const r of d.remove) await b.remove(`snapshots/${r.id}`);
      let pruned: PruneResult | null = null;
      if (raw.prune && !raw.dryRun) pruned = await prune(repo, { note: (m) => io.err(`${m}\n`) });
      if (!human)
        io.out(json({ dryRun: Boolean(raw.dryRun), keep: d.keep, remove: d.remove, prune: pruned }));
      else {
        for (const k of d.keep) io.out(`keep   ${k.id.slice(0, 12)} ${k.time}  (${k.reasons.join(', ')})\n`);
        for (const r of d.remove)
          io.out(`${raw.dryRun ? 'would remove' : 'remove'} ${r.id.slice(0, 12)} ${r.time}\n`);
        if (pruned) io.out(describePrune(pruned));
      }
      return 0;
    } finally {
      await lock.release();
    }
  });
}

function describePrune(p: PruneResult): string {
  return `prune: ${p.dryRun ? 'would delete' : 'deleted'} ${p.packsDeleted} pack(s), repacked ${p.packsRepacked} into ${p.packsWritten}, ${p.blobsRemoved} blob(s), ${formatBytes(p.bytesFreed)} freed, ${p.leftovers} leftover(s) of interrupted runs\n`;
}

export async function pruneCommand(
  flags: { repo: string[]; dryRun?: boolean; format?: string },
  io: Io,
): Promise<number> {
  const human = flags.format ? flags.format === 'text' : io.human;
  return withBackend(oneRepo(flags.repo), async (b) => {
    const repo = await Repository.openLocked(b);
    const lock = await RepoLock.acquire(b, {
      exclusive: true,
      command: 'backup prune',
      note: (m) => io.err(`${m}\n`),
    });
    try {
      const step = process.env.CIVIGUARD_TEST_PRUNE_STEP_DELAY_MS;
      const r = await prune(repo, {
        dryRun: Boolean(flags.dryRun),
        note: (m) => io.err(`${m}\n`),
        // crash tests: slow down between steps so a SIGKILL lands inside the prune
        ...(step
          ? {
              step: (name: string) =>
                new Promise<void>((res) => {
                  io.err(`prune step ${name}\n`);
                  setTimeout(res, Number(step));
                }),
            }
          : {}),
      });
      io.out(human ? describePrune(r) : json(r));
      return 0;
    } finally {
      await lock.release();
    }
  });
}

// ------------------------------------------------------------------ copy

export async function copyCommand(
  flags: { from: string; to: string[]; format?: string },
  io: Io,
): Promise<number> {
  const human = flags.format ? flags.format === 'text' : io.human;
  return withBackend(flags.from, async (src) => {
    const from = await Repository.openLocked(src);
    const lock = await RepoLock.acquire(src, {
      exclusive: false,
      command: 'backup copy',
      note: (m) => io.err(`${m}\n`),
    });
    const results: (({ ok: true } & CopyResult) | { ok: false; to: string; error: string })[] = [];
    try {
      for (const t of flags.to) {
        try {
          const r = await withBackend(t, (dst) =>
            copyRepository(from, dst, { note: (m) => io.err(`${m}\n`) }),
          );
          results.push({ ok: true, ...r });
        } catch (e) {
          if (e instanceof CiviguardError && e.code === 'E_USAGE') throw e;
          results.push({ ok: false, to: redactString(t), error: describeError(e) });
        }
      }
    } finally {
      await lock.release();
    }
    if (!human) io.out(json({ from: src.location.display, destinations: results }));
    else {
      for (const r of results) {
        if (r.ok)
          io.out(
            `ok     ${r.to}: ${r.created ? 'replica created, ' : ''}${r.snapshots} snapshot(s), ${r.packs} pack(s), ${formatBytes(r.bytes)} copied\n`,
          );
        else io.out(`FAILED ${r.to}: ${r.error}\n`);
      }
    }
    return results.every((r) => r.ok) ? 0 : 1;
  });
}

// ------------------------------------------------------------------ drill

export async function drillCommand(
  flags: { repo: string[]; identity?: string; scratchDb: string; snapshot?: string; format?: string },
  io: Io,
): Promise<number> {
  const human = flags.format ? flags.format === 'text' : io.human;
  const scratch = parseDsn(flags.scratchDb, '--scratch-db');
  return withBackend(oneRepo(flags.repo), async (b) => {
    const repo = await Repository.open(b, unlockFrom(flags));
    if (!repo.keyring.canRead)
      throw new CiviguardError('E_BACKUP_KEY', 'drill needs the age identity (--identity FILE)');
    const lock = await RepoLock.acquire(b, {
      exclusive: false,
      command: 'backup drill',
      note: (m) => io.err(`${m}\n`),
    });
    try {
      const snap = await repo.findSnapshot(flags.snapshot ?? 'latest');
      const { drillSnapshot, recordDrill } = await import('./drill.js'); // mysql2: only for drills
      const rec = await drillSnapshot(repo, snap, scratch, { note: (m) => io.err(`${m}\n`) });
      await recordDrill([repo], rec);
      if (!human) io.out(json(rec));
      else {
        io.out(
          `drill of snapshot ${snap.id.slice(0, 12)} (${snap.catalogue.time}): ${rec.ok ? 'OK' : 'FAILED'}${rec.error ? `: ${rec.error}` : ''}\n`,
        );
        for (const d of rec.databases) {
          io.out(
            `  ${d.source} → ${d.scratch} (dropped): ${d.tables} tables, ${d.rowsFound}/${d.rowsExpected} rows\n`,
          );
          for (const m of d.mismatches)
            io.out(`    MISMATCH ${m.table}: expected ${m.expected}, found ${m.found ?? 'no table'}\n`);
          for (const s of d.sanity) io.out(`    ${s.ok ? 'ok  ' : 'FAIL'} ${s.name}: ${s.detail}\n`);
        }
      }
      return rec.ok ? 0 : 1;
    } finally {
      await lock.release();
    }
  });
}

// ------------------------------------------------------------------ escrow

export async function escrowCommand(
  flags: { repo: string[]; recipient: string[]; settings?: string[]; format?: string },
  io: Io,
): Promise<number> {
  const human = flags.format ? flags.format === 'text' : io.human;
  const backends: Backend[] = [];
  try {
    for (const r of flags.repo) backends.push(await openBackend(r));
    const repos = await Promise.all(backends.map((b) => Repository.openLocked(b)));
    if (new Set(repos.map((r) => r.id)).size > 1)
      throw new CiviguardError('E_USAGE', 'escrow: the --repo values are not replicas of one repository');
    const rec = await makeEscrow(repos[0]!.config.recipients ?? [], flags.recipient, flags.settings ?? []);
    const name = await storeEscrow(repos, rec);
    if (human)
      io.out(
        `escrow record ${name.slice(7, 19)} stored (${rec.files.join(', ')}; ${rec.constants.join(', ') || 'no secret constants found'}) for ${rec.recipients.join(', ')}\n`,
      );
    else
      io.out(
        json({
          name,
          time: rec.time,
          recipients: rec.recipients,
          files: rec.files,
          constants: rec.constants,
        }),
      );
    return 0;
  } finally {
    for (const b of backends) await b.close().catch(() => undefined);
  }
}
