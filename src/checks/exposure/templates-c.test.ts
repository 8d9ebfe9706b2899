import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import type { ProbedItem } from '../../probes/exposure/types.js';
import templatesC from './templates-c.js';
import { canary, DRUPAL_404, facts, item, nginxListing } from './test-support/facts.js';

const R = 'sites/default/files/civicrm/';
const T = `${R}templates_c/`;

describe('exposure.templates-c', () => {
  const cases: { name: string; items: ProbedItem[]; expect: string[] }[] = [
    {
      name: 'listed (even only subdirs)',
      items: [item(T, 'dir', { role: 'templates', root: R, status: 200, body: nginxListing(T, ['en_US/']) })],
      expect: ['exposure.templates-c.listed:fail'],
    },
    {
      name: '.htaccess downloads',
      items: [
        item(`${T}.htaccess`, 'sentinel', {
          role: 'templates',
          root: R,
          status: 200,
          body: '<Files "*">\n Deny from all\n</Files>\n',
          baseline: [404, DRUPAL_404],
        }),
      ],
      expect: ['exposure.templates-c.downloadable:fail'],
    },
    {
      name: 'denied',
      items: [
        item(T, 'dir', {
          role: 'templates',
          root: R,
          status: 403,
          body: 'Forbidden',
          baseline: [404, DRUPAL_404],
        }),
      ],
      expect: ['exposure.templates-c:skip'],
    },
    {
      name: 'a fail carries the warning severity',
      items: [item(T, 'dir', { role: 'templates', root: R, status: 200, body: nginxListing(T, ['en_US/']) })],
      expect: ['exposure.templates-c.listed:fail'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const results = judge(templatesC, { exposure: facts(c.items) });
      assert.deepEqual(statuses(results), c.expect);
      for (const r of results) if (r.status === 'fail') assert.equal(r.severity, 'warning');
    });
  }

  it('with --root: the compile dir canary decides', () => {
    const denied = [
      item(T, 'dir', {
        role: 'templates',
        root: R,
        status: 403,
        body: 'Forbidden',
        baseline: [404, DRUPAL_404],
      }),
    ];
    const judgeWith = (status: 'reachable' | 'not-reachable') =>
      statuses(
        judge(templatesC, { exposure: facts(denied) }, { canary: canary({ kind: 'compile', status }) }),
      );
    assert.deepEqual(judgeWith('not-reachable'), ['exposure.templates-c:pass']);
    assert.deepEqual(judgeWith('reachable'), ['exposure.templates-c.downloadable:fail']);
  });
});
