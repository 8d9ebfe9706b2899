// `node --import tsx bench/local/pci.ts [--files N] [--mb M] [--runs R] [--keep DIR]`
//
// Card-number scan throughput of pci.card-data's file scanner (src/probes/pci/scan-files.ts) on a generated
// site-like tree: N small data files (uploads, custom files: CSV/HTML/text), plus access logs, CiviCRM logs
// and SQL dumps (one of them gzipped) adding up to M MB, with a few card numbers planted at known places.
// Side by side with `grep -rPIno` for the same candidate pattern (grep cannot check Luhn or brands and
// does not open .gz: it reads less and judges less). Warm page cache, median of R runs each, alternating.
// Peak RSS of each tool's own process (/usr/bin/time -f %M for grep; maxRSS of the child for civiguard).
//
// Default: 20,000 files and 512 MB (under a minute with generation). The issue's size:
//   node --import tsx bench/local/pci.ts --files 100000 --mb 1024
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { scanFiles } from '../../src/probes/pci/scan-files.js';
import { groupPan, makePan, seededRandom } from '../../src/probes/pci/test-cards.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '20000' },
    mb: { type: 'string', default: '512' },
    runs: { type: 'string', default: '3' },
    keep: { type: 'string' },
    dir: { type: 'string' },
    child: { type: 'string' },
  },
});

/* ---- child mode: one civiguard scan, prints JSON (duration, bytes, files, hits, maxRSS) */
if (values.child) {
  const dir = values.child;
  const r = await scanFiles({ roots: [{ path: dir, kind: 'data' }] });
  console.log(
    JSON.stringify({
      ms: r.durationMs,
      bytes: r.bytesScanned,
      files: r.filesScanned,
      gzip: r.gzipFiles,
      hits: r.hitCount,
      where: r.hits.map((h) => `${h.path.slice(dir.length + 1)}:${h.line}`).sort(),
      rssKb: process.resourceUsage().maxRSS,
    }),
  );
  process.exit(0);
}

const nFiles = Number(values.files);
const totalMb = Number(values.mb);
const runs = Number(values.runs);
// The tree lives in tmpfs when there is room (a warm page cache without the disk's writeback noise).
const base =
  values.dir ??
  (existsSync('/dev/shm') &&
  statfsSync('/dev/shm').bavail * statfsSync('/dev/shm').bsize > 3 * totalMb * 1048576
    ? '/dev/shm'
    : tmpdir());
const root = values.keep ?? mkdtempSync(join(base, 'civiguard-pci-bench-'));
const rand = seededRandom(1234);
const planted: string[] = [];

