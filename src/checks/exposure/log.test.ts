import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import type { ProbedItem } from '../../probes/exposure/types.js';
import log from './log.js';
import { canary, DRUPAL_404, facts, item, nginxListing } from './test-support/facts.js';

const R = 'sites/default/files/civicrm/';
const L = `${R}ConfigAndLog/`;
const LOG_LINES = 'Dec 01 10:00:00  [info] $Fatal Error Details = array(...)\n';
const dir = (body: string) =>
  item(L, 'dir', { role: 'log', root: R, status: 200, body, baseline: [404, DRUPAL_404] });
const listed = (name: string, status: number, body = '') =>
  item(`${L}${name}`, 'listed', { role: 'log', root: R, status, body, baseline: [404, DRUPAL_404] });

describe('exposure.log', () => {
  const cases: { name: string; items: ProbedItem[]; expect: string[] }[] = [
    {
      name: 'listed log downloads',
      items: [
        dir(nginxListing(L, ['CiviCRM.1f2e3d4c.log', 'Config.IDS.ini'])),
        listed('CiviCRM.1f2e3d4c.log', 206, LOG_LINES),
      ],
      expect: ['exposure.log.downloadable:fail'],
    },
    {
      name: 'listing names the log, download denied',
      items: [
        dir(nginxListing(L, ['CiviCRM.1f2e3d4c.log'])),
        listed('CiviCRM.1f2e3d4c.log', 403, 'Forbidden'),
      ],
      expect: ['exposure.log.listed:fail'],
    },
    {
      name: 'listing without a log, another file downloads: the dir is served',
      items: [
        dir(nginxListing(L, ['Config.IDS.ini'])),
        listed('Config.IDS.ini', 200, '[General]\nfilter_type = xml\n'),
      ],
      expect: ['exposure.log.dir-open:fail'],
    },
    {
      name: 'Config.IDS.ini downloads: the dir that holds the log is served',
      items: [
        item(L, 'dir', { role: 'log', root: R, status: 403, body: 'Forbidden', baseline: [404, DRUPAL_404] }),
        item(`${L}Config.IDS.ini`, 'sentinel', {
          role: 'log',
          root: R,
          status: 200,
          body: '; <?php die(); ?>\n\n[General]\n    filter_type = xml\n',
          baseline: [404, DRUPAL_404],
        }),
      ],
      expect: ['exposure.log.dir-open:fail'],
    },
    {
      name: 'the old CiviCRM.log name downloads',
      items: [
        item(`${L}CiviCRM.log`, 'log-guess', {
          role: 'log',
          root: R,
          status: 200,
          body: LOG_LINES,
          baseline: [404, ''],
        }),
      ],
      expect: ['exposure.log.downloadable:fail'],
    },
    {
      name: 'guessed name answered with an HTML page: not a log',
      items: [item(`${L}CiviCRM.log`, 'log-guess', { role: 'log', root: R, status: 200, body: DRUPAL_404 })],
      expect: ['exposure.log:skip'],
    },
    {
      name: 'Standalone private/log listed',
      items: [
        item('private/log/', 'dir', {
          role: 'log',
          root: 'private/',
          status: 200,
          body: nginxListing('private/log/', ['CiviCRM.abc.log']),
        }),
        item('private/log/CiviCRM.abc.log', 'listed', {
          role: 'log',
          root: 'private/',
          status: 200,
          body: LOG_LINES,
          baseline: [404, ''],
        }),
      ],
      expect: ['exposure.log.downloadable:fail'],
    },
    {
      name: 'everything denied: skip with what was seen',
      items: [
        item(L, 'dir', { role: 'log', root: R, status: 403, body: 'Forbidden', baseline: [404, DRUPAL_404] }),
        item(`${L}CiviCRM.log`, 'log-guess', { role: 'log', root: R, status: 404, body: DRUPAL_404 }),
      ],
      expect: ['exposure.log:skip'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(statuses(judge(log, { exposure: facts(c.items) })), c.expect);
    });
  }
  it('the log content never reaches the report', () => {
    const r = judge(log, {
      exposure: facts([
        dir(nginxListing(L, ['CiviCRM.x.log'])),
        listed('CiviCRM.x.log', 200, 'Dec 01 10:00:00  [info] password=hunter2'),
      ]),
    });
    assert.doesNotMatch(JSON.stringify(r), /hunter2/);
  });

  it('with --root: a real log served by URL fails even when the canary is not served', () => {
    const c = canary({ kind: 'log', status: 'not-reachable' }, [
      { status: 'reachable', reason: 'served at https://example.org/l (HTTP 200)' },
    ]);
    assert.deepEqual(statuses(judge(log, { exposure: facts([]) }, { canary: c })), [
      'exposure.log.downloadable:fail',
    ]);
  });
  it('with --root: canary and real logs not served: pass', () => {
    const c = canary({ kind: 'log', status: 'not-reachable' }, [{ status: 'not-reachable' }]);
    assert.deepEqual(statuses(judge(log, { exposure: facts([]) }, { canary: c })), ['exposure.log:pass']);
  });
  it('with --root: a real log that could not be fetched is an error, not a pass', () => {
    const c = canary({ kind: 'log', status: 'not-reachable' }, [{ status: 'error', reason: 'timeout' }]);
    assert.deepEqual(statuses(judge(log, { exposure: facts([]) }, { canary: c })), ['exposure.log:error']);
  });
});
