// civiguard side by side with testssl.sh (Debian) on the same Debian nginx hosts, in one run: verdict agreement
// on trust, hostname, expiry, protocols, weak ciphers and HSTS, the wall-time ratio, and a whole remote audit's
// median wall time and peak RSS.
//
// Everything runs inside a network namespace with only loopback (testssl.sh looks names up even when told not
// to), created here and removed at the end. Needs root, `ip`, nginx and testssl. Options:
//   --hosts bad.test,good.test   subset of hosts (default all four)   --runs N   civiguard runs per host (default 5)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../src/core/result.js';
import type { NginxSites, SiteHost } from '../../src/test-support/nginx-sites.js';
import { SITE_HOSTS, startNginxSites } from '../../src/test-support/nginx-sites.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const NETNS = 'civiguard-bench';
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

type Verdict = 'ok' | 'bad' | 'offered' | 'not offered' | 'n/a';
type Aspect =
  'trust' | 'hostname' | 'expiry' | 'TLS1.0' | 'TLS1.1' | 'TLS1.2' | 'TLS1.3' | 'weak ciphers' | 'HSTS';
const ASPECTS: Aspect[] = [
  'trust',
  'hostname',
  'expiry',
  'TLS1.0',
  'TLS1.1',
  'TLS1.2',
  'TLS1.3',
  'weak ciphers',
  'HSTS',
];

interface TestsslFinding {
  id: string;
  severity: string;
  finding: string;
}

function testsslVerdicts(findings: TestsslFinding[]): Record<Aspect, Verdict> {
  const f = (id: string) => findings.find((x) => x.id === id);
  const offered = (id: string): Verdict => {
    const x = f(id);
    if (!x) return 'n/a';
    return /not offered/i.test(x.finding) ? 'not offered' : /offered/i.test(x.finding) ? 'offered' : 'n/a';
  };
  const okIf = (id: string, good: (x: TestsslFinding) => boolean): Verdict => {
    const x = f(id);
    return x ? (good(x) ? 'ok' : 'bad') : 'n/a';
  };
  const weak = [
    'cipherlist_NULL',
    'cipherlist_aNULL',
    'cipherlist_EXPORT',
    'cipherlist_LOW',
    'cipherlist_3DES_IDEA',
  ]
    .map(offered)
    .filter((v) => v !== 'n/a');
  return {
    trust: okIf('cert_chain_of_trust', (x) => /^passed/i.test(x.finding)),
    hostname: okIf('cert_trust', (x) => /^ok/i.test(x.finding)),
    expiry: okIf('cert_expirationStatus', (x) => !/expired/i.test(x.finding)),
    'TLS1.0': offered('TLS1'),
    'TLS1.1': offered('TLS1_1'),
    'TLS1.2': offered('TLS1_2'),
    'TLS1.3': offered('TLS1_3'),
    'weak ciphers': weak.length === 0 ? 'n/a' : weak.includes('offered') ? 'offered' : 'not offered',
    // testssl reports a present header as HSTS_time (with its max-age) and a missing one as HSTS.
    HSTS: f('HSTS_time')
      ? okIf('HSTS_time', (x) => x.severity === 'OK')
      : okIf('HSTS', (x) => x.severity === 'OK'),
  };
}

