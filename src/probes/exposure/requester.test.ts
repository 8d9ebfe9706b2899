import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpClient } from '../net/http-fetch.js';
import { Requester } from './requester.js';

describe('Requester (real loopback server)', () => {
  let server: Server;
  let base: URL;
  let active = 0;
  let peak = 0;
  const ranges: string[] = [];
  const client = new HttpClient();

  before(async () => {
    server = createServer((req, res) => {
      active++;
      peak = Math.max(peak, active);
      ranges.push(req.headers.range ?? '');
      const done = () => {
        active--;
        if (req.url?.startsWith('/big')) {
          res.writeHead(200, { 'content-length': 100_000 });
          res.end(Buffer.alloc(100_000, 0x61));
        } else res.end('ok');
      };
      if (req.url?.startsWith('/hang')) {
        res.on('close', () => active--);
        return;
      }
      setTimeout(done, 30);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });
  after(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const make = (over: Partial<ConstructorParameters<typeof Requester>[0]> = {}) =>
    new Requester({
      client,
      base,
      signal: new AbortController().signal,
      concurrency: 6,
      requestTimeoutMs: 2000,
      budgetMs: 10_000,
      maxRequests: 100,
      ...over,
    });

  it('never has more than 6 requests in flight', async () => {
    peak = 0;
    const r = make();
    const outs = await Promise.all(Array.from({ length: 30 }, (_, i) => r.get(`p${i}`, 'file')));
    r.close();
    assert.ok(outs.every((o) => o.answer?.status === 200));
    assert.ok(peak <= 6, `peak ${peak}`);
    assert.ok(peak >= 2, `peak ${peak}: requests did run concurrently`);
    assert.equal(r.requests, 30);
  });

  it('reads files by Range and caps the body', async () => {
    const r = make();
    const o = await r.get('big', 'file');
    r.close();
    assert.equal(ranges.at(-1), 'bytes=0-4095');
    assert.equal(o.answer!.body.length, 4096);
    assert.equal(o.answer!.truncated, true);
    assert.equal(o.answer!.size, 100_000);
  });

  it('stops at the request budget and says so', async () => {
    const r = make({ maxRequests: 3 });
    const outs = await Promise.all(Array.from({ length: 5 }, (_, i) => r.get(`q${i}`, 'file')));
    r.close();
    assert.equal(outs.filter((o) => o.answer).length, 3);
    assert.match(outs.find((o) => !o.answer)!.error, /request budget of 3/);
  });

  it('cuts hanging requests at the time budget, with the reason', async () => {
    const r = make({ budgetMs: 300, requestTimeoutMs: 5000 });
    const t0 = performance.now();
    const outs = await Promise.all([r.get('hang1', 'file'), r.get('p', 'file'), r.get('hang2', 'file')]);
    r.close();
    assert.ok(performance.now() - t0 < 4000, 'hang guard');
    assert.equal(outs[1]!.answer?.status, 200);
    assert.match(outs[0]!.error ?? '', /time budget/);
    assert.match((await r.get('later', 'file')).error ?? '', /not requested: time budget/);
  });

  it('gives up when the site answers nothing', async () => {
    const r = make({ base: new URL('http://127.0.0.1:9/'), failFast: 3 });
    const outs = await Promise.all(Array.from({ length: 10 }, (_, i) => r.get(`x${i}`, 'file')));
    r.close();
    assert.equal(r.successes, 0);
    assert.match(r.stopped ?? '', /answered none of the first 3/);
    assert.ok(outs.filter((o) => o.error?.startsWith('not requested')).length >= 1);
  });
});