function generate(): void {
  // Small data files: 100 per dir, CSV exports, HTML, notes. Every 5,000th gets a card number.
  let bytes = 0;
  for (let i = 0; i < nFiles; i++) {
    const d = join(root, 'files/civicrm/custom', `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(d, { recursive: true });
    const rows = [`id,name,phone,amount,date,ref`];
    for (let k = 0; k < 20; k++) {
      rows.push(
        `${i * 20 + k},Person ${k},+44 20 7946 ${String(1000 + k).slice(-4)},${(k * 3.5).toFixed(2)},2026-12-0${1 + (k % 9)},ORD-${100000 + i}`,
      );
    }
    if (i % 5000 === 4999) {
      const pan = makePan('4', 16, rand);
      rows.push(`99,Leak,,,,${groupPan(pan, ' ')}`);
      planted.push(`files/civicrm/custom/d${Math.floor(i / 100)}/f${i}.csv:${rows.length}`);
    }
    const text = rows.join('\n') + '\n';
    writeFileSync(join(d, `f${i}.csv`), text);
    bytes += text.length;
  }
  // Big files: access logs, CiviCRM logs, dumps, to reach the total.
  mkdirSync(join(root, 'logs'), { recursive: true });
  mkdirSync(join(root, 'files/civicrm/ConfigAndLog'), { recursive: true });
  mkdirSync(join(root, 'backup'), { recursive: true });
  const target = totalMb * 1024 * 1024;
  const big = [
    {
      path: 'logs/access.log',
      share: 0.45,
      line: (n: number) =>
        `203.0.113.${n % 250} - - [04/Dec/2026:10:${String(n % 60).padStart(2, '0')}:00 +0000] "GET /civicrm/event/info?id=${n}&reset=1 HTTP/1.1" 200 ${1000 + (n % 9000)} "https://example.org/events/${n}" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"`,
    },
    {
      path: 'files/civicrm/ConfigAndLog/CiviCRM.a1b2c3.log',
      share: 0.15,
      line: (n: number) =>
        `Dec 04 10:00:${String(n % 60).padStart(2, '0')}  [info] contribution ${n} completed, trxn_id ch_${(n * 7919).toString(36)}${n}, amount ${(n % 500) + 0.5}, contact ${n % 10007}`,
    },
    {
      path: 'backup/civicrm.sql',
      share: 0.3,
      line: (n: number) =>
        `INSERT INTO \`civicrm_contribution\` VALUES (${n},${n % 10007},1,'2026-12-04 10:00:00',${(n % 500) + 0.5},NULL,'USD','ch_${(n * 7919).toString(36)}','Online Contribution: Donate','+1-202-555-${String(n % 10000).padStart(4, '0')}');`,
    },
  ];
  for (const b of big) {
    const fd = openSync(join(root, b.path), 'w');
    let written = 0;
    let n = 0;
    const want = target * b.share;
    const plantAt = new Set([Math.floor(want / 3), Math.floor((2 * want) / 3)]);
    let block: string[] = [];
    let blockBytes = 0;
    while (written + blockBytes < want) {
      n++;
      let l = b.line(n);
      if ([...plantAt].some((p) => written + blockBytes <= p && p < written + blockBytes + l.length + 1)) {
        const pan = makePan(
          ['51', '37', '6011'][planted.length % 3]!,
          planted.length % 3 === 1 ? 15 : 16,
          rand,
        );
        l += ` card=${pan}`;
        planted.push(`${b.path}:${n}`);
      }
      block.push(l);
      blockBytes += l.length + 1;
      if (blockBytes > 1 << 20) {
        writeSync(fd, block.join('\n') + '\n');
        written += blockBytes;
        block = [];
        blockBytes = 0;
      }
    }
    if (block.length) writeSync(fd, block.join('\n') + '\n');
    closeSync(fd);
  }
  // One gzipped dump (10 % of the total, decompressed).
  const lines: string[] = [];
  let size = 0;
  for (let n = 1; size < target * 0.1; n++) {
    const l = `INSERT INTO \`civicrm_note\` VALUES (${n},'civicrm_contact',${n},'called back about event ${n % 97}',NULL);`;
    lines.push(l);
    size += l.length + 1;
  }
  const pan = makePan('2221', 16, rand);
  lines[Math.floor(lines.length / 2)] += ` -- ${groupPan(pan, '-')}`;
  planted.push(`backup/old.sql.gz:${Math.floor(lines.length / 2) + 1}`);
  writeFileSync(join(root, 'backup/old.sql.gz'), gzipSync(lines.join('\n') + '\n', { level: 1 }));
  writeFileSync(join(root, 'planted.txt'), planted.sort().join('\n') + '\n');
  void bytes;
}

if (!existsSync(join(root, 'planted.txt'))) {
  const t = performance.now();
  generate();
  console.log(
    `generated ${nFiles} data files + logs and dumps (${totalMb} MB) in ${root} (${((performance.now() - t) / 1000).toFixed(1)} s)`,
  );
}
const expected = readFileSync(join(root, 'planted.txt'), 'utf8').trim().split('\n');
// planted.txt itself is not data: grep and civiguard both skip nothing, so keep it out of the tree scanned.
const scanDir = root;