function civiguardVerdicts(r: Report): Record<Aspect, Verdict> {
  const results = (check: string) => r.results.filter((x) => x.check === check);
  const passFail = (check: string): Verdict => {
    const xs = results(check);
    if (xs.length === 0 || xs.every((x) => x.status === 'skip' || x.status === 'error')) return 'n/a';
    return xs.some((x) => x.status === 'fail') ? 'bad' : 'ok';
  };
  const proto = (id: string): Verdict => {
    const x = r.results.find((y) => y.id === `tls.protocols.${id}`);
    const state = x?.evidence?.state;
    return state === 'offered' ? 'offered' : state === 'not-offered' ? 'not offered' : 'n/a';
  };
  const weakIds = ['null', 'anon', 'export', 'rc4', '3des', 'des'].map((k) => `tls.ciphers.${k}`);
  const weak = r.results.filter((x) => x.id && weakIds.includes(x.id));
  return {
    trust: passFail('tls.cert-trusted'),
    hostname: passFail('tls.cert-hostname'),
    expiry: passFail('tls.cert-expiry'),
    'TLS1.0': proto('tls1_0'),
    'TLS1.1': proto('tls1_1'),
    'TLS1.2': proto('tls1_2'),
    'TLS1.3': proto('tls1_3'),
    'weak ciphers':
      weak.length === 0 || weak.every((x) => x.status === 'skip')
        ? 'n/a'
        : weak.some((x) => x.status === 'fail')
          ? 'offered'
          : 'not offered',
    HSTS: passFail('http.hsts'),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** Runs the built CLI once; wall time and the child's peak RSS (getrusage via python3). */
function civiguardRun(
  site: NginxSites,
  host: SiteHost,
  only: string | null,
): { ms: number; rssMb: number; report: Report } {
  const inp = site.inputs(host);
  const cli = [process.execPath, join(repo, 'dist/cli/main.js'), 'audit', inp.url, '--http-url', inp.httpUrl];
  for (const r of inp.resolve) cli.push('--resolve', r);
  for (const c of inp.ca) cli.push('--ca', c);
  if (only) cli.push('--only', only);
  cli.push('--format', 'json', '--allow-errors', '--fail-on', 'critical');
  const py =
    'import resource,subprocess,sys,time\n' +
    't=time.perf_counter();p=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE);el=time.perf_counter()-t\n' +
    'sys.stderr.write("%f %d\\n"%(el*1000,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss));sys.stdout.buffer.write(p.stdout)';
  const r = spawnSync('python3', ['-c', py, ...cli], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const [ms, rssKb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { ms: ms!, rssMb: rssKb! / 1024, report: JSON.parse(r.stdout) as Report };
}

async function inside(): Promise<void> {
  const hosts = (opt('--hosts')?.split(',') ?? [...SITE_HOSTS]) as SiteHost[];
  const runs = Number(opt('--runs') ?? 5);
  const haveTestssl = existsSync('/usr/bin/testssl');
  const site = await startNginxSites();
  const work = mkdtempSync(join(tmpdir(), 'civiguard-bench-'));
  const rows: string[][] = [];
  let agree = 0;
  let compared = 0;
  const disagreements: string[] = [];
  const timing: string[][] = [];
  try {
    for (const host of hosts) {
      const tlsRuns = Array.from({ length: runs }, () => civiguardRun(site, host, 'tls,http.hsts'));
      const full = Array.from({ length: runs }, () => civiguardRun(site, host, null));
      const ours = civiguardVerdicts(tlsRuns[0]!.report);
      let theirs: Record<Aspect, Verdict> | null = null;
      let testsslMs = NaN;
      if (haveTestssl) {
        const inp = site.inputs(host);
        const out = join(work, `${host}.json`);
        const t0 = performance.now();
        spawnSync(
          'testssl',
          [
            '--quiet',
            '--color',
            '0',
            '--warnings',
            'batch',
            '--nodns',
            'none',
            '--ip',
            '127.0.0.1',
            '--add-ca',
            inp.ca[0]!,
            '--jsonfile',
            out,
            inp.url,
          ],
          { stdio: 'ignore', timeout: 300_000 },
        );
        testsslMs = performance.now() - t0;
        theirs = testsslVerdicts(JSON.parse(readFileSync(out, 'utf8')) as TestsslFinding[]);
      }
      for (const a of ASPECTS) {
        const o = ours[a];
        const t = theirs?.[a] ?? 'n/a';
        const both = o !== 'n/a' && t !== 'n/a';
        if (both) {
          compared++;
          if (o === t) agree++;
          else disagreements.push(`${host} ${a}: civiguard ${o}, testssl ${t}`);
        }
        rows.push([host, a, o, t, both ? (o === t ? 'yes' : 'NO') : '-']);
      }
      const cgMs = median(tlsRuns.map((x) => x.ms));
      timing.push([
        host,
        `${(cgMs / 1000).toFixed(2)} s`,
        Number.isNaN(testsslMs) ? '-' : `${(testsslMs / 1000).toFixed(1)} s`,
        Number.isNaN(testsslMs) ? '-' : `${(testsslMs / cgMs).toFixed(0)}x`,
        `${(median(full.map((x) => x.ms)) / 1000).toFixed(2)} s`,
        `${Math.max(...full.map((x) => x.rssMb)).toFixed(0)} MB`,
      ]);
    }
  } finally {
    await site.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const table = (head: string[], body: string[][]) => {
    const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(w[i]!)).join(' | ') + ' |';
    console.log(
      [line(head), '|' + w.map((n) => '-'.repeat(n + 2)).join('|') + '|', ...body.map(line)].join('\n'),
    );
  };
  console.log(`\nVerdicts: civiguard vs testssl.sh${haveTestssl ? '' : ' (testssl not installed)'}`);
  table(['host', 'aspect', 'civiguard', 'testssl', 'agree'], rows);
  console.log(`\nagreement: ${agree}/${compared} verdicts both tools gave`);
  for (const d of disagreements) console.log(`  disagreement: ${d}`);
  console.log(`\nWall time (median of ${runs}, process start included) and peak RSS`);
  table(
    [
      'host',
      'civiguard tls+hsts',
      'testssl default run',
      'ratio',
      'civiguard whole audit',
      'peak RSS (whole)',
    ],
    timing,
  );
}

if (!process.env.CIVIGUARD_BENCH_IN_NETNS) {
  if (process.getuid?.() !== 0) {
    console.error(
      'bench/audit/testssl needs root (it creates a loopback-only network namespace for the peers)',
    );
    process.exit(2);
  }
  spawnSync('ip', ['netns', 'del', NETNS]);
  execFileSync('ip', ['netns', 'add', NETNS]);
  try {
    execFileSync('ip', ['netns', 'exec', NETNS, 'ip', 'link', 'set', 'lo', 'up']);
    // tsc emits even when a file elsewhere has type errors; the bench needs only dist/ to be current.
    const build = spawnSync('npm', ['run', '--silent', 'build'], {
      cwd: repo,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (build.status !== 0)
      console.error('warning: the build reported type errors; benchmarking what it emitted');
    const r = spawnSync(
      'ip',
      ['netns', 'exec', NETNS, process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), ...args],
      { stdio: 'inherit', env: { ...process.env, CIVIGUARD_BENCH_IN_NETNS: '1' }, cwd: repo },
    );
    process.exitCode = r.status ?? 1;
  } finally {
    spawnSync('ip', ['netns', 'del', NETNS]);
  }
} else {
  await inside();
}
