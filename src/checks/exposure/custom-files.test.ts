import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import type { ProbedItem } from '../../probes/exposure/types.js';
import customFiles from './custom-files.js';
import { DRUPAL_404, facts, item, nginxListing } from './test-support/facts.js';

const R = 'wp-content/uploads/civicrm/';
const C = `${R}custom/`;

describe('exposure.custom-files', () => {
  const cases: { name: string; items: ProbedItem[]; expect: string[] }[] = [
    {
      name: 'listed file downloads',
      items: [
        item(C, 'dir', { role: 'custom', root: R, status: 200, body: nginxListing(C, ['photo_1a2b.jpg']) }),
        item(`${C}photo_1a2b.jpg`, 'listed', {
          role: 'custom',
          root: R,
          status: 200,
          body: 'JPEG',
          baseline: [404, ''],
        }),
      ],
      expect: ['exposure.custom-files.downloadable:fail'],
    },
    {
      name: 'the .htaccess downloads',
      items: [
        item(`${C}.htaccess`, 'sentinel', {
          role: 'custom',
          root: R,
          status: 200,
          body: '<IfModule authz_core_module>\n Require all denied\n</IfModule>\n',
          baseline: [404, DRUPAL_404],
        }),
      ],
      expect: ['exposure.custom-files.downloadable:fail'],
    },
    {
      name: 'upload dir findings do not count here',
      items: [
        item(`${R}upload/`, 'dir', {
          role: 'upload',
          root: R,
          status: 200,
          body: nginxListing(`${R}upload/`, ['a.csv']),
        }),
        item(C, 'dir', { role: 'custom', root: R, status: 404, body: DRUPAL_404 }),
      ],
      expect: ['exposure.custom-files:skip'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(statuses(judge(customFiles, { exposure: facts(c.items) })), c.expect);
    });
  }
});
