import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ProcInfo } from './web-user.js';
import { accountFor, canRead, canWrite, fromConfig, fromProcesses, readUserDb } from './web-user.js';

const etc = mkdtempSync(join(tmpdir(), 'civiguard-etc-'));
after(() => rmSync(etc, { recursive: true, force: true }));
writeFileSync(
  join(etc, 'passwd'),
  'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nsite1:x:1001:1001::/home/site1:/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\n',
);
writeFileSync(join(etc, 'group'), 'root:x:0:\nwww-data:x:33:\nsite1:x:1001:\ndeploy:x:2000:site1,www-data\n');
const db = readUserDb(etc);

describe('web server and PHP users', () => {
  it('account lookup with supplementary groups', () => {
    assert.deepEqual(accountFor(db, 'www-data', 'x'), {
      name: 'www-data',
      uid: 33,
      gids: [33, 2000],
      source: 'x',
    });
    assert.equal(accountFor(db, 'nope', 'x'), null);
  });

  it('from processes: PHP-FPM pool and Apache workers write, nginx workers read, root masters ignored', () => {
    const procs: ProcInfo[] = [
      { pid: 1, name: 'nginx', uid: 0, gids: [0], cmdline: 'nginx: master process' },
      { pid: 2, name: 'nginx', uid: 33, gids: [33], cmdline: 'nginx: worker process' },
      { pid: 3, name: 'php-fpm8.2', uid: 0, gids: [0], cmdline: 'php-fpm: master process' },
      { pid: 4, name: 'php-fpm8.2', uid: 1001, gids: [1001, 2000], cmdline: 'php-fpm: pool site1' },
      { pid: 5, name: 'php-fpm8.2', uid: 1001, gids: [1001, 2000], cmdline: 'php-fpm: pool site1' },
    ];
    const f = fromProcesses(db, procs)!;
    assert.deepEqual(f.servers.sort(), ['nginx', 'php-fpm']);
    assert.deepEqual(
      f.phpUsers.map((u) => [u.name, u.uid, u.gids]),
      [['site1', 1001, [1001, 2000]]],
    );
    assert.deepEqual(
      f.readers.map((u) => u.name),
      ['www-data'],
    );
    assert.equal(fromProcesses(db, []), null);
  });

  it("from config: pool.d `user =`, Apache's envvars, nginx.conf `user`", () => {
    mkdirSync(join(etc, 'php', '8.2', 'fpm', 'pool.d'), { recursive: true });
    writeFileSync(
      join(etc, 'php', '8.2', 'fpm', 'pool.d', 'site1.conf'),
      '[site1]\nuser = site1\ngroup = deploy\nlisten = /run/php/site1.sock\n',
    );
    mkdirSync(join(etc, 'apache2'), { recursive: true });
    writeFileSync(
      join(etc, 'apache2', 'envvars'),
      'export APACHE_RUN_USER=www-data\nexport APACHE_RUN_GROUP=www-data\n',
    );
    mkdirSync(join(etc, 'nginx'), { recursive: true });
    writeFileSync(join(etc, 'nginx', 'nginx.conf'), 'user www-data;\nworker_processes auto;\n');
    const f = fromConfig(db, etc)!;
    assert.deepEqual(f.servers.sort(), ['apache', 'nginx', 'php-fpm']);
    assert.deepEqual(f.phpUsers.map((u) => u.name).sort(), ['site1', 'www-data']);
    assert.ok(f.phpUsers.find((u) => u.name === 'site1')!.gids.includes(2000));
    assert.deepEqual(
      f.readers.map((u) => u.name),
      ['www-data'],
    );
  });

  it('permission semantics: the owner bits alone apply to the owner, then group, then others', () => {
    const u = { name: 'site1', uid: 1001, gids: [1001, 2000] };
    const cases: [number, number, number, boolean, boolean][] = [
      // mode, uid, gid, canWrite, canRead
      [0o644, 1001, 0, true, true],
      [0o444, 1001, 0, false, true],
      [0o064, 1001, 2000, false, false], // owner bits deny even though group would allow
      [0o664, 0, 2000, true, true],
      [0o644, 0, 2000, false, true],
      [0o640, 0, 0, false, false],
      [0o646, 0, 0, true, true],
    ];
    for (const [mode, uid, gid, w, r] of cases) {
      assert.equal(canWrite(u, mode, uid, gid), w, `write ${mode.toString(8)} ${uid}:${gid}`);
      assert.equal(canRead(u, mode, uid, gid), r, `read ${mode.toString(8)} ${uid}:${gid}`);
    }
  });
});
