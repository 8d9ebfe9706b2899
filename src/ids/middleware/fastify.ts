/**
 * The IDS as a Fastify 5 plugin: a `preValidation` hook on every route (the plugin is not encapsulated),
 * after Fastify has parsed the body. Fastify has no form parser of its own; the plugin adds one for
 * `application/x-www-form-urlencoded` (and a text one for multipart) unless the application registered its
 * own. A request at the `block` threshold is answered with 403; otherwise the result is on `request.ids`.
 *
 * @example
 * const app = Fastify();
 * await app.register(idsFastify, { log: 'ids.jsonl' });
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { InspectResult } from '../types.js';
import type { MiddlewareOptions } from './common.js';
import { createGuard, formToObject, parseMultipart } from './common.js';

declare module 'fastify' {
  interface FastifyRequest {
    ids?: InspectResult;
  }
}

const plugin: FastifyPluginAsync<MiddlewareOptions> = async (
  app: FastifyInstance,
  options: MiddlewareOptions,
) => {
  const guard = createGuard(options);
  const bodyLimit = guard.maxBodyBytes;
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit },
      (_req, body, done) => {
        done(null, formToObject(String(body)));
      },
    );
  }
  if (!app.hasContentTypeParser('multipart/form-data')) {
    app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit }, (req, body, done) => {
      try {
        done(null, parseMultipart(body as Buffer, String(req.headers['content-type'] ?? '')).fields);
      } catch (e) {
        done(e as Error, undefined);
      }
    });
  }
  app.decorateRequest('ids', undefined);
  app.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url;
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const ct = String(request.headers['content-type'] ?? '').toLowerCase();
    const body = request.body;
    const verdict = guard.judge(
      {
        path,
        query: q >= 0 ? url.slice(q + 1) : undefined,
        body,
        ...(typeof body === 'string'
          ? { bodyType: ct.includes('json') ? ('json' as const) : ('text' as const) }
          : {}),
        headers: request.headers,
      },
      {
        method: request.method,
        client: options.trustProxy ? request.ip : request.socket.remoteAddress,
        route: path,
      },
    );
    if (verdict.block) {
      return reply
        .code(guard.blockStatus)
        .header('content-type', 'text/plain; charset=utf-8')
        .send(guard.blockMessage);
    }
    request.ids = verdict.result;
    return undefined;
  });
  app.addHook('onClose', async () => {
    await guard.close();
  });
};

// Like fastify-plugin: the hook applies to the whole application, not only to this plugin's scope.
(plugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
(plugin as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = 'civiguard-ids';

export const idsFastify = plugin;
