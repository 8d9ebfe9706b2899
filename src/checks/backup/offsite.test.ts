import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import { facts, offsite, repo, snap } from './fact-builders.js';
import check from './offsite.js';

describe('backup.offsite', () => {
  const cases: { name: string; f: ReturnType<typeof facts>; expect: string[] }[] = [
    {
      name: 'local + current SFTP copy',
      f: facts(repo({ snapshots: [snap(2)] }), offsite({ snapshots: [snap(2)] })),
      expect: ['backup.offsite:pass'],
    },
    {
      name: 'only local directories',
      f: facts(repo({ snapshots: [snap(2)] }), repo({ repo: '/mnt/usb', snapshots: [snap(2)] })),
      expect: ['backup.offsite.no-offsite:fail'],
    },
    {
      name: 'SFTP to this very machine (loopback) is not off-site',
      f: facts(repo({ snapshots: [snap(2)] }), offsite({ onThisHost: true, snapshots: [snap(2)] })),
      expect: ['backup.offsite.no-offsite:fail'],
    },
    {
      name: 'off-site copy stopped a week ago',
      f: facts(repo({ snapshots: [snap(2)] }), offsite({ snapshots: [snap(170)] })),
      expect: ['backup.offsite.offsite-stale:fail'],
    },
    {
      name: 'only the off-site copy exists',
      f: facts(offsite({ snapshots: [snap(2)] })),
      expect: ['backup.offsite.single-copy:fail'],
    },
    {
      name: 'off-site unreachable, local fine',
      f: facts(repo({ snapshots: [snap(2)] }), offsite({ status: 'error', error: 'timeout' })),
      expect: ['backup.offsite.unreadable:error', 'backup.offsite.no-offsite:fail'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(statuses(judge(check, c.f)), c.expect));
});