const GREP_PATTERN =
  '(?<![0-9A-Za-z+])(?:\\d{13,19}|\\d{4}([ -])\\d{4}\\1\\d{4}\\1\\d{1,4}(?:\\1\\d{1,3})?|\\d{4}([ -])\\d{6}\\2\\d{4,5})(?![0-9A-Za-z])';

interface Run {
  ms: number;
  gzip?: number;
  rssKb: number;
  hits: number;
  bytes?: number;
  files?: number;
  where?: string[];
}

function runCiviguard(): Run {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', scanDir],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  );
  if (r.status !== 0) throw new Error(`civiguard child failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as Run & { rssKb: number };
  return j;
}

function runGrep(): Run {
  const out = join(tmpdir(), `civiguard-grep-${process.pid}.out`);
  const t = performance.now();
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', 'sh', '-c', `exec grep -rPIno '${GREP_PATTERN}' '${scanDir}' > '${out}'`],
    {
      encoding: 'utf8',
    },
  );
  const ms = performance.now() - t;
  if (r.status !== 0 && r.status !== 1) throw new Error(`grep failed: ${r.stderr}`);
  const hits = readFileSync(out, 'utf8').split('\n').filter(Boolean).length;
  rmSync(out, { force: true });
  return { ms, rssKb: Number(r.stderr.trim().split('\n').pop()), hits };
}

const du = (() => {
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of spawnSync('find', [d, '-type', 'f', '-printf', '%s\n'], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    }).stdout.split('\n'))
      bytes += Number(e) || 0;
  };
  walk(scanDir);
  return bytes;
})();

spawnSync('sync');
const ours: Run[] = [];
const grep: Run[] = [];
runCiviguard(); // warm the page cache (and tsx's compile cache)
runGrep();
for (let i = 0; i < runs; i++) {
  ours.push(runCiviguard());
  grep.push(runGrep());
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const o = ours[0]!;
const oMs = median(ours.map((r) => r.ms));
const gMs = median(grep.map((r) => r.ms));
const mb = (b: number) => b / 1048576;
const missing = expected.filter((e) => !o.where!.includes(e));
console.log(`tree in ${root} (${base === '/dev/shm' ? 'tmpfs' : 'disk, warm cache'})`);
console.log(
  `tree: ${o.files} files, ${mb(du).toFixed(0)} MB on disk, ${o.gzip ?? 0} gzip (${mb(o.bytes!).toFixed(0)} MB read decompressed)`,
);
console.log(
  `planted card numbers: ${expected.length}; civiguard found ${o.hits} (${missing.length ? `MISSED ${missing.join(', ')}` : 'all, at the right file:line'})`,
);
console.log('');
console.log('| tool | wall (median of ' + runs + ') | MB/s | files/s | peak RSS | matches |');
console.log('|---|---|---|---|---|---|');
console.log(
  `| civiguard pci.card-data scanner (Luhn + brand + context, .gz opened) | ${(oMs / 1000).toFixed(2)} s | ${(mb(o.bytes!) / (oMs / 1000)).toFixed(0)} | ${Math.round(o.files! / (oMs / 1000))} | ${(o.rssKb / 1024).toFixed(0)} MB | ${o.hits} |`,
);
console.log(
  `| grep -rPIno (candidate pattern only, .gz not opened) | ${(gMs / 1000).toFixed(2)} s | ${(mb(du) / (gMs / 1000)).toFixed(0)} | ${Math.round(o.files! / (gMs / 1000))} | ${(median(grep.map((r) => r.rssKb)) / 1024).toFixed(0)} MB | ${grep[0]!.hits} |`,
);
console.log('');
console.log(`ratio: civiguard is ${(gMs / oMs).toFixed(2)}× grep's speed (wall time, same tree, warm cache)`);
if (!values.keep) rmSync(root, { recursive: true, force: true });
if (missing.length) process.exitCode = 1;
