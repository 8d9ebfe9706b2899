import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildTarget } from '../../audit/build-target.js';
import { freePort } from '../../test-support/servers/nginx.js';
import type { SiteFixture } from '../../test-support/sites/index.js';
import { buildSite } from '../../test-support/sites/index.js';
import { probeOutcome } from '../../test-support/sites/facts.js';
import type { DebianWordpress, WebStack } from '../../test-support/servers/web-stack.js';
import {
  openForWeb,
  startApache,
  startDebianWordpress,
  startNginxPhp,
  webStackMissing,
} from '../../test-support/servers/web-stack.js';
import type { CanaryFacts } from './canary.js';
import { canaryProbe, liveCanaries } from './canary.js';

/** Every civiguard canary under a tree (there must be none after a run). */
function canariesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.includes('civiguard-canary')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const byKind = (f: CanaryFacts) => Object.fromEntries(f.dirs.map((d) => [d.kind, d.status]));

/** Opens fixture dirs to the www-data workers (mkdtemp makes 0700). */
function openTree(fx: SiteFixture): void {
  openForWeb(fx.root);
}

describe("canary on Debian's WordPress (nginx + php-fpm, content dir through the alias)", () => {
  const missing = webStackMissing('wordpress');
  let open: DebianWordpress;
  let denied: DebianWordpress;
  before(async () => {
    if (missing) return;
    open = await startDebianWordpress({ deny: false });
    denied = await startDebianWordpress({ deny: true });
  });
  after(async () => {
    await open?.stop();
    await denied?.stop();
  });

  it('no deny rule: every private dir and the real log are fetched → reachable; canaries deleted', async (t) => {
    if (missing) return t.skip(missing);
    const o = await probeOutcome(
      canaryProbe,
      buildTarget({ url: open.url, httpUrl: open.httpUrl, resolve: open.resolve, root: open.root }),
    );
    assert.ok(o.ok, !o.ok ? o.reason : '');
    const f = o.value;
    assert.deepEqual(byKind(f), {
      upload: 'reachable',
      custom: 'reachable',
      log: 'reachable',
      compile: 'reachable',
    });
    assert.equal(
      f.dirs.find((d) => d.kind === 'upload')!.reachableUrl?.includes('/wp-content/uploads/civicrm/upload/'),
      true,
    );
    assert.equal(f.logs.length, 1);
    assert.equal(f.logs[0]!.path, open.logFile);
    assert.equal(f.logs[0]!.status, 'reachable');
    assert.equal(f.written.length, 4);
    assert.deepEqual(f.leftBehind, []);
    assert.deepEqual(canariesUnder(open.contentDir), []);
    assert.deepEqual(liveCanaries(), []);
  });

  it('nginx location deny rule: not reachable (403), log not reachable; canaries deleted', async (t) => {
    if (missing) return t.skip(missing);
    const o = await probeOutcome(
      canaryProbe,
      buildTarget({ url: denied.url, httpUrl: denied.httpUrl, resolve: denied.resolve, root: denied.root }),
    );
    assert.ok(o.ok, !o.ok ? o.reason : '');
    assert.deepEqual(byKind(o.value), {
      upload: 'not-reachable',
      custom: 'not-reachable',
      log: 'not-reachable',
      compile: 'not-reachable',
    });
    assert.ok(o.value.dirs.every((d) => d.attempts.every((a) => a.status === 403 || a.status === 404)));
    assert.equal(o.value.logs[0]!.status, 'not-reachable');
    assert.deepEqual(canariesUnder(denied.contentDir), []);
  });
});

