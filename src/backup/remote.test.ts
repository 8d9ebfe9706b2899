import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Socket, createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CiviguardError } from '../core/errors.js';
import type { Sshd } from '../test-support/servers/sshd.js';
import { sshdMissing, startSshd } from '../test-support/servers/sshd.js';
import type { Backend } from './backends/backend.js';
import { openBackend } from './backends/backend.js';
import { LocalBackend } from './backends/local.js';
import { knownHostsMatch } from './backends/sftp.js';
import { copyRepository } from './copy.js';
import { Repository } from './repository.js';
import { restoreSnapshot, sourceDir } from './restore.js';
import { runBackup } from './run.js';
import { compareTrees, makeSourceTree, newIdentity, tempDir } from './testing/fixtures.js';
import { checkRepository } from './verify.js';
import { WorkerPool } from './worker/pool.js';

/** A TCP relay on loopback that can cut every connection once `limit` bytes went upstream. */
async function relay(
  port: number,
): Promise<{ port: number; cutAfter: (bytes: number) => void; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let limit = Infinity;
  let sent = 0;
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => {
      sent += d.length;
      if (sent > limit) {
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => client.write(d));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    cutAfter: (bytes) => {
      sent = 0;
      limit = bytes;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const skipSftp = sshdMissing();

describe('backup: SFTP destination (Debian OpenSSH on loopback)', { skip: skipSftp ?? false }, () => {
  const tmp = tempDir();
  const src = join(tmp.path, 'src');
  const localDir = join(tmp.path, 'local');
  let sshd: Sshd;
  let id: { identity: string; recipient: string };
  let pool: WorkerPool;
  let sftpUrl: string;
  const open: Backend[] = [];
  const backend = async (url: string) => {
    const b = await openBackend(url);
    open.push(b);
    return b;
  };

  before(async () => {
    makeSourceTree(src);
    sshd = await startSshd();
    id = await newIdentity();
    pool = new WorkerPool(2);
    sftpUrl = sshd.sftpUrl(join(sshd.dir, 'offsite'));
    await Repository.init(new LocalBackend(localDir), { recipients: [id.recipient] });
  });
  after(async () => {
    for (const b of open) await b.close();
    await pool?.close();
    await sshd?.stop();
    tmp.cleanup();
  });

  it('copy creates the off-site replica without any key', async () => {
    const from = await Repository.openLocked(new LocalBackend(localDir));
    const r = await copyRepository(from, await backend(sftpUrl));
    assert.equal(r.created, true);
    const cfg = await Repository.readConfig(await backend(sftpUrl));
    assert.equal(cfg.id, from.id);
  });

  it('a run writes to the local and the off-site replica and reports both', async () => {
    const r = await runBackup({
      dests: [
        { backend: new LocalBackend(localDir), required: true },
        { backend: await backend(sftpUrl), required: true },
      ],
      sources: [{ kind: 'files', path: src }],
      unlock: {},
      cacheDir: null,
    });
    assert.equal(r.ok, true, JSON.stringify(r.destinations));
    assert.deepEqual(
      r.destinations.map((d) => d.ok),
      [true, true],
    );
    const remote = await Repository.open(await backend(sftpUrl), { identities: [id.identity] });
    const snaps = await remote.listSnapshots();
    assert.equal(snaps.length, 1);
    assert.equal(snaps[0]!.id, r.snapshot);
  });

  it('check --read-data and restore work over SFTP', async () => {
    const remote = await Repository.open(await backend(sftpUrl), { identities: [id.identity] });
    const rep = await checkRepository(remote, { readData: true, pool });
    assert.equal(rep.ok, true, JSON.stringify(rep.problems));
    assert.equal(rep.decrypted, rep.blobs);
    const target = join(tmp.path, 'from-sftp');
    await restoreSnapshot(remote, await remote.findSnapshot('latest'), {
      target,
      databases: new Map(),
      force: false,
      pool,
    });
    assert.deepEqual(compareTrees(src, sourceDir(target, src), ['templates_c', 'civicrm.settings.php']), []);
  });

  it('a connection dropped mid-run fails that destination only, and leaves both repositories valid', async () => {
    const proxy = await relay(sshd.port);
    try {
      const viaProxy =
        sftpUrl.replace(`:${sshd.port}/`, `:${proxy.port}/`).replace(/known_hosts=[^&]+/, '') +
        `&fingerprint=${encodeURIComponent(sshd.hostKeyFingerprint)}`;
      const remote = await backend(viaProxy);
      // new data, so that packs must travel: cut the link after ~1 MB of it
      makeSourceTree(join(tmp.path, 'src2'), { bigBytes: 4 * 1024 * 1024, smallFiles: 2 });
      proxy.cutAfter(1024 * 1024);
      const r = await runBackup({
        dests: [
          { backend: new LocalBackend(localDir), required: true },
          { backend: remote, required: true },
        ],
        sources: [{ kind: 'files', path: join(tmp.path, 'src2') }],
        unlock: {},
        cacheDir: null,
      });
      assert.equal(r.ok, false, 'a required destination failed');
      assert.equal(r.destinations[0]!.ok, true);
      assert.equal(r.destinations[1]!.ok, false);
      assert.match(r.destinations[1]!.error ?? '', /connection lost|ECONNRESET|closed|No response/i);
      assert.ok(r.snapshot, 'the local snapshot was recorded');
      for (const url of [localDir, sftpUrl]) {
        const repo = await Repository.open(
          url === localDir ? new LocalBackend(localDir) : await backend(sftpUrl),
          { identities: [id.identity] },
        );
        const rep = await checkRepository(repo, { readData: false, pool });
        assert.equal(rep.ok, true, `${url}: ${JSON.stringify(rep.problems)}`);
      }
      // the off-site replica catches up with copy
      const c = await copyRepository(
        await Repository.openLocked(new LocalBackend(localDir)),
        await backend(sftpUrl),
      );
      assert.equal(c.snapshots, 1);
    } finally {
      await proxy.close();
    }
  });

  it('an unknown host key is refused, with its fingerprint in the message', async () => {
    const url = sftpUrl.replace(
      /known_hosts=[^&]+/,
      `known_hosts=${encodeURIComponent(join(tmp.path, 'none'))}`,
    );
    await assert.rejects(
      openBackend(url),
      (e) =>
        e instanceof Error && e.message.includes(sshd.hostKeyFingerprint) && /not trusted/.test(e.message),
    );
  });

  it('an optional destination that cannot be reached does not fail the run', async () => {
    const dead = sshd.sftpUrl('/nowhere').replace(`:${sshd.port}/`, ':1/');
    await assert.rejects(openBackend(dead), (e) => e instanceof Error && /cannot connect/.test(e.message));
  });

  it('known_hosts matching: plain, [host]:port, hashed, revoked', () => {
    const key = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIExample', 'base64');
    const b64 = key.toString('base64');
    const salt = Buffer.from('0123456789abcdef0123');
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[10.0.0.1]:2222').digest('base64')}`;
    assert.equal(knownHostsMatch(`example.org ssh-ed25519 ${b64}`, 'example.org', 22, key), true);
    assert.equal(knownHostsMatch(`example.org ssh-ed25519 ${b64}`, 'example.org', 2222, key), false);
    assert.equal(knownHostsMatch(`[example.org]:2222 ssh-ed25519 ${b64}`, 'example.org', 2222, key), true);
    assert.equal(knownHostsMatch(`${hashed} ssh-ed25519 ${b64}`, '10.0.0.1', 2222, key), true);
    assert.equal(knownHostsMatch(`other.org ssh-ed25519 ${b64}`, 'example.org', 22, key), false);
    assert.equal(
      knownHostsMatch(
        `@revoked * ssh-ed25519 ${b64}\nexample.org ssh-ed25519 ${b64}`,
        'example.org',
        22,
        key,
      ),
      false,
    );
  });
});

describe('backup: S3 destination (s3rver on loopback)', () => {
  const tmp = tempDir();
  const src = join(tmp.path, 'src');
  const localDir = join(tmp.path, 'local');
  let server: { close: () => Promise<void> };
  let url = '';
  let id: { identity: string; recipient: string };
  let pool: WorkerPool;
  const saved = { k: process.env.AWS_ACCESS_KEY_ID, s: process.env.AWS_SECRET_ACCESS_KEY };

  before(async () => {
    const s3rverModule = 's3rver'; // no type declarations
    const { default: S3rver } = (await import(s3rverModule)) as {
      default: new (o: object) => { run: () => Promise<{ port: number }>; close: () => Promise<void> };
    };
    const s3 = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: join(tmp.path, 's3data'),
      configureBuckets: [{ name: 'backups' }],
    });
    const addr = await s3.run();
    server = s3;
    url = `s3://backups/civicrm/site1?endpoint=${encodeURIComponent(`http://127.0.0.1:${addr.port}`)}`;
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    makeSourceTree(src, { bigBytes: 2 * 1024 * 1024, smallFiles: 5 });
    id = await newIdentity();
    pool = new WorkerPool(2);
    await Repository.init(new LocalBackend(localDir), { recipients: [id.recipient] });
  });
  after(async () => {
    process.env.AWS_ACCESS_KEY_ID = saved.k;
    process.env.AWS_SECRET_ACCESS_KEY = saved.s;
    if (saved.k === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.s === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    await pool?.close();
    await server?.close();
    tmp.cleanup();
  });

  it('copy, run to local + S3, check --read-data and restore from S3', async () => {
    const s3 = await openBackend(url);
    try {
      await copyRepository(await Repository.openLocked(new LocalBackend(localDir)), s3);
      const r = await runBackup({
        dests: [
          { backend: new LocalBackend(localDir), required: true },
          { backend: s3, required: true },
        ],
        sources: [{ kind: 'files', path: src }],
        unlock: {},
        cacheDir: null,
      });
      assert.equal(r.ok, true, JSON.stringify(r.destinations));
      const repo = await Repository.open(s3, { identities: [id.identity] });
      const rep = await checkRepository(repo, { readData: true, pool });
      assert.equal(rep.ok, true, JSON.stringify(rep.problems));
      assert.equal(rep.snapshots, 1);
      const target = join(tmp.path, 'out');
      await restoreSnapshot(repo, await repo.findSnapshot('latest'), {
        target,
        databases: new Map(),
        force: false,
        pool,
      });
      assert.deepEqual(
        compareTrees(src, sourceDir(target, src), ['templates_c', 'civicrm.settings.php']),
        [],
      );
    } finally {
      await s3.close();
    }
  });

  it('missing credentials are a usage error, not a network lookup', async () => {
    const k = process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_ACCESS_KEY_ID;
    try {
      await assert.rejects(
        openBackend(url),
        (e) => e instanceof CiviguardError && e.code === 'E_USAGE' && /AWS_ACCESS_KEY_ID/.test(e.message),
      );
    } finally {
      process.env.AWS_ACCESS_KEY_ID = k;
    }
  });
});
