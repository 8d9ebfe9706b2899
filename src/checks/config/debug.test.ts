import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import { runtimeFacts } from '../../test-support/sites/facts.js';
import debug from './debug.js';

describe('config.debug', () => {
  const cases: { name: string; facts: ReturnType<typeof runtimeFacts>; expect: string[] }[] = [
    {
      name: 'defaults (no rows)',
      facts: runtimeFacts({}),
      expect: ['config.debug.debug_enabled:pass', 'config.debug.backtrace:pass'],
    },
    {
      name: 'debug on, Production',
      facts: runtimeFacts({ debug_enabled: '1' }),
      expect: ['config.debug.debug_enabled:fail', 'config.debug.backtrace:pass'],
    },
    {
      name: 'backtrace on (int), Production',
      facts: runtimeFacts({ backtrace: 1 }),
      expect: ['config.debug.debug_enabled:pass', 'config.debug.backtrace:fail'],
    },
    {
      name: "'0' string is off",
      facts: runtimeFacts({ debug_enabled: '0', backtrace: false }),
      expect: ['config.debug.debug_enabled:pass', 'config.debug.backtrace:pass'],
    },
    {
      name: 'both on, Staging',
      facts: runtimeFacts({ debug_enabled: 1, backtrace: 1, environment: 'Staging' }),
      expect: ['config.debug.debug_enabled:pass', 'config.debug.backtrace:pass'],
    },
    {
      name: 'environment unknown is taken as Production',
      facts: runtimeFacts({ debug_enabled: 1 }, { environment: 'skip' }),
      expect: ['config.debug.debug_enabled:fail', 'config.debug.backtrace:pass'],
    },
    {
      name: 'setting unreadable: its status and reason',
      facts: runtimeFacts({}, { debug_enabled: 'error' }),
      expect: ['config.debug.debug_enabled:error', 'config.debug.backtrace:pass'],
    },
  ];
  for (const c of cases)
    it(c.name, () => assert.deepEqual(statuses(judge(debug, { settings: c.facts })), c.expect));
});