describe('canary and .htaccess: Apache honours it only with AllowOverride, nginx never', () => {
  const stacks: WebStack[] = [];
  const sites: SiteFixture[] = [];
  after(async () => {
    for (const s of stacks) await s.stop();
    sites.forEach((s) => s.remove());
  });
  const cases = [
    { server: 'apache', allowOverride: true, expect: 'not-reachable' },
    { server: 'apache', allowOverride: false, expect: 'reachable' },
    { server: 'nginx', allowOverride: false, expect: 'reachable' },
  ] as const;
  for (const c of cases) {
    it(`${c.server}${c.server === 'apache' ? ` AllowOverride ${c.allowOverride ? 'All' : 'None'}` : ''}: CiviCRM's .htaccess present → ${c.expect}`, async (t) => {
      const missing = webStackMissing(c.server);
      if (missing) return t.skip(missing);
      const fx = buildSite('drupal7', { htaccess: true });
      sites.push(fx);
      openTree(fx);
      const stack =
        c.server === 'apache'
          ? await startApache({ root: fx.webRoot, allowOverride: c.allowOverride })
          : await startNginxPhp({ root: fx.webRoot, php: false });
      stacks.push(stack);
      const o = await probeOutcome(
        canaryProbe,
        buildTarget({ url: stack.url, httpUrl: stack.httpUrl, resolve: stack.resolve, root: fx.root }),
      );
      assert.ok(o.ok, !o.ok ? o.reason : '');
      for (const d of o.value.dirs) assert.equal(d.status, c.expect, `${d.kind}: ${d.reason}`);
      assert.equal(o.value.logs[0]!.status, c.expect);
      assert.deepEqual(canariesUnder(fx.root), []);
    });
  }
});

describe('canary listing: a dir URL that lists the canary (nginx autoindex)', () => {
  const stacks: WebStack[] = [];
  const sites: SiteFixture[] = [];
  after(async () => {
    for (const s of stacks) await s.stop();
    sites.forEach((s) => s.remove());
  });
  it('autoindex on for upload/: listing seen for upload only', async (t) => {
    const missing = webStackMissing('nginx');
    if (missing) return t.skip(missing);
    const fx = buildSite('backdrop');
    sites.push(fx);
    openTree(fx);
    const stack = await startNginxPhp({
      root: fx.webRoot,
      php: false,
      locations: 'location /files/civicrm/upload/ { autoindex on; }',
    });
    stacks.push(stack);
    const o = await probeOutcome(
      canaryProbe,
      buildTarget({ url: stack.url, httpUrl: stack.httpUrl, resolve: stack.resolve, root: fx.root }),
    );
    assert.ok(o.ok, !o.ok ? o.reason : '');
    const listing = Object.fromEntries(o.value.dirs.map((d) => [d.kind, d.listing]));
    assert.deepEqual(listing, { upload: true, custom: false, log: false, compile: false });
    assert.match(o.value.dirs[0]!.listingUrl!, /\/files\/civicrm\/upload\/$/);
    assert.deepEqual(canariesUnder(fx.root), []);
  });
});

describe('canary on a site without https: the same paths over plain http', () => {
  const stacks: WebStack[] = [];
  const sites: SiteFixture[] = [];
  after(async () => {
    for (const s of stacks) await s.stop();
    sites.forEach((s) => s.remove());
  });
  it('https refused → http answers: reachable over http, the refused https attempt recorded', async (t) => {
    const missing = webStackMissing('nginx');
    if (missing) return t.skip(missing);
    const fx = buildSite('wordpress');
    sites.push(fx);
    openTree(fx);
    const stack = await startNginxPhp({ root: fx.webRoot, php: false });
    stacks.push(stack);
    const closed = await freePort();
    const target = buildTarget({
      url: `https://${stack.host}:${closed}/`,
      httpUrl: stack.httpUrl,
      resolve: [...stack.resolve, `${stack.host}:${closed}:127.0.0.1`],
      root: fx.root,
    });
    const o = await probeOutcome(canaryProbe, target);
    assert.ok(o.ok, !o.ok ? o.reason : '');
    const up = o.value.dirs.find((d) => d.kind === 'upload')!;
    assert.equal(up.status, 'reachable', up.reason);
    assert.match(
      up.reachableUrl!,
      new RegExp(`^http://${stack.host}:${stack.httpPort}/wp-content/uploads/civicrm/upload/`),
    );
    assert.equal(up.attempts[0]!.status, null);
    assert.deepEqual(canariesUnder(fx.root), []);
  });
});

