/**
 * `npm run bench:backup`: civiguard backup side by side with restic and borg (Debian) on the 1,072 MB
 * dataset of shared/PEERS.md, in one run, rounds interleaved (civiguard, restic, borg, civiguard, …)
 * so that a busy machine slows all three alike; medians are reported, with the ratios to restic that
 * the issue sets as goals. civiguard runs from JavaScript built by esbuild (no tsx), through the real
 * CLI (`dist`-like `cli/main.js`); its write-only mode is used (the server holds only the public key).
 *
 *   npm run bench:backup [-- --rounds N] [-- --keep]
 *   CIVIGUARD_BENCH_DIR (default /tmp/civiguard-bench): dataset cache and scratch space.
 * Results: a table on stdout and $CIVIGUARD_BENCH_DIR/results-latest.json. The build goes to
 * node_modules/.cache/civiguard-backup-bench (resolves the dependencies, stays out of lint and git).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ensureDataset, MB } from './dataset.js';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 0) || 2;
const keep = args.includes('--keep');
const root = process.env.CIVIGUARD_BENCH_DIR ?? '/tmp/civiguard-bench';
const repoRoot = new URL('../../', import.meta.url).pathname;
const build = join(repoRoot, 'node_modules/.cache/civiguard-backup-bench');
const log = (s: string) => process.stderr.write(`${s}\n`);

type Tool = 'civiguard' | 'restic' | 'borg';
type Step = 'first' | 'unchanged' | 'changed' | 'restore' | 'check';
interface Timing {
  s: number;
  rssKb: number;
  /** user + system CPU seconds */
  cpu: number;
}

function have(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
}

/**
 * Runs a command under /usr/bin/time; returns wall seconds and max RSS. Throws on failure. Dirty pages
 * are flushed first (`sync`), so that no tool pays for the write-back of the one before it.
 */
