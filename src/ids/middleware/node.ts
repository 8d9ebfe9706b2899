/**
 * The IDS for a plain `node:http` server: wraps a request listener. The body is read (up to
 * `maxBodyBytes`), parsed and inspected before the handler runs; a request at the `block` threshold is
 * answered with 403 and never reaches the handler. The handler gets the inspection result as `req.ids`,
 * the raw body as `req.rawBody` and the parsed body as `req.body` (the stream has been consumed).
 *
 * @example
 * import { createServer } from 'node:http';
 * import { withIds } from 'civiguard/dist/ids/middleware/node.js';
 * createServer(withIds((req, res) => res.end('ok'), { log: '/var/log/civiguard/ids.jsonl' })).listen(8080);
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { InspectResult } from '../types.js';
import type { MiddlewareOptions } from './common.js';
import { BodyTooLarge, clientAddress, createGuard, parseBody, readBodyCb } from './common.js';

export interface IdsIncomingMessage extends IncomingMessage {
  ids?: InspectResult;
  rawBody?: Buffer;
  body?: unknown;
}

export type IdsRequestListener = (req: IdsIncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * Answers a refused request. `close`: also end the connection (when the body was not read to its end, so
 * the connection cannot carry another request); a blocked request whose body was read keeps it.
 */
function refuseWith(res: ServerResponse, status: number, message: string, close = false): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(message),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(message);
}

export function withIds(
  handler: IdsRequestListener,
  options: MiddlewareOptions = {},
): RequestListener & { close(): Promise<void> } {
  const guard = createGuard(options);
  const listener = (req: IdsIncomingMessage, res: ServerResponse) => {
    const client = clientAddress(req, options.trustProxy);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const ctx = { method: req.method, client, route: path };
    const hasBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    const onBody = (err: Error | null, buf: Buffer) => {
      if (err) {
        if (err instanceof BodyTooLarge) {
          guard.refuse(err.message, { ...ctx, status: 413 });
          refuseWith(res, 413, 'Payload Too Large\n', true);
        } else {
          guard.refuse(`body not readable: ${err.message}`, { ...ctx, status: 400 });
          refuseWith(res, 400, 'Bad Request\n', true);
        }
        return;
      }
      let parsed;
      try {
        parsed = parseBody(buf, req.headers['content-type']);
      } catch (e) {
        guard.refuse(`body not parseable: ${(e as Error).message}`, { ...ctx, status: 400 });
        refuseWith(res, 400, 'Bad Request: the request body could not be parsed.\n');
        return;
      }
      const verdict = guard.judge(
        {
          path,
          query: q >= 0 ? url.slice(q + 1) : undefined,
          body: parsed.inspect,
          ...(parsed.bodyType ? { bodyType: parsed.bodyType } : {}),
          headers: req.headers,
        },
        ctx,
        parsed.note ? [parsed.note] : undefined,
      );
      if (verdict.block) {
        refuseWith(res, guard.blockStatus, guard.blockMessage);
        return;
      }
      req.ids = verdict.result;
      req.rawBody = buf;
      req.body = parsed.value;
      try {
        const r = handler(req, res);
        if (r && typeof (r as Promise<void>).then === 'function') {
          (r as Promise<void>).catch((e: unknown) =>
            res.destroy(e instanceof Error ? e : new Error(String(e))),
          );
        }
      } catch (e) {
        res.destroy(e instanceof Error ? e : new Error(String(e)));
      }
    };
    if (hasBody) readBodyCb(req, guard.maxBodyBytes, onBody);
    else onBody(null, Buffer.alloc(0));
  };
  return Object.assign(listener as RequestListener, { close: () => guard.close() });
}