/** A TCP server that accepts and never answers (TLS handshakes hang). */
async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const socks = new Set<Socket>();
  const srv: Server = createServer((s) => {
    socks.add(s);
    s.on('close', () => socks.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return {
    port,
    close: async () => {
      for (const s of socks) s.destroy();
      await new Promise((r) => srv.close(r));
    },
  };
}

const CHILD = `
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildTarget } from './src/audit/build-target.ts';
import { canaryProbe } from './src/probes/local/canary.ts';
import { probeOutcome } from './src/test-support/sites/facts.ts';
const [root, port, timeoutMs] = process.argv.slice(1);
const target = buildTarget({ url: 'https://hang.test:' + port + '/', resolve: ['hang.test:' + port + ':127.0.0.1', 'hang.test:80:127.0.0.1'], root, timeoutMs: Number(timeoutMs) });
const o = await probeOutcome(canaryProbe, target);
const left = [];
const walk = (d) => { for (const n of readdirSync(d)) { const p = join(d, n); if (statSync(p).isDirectory()) walk(p); else if (n.includes('civiguard-canary')) left.push(p); } };
walk(root);
console.log(JSON.stringify({ outcome: o.ok ? 'ok' : o.status + ': ' + o.reason, dirs: o.ok ? o.value.dirs.map((d) => d.status + ': ' + d.reason) : [], left }));
`;

function runChild(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, ...args], {
    cwd: new URL('../../../', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('canaries are deleted when the probe times out or the process gets SIGINT (child processes)', () => {
  let hole: Awaited<ReturnType<typeof blackHole>>;
  const sites: SiteFixture[] = [];
  before(async () => {
    hole = await blackHole();
  });
  after(async () => {
    await hole.close();
    sites.forEach((s) => s.remove());
  });

  it('timeout: every dir errors (probe budget or per-fetch deadline), and no canary is left (checked before exit)', async () => {
    const fx = buildSite('backdrop');
    sites.push(fx);
    const child = runChild([fx.root, String(hole.port), '400']);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 0, err);
    const res = JSON.parse(out.trim()) as { outcome: string; dirs: string[]; left: string[] };
    // Either the probe's whole budget ran out, or each fetch hit its own deadline first: then every dir is an
    // error (never "not reachable": a fetch that got no answer proves nothing).
    if (res.outcome === 'ok') {
      assert.ok(res.dirs.length > 0);
      for (const d of res.dirs) assert.match(d, /^error: could not fetch .*(did not answer|within)/);
    } else assert.match(res.outcome, /^error: .*gave no answer within/);
    assert.deepEqual(res.left, []);
    assert.deepEqual(canariesUnder(fx.root), []);
  });

  it('SIGINT while fetches hang: canaries removed, the process dies by SIGINT', async () => {
    const fx = buildSite('joomla');
    sites.push(fx);
    const child = runChild([fx.root, String(hole.port), '60000']);
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
      child.on('exit', (code, signal) => r({ code, signal })),
    );
    // Wait until the canaries are on disk (the fetches then hang on the black hole).
    const until = Date.now() + 30_000;
    while (canariesUnder(fx.root).length < 4) {
      if (Date.now() > until) throw new Error(`no canaries appeared: ${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(canariesUnder(fx.root).length, 4);
    child.kill('SIGINT');
    const { signal } = await exited;
    assert.equal(signal, 'SIGINT', err);
    assert.deepEqual(canariesUnder(fx.root), []);
  });

  it('SIGINT to `civiguard audit --root` (the CLI aborts the audit): exit 130, nothing left behind', async () => {
    const fx = buildSite('standalone');
    sites.push(fx);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'audit',
        `https://hang.test:${hole.port}/`,
        '--resolve',
        `hang.test:${hole.port}:127.0.0.1`,
        '--resolve',
        'hang.test:80:127.0.0.1',
        '--root',
        fx.root,
        '--only',
        'fs.private-in-webroot',
        '--format',
        'json',
        '--timeout',
        '60000',
      ],
      { cwd: new URL('../../../', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
      child.on('exit', (code, signal) => r({ code, signal })),
    );
    const until = Date.now() + 30_000;
    while (canariesUnder(fx.root).length < 4) {
      if (Date.now() > until) throw new Error(`no canaries appeared: ${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGINT');
    const { code } = await exited;
    assert.equal(code, 130, err);
    assert.match(err, /interrupted; nothing was left behind/);
    assert.deepEqual(canariesUnder(fx.root), []);
  });
});
