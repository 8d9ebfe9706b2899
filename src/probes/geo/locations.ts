import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { describeError } from '../../core/errors.js';
import type { ProbeContext } from '../../core/probe.js';
import { defineProbe } from '../../core/probe.js';
import type { AuditTarget } from '../../core/target.js';
import { layoutProbe } from '../local/layout.js';
import { defaultPort, pinnedAddress } from '../net/resolve.js';
import { parseDsn } from '../pci/db.js';
import type { AddressScope } from './ip-db.js';
import { addressScope, ASN_DB, AsnTable, COUNTRY_DB, lookupCountry } from './ip-db.js';

/**
 * Where the data lives: every address that holds it (the site's, the database host's, each backup
 * destination's), with the registry country and network owner from offline databases (`ip-db.ts`).
 * Host names are resolved like the audit connects: `--resolve` pins first, then the system resolver.
 */

export type HolderKind = 'site' | 'database' | 'backup';

export interface LocatedAddress {
  address: string;
  scope: AddressScope;
  country: string | null;
  /** Prefix length of the country record. */
  prefix: number | null;
  asn: number | null;
  asnOrg: string | null;
}

export interface DataHolder {
  kind: HolderKind;
  /** What it is, for the report: the site URL, the redacted DB host, the backup repository. */
  label: string;
  host: string | null;
  /** Resolved and located addresses, or why there are none. */
  addresses: LocatedAddress[];
  unresolved: { status: 'skip' | 'error'; reason: string } | null;
}

export interface LocationFacts {
  holders: DataHolder[];
  /** Why network owners are missing (no ASN database installed), or null. */
  asnUnavailable: string | null;
  sources: { country: typeof COUNTRY_DB; asn: typeof ASN_DB | null };
}

const MAX_ADDRESSES = 16;

export interface LocateOptions {
  resolve?: (host: string) => Promise<string[]>;
  asn?: AsnTable | null;
}

/** Resolves `host` (pins first) and locates each address. */
async function locateHost(
  kind: HolderKind,
  label: string,
  host: string,
  port: number,
  target: AuditTarget,
  asn: AsnTable | null,
  resolveHost: (host: string) => Promise<string[]>,
): Promise<DataHolder> {
  const holder: DataHolder = { kind, label, host, addresses: [], unresolved: null };
  const bare = host.replace(/^\[|\]$/g, '');
  let addrs: string[];
  const pinned = pinnedAddress(target.resolve, bare, port);
  if (isIP(pinned)) addrs = [pinned];
  else {
    try {
      addrs = (await resolveHost(bare)).slice(0, MAX_ADDRESSES);
    } catch (e) {
      holder.unresolved = { status: 'error', reason: `cannot resolve ${bare}: ${describeError(e)}` };
      return holder;
    }
  }
  for (const address of [...new Set(addrs)]) {
    const scope = addressScope(address);
    const loc: LocatedAddress = { address, scope, country: null, prefix: null, asn: null, asnOrg: null };
    if (scope === 'public') {
      const c = lookupCountry(address);
      loc.country = c.country;
      loc.prefix = c.prefix;
      const a = asn?.lookup(address) ?? null;
      if (a) {
        loc.asn = a.asn;
        loc.asnOrg = a.org;
      }
    }
    holder.addresses.push(loc);
  }
  return holder;
}

/** Backup destinations from the config (`backupRepos`): where each one's data would sit. */
function backupHost(
  repo: string,
): { host: string; port: number } | { why: string; status: 'skip' | 'error' } {
  if (/^sftp:\/\//i.test(repo)) {
    try {
      const u = new URL(repo);
      return { host: u.hostname, port: Number(u.port) || 22 };
    } catch {
      return { status: 'error', why: 'not a valid sftp:// URL' };
    }
  }
  if (/^s3:\/\//i.test(repo)) {
    const endpoint = /[?&]endpoint=([^&]+)/.exec(repo)?.[1];
    if (!endpoint)
      return {
        status: 'skip',
        why: 'an AWS S3 bucket: its region is not known offline (check the bucket’s region)',
      };
    try {
      const u = new URL(decodeURIComponent(endpoint));
      return { host: u.hostname, port: Number(u.port) || (u.protocol === 'http:' ? 80 : 443) };
    } catch {
      return { status: 'error', why: `endpoint ${endpoint} is not a URL` };
    }
  }
  return { status: 'skip', why: 'a directory on this machine: it is where the audit runs' };
}

/** Repository strings without credentials, for the report. */
function repoLabel(repo: string): string {
  return repo
    .replace(/\/\/[^@/]*@/, '//')
    .replace(/([?&](?:secret|key|password|token)[^=]*=)[^&]*/gi, '$1***');
}

export async function locateDataHolders(ctx: ProbeContext, opts: LocateOptions = {}): Promise<LocationFacts> {
  const t = ctx.target;
  const asn = opts.asn === undefined ? AsnTable.fromPackage() : opts.asn;
  const resolveHost =
    opts.resolve ??
    (async (h: string) => (await lookup(h, { all: true, verbatim: true })).map((r) => r.address));
  const holders: DataHolder[] = [];
  // The site.
  holders.push(
    await locateHost('site', t.url.origin, t.url.hostname, defaultPort(t.url), t, asn, resolveHost),
  );
  // The database host from the DSN (--db, else the site's own with --use-site-db).
  let dsn = t.db;
  if (!dsn && t.useSiteDb) {
    const layout = await ctx.outcome(layoutProbe);
    const v = layout.ok ? layout.value.settings?.dsn : undefined;
    if (v?.state === 'set') dsn = v.value;
  }
  if (dsn) {
    try {
      const p = parseDsn(dsn);
      if (p.socketPath || !p.host) {
        holders.push({
          kind: 'database',
          label: `database via socket ${p.socketPath ?? ''}`,
          host: null,
          addresses: [],
          unresolved: {
            status: 'skip',
            reason: 'the database is reached through a Unix socket: it is on the site’s server',
          },
        });
      } else {
        holders.push(
          await locateHost(
            'database',
            `database host ${p.host}:${p.port}`,
            p.host,
            p.port,
            t,
            asn,
            resolveHost,
          ),
        );
      }
    } catch (e) {
      holders.push({
        kind: 'database',
        label: 'database',
        host: null,
        addresses: [],
        unresolved: { status: 'error', reason: describeError(e) },
      });
    }
  }
  // Backup destinations.
  const repos = t.backupRepos;
  for (const repo of repos.slice(0, 20)) {
    const b = backupHost(repo);
    if ('why' in b) {
      holders.push({
        kind: 'backup',
        label: `backup ${repoLabel(repo)}`,
        host: null,
        addresses: [],
        unresolved: { status: b.status, reason: b.why },
      });
    } else {
      holders.push(
        await locateHost('backup', `backup ${repoLabel(repo)}`, b.host, b.port, t, asn, resolveHost),
      );
    }
  }
  return {
    holders,
    asnUnavailable: asn
      ? null
      : `network owners unknown: ${ASN_DB.package} (${ASN_DB.licence}) is not installed`,
    sources: { country: COUNTRY_DB, asn: asn ? ASN_DB : null },
  };
}

export const locationsProbe = defineProbe<LocationFacts>({
  name: 'data locations (offline IP registry data)',
  run: (ctx) => locateDataHolders(ctx),
});
