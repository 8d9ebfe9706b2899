// `node --import tsx bench/audit/observatory.ts`: civiguard's http.redirect / http.hsts / http.cookies
// against MDN HTTP Observatory's scanner, on the same local sites, in the same run.
//
// Observatory scans http://host/ and https://host/ on ports 80/443 and has no --resolve, so everything
// runs inside a private network namespace (only loopback, nothing leaves the machine): the sites listen
// there on 127.0.0.1:80/443 (and 127.0.0.2:443 for a host with no plain http), the host names come from
// /etc/netns/<ns>/hosts (which `ip netns exec` mounts over /etc/hosts, so the machine's own file is
// untouched), and Observatory trusts the test CA through NODE_EXTRA_CA_CERTS. Needs root and iproute2.
// Observatory is installed (once) with `npm install --ignore-scripts --prefix /tmp/obs @mdn/mdn-http-observatory`
// (override the dir with CIVIGUARD_OBS_DIR); --ignore-scripts skips its postinstall download of the HSTS
// preload list, so an empty list is written in its place.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Verdict = 'pass' | 'fail' | 'none';

interface Site {
  host: string;
  addr: string;
  /** What SPEC §3 says (civiguard's ground truth). */
  expect: { redirect: Verdict; hsts: Verdict; cookies: Verdict };
  /** Plain-http answer for a path; null: no plain-http listener for this host. */
  http: ((path: string) => { status: number; headers?: Record<string, string> }) | null;
  https: { hsts?: string; cookie?: string };
}

const HEX = 'c0ffee00'.repeat(4);
const GOOD_HSTS = 'max-age=31536000; includeSubDomains';
const GOOD_COOKIE = `SESS${HEX}=v; Path=/; Secure; HttpOnly; SameSite=Lax`;
const toHttps = (host: string) => (path: string) => ({
  status: 301,
  headers: { location: `https://${host}${path}` },
});

const SITES: Site[] = [
  {
    host: 'good.test',
    addr: '127.0.0.1',
    expect: { redirect: 'pass', hsts: 'pass', cookies: 'pass' },
    http: toHttps('good.test'),
    https: { hsts: GOOD_HSTS, cookie: GOOD_COOKIE },
  },
  {
    host: 'no-redirect.test',
    addr: '127.0.0.1',
    expect: { redirect: 'fail', hsts: 'pass', cookies: 'pass' },
    http: () => ({ status: 200 }),
    https: { hsts: GOOD_HSTS, cookie: GOOD_COOKIE },
  },
  {
    host: 'off-host.test',
    addr: '127.0.0.1',
    expect: { redirect: 'fail', hsts: 'pass', cookies: 'pass' },
    http: toHttps('www.off-host.test'),
    https: { hsts: GOOD_HSTS, cookie: GOOD_COOKIE },
  },
  {
    host: 'http-first.test',
    addr: '127.0.0.1',
    expect: { redirect: 'pass', hsts: 'pass', cookies: 'pass' },
    http: (path) =>
      path === '/'
        ? { status: 301, headers: { location: 'http://http-first.test/start' } }
        : toHttps('http-first.test')(path),
    https: { hsts: GOOD_HSTS, cookie: GOOD_COOKIE },
  },
  {
    host: 'no-http.test',
    addr: '127.0.0.2',
    expect: { redirect: 'pass', hsts: 'pass', cookies: 'pass' },
    http: null,
    https: { hsts: GOOD_HSTS, cookie: GOOD_COOKIE },
  },
  {
    host: 'no-hsts.test',
    addr: '127.0.0.1',
    expect: { redirect: 'pass', hsts: 'fail', cookies: 'pass' },
    http: toHttps('no-hsts.test'),
    https: { cookie: GOOD_COOKIE },
  },
  {
    host: 'short-hsts.test',
    addr: '127.0.0.1',
    expect: { redirect: 'pass', hsts: 'fail', cookies: 'pass' },
    http: toHttps('short-hsts.test'),
    https: { hsts: 'max-age=86400', cookie: GOOD_COOKIE },
  },
  {
    host: 'bad-hsts.test',
    addr: '127.0.0.1',
    expect: { redirect: 'pass', hsts: 'fail', cookies: 'pass' },
    http: toHttps('bad-hsts.test'),
    https: { hsts: 'max-age=abc', cookie: GOOD_COOKIE },
  },
  {
    host: 'insecure-cookie.test',
    addr: '127.0.0.1',
    expect: { redirect: 'pass', hsts: 'pass', cookies: 'fail' },
    http: toHttps('insecure-cookie.test'),
    https: { hsts: GOOD_HSTS, cookie: 'PHPSESSID=v; Path=/; HttpOnly; SameSite=Lax' },
  },
  {
    host: 'script-cookie.test',
    addr: '127.0.0.1',
    expect: { redirect: 'pass', hsts: 'pass', cookies: 'fail' },
    http: toHttps('script-cookie.test'),
    https: { hsts: GOOD_HSTS, cookie: `SESS${HEX}=v; Path=/; Secure; SameSite=Lax` },
  },
  {
    host: 'no-samesite.test',
    addr: '127.0.0.1',
    // Secure + HttpOnly: both tools pass it; civiguard adds a notice-level SameSite result (shown apart).
    expect: { redirect: 'pass', hsts: 'pass', cookies: 'pass' },
    http: toHttps('no-samesite.test'),
    https: { hsts: GOOD_HSTS, cookie: `SESS${HEX}=v; Path=/; Secure; HttpOnly` },
  },
  {
    host: 'no-cookie.test',
    addr: '127.0.0.1',
    expect: { redirect: 'pass', hsts: 'pass', cookies: 'none' },
    http: toHttps('no-cookie.test'),
    https: { hsts: GOOD_HSTS },
  },
];

