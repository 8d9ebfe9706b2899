import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AuditTarget } from '../../core/target.js';
import { defaultPort, pinnedAddress } from '../net/resolve.js';

/** Where the TLS probes connect: the site's host and port, the address (pinned or looked up once), SNI. */
export interface TlsEndpoint {
  host: string;
  port: number;
  /** The address every handshake of the audit goes to, so that all facts describe one server. */
  address: string;
  /** Server Name Indication: the host name, or null for an IP literal (RFC 6066 forbids IP SNI). */
  servername: string | null;
  /** How the address was chosen. */
  via: 'resolve-pin' | 'ip-literal' | 'dns';
}

export function endpointOf(target: AuditTarget): Omit<TlsEndpoint, 'address' | 'via'> & { pinned: string } {
  const host = target.url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = defaultPort(target.url);
  return {
    host,
    port,
    pinned: pinnedAddress(target.resolve, host, port),
    servername: isIP(host) ? null : host,
  };
}

/** Resolves the target's endpoint once (honouring `--resolve`). Throws the lookup error when the name does not resolve. */
export async function resolveEndpoint(target: AuditTarget): Promise<TlsEndpoint> {
  const { host, port, pinned, servername } = endpointOf(target);
  if (isIP(pinned)) {
    const via = pinned !== host ? 'resolve-pin' : 'ip-literal';
    return { host, port, address: pinned, servername, via };
  }
  const { address } = await lookup(host);
  return { host, port, address, servername, via: 'dns' };
}

export function describeEndpoint(e: TlsEndpoint): string {
  const addr = e.address.includes(':') ? `[${e.address}]` : e.address;
  return e.address === e.host ? `${addr}:${e.port}` : `${e.host}:${e.port} (${addr})`;
}
