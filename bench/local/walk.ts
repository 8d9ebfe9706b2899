// `node --import tsx bench/local/walk.ts [--files N] [--runs R]`: the local audit's tree walk on a
// generated CiviCRM-on-Drupal-7 site with N extra code files (default 100,000) under sites/all/modules,
// side by side with `find -printf` doing the same metadata work (type, mode, owner, size, path), warm
// and cold cache (cold needs root: drop_caches), then the whole local fs.* + config.keys audit through
// the real runner. Prints a table with entries/s, the ratio to find, and peak RSS.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildTarget } from '../../src/audit/build-target.js';
import { fsChecks } from '../../src/checks/fs/index.js';
import keys from '../../src/checks/config/keys.js';
import { runChecks } from '../../src/core/runner.js';
import { walkTrees } from '../../src/probes/local/fs-walk.js';
import { buildSite } from '../../src/test-support/sites/index.js';

const { values } = parseArgs({
  options: { files: { type: 'string', default: '100000' }, runs: { type: 'string', default: '5' } },
});
const nFiles = Number(values.files);
const runs = Number(values.runs);
const site = buildSite('drupal7');
const root = site.webRoot;

function generate(dir: string, n: number): void {
  // Module-like shape: 100 files per dir, three levels.
  let made = 0;
  for (let a = 0; made < n; a++) {
    for (let b = 0; b < 10 && made < n; b++) {
      const d = join(dir, `mod${a}`, `sub${b}`, 'src');
      mkdirSync(d, { recursive: true });
      for (let f = 0; f < 100 && made < n; f++, made++) writeFileSync(join(d, `file${f}.php`), '<?php\n');
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = () => Math.round(process.resourceUsage().maxRSS / 1024);
const findArgs = [root, '-printf', '%y %m %U %G %s %p\n'];

function dropCaches(): boolean {
  try {
    spawnSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3\n');
    return true;
  } catch {
    return false;
  }
}

try {
  const t = performance.now();
  generate(join(root, 'sites', 'all', 'modules'), nFiles);
  console.log(`generated ${nFiles} files under ${root} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const baseRss = mib();

  const coldOurs = dropCaches() ? (await walkTrees([root])).durationMs : null;
  let coldFind: number | null = null;
  if (dropCaches()) {
    const t0 = performance.now();
    spawnSync('find', findArgs, { maxBuffer: 1 << 30 });
    coldFind = performance.now() - t0;
  }

  const ours: number[] = [];
  let entries = 0;
  for (let i = 0; i < runs + 1; i++) {
    const r = await walkTrees([root]);
    entries = r.table.count;
    if (i > 0) ours.push(r.durationMs);
  }
  const walkRss = mib();

  const audits: number[] = [];
  let summary = '';
  for (let i = 0; i < 3; i++) {
    const target = buildTarget({ url: 'https://site.test/', root: site.root, webUser: 'www-data' });
    const t0 = performance.now();
    const out = await runChecks(target, [...fsChecks.filter((c) => c.id !== 'fs.private-in-webroot'), keys]);
    audits.push(performance.now() - t0);
    summary = out.results.map((r) => `${r.id ?? r.check}:${r.status}`).join(' ');
  }
  const auditRss = mib();

  const peers: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const out = spawnSync('find', findArgs, { maxBuffer: 1 << 30 });
    if (out.status !== 0) throw new Error('find failed');
    if (i > 0) peers.push(performance.now() - t0);
  }

  // Peak RSS of one walk in a fresh process, against the same process doing no walk.
  const rssOf = (walk: boolean) => {
    const code = `import { walkTrees } from ${JSON.stringify(new URL('../../src/probes/local/fs-walk.ts', import.meta.url).pathname)};
${walk ? `await walkTrees([${JSON.stringify(root)}]);` : ''}
console.log(Math.round(process.resourceUsage().maxRSS / 1024));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      encoding: 'utf8',
    });
    return Number(r.stdout.trim());
  };
  const oneWalkRss = rssOf(true);
  const noWalkRss = rssOf(false);
  const ms = median(ours);
  const findMs = median(peers);
  const rate = (n: number, m: number) => Math.round(n / (m / 1000)).toLocaleString('en');
  console.log(
    [
      `| ${entries.toLocaleString('en')} entries | median ms (warm) | entries/s | cold cache ms |`,
      `|---|---|---|---|`,
      `| civiguard walkTrees (lstat, no symlink following) | ${ms.toFixed(0)} | ${rate(entries, ms)} | ${coldOurs?.toFixed(0) ?? 'n/a (needs root)'} |`,
      `| find -printf '%y %m %U %G %s %p' | ${findMs.toFixed(0)} | ${rate(entries, findMs)} | ${coldFind?.toFixed(0) ?? 'n/a'} |`,
      `| civiguard local audit: fs.code-writable, fs.settings-perms, fs.backups-in-webroot, config.keys (walk included) | ${median(audits).toFixed(0)} | ${rate(entries, median(audits))} | |`,
      '',
      `walk ratio civiguard/find (warm): ${(ms / findMs).toFixed(2)}x`,
      `peak RSS of one walk in a fresh process: ${oneWalkRss} MiB (the same process without the walk: ${noWalkRss} MiB)`,
      `peak RSS here: ${baseRss} MiB after generating, ${walkRss} MiB after ${runs + 1} walks, ${auditRss} MiB after the audits (find not counted: separate process)`,
      `audit results: ${summary}`,
    ].join('\n'),
  );
} finally {
  site.remove();
}
