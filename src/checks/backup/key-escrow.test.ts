import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import { facts, hoursAgo, repo } from './fact-builders.js';
import check from './key-escrow.js';

const escrow = (recipients: string[], constants = ['CIVICRM_CRED_KEYS', 'CIVICRM_SITE_KEY']) => ({
  time: hoursAgo(24),
  host: 'web1',
  recipients,
  files: ['civicrm.settings.php'],
  constants,
});

describe('backup.key-escrow', () => {
  const cases: { name: string; f: ReturnType<typeof facts>; expect: string[] }[] = [
    {
      name: 'escrow to a separate recipient',
      f: facts(repo({ escrows: [escrow(['age1escrow'])] })),
      expect: ['backup.key-escrow:pass'],
    },
    { name: 'no escrow', f: facts(repo()), expect: ['backup.key-escrow.no-escrow:fail'] },
    {
      name: 'escrow to the data recipient',
      f: facts(repo({ escrows: [escrow(['age1data'])] })),
      expect: ['backup.key-escrow.same-recipient:fail'],
    },
    {
      name: 'escrowed file without the keys',
      f: facts(repo({ escrows: [escrow(['age1escrow'], [])] })),
      expect: ['backup.key-escrow.no-keys:fail'],
    },
    {
      name: 'only plain dumps: not applicable',
      f: facts(repo({ format: 'plain' })),
      expect: ['backup.key-escrow:skip'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(statuses(judge(check, c.f)), c.expect));
});
