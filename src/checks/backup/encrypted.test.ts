import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import encrypted from './encrypted.js';
import { facts, repo } from './fact-builders.js';

const file = (kind: string, enc: boolean) => ({
  path: `/srv/dumps/x.${kind}`,
  size: 10,
  mtime: new Date().toISOString(),
  kind,
  encrypted: enc,
});

describe('backup.encrypted', () => {
  const cases: { name: string; f: ReturnType<typeof facts>; expect: string[] }[] = [
    { name: 'civiguard write-only repository', f: facts(repo()), expect: ['backup.encrypted:pass'] },
    {
      name: 'civiguard passphrase repository',
      f: facts(repo({ encryption: 'passphrase' })),
      expect: ['backup.encrypted:pass'],
    },
    {
      name: 'restic repository',
      f: facts(repo({ format: 'restic', encryption: 'repository' })),
      expect: ['backup.encrypted:pass'],
    },
    {
      name: 'borg repokey',
      f: facts(repo({ format: 'borg', encryption: 'repokey', encrypted: true })),
      expect: ['backup.encrypted:pass'],
    },
    {
      name: 'borg --encryption=none',
      f: facts(repo({ format: 'borg', encryption: 'none', encrypted: false })),
      expect: ['backup.encrypted.borg-unencrypted:fail'],
    },
    {
      name: 'borg authenticated (signed, not encrypted)',
      f: facts(repo({ format: 'borg', encryption: 'authenticated', encrypted: false })),
      expect: ['backup.encrypted.borg-unencrypted:fail'],
    },
    {
      name: 'plain dir with a gzipped SQL dump',
      f: facts(repo({ format: 'plain', plainFiles: [file('gzip', false), file('age', true)] })),
      expect: ['backup.encrypted.plaintext:fail'],
    },
    {
      name: 'plain dir with only age files',
      f: facts(repo({ format: 'plain', plainFiles: [file('age', true)] })),
      expect: ['backup.encrypted:pass'],
    },
    {
      name: 'plain dir without backup files',
      f: facts(repo({ format: 'plain' })),
      expect: ['backup.encrypted:skip'],
    },
    {
      name: 'unreachable',
      f: facts(repo({ status: 'error', error: 'no route' })),
      expect: ['backup.encrypted.unreadable:error'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(statuses(judge(encrypted, c.f)), c.expect));
});
