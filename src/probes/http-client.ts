import { defineProbe } from '../core/probe.js';
import { HttpClient } from './net/http-fetch.js';

/** One HTTP client (connection pool, `--resolve` pins) shared by every probe of an audit. */
export const httpClientProbe = defineProbe<HttpClient>({
  name: 'http client',
  async run(ctx) {
    return new HttpClient({ resolve: ctx.target.resolve });
  },
  async dispose(client) {
    await client.close();
  },
});
