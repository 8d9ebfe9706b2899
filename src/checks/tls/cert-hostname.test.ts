import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import certHostname from './cert-hostname.js';
import { certFacts, certInfo } from './test-support/fact-builders.js';

describe('tls.cert-hostname', () => {
  const cases: { name: string; matched: string | null; cnOnly?: boolean; expect: string }[] = [
    { name: 'exact SAN', matched: 'site.test', expect: 'tls.cert-hostname:pass' },
    { name: 'wildcard SAN', matched: '*.site.test', expect: 'tls.cert-hostname:pass' },
    { name: 'other name', matched: null, expect: 'tls.cert-hostname.mismatch:fail' },
    { name: 'only in the CN', matched: null, cnOnly: true, expect: 'tls.cert-hostname.cn-only:fail' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const served = [certInfo({ dnsNames: ['other.test'] })];
      const r = judge(certHostname, {
        cert: certFacts({ served, matched: c.matched, cnOnly: c.cnOnly ?? false }),
      });
      assert.deepEqual(statuses(r), [c.expect]);
      if (c.matched === null && !c.cnOnly) assert.match(r[0]!.message, /other\.test/);
    });
  }
});
