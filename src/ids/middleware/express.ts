/**
 * The IDS as Express 5 middleware. Put it after `express.urlencoded()` / `express.json()` to reuse their
 * parsed `req.body`, or before them: it then reads (up to `maxBodyBytes`) and parses the body itself and
 * sets `req.body` (the body parsers see the stream finished and leave it). A request at the `block`
 * threshold is answered with 403; otherwise the result is on `req.ids` and `next()` runs.
 *
 * @example
 * const app = express();
 * app.use(express.urlencoded({ extended: false }), idsExpress({ log: 'ids.jsonl' }));
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { InspectResult } from '../types.js';
import type { MiddlewareOptions } from './common.js';
import { BodyTooLarge, clientAddress, createGuard, parseBody, readBody } from './common.js';

declare module 'express-serve-static-core' {
  interface Request {
    ids?: InspectResult;
  }
}

export function idsExpress(options: MiddlewareOptions = {}): RequestHandler & { close(): Promise<void> } {
  const guard = createGuard(options);
  const handler = (req: Request, res: Response, next: NextFunction): void => {
    const ctx = { method: req.method, client: clientAddress(req, options.trustProxy), route: req.path };
    const url = req.originalUrl ?? req.url;
    const q = url.indexOf('?');
    const query = q >= 0 ? url.slice(q + 1) : undefined;
    const finish = (body: unknown, bodyType: 'form' | 'json' | 'text' | undefined, notes?: string[]) => {
      const verdict = guard.judge(
        {
          path: req.path,
          query,
          body,
          ...(bodyType ? { bodyType } : {}),
          headers: req.headers,
          cookies: req.cookies as Record<string, string> | undefined,
        },
        ctx,
        notes,
      );
      if (verdict.block) {
        res.status(guard.blockStatus).type('text/plain').send(guard.blockMessage);
        return;
      }
      req.ids = verdict.result;
      next();
    };
    const parsedAlready = req.body !== undefined || req.readableEnded || req.complete;
    const hasBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    if (parsedAlready || !hasBody) {
      finish(req.body, typeof req.body === 'string' ? 'text' : undefined);
      return;
    }
    readBody(req, guard.maxBodyBytes).then(
      (buf) => {
        let parsed;
        try {
          parsed = parseBody(buf, req.headers['content-type']);
        } catch (e) {
          guard.refuse(`body not parseable: ${(e as Error).message}`, { ...ctx, status: 400 });
          res.status(400).type('text/plain').send('Bad Request\n');
          return;
        }
        req.body = parsed.value;
        finish(parsed.inspect, parsed.bodyType, parsed.note ? [parsed.note] : undefined);
      },
      (e: unknown) => {
        const tooLarge = e instanceof BodyTooLarge;
        guard.refuse(tooLarge ? e.message : `body not readable: ${(e as Error).message}`, {
          ...ctx,
          status: tooLarge ? 413 : 400,
        });
        res
          .status(tooLarge ? 413 : 400)
          .type('text/plain')
          .set('connection', 'close')
          .send(tooLarge ? 'Payload Too Large\n' : 'Bad Request\n');
      },
    );
  };
  return Object.assign(handler, { close: () => guard.close() });
}
