import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BlockList, isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { Reader } from 'mmdb-lib';
import type { Response } from 'mmdb-lib';

/**
 * Offline IP → country and IP → network owner (ASN) lookups. No network traffic: files from npm packages.
 *
 *  - Country: `@ip-location-db/geo-whois-asn-country-mmdb` (package CC0-1.0; its data is derived from the
 *    five RIRs' whois and delegation files, CC BY 4.0 by the NRO: attribution given in every result),
 *    read with `mmdb-lib`.
 *  - Network owner: `@ip-location-db/asn` (CSV; RouteViews and DB-IP data, CC BY 4.0) when installed;
 *    otherwise results say the owner is unknown and why. Any dir holding `asn-ipv4.csv`/`asn-ipv6.csv`
 *    in that package's format can be given instead.
 */

export const COUNTRY_DB = {
  package: '@ip-location-db/geo-whois-asn-country-mmdb',
  licence: 'package CC0-1.0; data from the RIRs’ whois/delegation files, CC BY 4.0 (NRO)',
};
export const ASN_DB = {
  package: '@ip-location-db/asn',
  licence: 'CC BY 4.0 (RouteViews and DB-IP data; see the package’s ROUTEVIEWS-LICENSE and DBIP-LICENSE)',
};

const require = createRequire(import.meta.url);

function packageDir(name: string): string | null {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

export type AddressScope = 'public' | 'loopback' | 'private' | 'link-local' | 'reserved';

const SCOPES: [AddressScope, string, number, 'ipv4' | 'ipv6'][] = [
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['reserved', '0.0.0.0', 8, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '192.0.2.0', 24, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['reserved', '198.51.100.0', 24, 'ipv4'],
  ['reserved', '203.0.113.0', 24, 'ipv4'],
  ['reserved', '224.0.0.0', 3, 'ipv4'],
  ['reserved', '::', 128, 'ipv6'],
  ['reserved', '2001:db8::', 32, 'ipv6'],
  ['reserved', 'ff00::', 8, 'ipv6'],
];
const SCOPE_LISTS = new Map<AddressScope, BlockList>();
for (const [scope, net, prefix, type] of SCOPES) {
  const l = SCOPE_LISTS.get(scope) ?? new BlockList();
  l.addSubnet(net, prefix, type);
  SCOPE_LISTS.set(scope, l);
}

/** Plain IPv4 for an IPv4-mapped IPv6 address (::ffff:1.2.3.4), else the address. */
export function unmap(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

export function addressScope(address: string): AddressScope {
  const a = unmap(address);
  const type = isIP(a) === 6 ? 'ipv6' : 'ipv4';
  for (const [scope, list] of SCOPE_LISTS) if (list.check(a, type)) return scope;
  return 'public';
}

export interface CountryHit {
  country: string | null;
  /** Length of the prefix the record covers. */
  prefix: number;
}

export interface AsnHit {
  asn: number;
  org: string;
}

/** The ip-location-db record shape (not one of mmdb-lib's MaxMind response types). */
type CountryRecord = Response & { country_code?: string };
let countryReader: Reader<CountryRecord> | null = null;

export function lookupCountry(address: string): CountryHit {
  if (!countryReader) {
    const dir = packageDir(COUNTRY_DB.package);
    const file = dir && join(dir, 'geo-whois-asn-country.mmdb');
    if (!file || !existsSync(file)) throw new Error(`${COUNTRY_DB.package} is not installed`);
    countryReader = new Reader<CountryRecord>(readFileSync(file));
  }
  const [rec, prefix] = countryReader.getWithPrefixLength(unmap(address));
  const cc = rec?.country_code;
  return { country: typeof cc === 'string' ? cc : null, prefix };
}

/* ---------------------------------------------------------------- ASN from CSV ranges */

function v4ToNum(a: string): number {
  const p = a.split('.');
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

function v6ToBig(a: string): bigint {
  let s = a;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = v4ToNum(v4[1]!);
    s = s.slice(0, -v4[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(parseInt(g || '0', 16));
  return n;
}

/** Splits one CSV line (quoted fields allowed, `""` escapes). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else v += line[i++];
      }
      out.push(v);
      i++; // the comma
    } else {
      const j = line.indexOf(',', i);
      const end = j === -1 ? line.length : j;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

interface V4Table {
  start: Uint32Array;
  end: Uint32Array;
  asn: Uint32Array;
  org: string[];
}
interface V6Table {
  start: bigint[];
  end: bigint[];
  asn: number[];
  org: string[];
}

/** IP → ASN and owner from `asn-ipv4.csv` / `asn-ipv6.csv` (start,end,asn,organisation), sorted ranges. */
export class AsnTable {
  private v4: V4Table | null = null;
  private v6: V6Table | null = null;
  constructor(private readonly dir: string) {}

  /** The installed `@ip-location-db/asn` package, or null with nothing installed. */
  static fromPackage(): AsnTable | null {
    const dir = packageDir(ASN_DB.package);
    return dir && existsSync(join(dir, 'asn-ipv4.csv')) ? new AsnTable(dir) : null;
  }

  private load4(): V4Table {
    if (this.v4) return this.v4;
    const lines = readFileSync(join(this.dir, 'asn-ipv4.csv'), 'utf8').split('\n');
    const t: V4Table = {
      start: new Uint32Array(lines.length),
      end: new Uint32Array(lines.length),
      asn: new Uint32Array(lines.length),
      org: [],
    };
    const orgs = new Map<string, string>();
    let n = 0;
    for (const line of lines) {
      const f = csvFields(line.trim());
      if (f.length < 3 || isIP(f[0]!) !== 4 || isIP(f[1]!) !== 4) continue;
      t.start[n] = v4ToNum(f[0]!);
      t.end[n] = v4ToNum(f[1]!);
      t.asn[n] = Number(f[2]);
      const org = f[3] ?? '';
      t.org[n] = orgs.get(org) ?? (orgs.set(org, org), org);
      n++;
    }
    this.v4 = {
      start: t.start.subarray(0, n),
      end: t.end.subarray(0, n),
      asn: t.asn.subarray(0, n),
      org: t.org,
    };
    return this.v4;
  }

  private load6(): V6Table {
    if (this.v6) return this.v6;
    const t: V6Table = { start: [], end: [], asn: [], org: [] };
    const file = join(this.dir, 'asn-ipv6.csv');
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const f = csvFields(line.trim());
        if (f.length < 3 || isIP(f[0]!) !== 6 || isIP(f[1]!) !== 6) continue;
        t.start.push(v6ToBig(f[0]!));
        t.end.push(v6ToBig(f[1]!));
        t.asn.push(Number(f[2]));
        t.org.push(f[3] ?? '');
      }
    }
    this.v6 = t;
    return t;
  }

  lookup(address: string): AsnHit | null {
    const a = unmap(address);
    if (isIP(a) === 4) {
      const t = this.load4();
      const x = v4ToNum(a);
      let lo = 0;
      let hi = t.start.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (t.start[mid]! <= x) lo = mid + 1;
        else hi = mid - 1;
      }
      return hi >= 0 && t.end[hi]! >= x ? { asn: t.asn[hi]!, org: t.org[hi]! } : null;
    }
    if (isIP(a) === 6) {
      const t = this.load6();
      const x = v6ToBig(a);
      let lo = 0;
      let hi = t.start.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (t.start[mid]! <= x) lo = mid + 1;
        else hi = mid - 1;
      }
      return hi >= 0 && t.end[hi]! >= x ? { asn: t.asn[hi]!, org: t.org[hi]! } : null;
    }
    return null;
  }
}
