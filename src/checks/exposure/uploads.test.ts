import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import type { ProbeOutcome } from '../../core/probe.js';
import type { ProbedItem } from '../../probes/exposure/types.js';
import type { CanaryFacts } from '../../probes/local/canary.js';
import { canary, DRUPAL_404, facts, item, NO_ROOT, nginxListing } from './test-support/facts.js';
import uploads from './uploads.js';

const R = 'sites/default/files/civicrm/';
const UP = `${R}upload/`;
const HTACCESS = '<Files "*">\n  Order allow,deny\n  Deny from all\n</Files>\n';
const dir = (status: number, body = '', baseline: [number, string] | null = [404, DRUPAL_404]) =>
  item(UP, 'dir', { role: 'upload', root: R, status, body, baseline });
const sentinel = (status: number, body = '', baseline: [number, string] | null = [404, DRUPAL_404]) =>
  item(`${UP}.htaccess`, 'sentinel', { role: 'upload', root: R, status, body, baseline });
const sample = (status: number, body = '') =>
  item(`${UP}Donors_2024.csv`, 'listed', {
    role: 'upload',
    root: R,
    status,
    body,
    baseline: [404, DRUPAL_404],
  });

describe('exposure.uploads', () => {
  const cases: { name: string; items: ProbedItem[]; expect: string[] }[] = [
    {
      name: 'listed file downloads',
      items: [dir(200, nginxListing(UP, ['Donors_2024.csv'])), sample(206, 'first,last\n')],
      expect: ['exposure.uploads.downloadable:fail'],
    },
    {
      name: 'listing names files but the file is denied',
      items: [dir(200, nginxListing(UP, ['Donors_2024.csv'])), sample(403, 'Forbidden')],
      expect: ['exposure.uploads.listed:fail'],
    },
    {
      name: 'empty listing: the dir is served',
      items: [dir(200, nginxListing(UP, []))],
      expect: ['exposure.uploads.dir-open:fail'],
    },
    {
      name: "CiviCRM's own .htaccess downloads",
      items: [dir(403, 'Forbidden', [404, DRUPAL_404]), sentinel(200, HTACCESS)],
      expect: ['exposure.uploads.downloadable:fail'],
    },
    {
      name: 'dir denied, .htaccess denied: cannot tell remotely',
      items: [dir(403, 'Forbidden'), sentinel(403, 'Forbidden')],
      expect: ['exposure.uploads:skip'],
    },
    {
      name: 'catch-all 200 everywhere: no false fail',
      items: [
        dir(200, DRUPAL_404.replace('<h1>', '<h1>upload '), [200, DRUPAL_404]),
        sentinel(200, DRUPAL_404, [200, DRUPAL_404]),
      ],
      expect: ['exposure.uploads:skip'],
    },
    {
      name: 'a listing that every random dir also gets is not this dir',
      items: [dir(200, nginxListing(UP, ['a.csv']), [200, nginxListing(UP, ['a.csv'])])],
      expect: ['exposure.uploads:skip'],
    },
    {
      name: 'a .htaccess request that timed out is an error, not a pass',
      items: [
        dir(403, 'Forbidden'),
        item(`${UP}.htaccess`, 'sentinel', { role: 'upload', root: R, error: 'timeout' }),
      ],
      expect: ['exposure.uploads:error'],
    },
    { name: 'no data dir at the standard paths', items: [], expect: ['exposure.uploads:skip'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const results = judge(uploads, { exposure: facts(c.items) });
      assert.deepEqual(statuses(results), c.expect);
    });
  }

  it('never passes in remote mode, and says the exact check needs --root', () => {
    const [r] = judge(uploads, { exposure: facts([dir(403, 'Forbidden'), sentinel(403, 'x')]) });
    assert.match(r!.message, /needs --root/);
    assert.match(r!.message, /answered 403/);
  });

  it('judges each data root separately (default dir closed, host dir listed)', () => {
    const R2 = 'sites/example.org/files/civicrm/';
    const results = judge(uploads, {
      exposure: facts([
        dir(403, 'Forbidden'),
        item(`${R2}upload/`, 'dir', {
          role: 'upload',
          root: R2,
          status: 200,
          body: nginxListing(`${R2}upload/`, ['x.csv']),
        }),
        item(`${R2}upload/x.csv`, 'listed', {
          role: 'upload',
          root: R2,
          status: 200,
          body: 'a,b',
          baseline: [404, ''],
        }),
      ]),
    });
    assert.deepEqual(statuses(results), ['exposure.uploads.downloadable:fail']);
    assert.match(results[0]!.message, /example\.org\/files\/civicrm\/upload\/x\.csv/);
  });

  it('evidence never carries the file content', () => {
    const [r] = judge(uploads, {
      exposure: facts([
        dir(200, nginxListing(UP, ['Donors_2024.csv'])),
        sample(206, 'Ada,Lovelace,ada@example.org'),
      ]),
    });
    assert.doesNotMatch(JSON.stringify(r), /Lovelace/);
  });

  describe('with --root: the canary takes precedence', () => {
    const closed = [dir(403, 'Forbidden'), sentinel(403, 'Forbidden')];
    const cases: {
      name: string;
      items: ProbedItem[];
      canary: ProbeOutcome<CanaryFacts>;
      expect: string[];
    }[] = [
      {
        name: 'canary not served: pass',
        items: closed,
        canary: canary({ kind: 'upload', status: 'not-reachable' }),
        expect: ['exposure.uploads:pass'],
      },
      {
        name: 'canary served: fail',
        items: closed,
        canary: canary({ kind: 'upload', status: 'reachable' }),
        expect: ['exposure.uploads.downloadable:fail'],
      },
      {
        name: 'canary named by a listing',
        items: closed,
        canary: canary({
          kind: 'upload',
          status: 'not-reachable',
          listing: true,
          listingUrl: 'https://example.org/up/',
        }),
        expect: ['exposure.uploads.listed:fail'],
      },
      {
        name: 'canary could not be fetched: error',
        items: closed,
        canary: canary({ kind: 'upload', status: 'error' }),
        expect: ['exposure.uploads:error'],
      },
      {
        name: 'canary skipped (dir unknown): remote judgement',
        items: closed,
        canary: canary({ kind: 'upload', status: 'skipped' }),
        expect: ['exposure.uploads:skip'],
      },
      {
        name: 'no --root: remote judgement',
        items: closed,
        canary: NO_ROOT,
        expect: ['exposure.uploads:skip'],
      },
      {
        name: 'canary closed but a remote proof elsewhere: the proof stands',
        items: [dir(200, nginxListing(UP, ['Donors_2024.csv'])), sample(200, 'x')],
        canary: canary({ kind: 'upload', status: 'not-reachable' }),
        expect: ['exposure.uploads.downloadable:fail'],
      },
      {
        name: "another dir's canary does not count",
        items: closed,
        canary: canary({ kind: 'custom', status: 'reachable' }),
        expect: ['exposure.uploads:skip'],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        assert.deepEqual(
          statuses(judge(uploads, { exposure: facts(c.items) }, { canary: c.canary })),
          c.expect,
        );
      });
    }
  });
});
