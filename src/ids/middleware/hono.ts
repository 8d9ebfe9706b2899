/**
 * The IDS as Hono middleware. It reads the body through Hono's request (which caches it, so handlers can
 * read it again), refuses bodies over `maxBodyBytes` with 413, and answers a request at the `block`
 * threshold with 403; otherwise the result is available as `c.get('ids')`.
 *
 * @example
 * const app = new Hono();
 * app.use('*', idsHono({ log: 'ids.jsonl' }));
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { InspectResult } from '../types.js';
import type { MiddlewareOptions } from './common.js';
import { createGuard, parseBody } from './common.js';

export type IdsVariables = { ids: InspectResult };

function clientOf(c: Context, trustProxy: boolean | undefined): string | undefined {
  if (trustProxy) {
    const xff = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (xff) return xff.slice(0, 64);
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

export function idsHono(
  options: MiddlewareOptions = {},
): MiddlewareHandler<{ Variables: IdsVariables }> & { close(): Promise<void> } {
  const guard = createGuard(options);
  const handler: MiddlewareHandler<{ Variables: IdsVariables }> = async (c, next) => {
    const url = new URL(c.req.url);
    const ctx = { method: c.req.method, client: clientOf(c, options.trustProxy), route: url.pathname };
    let body: unknown;
    let bodyType: 'form' | 'json' | 'text' | undefined;
    let notes: string[] | undefined;
    if (c.req.raw.body) {
      const declared = Number(c.req.header('content-length'));
      if (Number.isFinite(declared) && declared > guard.maxBodyBytes) {
        guard.refuse(`request body larger than ${guard.maxBodyBytes} bytes`, { ...ctx, status: 413 });
        return c.text('Payload Too Large\n', 413, { connection: 'close' });
      }
      const buf = Buffer.from(await c.req.arrayBuffer());
      if (buf.length > guard.maxBodyBytes) {
        guard.refuse(`request body larger than ${guard.maxBodyBytes} bytes`, { ...ctx, status: 413 });
        return c.text('Payload Too Large\n', 413, { connection: 'close' });
      }
      try {
        const parsed = parseBody(buf, c.req.header('content-type'));
        body = parsed.inspect;
        bodyType = parsed.bodyType;
        if (parsed.note) notes = [parsed.note];
      } catch (e) {
        guard.refuse(`body not parseable: ${(e as Error).message}`, { ...ctx, status: 400 });
        return c.text('Bad Request\n', 400);
      }
    }
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((v, k) => {
      headers[k] = v;
    });
    const verdict = guard.judge(
      {
        path: url.pathname,
        query: url.search.slice(1) || undefined,
        body,
        ...(bodyType ? { bodyType } : {}),
        headers,
      },
      ctx,
      notes,
    );
    if (verdict.block) return c.text(guard.blockMessage, guard.blockStatus as 403);
    c.set('ids', verdict.result);
    await next();
    return undefined;
  };
  return Object.assign(handler, { close: () => guard.close() });
}
