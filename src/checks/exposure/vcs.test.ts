import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import type { ProbedItem } from '../../probes/exposure/types.js';
import { DRUPAL_404, facts, item } from './test-support/facts.js';
import vcs from './vcs.js';

const v = (
  path: string,
  tag: string,
  status: number,
  body: string | Buffer,
  baseline: [number, string] | null = [404, DRUPAL_404],
) => item(path, 'vcs', { tag, status, body, baseline });

describe('exposure.vcs', () => {
  const cases: { name: string; items: ProbedItem[]; expect: string[] }[] = [
    {
      name: '.git/HEAD ref',
      items: [v('.git/HEAD', 'git', 200, 'ref: refs/heads/main\n')],
      expect: ['exposure.vcs.git:fail'],
    },
    {
      name: '.git/HEAD detached',
      items: [v('.git/HEAD', 'git', 200, 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3\n')],
      expect: ['exposure.vcs.git:fail'],
    },
    {
      name: '.git/config',
      items: [v('.git/config', 'git', 200, '[core]\n\trepositoryformatversion = 0\n\tbare = false\n')],
      expect: ['exposure.vcs.git:fail'],
    },
    {
      name: '.svn/entries (1.7+)',
      items: [v('.svn/entries', 'svn', 200, '12\n')],
      expect: ['exposure.vcs.svn:fail'],
    },
    {
      name: '.svn/wc.db',
      items: [
        v('.svn/wc.db', 'svn', 206, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(84)])),
      ],
      expect: ['exposure.vcs.svn:fail'],
    },
    {
      name: '.hg/requires',
      items: [
        v('.hg/requires', 'hg', 200, 'dotencode\nfncache\ngeneraldelta\nrevlogv1\nsparserevlog\nstore\n'),
      ],
      expect: ['exposure.vcs.hg:fail'],
    },
    {
      name: 'CiviCRM code dir clone',
      items: [v('sites/all/modules/civicrm/.git/HEAD', 'git', 200, 'ref: refs/heads/5.80\n')],
      expect: ['exposure.vcs.git:fail'],
    },
    {
      name: 'catch-all 200 HTML: no false fail',
      items: [
        v('.git/HEAD', 'git', 200, DRUPAL_404, null),
        v('.svn/entries', 'svn', 200, DRUPAL_404, null),
        v('.hg/requires', 'hg', 200, DRUPAL_404, null),
      ],
      expect: ['exposure.vcs:pass'],
    },
    {
      name: 'a site that answers the same text to every name: no false fail',
      items: [v('.svn/entries', 'svn', 200, '12\n', [200, '12\n'])],
      expect: ['exposure.vcs:pass'],
    },
    {
      name: 'denied',
      items: [v('.git/HEAD', 'git', 403, 'Forbidden', [403, 'Forbidden'])],
      expect: ['exposure.vcs:pass'],
    },
    {
      name: 'no answer',
      items: [
        v('.git/HEAD', 'git', 404, DRUPAL_404),
        item('.git/config', 'vcs', { tag: 'git', error: 'reset' }),
      ],
      expect: ['exposure.vcs:error'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(statuses(judge(vcs, { exposure: facts(c.items) })), c.expect);
    });
  }
});
