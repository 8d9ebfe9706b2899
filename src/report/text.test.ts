import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Result } from '../core/result.js';
import { orderResults, renderText } from './text.js';
import { sampleReport } from './test-support/sample-report.js';

const res = (check: string, status: Result['status'], severity: Result['severity'] = 'error'): Result => ({
  check,
  status,
  severity,
  title: check,
  message: `${check} ${status}`,
});

describe('text reporter', () => {
  const cases: { name: string; results: Result[]; areas: string[]; first: Record<string, string> }[] = [
    {
      name: 'a failing area comes before a passing one',
      results: [res('tls.available', 'pass'), res('http.hsts', 'fail', 'warning')],
      areas: ['http', 'tls'],
      first: { http: 'http.hsts', tls: 'tls.available' },
    },
    {
      name: 'inside an area, critical before warning before error-status before pass before skip',
      results: [
        res('exposure.vcs', 'skip'),
        res('exposure.listing', 'pass'),
        res('exposure.log', 'error'),
        res('exposure.templates-c', 'fail', 'warning'),
        res('exposure.backups', 'fail', 'critical'),
      ],
      areas: ['exposure'],
      first: { exposure: 'exposure.backups' },
    },
    {
      name: 'an area whose worst is critical outranks one whose worst is warning',
      results: [res('http.hsts', 'fail', 'warning'), res('exposure.backups', 'fail', 'critical')],
      areas: ['exposure', 'http'],
      first: { exposure: 'exposure.backups', http: 'http.hsts' },
    },
    {
      name: 'an error outranks a pass but not a fail',
      results: [
        res('tls.available', 'pass'),
        res('ssh.password-auth', 'error'),
        res('http.hsts', 'fail', 'info'),
      ],
      areas: ['http', 'ssh', 'tls'],
      first: { http: 'http.hsts', ssh: 'ssh.password-auth', tls: 'tls.available' },
    },
    {
      name: 'areas of equal weight keep the audit order',
      results: [res('tls.available', 'pass'), res('http.hsts', 'pass'), res('exposure.vcs', 'pass')],
      areas: ['tls', 'http', 'exposure'],
      first: { tls: 'tls.available', http: 'http.hsts', exposure: 'exposure.vcs' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const grouped = orderResults(c.results);
      assert.deepEqual([...grouped.keys()], c.areas);
      for (const [area, check] of Object.entries(c.first)) assert.equal(grouped.get(area)![0]!.check, check);
      // The rendered text shows the same order.
      const text = renderText(sampleReport(c.results));
      const positions = c.areas.map((a) => text.indexOf(`\n${a}  [`));
      assert.ok(positions.every((p) => p > 0));
      assert.deepEqual(
        [...positions].sort((a, b) => a - b),
        positions,
      );
    });
  }

  it('orders the exposure area worst first in the text', () => {
    const text = renderText(sampleReport(cases[1]!.results));
    const order = [
      'exposure.backups',
      'exposure.templates-c',
      'exposure.log',
      'exposure.listing',
      'exposure.vcs',
    ];
    const pos = order.map((id) => text.indexOf(`${id}:`));
    assert.deepEqual(
      [...pos].sort((a, b) => a - b),
      pos,
    );
  });

  it('shows evidence and the fix for fails and errors, not for passes and skips', () => {
    const r = sampleReport();
    const text = renderText(r);
    const lines = text.split('\n');
    const after = (id: string) => lines.slice(lines.findIndex((l) => l.includes(` ${id}:`)) + 1);
    assert.match(after('tls.protocols.tls1_0')[0]!, /^ {7}fix: Turn off TLS 1\.0/);
    assert.match(after('exposure.backups')[0]!, /^ {7}evidence: url=https:\/\/demo/);
    assert.match(after('exposure.backups')[1]!, /^ {7}fix: Remove the dump/);
    assert.match(after('exposure.vcs')[0]!, /^ {7}fix: Fix the server/);
    assert.doesNotMatch(after('tls.cert-trusted')[0]!, /fix:|evidence:/);
    assert.doesNotMatch(after('ssh.password-auth')[0] ?? '', /fix:|evidence:/);
  });

  it('marks statuses and prints the summary line', () => {
    const text = renderText(sampleReport());
    assert.match(text, /FAIL critical exposure\.backups:/);
    assert.match(text, /ERR  exposure\.vcs:/);
    assert.match(text, /ok {3}tls\.cert-trusted:/);
    assert.match(text, /skip ssh\.password-auth:/);
    assert.match(text, /Summary: 5 failed, 1 errors, 1 passed, 2 skipped — worst: critical/);
  });

  it('writes no terminal control sequences from hostile text, and none at all without colour', () => {
    const text = renderText(sampleReport());
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(text), 'raw control character in output');
    assert.ok(!text.includes('\u202e'));
    assert.ok(text.includes('\\u{1b}[31mred'));
  });

  it('colours only when asked', () => {
    const coloured = renderText(sampleReport(), { color: true });
    assert.ok(coloured.includes('\x1b['));
  });
});
