// A node:http server for the throughput comparison, run as a child process so that it has a core of its
// own like Apache: `ids` wraps the handler with the IDS (block at 75), `plain` is the baseline without it.
// Prints `port=<n>` when listening.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { withIds } from '../../src/ids/middleware/node.js';

const kind = process.argv[2] ?? 'ids';
const handler = (_req: IncomingMessage, res: ServerResponse) => {
  res.end('ok\n');
};
const listener =
  kind === 'ids'
    ? withIds(handler)
    : (req: IncomingMessage, res: ServerResponse) => {
        req.resume();
        req.on('end', () => handler(req, res));
      };
const server = createServer({ keepAliveTimeout: 30_000 }, listener);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port=${(server.address() as { port: number }).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
