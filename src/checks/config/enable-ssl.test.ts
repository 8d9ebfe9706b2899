import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProbeOutcome } from '../../core/probe.js';
import type { PlainHttpFacts } from '../../probes/http/plain-http.js';
import type { PageSpec } from '../../probes/http/page-fixtures.js';
import { page, plainFacts } from '../../probes/http/page-fixtures.js';
import type { RuntimeSettings } from '../../probes/local/runtime-settings.js';
import type { SiteFacts } from '../../probes/site.js';
import { judge, ok, response, statuses } from '../../test-support/facts.js';
import { runtimeFacts } from '../../test-support/sites/facts.js';
import enableSsl from './enable-ssl.js';

const httpsOk: ProbeOutcome<SiteFacts> = ok({ cms: 'drupal', cmsEvidence: [], home: response() });
const plain = (spec: PageSpec): ProbeOutcome<PlainHttpFacts> =>
  ok(plainFacts(page({ key: 'root', url: 'http://example.org/', ...spec })));
const redirected = plain({
  responses: [{ status: 301, headers: { location: 'https://example.org/' } }],
  unfollowed: 'https://example.org/',
});
const served = plain({ responses: [{ status: 200, body: 'welcome' }] });
const unavailable = <T>(status: 'skip' | 'error', reason: string): ProbeOutcome<T> => ({
  ok: false,
  status,
  reason,
  durationMs: 1,
});

describe('config.enable-ssl', () => {
  const cases: {
    name: string;
    settings: ProbeOutcome<RuntimeSettings>;
    plain: ProbeOutcome<PlainHttpFacts>;
    expect: string;
  }[] = [
    {
      name: 'enableSSL on, no redirect',
      settings: ok(runtimeFacts({ enableSSL: 1 })),
      plain: served,
      expect: 'pass',
    },
    {
      name: 'enableSSL off, whole-site redirect',
      settings: ok(runtimeFacts({ enableSSL: 0 })),
      plain: redirected,
      expect: 'pass',
    },
    {
      name: 'enableSSL off (default), plain http served',
      settings: ok(runtimeFacts({})),
      plain: served,
      expect: 'fail',
    },
    {
      name: 'no database, but the redirect is there',
      settings: unavailable('skip', 'no --db'),
      plain: redirected,
      expect: 'pass',
    },
    {
      name: 'no database and no redirect: cannot tell',
      settings: unavailable('skip', 'no --db'),
      plain: served,
      expect: 'skip',
    },
    {
      name: 'enableSSL off, plain-http probe failed',
      settings: ok(runtimeFacts({})),
      plain: unavailable('error', 'timeout'),
      expect: 'skip',
    },
    {
      name: 'database refused and no redirect',
      settings: unavailable('error', 'Access denied'),
      plain: served,
      expect: 'error',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = judge(enableSsl, {}, { settings: c.settings, plain: c.plain, site: httpsOk });
      assert.deepEqual(statuses(r), [`config.enable-ssl:${c.expect}`], r[0]?.message);
    });
  }
});
