import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import { runtimeFacts } from '../../test-support/sites/facts.js';
import verifySsl from './verify-ssl.js';

describe('config.verify-ssl', () => {
  const cases: { name: string; facts: ReturnType<typeof runtimeFacts>; expect: string }[] = [
    { name: 'default (no row): on', facts: runtimeFacts({}), expect: 'config.verify-ssl:pass' },
    { name: 'explicitly on', facts: runtimeFacts({ verifySSL: true }), expect: 'config.verify-ssl:pass' },
    { name: 'off (0)', facts: runtimeFacts({ verifySSL: 0 }), expect: 'config.verify-ssl:fail' },
    { name: "off ('')", facts: runtimeFacts({ verifySSL: '' }), expect: 'config.verify-ssl:fail' },
    {
      name: 'not readable: skip',
      facts: runtimeFacts({}, { verifySSL: 'skip' }),
      expect: 'config.verify-ssl:skip',
    },
  ];
  for (const c of cases)
    it(c.name, () => assert.deepEqual(statuses(judge(verifySsl, { settings: c.facts })), [c.expect]));
});
