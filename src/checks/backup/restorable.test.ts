import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import { facts, hoursAgo, repo } from './fact-builders.js';
import check from './restorable.js';

const drill = (hours: number, ok: boolean) => ({
  time: hoursAgo(hours),
  snapshot: 'f'.repeat(64),
  snapshotTime: hoursAgo(hours + 5),
  ok,
  ...(ok ? {} : { error: 'civicrm: restoring failed' }),
});

describe('backup.restorable', () => {
  const cases: { name: string; f: ReturnType<typeof facts>; expect: string[] }[] = [
    {
      name: 'drill 3 days ago succeeded',
      f: facts(repo({ drills: [drill(72, true)] })),
      expect: ['backup.restorable:pass'],
    },
    { name: 'no drill ever', f: facts(repo()), expect: ['backup.restorable.no-drill:fail'] },
    {
      name: 'last drill 40 days ago (policy 35)',
      f: facts(repo({ drills: [drill(40 * 24, true)] })),
      expect: ['backup.restorable.drill-old:fail'],
    },
    {
      name: 'last drill failed, an older one succeeded',
      f: facts(repo({ drills: [drill(100, true), drill(2, false)] })),
      expect: ['backup.restorable.drill-failed:fail'],
    },
    {
      name: 'drill recorded in the off-site replica counts',
      f: facts(repo(), repo({ repo: 'sftp://x/y', drills: [drill(5, true)] })),
      expect: ['backup.restorable:pass'],
    },
    {
      name: 'only a restic repository: not applicable',
      f: facts(repo({ format: 'restic' })),
      expect: ['backup.restorable:skip'],
    },
    {
      name: 'unreachable only',
      f: facts(repo({ status: 'error', error: 'x' })),
      expect: ['backup.restorable.unreadable:error'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(statuses(judge(check, c.f)), c.expect));
});