const ALL_HOSTS = [...SITES.map((s) => s.host), 'www.off-host.test'];

/** Child mode: the sites themselves, run inside the namespace. */
async function serve(dir: string): Promise<void> {
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const key = readFileSync(join(dir, 'key.pem'), 'utf8');
  const byHost = (req: http.IncomingMessage) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    return SITES.find((s) => s.host === host || (s.host === 'off-host.test' && host === 'www.off-host.test'));
  };
  const plain = http.createServer((req, res) => {
    const site = byHost(req);
    const a = site?.http?.(req.url ?? '/') ?? { status: 404 };
    res.writeHead(a.status, { 'content-type': 'text/html', ...a.headers });
    res.end('<html><body>plain http</body></html>');
  });
  const secure = https.createServer({ cert, key }, (req, res) => {
    const site = byHost(req);
    if (!site) {
      res.writeHead(404);
      res.end();
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'text/html' };
    if (site.https.hsts) headers['strict-transport-security'] = site.https.hsts;
    if (site.https.cookie) headers['set-cookie'] = site.https.cookie;
    res.writeHead(200, headers);
    res.end('<html><body>hello</body></html>');
  });
  const secure2 = https.createServer({ cert, key }, secure.listeners('request')[0] as http.RequestListener);
  await Promise.all([
    new Promise<void>((r) => plain.listen(80, '127.0.0.1', r)),
    new Promise<void>((r) => secure.listen(443, '127.0.0.1', r)),
    new Promise<void>((r) => secure2.listen(443, '127.0.0.2', r)),
  ]);
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => process.exit(0));
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return { ...r, ms: performance.now() - t0 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : NaN;
};

