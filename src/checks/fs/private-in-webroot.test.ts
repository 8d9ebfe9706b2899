import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProbeOutcome } from '../../core/probe.js';
import type { CanaryFacts, CanaryStatus } from '../../probes/local/canary.js';
import type { DataDir, SiteLayout } from '../../probes/local/layout.js';
import type { WebServerFacts } from '../../probes/local/web-user.js';
import { judge, statuses } from '../../test-support/facts.js';
import privateInWebroot, { judgeDir } from './private-in-webroot.js';

const dir = (over: Partial<DataDir> = {}): DataDir => ({
  kind: 'upload',
  path: '/srv/www/sites/default/files/civicrm/upload',
  source: 'default',
  exists: true,
  inWebRoot: true,
  urls: ['sites/default/files/civicrm/upload/'],
  private: true,
  htaccessDeny: null,
  ...over,
});
const canary = (status: CanaryStatus | 'none'): ProbeOutcome<CanaryFacts> =>
  status === 'none'
    ? { ok: false, status: 'error', reason: 'canary timed out', durationMs: 1 }
    : {
        ok: true,
        durationMs: 1,
        value: {
          base: 'https://x/',
          written: [],
          leftBehind: [],
          logs: [],
          dirs: [
            {
              kind: 'upload',
              path: dir().path,
              status,
              reason: status,
              file: null,
              attempts: [],
              reachableUrl:
                status === 'reachable' ? 'https://x/sites/default/files/civicrm/upload/c.txt' : null,
              listing: false,
              listingUrl: null,
              deleted: true,
            },
          ],
        },
      };
const web = (servers: WebServerFacts['servers']): ProbeOutcome<WebServerFacts> => ({
  ok: true,
  durationMs: 1,
  value: { servers, phpUsers: [], readers: [], method: 'processes', notes: [] },
});

describe('fs.private-in-webroot', () => {
  const cases: {
    name: string;
    d?: Partial<DataDir>;
    c: CanaryStatus | 'none';
    servers: WebServerFacts['servers'];
    ht?: string | null;
    expect: string;
  }[] = [
    { name: 'canary served (nginx, no rule)', c: 'reachable', servers: ['nginx', 'php-fpm'], expect: 'fail' },
    { name: 'canary refused', c: 'not-reachable', servers: ['nginx', 'php-fpm'], expect: 'pass' },
    {
      name: 'outside the web root but served through an alias',
      d: { inWebRoot: false },
      c: 'reachable',
      servers: ['nginx'],
      expect: 'fail',
    },
    {
      name: 'outside the web root, canary could not run',
      d: { inWebRoot: false },
      c: 'none',
      servers: ['nginx'],
      expect: 'pass',
    },
    {
      name: 'nginx, no canary: never warn about a missing .htaccess',
      c: 'none',
      servers: ['nginx', 'php-fpm'],
      ht: null,
      expect: 'skip',
    },
    {
      name: 'Apache, no canary, .htaccess deny present',
      c: 'none',
      servers: ['apache'],
      ht: 'Require all denied\n',
      expect: 'pass',
    },
    {
      name: 'Apache, no canary, .htaccess missing',
      c: 'none',
      servers: ['apache'],
      ht: null,
      expect: 'fail',
    },
    {
      name: 'Apache behind nginx: .htaccess not enough to judge',
      c: 'none',
      servers: ['apache', 'nginx'],
      ht: 'Deny from all',
      expect: 'skip',
    },
    { name: 'dir does not exist', d: { exists: false }, c: 'none', servers: ['apache'], expect: 'skip' },
    {
      name: 'dir path unknown (getenv)',
      d: { path: null, source: "getenv('X')" },
      c: 'none',
      servers: ['apache'],
      expect: 'skip',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ht = c.ht ? { htaccessDeny: '/srv/www/sites/default/files/civicrm/.htaccess' } : {};
      const f = judgeDir(dir({ ...c.d, ...ht }), canary(c.c), web(c.servers));
      assert.equal(f.status, c.expect, f.message);
      assert.equal(f.outcome, 'upload');
    });
  }
  it('one result per private dir, named by the dir', () => {
    const l = {
      webRoot: '/srv/www',
      dirs: [
        dir(),
        dir({ kind: 'log', path: '/srv/www/x/ConfigAndLog' }),
        dir({ kind: 'persist', private: false }),
      ],
    } as unknown as SiteLayout;
    const r = judge(privateInWebroot, { layout: l }, { canary: canary('reachable'), web: web(['nginx']) });
    assert.deepEqual(statuses(r), [
      'fs.private-in-webroot.upload:fail',
      'fs.private-in-webroot.ConfigAndLog:skip',
    ]);
  });
});
