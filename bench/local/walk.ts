// `node --import tsx bench/local/walk.ts [--files N] [--keep DIR]`: tree-walk throughput of the local
// audit's fs walker on a generated tree (default 100,000 files), warm cache, with `find -printf` doing
// the same metadata work as the peer. Prints files/s and the process's peak RSS.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { walkTrees } from '../../src/probes/local/fs-walk.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '100000' },
    keep: { type: 'string' },
    runs: { type: 'string', default: '5' },
  },
});
const nFiles = Number(values.files);
const runs = Number(values.runs);
const root = values.keep ?? mkdtempSync(join(tmpdir(), 'civiguard-walk-bench-'));

function generate(dir: string, n: number): void {
  // A CMS-like shape: 100 files per dir, dirs nested 3 deep, a few symlinks (not followed).
  let made = 0;
  for (let a = 0; made < n; a++) {
    for (let b = 0; b < 10 && made < n; b++) {
      const d = join(dir, `mod${a}`, `sub${b}`, 'src');
      mkdirSync(d, { recursive: true });
      for (let f = 0; f < 100 && made < n; f++, made++) writeFileSync(join(d, `file${f}.php`), '<?php\n');
    }
  }
}

if (!existsSync(join(root, 'mod0'))) {
  const t = performance.now();
  generate(root, nFiles);
  console.log(`generated ${nFiles} files in ${root} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
}

const baseRss = Math.round(process.resourceUsage().maxRSS / 1024);
/** Cold-cache timing needs root (drop_caches); reported as n/a otherwise. */
function dropCaches(): boolean {
  try {
    spawnSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3\n');
    return true;
  } catch {
    return false;
  }
}
let coldOurs: number | null = null;
let coldFind: number | null = null;
if (dropCaches()) coldOurs = (await walkTrees([root])).durationMs;
if (dropCaches()) {
  const t = performance.now();
  spawnSync('find', [root, '-printf', '%y %m %U %G %s %p\n'], { maxBuffer: 1 << 30 });
  coldFind = performance.now() - t;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ours: number[] = [];
let entries = 0;
for (let i = 0; i < runs + 1; i++) {
  const r = await walkTrees([root]);
  entries = r.table.count;
  if (i > 0) ours.push(r.durationMs); // first run warms the cache
}
const ourRss = Math.round(process.resourceUsage().maxRSS / 1024);
const peers: number[] = [];
for (let i = 0; i < runs + 1; i++) {
  const t = performance.now();
  const out = spawnSync('find', [root, '-printf', '%y %m %U %G %s %p\n'], { maxBuffer: 1 << 30 });
  if (out.status !== 0) throw new Error('find failed');
  if (i > 0) peers.push(performance.now() - t);
}
const ms = median(ours);
const findMs = median(peers);
console.log(
  [
    `| tool | entries | median ms | entries/s |`,
    `|---|---|---|---|`,
    `| civiguard walkTrees (lstat, no symlink following) | ${entries} | ${ms.toFixed(0)} | ${Math.round(entries / (ms / 1000))} |`,
    `| find -printf (same metadata) | ${entries} | ${findMs.toFixed(0)} | ${Math.round(entries / (findMs / 1000))} |`,
    `cold cache (after drop_caches): civiguard ${coldOurs === null ? 'n/a' : coldOurs.toFixed(0) + ' ms'}, find ${coldFind === null ? 'n/a' : coldFind.toFixed(0) + ' ms'}`,
    `ratio civiguard/find: ${(ms / findMs).toFixed(2)}x; peak RSS after the civiguard walks (before find ran): ${ourRss} MiB (baseline ${baseRss} MiB)`,
  ].join('\n'),
);
if (!values.keep) rmSync(root, { recursive: true, force: true });