async function main(): Promise<number> {
  if (process.getuid?.() !== 0 || !existsSync('/usr/sbin/ip')) {
    console.log('observatory: skipped (needs root and iproute2 for a private network namespace)');
    return 0;
  }
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  const obsDir = process.env['CIVIGUARD_OBS_DIR'] ?? '/tmp/obs';
  const obsPkg = join(obsDir, 'node_modules/@mdn/mdn-http-observatory');
  if (!existsSync(obsPkg)) {
    console.log(`observatory: installing @mdn/mdn-http-observatory into ${obsDir} (--ignore-scripts)`);
    const r = run('npm', [
      'install',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefix',
      obsDir,
      '@mdn/mdn-http-observatory',
    ]);
    if (r.status !== 0) {
      console.log(`observatory: skipped (npm install failed: ${r.stderr.trim().split('\n').pop()})`);
      return 0;
    }
  }
  const preload = join(obsPkg, 'conf/hsts-preload.json');
  if (!existsSync(preload)) writeFileSync(preload, '{}\n');
  const obsVersion = (JSON.parse(readFileSync(join(obsPkg, 'package.json'), 'utf8')) as { version: string })
    .version;

  const { createCa, issueCert } = await import('../../src/pki/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'civiguard-obs-'));
  const ca = await createCa('civiguard bench CA');
  const leaf = await issueCert(ca, { dnsNames: ALL_HOSTS });
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  writeFileSync(join(dir, 'cert.pem'), leaf.certPem);
  writeFileSync(join(dir, 'key.pem'), leaf.keyPem, { mode: 0o600 });

  const ns = `civiguard-obs-${process.pid}`;
  const nsEtc = `/etc/netns/${ns}`;
  const inNs = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    run('ip', ['netns', 'exec', ns, cmd, ...args], env);
  let server: ReturnType<typeof spawn> | null = null;
  try {
    if (run('ip', ['netns', 'add', ns]).status !== 0) throw new Error(`ip netns add ${ns} failed`);
    inNs('ip', ['link', 'set', 'lo', 'up']);
    mkdirSync(nsEtc, { recursive: true });
    const hosts = SITES.map((s) => `${s.addr} ${s.host}`).concat('127.0.0.1 www.off-host.test');
    writeFileSync(join(nsEtc, 'hosts'), ['127.0.0.1 localhost', ...hosts].join('\n') + '\n');

    server = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--serve',
        dir,
      ],
      {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the sites did not start within 30 s')), 30_000);
      server!.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          clearTimeout(t);
          resolve();
        }
      });
      server!.on('exit', (code) => reject(new Error(`the sites exited (${code})`)));
    });

    const rows: string[][] = [];
    const agree = { redirect: 0, hsts: 0, cookies: 0 };
    const truth = { civiguard: 0, observatory: 0 };
    const times = { civiguard: [] as number[], observatory: [] as number[], audit: [] as number[] };
    for (const site of SITES) {
      const o = inNs(process.execPath, [join(obsPkg, 'src/scan.js'), site.host], {
        NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      });
      times.observatory.push(o.ms);
      let obs: { tests?: Record<string, { pass: boolean; result: string }>; error?: string } = {};
      try {
        obs = JSON.parse(o.stdout) as typeof obs;
      } catch {
        obs = { error: (o.stderr || o.stdout).trim().split('\n').pop() ?? 'no output' };
      }
      const c = inNs(
        process.execPath,
        [
          '--import',
          'tsx',
          join(repo, 'src/cli/main.ts'),
          'audit',
          `https://${site.host}/`,
          '--ca',
          join(dir, 'ca.pem'),
          '--only',
          'http.redirect,http.hsts,http.cookies',
          '--format',
          'json',
          '--timeout',
          '5000',
        ],
        { NO_COLOR: '1' },
      );
      times.civiguard.push(c.ms);
      let results: { check: string; id?: string; status: string; severity: string }[] = [];
      try {
        const report = JSON.parse(c.stdout) as { results: typeof results; durationMs: number };
        results = report.results;
        times.audit.push(report.durationMs);
      } catch {
        console.log(
          `civiguard gave no JSON for ${site.host}: ${(c.stderr || c.stdout).trim().slice(0, 300)}`,
        );
      }
      const cg = (check: string, ignore: string[] = []): Verdict => {
        const rs = results.filter((r) => r.check === check && !ignore.includes(r.id ?? ''));
        if (rs.length === 0 || rs.every((r) => r.status === 'skip')) return 'none';
        return rs.some((r) => r.status === 'fail' || r.status === 'error') ? 'fail' : 'pass';
      };
      const ob = (test: string, noneWhen: string[] = []): Verdict => {
        const t = obs.tests?.[test];
        if (!t) return 'none';
        if (noneWhen.includes(t.result)) return 'none';
        return t.pass ? 'pass' : 'fail';
      };
      const verdicts = {
        redirect: [cg('http.redirect'), ob('redirection')] as const,
        hsts: [cg('http.hsts'), ob('strict-transport-security')] as const,
        // SameSite is a notice in civiguard and extra credit in Observatory: compared on Secure + HttpOnly.
        cookies: [
          cg('http.cookies', ['http.cookies.samesite']),
          ob('cookies', ['cookies-not-found']),
        ] as const,
      };
      const cell = (k: keyof typeof verdicts) => {
        const [a, b] = verdicts[k];
        if (a === b) agree[k]++;
        if (a === site.expect[k]) truth.civiguard++;
        if (b === site.expect[k]) truth.observatory++;
        return `${a}/${b}${a === b ? '' : ' ≠'}`;
      };
      const samesite = results.find((r) => r.id === 'http.cookies.samesite')?.status ?? '-';
      rows.push([
        site.host,
        cell('redirect'),
        cell('hsts'),
        cell('cookies'),
        samesite,
        obs.error
          ? `error: ${obs.error}`
          : ['redirection', 'strict-transport-security', 'cookies']
              .map((k) => obs.tests?.[k]?.result)
              .join(', '),
      ]);
    }
    const head = [
      'site',
      'redirect (cg/obs)',
      'hsts (cg/obs)',
      'cookies (cg/obs)',
      'cg samesite',
      'observatory results',
    ];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    console.log(
      `MDN HTTP Observatory ${obsVersion} vs civiguard, ${SITES.length} local sites (none = no cookies / not judged)`,
    );
    console.log(line(head));
    for (const r of rows) console.log(line(r));
    const n = SITES.length;
    console.log(
      `agreement: redirect ${agree.redirect}/${n}, hsts ${agree.hsts}/${n}, cookies ${agree.cookies}/${n}`,
    );
    console.log(
      `matches SPEC §3 expectations (${3 * n} verdicts): civiguard ${truth.civiguard}, observatory ${truth.observatory}`,
    );
    console.log(
      `median wall time per site (process start included): civiguard ${Math.round(median(times.civiguard))} ms, observatory ${Math.round(median(times.observatory))} ms`,
    );
    console.log(
      `civiguard's own audit time (report durationMs, ${3} checks, front + sensitive pages over https and http): median ${Math.round(median(times.audit))} ms`,
    );
    return 0;
  } finally {
    if (server && server.exitCode === null) server.kill('SIGTERM');
    run('ip', ['netns', 'del', ns]);
    rmSync(nsEtc, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3]!);
} else {
  process.exitCode = await main();
}
