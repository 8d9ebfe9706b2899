import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Result } from '../core/result.js';
import type { Status } from '../core/severity.js';
import type { Planted } from './planted.js';
import { judgePlanted, PLANTED } from './planted.js';

const r = (check: string, status: Status): Result => ({
  check,
  status,
  severity: 'error',
  title: 't',
  message: 'm',
});

describe('demo self-check (judgePlanted)', () => {
  const planted: Planted[] = [
    { check: 'a.fails', expect: 'fail', what: 'x' },
    { check: 'a.passes', expect: 'pass', what: 'y' },
    { check: 'a.quiet', expect: 'no-fail', what: 'z' },
  ];
  const cases: { name: string; results: Result[]; registered: string[]; expect: string[] }[] = [
    {
      name: 'all as planted',
      results: [r('a.fails', 'pass'), r('a.fails', 'fail'), r('a.passes', 'pass'), r('a.quiet', 'skip')],
      registered: ['a.fails', 'a.passes', 'a.quiet'],
      expect: ['a.fails:fail:ok', 'a.passes:pass:ok', 'a.quiet:skip:ok'],
    },
    {
      name: 'a planted problem not detected is a regression',
      results: [r('a.fails', 'pass'), r('a.passes', 'pass'), r('a.quiet', 'pass')],
      registered: ['a.fails', 'a.passes', 'a.quiet'],
      expect: ['a.fails:pass:BAD', 'a.passes:pass:ok', 'a.quiet:pass:ok'],
    },
    {
      name: 'an error is not a detection',
      results: [r('a.fails', 'error'), r('a.passes', 'pass'), r('a.quiet', 'error')],
      registered: ['a.fails', 'a.passes', 'a.quiet'],
      expect: ['a.fails:error:BAD', 'a.passes:pass:ok', 'a.quiet:error:BAD'],
    },
    {
      name: 'something done right that fails, or only skips where it must pass',
      results: [r('a.fails', 'fail'), r('a.passes', 'skip'), r('a.quiet', 'fail')],
      registered: ['a.fails', 'a.passes', 'a.quiet'],
      expect: ['a.fails:fail:ok', 'a.passes:skip:BAD', 'a.quiet:fail:BAD'],
    },
    {
      name: 'unregistered checks are not required',
      results: [r('a.fails', 'fail')],
      registered: ['a.fails'],
      expect: ['a.fails:fail:ok', 'a.passes:-:ok', 'a.quiet:-:ok'],
    },
    {
      name: 'a registered check with no result is a regression',
      results: [],
      registered: ['a.fails'],
      expect: ['a.fails:-:BAD', 'a.passes:-:ok', 'a.quiet:-:ok'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = judgePlanted(
        c.results,
        c.registered.map((id) => ({ id })),
        planted,
      );
      assert.deepEqual(
        v.map((x) => `${x.check}:${x.got ?? '-'}:${x.ok ? 'ok' : 'BAD'}`),
        c.expect,
      );
      for (const x of v) assert.equal(x.problem === null, x.ok);
    });
  }

  it("an error or a skip where a verdict was due carries the check's reason", () => {
    const [fails, passes] = judgePlanted(
      [
        { ...r('a.fails', 'error'), message: 'no TLS handshake within 2.3 s' },
        { ...r('a.passes', 'skip'), message: 'needs --root' },
      ],
      [{ id: 'a.fails' }, { id: 'a.passes' }],
      planted,
    );
    assert.equal(fails!.problem, 'should fail (planted: x) but is error (no TLS handshake within 2.3 s)');
    assert.equal(passes!.problem, 'should pass (done right: y) but is skip (needs --root)');
  });

  describe('proof: canary (the verdict must come from the exact --root test)', () => {
    const planted: Planted[] = [
      { check: 'x.open', expect: 'fail', what: 'a', proof: 'canary' },
      { check: 'x.closed', expect: 'pass', what: 'b', proof: 'canary' },
    ];
    const withCanary = (check: string, status: Status): Result => ({
      ...r(check, status),
      evidence: { canary: { dir: '/d', file: '/d/c.txt' } },
    });
    const cases: { name: string; results: Result[]; expect: string[] }[] = [
      {
        name: 'judged by the canary',
        results: [withCanary('x.open', 'fail'), withCanary('x.closed', 'pass')],
        expect: ['x.open:fail:ok', 'x.closed:pass:ok'],
      },
      {
        name: 'a remote-only fail or pass does not prove the canary ran',
        results: [r('x.open', 'fail'), r('x.closed', 'pass')],
        expect: ['x.open:fail:BAD', 'x.closed:pass:BAD'],
      },
      {
        name: 'canary evidence on a result of another status does not count',
        results: [r('x.open', 'fail'), withCanary('x.open', 'pass'), withCanary('x.closed', 'pass')],
        expect: ['x.open:fail:BAD', 'x.closed:pass:ok'],
      },
      {
        name: 'a null canary (the dir was not tested) does not count',
        results: [{ ...r('x.open', 'fail'), evidence: { canary: null } }, withCanary('x.closed', 'pass')],
        expect: ['x.open:fail:BAD', 'x.closed:pass:ok'],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const v = judgePlanted(c.results, [{ id: 'x.open' }, { id: 'x.closed' }], planted);
        assert.deepEqual(
          v.map((x) => `${x.check}:${x.got ?? '-'}:${x.ok ? 'ok' : 'BAD'}`),
          c.expect,
        );
        for (const x of v.filter((y) => !y.ok)) assert.match(x.problem!, /not by the canary/);
      });
    }
  });

  it('the planted list names catalogue checks once each, planted problems and things done right', async () => {
    const { CATALOGUE } = await import('../core/catalogue.js');
    const ids = PLANTED.map((p) => p.check);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.ok(id in CATALOGUE, id);
    assert.ok(PLANTED.filter((p) => p.expect === 'fail').length >= 10);
    assert.ok(PLANTED.some((p) => p.expect === 'pass'));
    // Local areas are planted too, and the canary mode is proven both ways.
    for (const area of ['fs', 'config', 'pci', 'ids'])
      assert.ok(
        PLANTED.some((p) => p.expect === 'fail' && p.check.startsWith(`${area}.`)),
        area,
      );
    assert.ok(PLANTED.some((p) => p.proof === 'canary' && p.expect === 'fail'));
    assert.ok(PLANTED.some((p) => p.proof === 'canary' && p.expect === 'pass'));
  });
});
