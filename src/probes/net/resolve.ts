import { isIP } from 'node:net';
import { CiviguardError } from '../../core/errors.js';
import type { ResolveMap } from '../../core/target.js';

/** Parses `--resolve HOST:PORT:ADDR` entries (curl's syntax; IPv6 addresses may be bracketed). */
export function parseResolve(entries: readonly string[]): ResolveMap {
  const map = new Map<string, string>();
  for (const entry of entries) {
    const m = /^([^:\s]+):(\d{1,5}):(\[?[0-9a-fA-F:.]+\]?)$/.exec(entry.trim());
    const addr = m?.[3]?.replace(/^\[|\]$/g, '');
    const port = Number(m?.[2]);
    if (!m || !addr || !isIP(addr) || port < 1 || port > 65535) {
      throw new CiviguardError(
        'E_USAGE',
        `--resolve '${entry}' is not HOST:PORT:ADDRESS (e.g. example.org:443:127.0.0.1)`,
      );
    }
    map.set(`${m[1]!.toLowerCase()}:${port}`, addr);
  }
  return map;
}

/** The address to connect to for host:port, honouring pins; the host itself when not pinned. */
export function pinnedAddress(resolve: ResolveMap, host: string, port: number): string {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return resolve.get(`${h}:${port}`) ?? h;
}

export function defaultPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : 0;
}
