import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge } from '../../test-support/facts.js';
import certExpiry from './cert-expiry.js';
import { certFacts, certInfo, NOW } from './test-support/fact-builders.js';

const DAY = 86_400_000;

describe('tls.cert-expiry', () => {
  // [lifetime days, days left] → expected result id, status and severity
  const cases: { name: string; lifetime: number; left: number; expect: string }[] = [
    { name: '90-day cert, 60 left', lifetime: 90, left: 60, expect: 'tls.cert-expiry:pass:error' },
    { name: '90-day cert, exactly 1/6 left', lifetime: 90, left: 15, expect: 'tls.cert-expiry:pass:error' },
    {
      name: '90-day cert, 14 left (<1/6)',
      lifetime: 90,
      left: 14,
      expect: 'tls.cert-expiry.renewal-overdue:fail:warning',
    },
    {
      name: '90-day cert, 7 left (<1/12)',
      lifetime: 90,
      left: 7,
      expect: 'tls.cert-expiry.expires-soon:fail:error',
    },
    { name: '6-day cert, 2 left is fine', lifetime: 6, left: 2, expect: 'tls.cert-expiry:pass:error' },
    {
      name: '6-day cert, 0.4 left (<1/12)',
      lifetime: 6,
      left: 0.4,
      expect: 'tls.cert-expiry.expires-soon:fail:error',
    },
    {
      name: '398-day cert, 40 left (<1/6)',
      lifetime: 398,
      left: 40,
      expect: 'tls.cert-expiry.renewal-overdue:fail:warning',
    },
    { name: 'expired yesterday', lifetime: 90, left: -1, expect: 'tls.cert-expiry.expired:fail:critical' },
    { name: 'not yet valid', lifetime: 90, left: 100, expect: 'tls.cert-expiry.not-yet-valid:fail:critical' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const notAfter = new Date(NOW.getTime() + c.left * DAY);
      const notBefore = new Date(notAfter.getTime() - c.lifetime * DAY);
      const served = [certInfo({ notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString() })];
      const [r, ...rest] = judge(certExpiry, { cert: certFacts({ served }) });
      assert.equal(rest.length, 0);
      assert.equal(`${r!.id ?? r!.check}:${r!.status}:${r!.severity}`, c.expect);
      assert.equal(r!.evidence?.issuer, 'CN=Test CA');
      assert.equal(r!.evidence?.lifetimeDays, c.lifetime);
    });
  }
});