function timed(cmd: string, argv: string[], env: NodeJS.ProcessEnv, cwd?: string): Timing {
  spawnSync('sync');
  const out = join(root, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', out, cmd, ...argv], {
    env: { ...process.env, ...env },
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0)
    throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout).slice(-2000)}`);
  const [s, kb, u, sys] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ');
  return { s: Number(s), rssKb: Number(kb), cpu: Number(u) + Number(sys) };
}

function duBytes(dir: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) n += statSync(p).size;
    }
  };
  walk(dir);
  return n;
}

function countFiles(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        files++;
        bytes += statSync(p).size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

/** Reads the whole dataset once, so that every tool starts a backup from the same (warm) page cache. */
function warm(dir: string): void {
  const buf = Buffer.allocUnsafe(1024 * 1024);
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const fd = openSync(p, 'r');
        while (readSync(fd, buf, 0, buf.length, null) > 0);
        closeSync(fd);
      }
    }
  };
  walk(dir);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The change of the issue: rewrite 200 small files, append 1 MB to the dump; returns an undo. */
function mutate(data: ReturnType<typeof ensureDataset>): () => void {
  const picked = data.smallFiles.filter((_, i) => i % 100 === 7).slice(0, 200);
  const saved = picked.map((p) => ({ p, b: readFileSync(p) }));
  for (const { p, b } of saved)
    writeFileSync(p, Buffer.from(randomBytes(b.length).toString('base64').slice(0, b.length)));
  const dumpSize = statSync(data.dump).size;
  const fd = openSync(data.dump, 'a');
  writeSync(fd, Buffer.from(randomBytes(750_000).toString('base64').slice(0, MB)));
  closeSync(fd);
  return () => {
    for (const { p, b } of saved) writeFileSync(p, b);
    truncateSync(data.dump, dumpSize);
  };
}

async function main(): Promise<void> {
  mkdirSync(root, { recursive: true });
  const data = ensureDataset(root, log);
  for (const t of ['restic', 'borg'])
    if (!have(t)) log(`${t} is not installed: its column stays empty (apt-get install restic borgbackup)`);
  log('building civiguard (esbuild, no type-check)…');
  rmSync(build, { recursive: true, force: true });
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) files.push(p);
    }
  };
  walk(join(repoRoot, 'src'));
  const esb = spawnSync(
    join(repoRoot, 'node_modules/.bin/esbuild'),
    [
      ...files,
      `--outdir=${build}`,
      `--outbase=${join(repoRoot, 'src')}`,
      '--format=esm',
      '--platform=node',
      '--log-level=warning',
    ],
    { encoding: 'utf8' },
  );
  if (esb.status !== 0) throw new Error(`esbuild failed: ${esb.stderr}`);
  const cli = join(build, 'cli/main.js');
  const age = await import('age-encryption');
  const identity = await age.generateX25519Identity();
  const recipient = await age.identityToRecipient(identity);
  const idFile = join(root, 'identity.txt');
  writeFileSync(idFile, identity + '\n', { mode: 0o600 });

  // restore target on tmpfs (as in PEERS.md), else on disk
  const target = join(root, 'restore');
  mkdirSync(target, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1600m', 'tmpfs', target]).status === 0;
  log(mounted ? `restore target: tmpfs at ${target}` : `restore target: ${target} (not tmpfs: mount failed)`);
  const scratch = join(root, 'scratch');
  const startup = timed(process.execPath, [cli, '--version'], {});

  const results: Record<Tool, Record<Step, Timing[]>> = {
    civiguard: { first: [], unchanged: [], changed: [], restore: [], check: [] },
    restic: { first: [], unchanged: [], changed: [], restore: [], check: [] },
    borg: { first: [], unchanged: [], changed: [], restore: [], check: [] },
  };
  const sizes: Record<Tool, number[]> = { civiguard: [], restic: [], borg: [] };
  const added: Record<Tool, number[]> = { civiguard: [], restic: [], borg: [] };
  const restored: Record<Tool, string[]> = { civiguard: [], restic: [], borg: [] };

  const present: Tool[] = ['civiguard', ...(['restic', 'borg'] as Tool[]).filter(have)];
  for (let round = 1; round <= rounds; round++) {
    // the order rotates by round, so that no tool always runs first (or right after another's writes)
    const tools = present.map((_, i) => present[(i + round - 1) % present.length]!);
    // each step runs for the three tools back to back, so that they share the machine's load
    rmSync(scratch, { recursive: true, force: true });
    const ctx = Object.fromEntries(
      tools.map((tool) => {
        const dir = join(scratch, tool);
        mkdirSync(dir, { recursive: true });
        const env: NodeJS.ProcessEnv = {
          CIVIGUARD_CACHE_DIR: join(dir, 'cache'),
          RESTIC_PASSWORD: 'bench-passphrase',
          BORG_PASSPHRASE: 'bench-passphrase',
          BORG_BASE_DIR: join(dir, 'borg-base'),
          BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
        };
        return [tool, { repo: join(dir, 'repo'), rcache: join(dir, 'rcache'), env }];
      }),
    ) as Record<Tool, { repo: string; rcache: string; env: NodeJS.ProcessEnv }>;
    const backup = (tool: Tool): Timing => {
      warm(data.dir);
      const { repo, rcache, env } = ctx[tool];
      if (tool === 'civiguard')
        return timed(
          process.execPath,
          [cli, 'backup', 'run', '--repo', repo, '--path', data.dir, '--format', 'json'],
          env,
        );
      if (tool === 'restic')
        return timed('restic', ['backup', '--repo', repo, '--cache-dir', rcache, '-q', data.dir], env);
      return timed('borg', ['create', '--compression', 'lz4', `${repo}::s${Date.now()}`, data.dir], env);
    };
    for (const tool of tools) {
      const { repo, rcache, env } = ctx[tool];
      if (tool === 'civiguard')
        timed(
          process.execPath,
          [cli, 'backup', 'init', '--repo', repo, '--recipient', recipient, '--format', 'json'],
          env,
        );
      else if (tool === 'restic') timed('restic', ['init', '--repo', repo, '--cache-dir', rcache], env);
      else timed('borg', ['init', '--encryption', 'repokey', repo], env);
    }
    log(`round ${round}/${rounds}: first backup`);
    for (const tool of tools) {
      results[tool].first.push(backup(tool));
      sizes[tool].push(duBytes(ctx[tool].repo));
    }
    log(`round ${round}/${rounds}: unchanged re-run`);
    for (const tool of tools) results[tool].unchanged.push(backup(tool));
    log(`round ${round}/${rounds}: re-run after the change`);
    const undo = mutate(data);
    try {
      for (const tool of tools) {
        const before = duBytes(ctx[tool].repo);
        results[tool].changed.push(backup(tool));
        added[tool].push(duBytes(ctx[tool].repo) - before);
      }
    } finally {
      undo();
    }
    log(`round ${round}/${rounds}: restore`);
    for (const tool of tools) {
      const { repo, rcache, env } = ctx[tool];
      const into = join(target, tool);
      rmSync(into, { recursive: true, force: true });
      mkdirSync(into, { recursive: true });
      if (tool === 'civiguard')
        results[tool].restore.push(
          timed(
            process.execPath,
            [
              cli,
              'backup',
              'restore',
              'latest',
              '--repo',
              repo,
              '--target',
              into,
              '--identity',
              idFile,
              '--format',
              'json',
            ],
            env,
          ),
        );
      else if (tool === 'restic')
        results[tool].restore.push(
          timed(
            'restic',
            ['restore', 'latest', '--repo', repo, '--cache-dir', rcache, '--target', into],
            env,
          ),
        );
      else {
        const list = spawnSync('borg', ['list', '--short', repo], {
          env: { ...process.env, ...env },
          encoding: 'utf8',
        });
        results[tool].restore.push(
          timed('borg', ['extract', `${repo}::${list.stdout.trim().split('\n').pop()!}`], env, into),
        );
      }
      const got = countFiles(into);
      restored[tool].push(`${got.files} files, ${(got.bytes / MB).toFixed(1)} MB`);
      rmSync(into, { recursive: true, force: true });
    }
    log(`round ${round}/${rounds}: check --read-data`);
    for (const tool of tools) {
      const { repo, rcache, env } = ctx[tool];
      if (tool === 'civiguard')
        results[tool].check.push(
          timed(
            process.execPath,
            [cli, 'backup', 'check', '--repo', repo, '--read-data', '--identity', idFile, '--format', 'json'],
            env,
          ),
        );
      else if (tool === 'restic')
        results[tool].check.push(
          timed('restic', ['check', '--read-data', '--repo', repo, '--cache-dir', rcache], env),
        );
    }
  }
  if (mounted) spawnSync('umount', [target]);
  if (!keep) rmSync(scratch, { recursive: true, force: true });

  // ---------------------------------------------------------------- table
  const mbps = (t: Timing[] | undefined) =>
    t && t.length ? data.bytes / MB / median(t.map((x) => x.s)) : NaN;
  const sec = (t: Timing[] | undefined) => (t && t.length ? median(t.map((x) => x.s)) : NaN);
  const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');
  const c = results.civiguard;
  const rs = results.restic;
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
  /** Throughput ratio civiguard/restic, the median of the per-round ratios (each pair ran back to back). */
  const paired = (step: Step) => {
    const xs = c[step].map((t, i) => (rs[step][i] ? rs[step][i]!.s / t.s : NaN)).filter(Number.isFinite);
    return xs.length ? median(xs) : NaN;
  };
  const cpu = (t: Timing[]) => (t.length ? median(t.map((x) => x.cpu)) : NaN);
  const rows: string[][] = [];
  const goals: { what: string; value: string; goal: string; ok: boolean | null }[] = [];
  const row = (name: string, f: (t: Tool) => string, rat: string) =>
    rows.push([name, f('civiguard'), f('restic'), f('borg'), rat]);
  row('first backup (MB/s)', (t) => fmt(mbps(results[t].first)), fmt(paired('first'), 2));
  row('first backup (s)', (t) => fmt(sec(results[t].first), 2), '');
  row(
    'first backup, CPU s (user+sys)',
    (t) => fmt(cpu(results[t].first), 1),
    fmt(ratio(cpu(rs.first), cpu(c.first)), 2),
  );
  row(
    'restore, CPU s',
    (t) => fmt(cpu(results[t].restore), 1),
    fmt(ratio(cpu(rs.restore), cpu(c.restore)), 2),
  );
  row(
    'check --read-data, CPU s',
    (t) => fmt(cpu(results[t].check), 1),
    fmt(ratio(cpu(rs.check), cpu(c.check)), 2),
  );
  row(
    'peak RSS, first backup (MB)',
    (t) => fmt(median(results[t].first.map((x) => x.rssKb)) / 1024, 0),
    fmt(ratio(median(c.first.map((x) => x.rssKb)), median(rs.first.map((x) => x.rssKb))), 2),
  );
  row(
    'unchanged re-run (s)',
    (t) => fmt(sec(results[t].unchanged), 2),
    fmt(ratio(sec(c.unchanged), sec(rs.unchanged)), 2),
  );
  row('re-run after 200 files + 1 MB dump (s)', (t) => fmt(sec(results[t].changed), 2), '');
  row('  new data stored (MB)', (t) => fmt(median(added[t]) / MB, 1), '');
  row('restore into tmpfs (MB/s)', (t) => fmt(mbps(results[t].restore)), fmt(paired('restore'), 2));
  row('check --read-data (MB/s of dataset)', (t) => fmt(mbps(results[t].check)), fmt(paired('check'), 2));
  row(
    'repository size (MB)',
    (t) => fmt(median(sizes[t]) / MB, 1),
    fmt(ratio(median(sizes.civiguard), median(sizes.restic)), 3),
  );
  const cFirst = paired('first');
  goals.push({
    what: 'first backup vs restic',
    value: `${fmt(cFirst, 2)}×`,
    goal: '≥ 1.5×',
    ok: Number.isFinite(cFirst) ? cFirst >= 1.5 : null,
  });
  goals.push({
    what: 'unchanged re-run',
    value: `${fmt(sec(c.unchanged), 2)} s`,
    goal: '≤ 1 s',
    ok: sec(c.unchanged) <= 1,
  });
  const addPct = (median(added.civiguard) / data.bytes) * 100;
  goals.push({
    what: 'new data after the change',
    value: `${fmt(addPct, 2)} % of the dataset`,
    goal: '< 5 %',
    ok: addPct < 5,
  });
  const rRatio = paired('restore');
  goals.push({
    what: 'restore vs restic',
    value: `${fmt(rRatio, 2)}×`,
    goal: '≥ 1×',
    ok: Number.isFinite(rRatio) ? rRatio >= 1 : null,
  });
  const kRatio = paired('check');
  goals.push({
    what: 'check --read-data vs restic',
    value: `${fmt(kRatio, 2)}×`,
    goal: '≥ 1×',
    ok: Number.isFinite(kRatio) ? kRatio >= 1 : null,
  });
  const sRatio = ratio(median(sizes.civiguard), median(sizes.restic));
  goals.push({
    what: 'repository size vs restic',
    value: `${fmt((sRatio - 1) * 100, 1)} %`,
    goal: 'within ±3 %',
    ok: Number.isFinite(sRatio) ? Math.abs(sRatio - 1) <= 0.03 : null,
  });
  const rss = median(c.first.map((x) => x.rssKb)) / 1024;
  goals.push({
    what: 'peak RSS (first backup)',
    value: `${fmt(rss, 0)} MB`,
    goal: '≤ 150 MB',
    ok: rss <= 150,
  });

  const widths = [40, 11, 11, 11, 9];
  const line = (cells: string[]) =>
    cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' ');
  const out: string[] = [];
  out.push(
    `civiguard backup vs restic ${spawnSync('restic', ['version'], { encoding: 'utf8' }).stdout?.split(' ')[1] ?? '?'} and borg ${spawnSync('borg', ['--version'], { encoding: 'utf8' }).stdout?.trim().split(' ')[1] ?? '?'}`,
  );
  out.push(
    `dataset ${fmt(data.bytes / MB, 0)} MB (${data.smallFiles.length} small files, 300 MB dump, 50 MB log, 200 MB random); ${rounds} round(s), medians; ${availableCores()} cores; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  out.push(
    `civiguard CLI startup (--version): ${fmt(startup.s, 2)} s; restored: ${present.map((t) => `${t} ${restored[t][0]}`).join('; ')}`,
  );
  out.push('');
  out.push(
    'civ/restic: throughput ratio (median of per-round ratios; > 1 means civiguard is faster); CPU rows: restic CPU / civiguard CPU',
  );
  out.push(line(['step', 'civiguard', 'restic', 'borg lz4', 'civ/restic']));
  out.push(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) out.push(line(r));
  out.push('');
  out.push('goals (issue #5):');
  for (const g of goals)
    out.push(
      `  ${g.ok === null ? '  n/a' : g.ok ? '  met' : 'NOT MET'}  ${g.what}: ${g.value} (goal ${g.goal})`,
    );
  const text = out.join('\n') + '\n';
  process.stdout.write(text);
  writeFileSync(
    join(root, 'results-latest.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        rounds,
        dataset: data.bytes,
        startup,
        results,
        sizes,
        added,
        goals,
        table: text,
      },
      null,
      2,
    ),
  );
  if (!existsSync(cli)) throw new Error('unreachable');
}

function availableCores(): number {
  return readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('processor')).length;
}

await main();
