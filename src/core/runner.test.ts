import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineCheck } from './check.js';
import { defineProbe, FactUnavailable } from './probe.js';
import { runChecks } from './runner.js';
import { testTarget } from '../test-support/facts.js';

const target = testTarget({ timeoutMs: 2000 });

function counter() {
  let runs = 0;
  const probe = defineProbe<number>({
    name: 'counter',
    async run() {
      runs++;
      await new Promise((r) => setTimeout(r, 10));
      return 42;
    },
  });
  return { probe, runs: () => runs };
}

function checkOn<T>(id: string, probe: ReturnType<typeof defineProbe<T>>, judge: (v: T) => boolean) {
  return defineCheck({
    id,
    area: 'tls',
    title: 'test check',
    severity: 'warning',
    seed: '',
    description: 'a test check that judges one fact',
    remediation: 'none',
    probes: { v: probe },
    mode: 'remote',
    run: ({ v }) => [{ status: judge(v as T) ? 'pass' : 'fail', message: `v=${String(v)}` }],
  });
}

describe('runner', () => {
  it('runs a probe once however many checks need it', async () => {
    const c = counter();
    const checks = [checkOn('tls.a', c.probe, (v) => v === 42), checkOn('tls.b', c.probe, (v) => v === 1)];
    const out = await runChecks(target, checks);
    assert.equal(c.runs(), 1);
    assert.deepEqual(
      out.results.map((r) => `${r.check}:${r.status}`),
      ['tls.a:pass', 'tls.b:fail'],
    );
    assert.equal(out.fact(c.probe)?.ok, true);
  });

  it('turns FactUnavailable into skip/error results carrying the reason, never pass', async () => {
    const skipper = defineProbe<number>({
      name: 'skipper',
      run: async () => {
        throw new FactUnavailable('skip', 'no --ssh given');
      },
    });
    const broken = defineProbe<number>({
      name: 'broken',
      run: async () => {
        throw new Error('ECONNRESET from server');
      },
    });
    const out = await runChecks(target, [
      checkOn('tls.a', skipper, () => true),
      checkOn('tls.b', broken, () => true),
    ]);
    assert.deepEqual(
      out.results.map((r) => [r.status, r.message]),
      [
        ['skip', 'no --ssh given'],
        ['error', 'ECONNRESET from server'],
      ],
    );
  });

  it('times out a probe that ignores its signal, with a readable reason', async () => {
    const hang = defineProbe<number>({
      name: 'hanging probe',
      timeoutMs: 150,
      run: () => new Promise(() => undefined),
    });
    const t0 = Date.now();
    const out = await runChecks(target, [checkOn('tls.a', hang, () => true)]);
    assert.ok(Date.now() - t0 < 1500);
    assert.equal(out.results[0]!.status, 'error');
    assert.match(out.results[0]!.message, /hanging probe gave no answer/);
  });

  it('cancels on the run signal and still disposes what was opened', async () => {
    const disposed: string[] = [];
    const opened = defineProbe<string>({
      name: 'opener',
      run: async () => 'handle',
      dispose: (v) => void disposed.push(v),
    });
    const slow = defineProbe<number>({
      name: 'slow',
      run: async (ctx) => {
        await ctx.get(opened);
        return new Promise((_r, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      },
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('interrupted')), 50);
    const out = await runChecks(target, [checkOn('tls.a', slow, () => true)], { signal: ac.signal });
    assert.equal(out.results[0]!.status, 'error');
    assert.equal(out.results[0]!.message, 'audit cancelled');
    assert.deepEqual(disposed, ['handle']);
  });

  it('reports a check that throws as error, not as a crash', async () => {
    const c = counter();
    const bad = defineCheck({
      id: 'tls.bad',
      area: 'tls',
      title: 'bad check',
      severity: 'error',
      seed: '',
      description: 'a check that throws on purpose',
      remediation: 'none',
      probes: { v: c.probe },
      mode: 'remote',
      run: () => {
        throw new TypeError('boom');
      },
    });
    const out = await runChecks(target, [bad]);
    assert.equal(out.results[0]!.status, 'error');
    assert.match(out.results[0]!.message, /boom/);
  });

  it('gives optional facts as outcomes', async () => {
    const c = counter();
    const missing = defineProbe<number>({
      name: 'missing',
      run: async () => {
        throw new FactUnavailable('skip', 'not here');
      },
    });
    const check = defineCheck({
      id: 'tls.opt',
      area: 'tls',
      title: 'optional facts',
      severity: 'notice',
      seed: '',
      description: 'uses an optional fact when it exists',
      remediation: 'none',
      probes: { v: c.probe },
      optional: { m: missing },
      mode: 'remote',
      run: (_f, ctx) => [
        { status: 'pass', message: ctx.optional.m.ok ? 'had it' : `without: ${ctx.optional.m.reason}` },
      ],
    });
    const out = await runChecks(target, [check]);
    assert.equal(out.results[0]!.message, 'without: not here');
  });
});
