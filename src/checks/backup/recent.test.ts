import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import { facts, repo, snap } from './fact-builders.js';
import recent from './recent.js';

describe('backup.recent', () => {
  const cases: { name: string; f: ReturnType<typeof facts>; expect: string[] }[] = [
    {
      name: 'snapshot 3 h old',
      f: facts(repo({ snapshots: [snap(50), snap(3)] })),
      expect: ['backup.recent:pass'],
    },
    {
      name: 'newest snapshot 30 h old (policy 26 h)',
      f: facts(repo({ snapshots: [snap(30)] })),
      expect: ['backup.recent.stale:fail'],
    },
    { name: 'no snapshot at all', f: facts(repo()), expect: ['backup.recent.none:fail'] },
    {
      name: 'one stale, one fresh repository',
      f: facts(repo({ snapshots: [snap(100)] }), repo({ repo: '/b', snapshots: [snap(1)] })),
      expect: ['backup.recent:pass'],
    },
    {
      name: 'plain dump directory dated by its newest file',
      f: facts(repo({ format: 'plain', newestFileTime: new Date(Date.now() - 2 * 3600_000).toISOString() })),
      expect: ['backup.recent:pass'],
    },
    {
      name: 'unreachable repository is an error, not a pass',
      f: facts(repo({ status: 'error', error: 'connect ECONNREFUSED' })),
      expect: ['backup.recent.unreadable:error'],
    },
    {
      name: 'one unreachable, one fresh',
      f: facts(repo({ status: 'error', error: 'x' }), repo({ repo: '/b', snapshots: [snap(1)] })),
      expect: ['backup.recent.unreadable:error', 'backup.recent:pass'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(statuses(judge(recent, c.f)), c.expect));

  it('follows the policy age', async () => {
    const { testTarget } = await import('../../test-support/facts.js');
    const t = testTarget();
    t.policy = { ...t.policy, backupMaxAgeHours: 48 };
    assert.deepEqual(statuses(judge(recent, facts(repo({ snapshots: [snap(30)] })), {}, t)), [
      'backup.recent:pass',
    ]);
  });
});
