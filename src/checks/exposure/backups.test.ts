import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { judge, statuses } from '../../test-support/facts.js';
import type { ProbedItem } from '../../probes/exposure/types.js';
import backups from './backups.js';
import { DRUPAL_404, facts, item } from './test-support/facts.js';

const b = (
  path: string,
  status: number,
  body: string | Buffer,
  baseline: [number, string] | null = [404, DRUPAL_404],
  tag?: string,
) => item(path, 'backup', { status, body, baseline, ...(tag ? { tag } : {}) });
const tar = Buffer.alloc(512);
tar.write('ustar', 257, 'latin1');

describe('exposure.backups', () => {
  const cases: { name: string; items: ProbedItem[]; expect: string[] }[] = [
    {
      name: 'mysqldump',
      items: [b('backup.sql', 206, '-- MySQL dump 10.13  Distrib 8.0.36\n--\n-- Host: localhost\n')],
      expect: ['exposure.backups.dump:fail'],
    },
    {
      name: 'statements after comments',
      items: [b('db.sql', 200, '-- dumped by hand\n\nCREATE TABLE `civicrm_contact` (\n')],
      expect: ['exposure.backups.dump:fail'],
    },
    {
      name: 'gzip',
      items: [b('dump.sql.gz', 206, gzipSync('CREATE TABLE x;'))],
      expect: ['exposure.backups.archive:fail'],
    },
    {
      name: 'zip',
      items: [b('site.zip', 206, Buffer.from('PK\x03\x04\x14\x00', 'latin1'))],
      expect: ['exposure.backups.archive:fail'],
    },
    { name: 'tar', items: [b('www.tar', 206, tar)], expect: ['exposure.backups.archive:fail'] },
    {
      name: 'a dump named by a listing',
      items: [
        b(
          'sites/default/files/export.sql',
          200,
          'INSERT INTO civicrm_contact VALUES (1);',
          [404, ''],
          'listed',
        ),
      ],
      expect: ['exposure.backups.dump:fail'],
    },
    {
      name: 'catch-all HTML 200: no false fail',
      items: [b('backup.sql', 200, DRUPAL_404, null), b('site.zip', 200, DRUPAL_404, null)],
      expect: ['exposure.backups:pass'],
    },
    {
      name: 'a text file that is not a dump',
      items: [b('data.sql', 200, 'hello world\n')],
      expect: ['exposure.backups:pass'],
    },
    {
      name: 'all absent or denied',
      items: [b('backup.sql', 404, DRUPAL_404, null), b('dump.sql', 403, 'Forbidden', [403, 'Forbidden'])],
      expect: ['exposure.backups:pass'],
    },
    {
      name: 'no answer',
      items: [b('backup.sql', 404, ''), item('dump.sql', 'backup', { error: 'timeout' })],
      expect: ['exposure.backups:error'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(statuses(judge(backups, { exposure: facts(c.items) })), c.expect);
    });
  }
});
