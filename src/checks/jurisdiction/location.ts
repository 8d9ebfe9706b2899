import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import type { DataHolder, LocatedAddress, LocationFacts } from '../../probes/geo/locations.js';
import { locationsProbe } from '../../probes/geo/locations.js';

const CAVEAT = 'a registry country is where the network is registered, not always where the datacentre is';

function owner(a: LocatedAddress, facts: LocationFacts): string {
  if (a.asn !== null) return `AS${a.asn} ${a.asnOrg || '(no name)'}`;
  return facts.asnUnavailable ? 'network owner unknown' : 'no ASN record';
}

function judgeAddress(h: DataHolder, a: LocatedAddress, facts: LocationFacts, allowed: string[]): Finding {
  const who = `${h.label}${h.host && h.host !== a.address ? ` (${h.host})` : ''} → ${a.address}`;
  const evidence = {
    holder: h.label,
    host: h.host,
    address: a.address,
    scope: a.scope,
    country: a.country,
    asn: a.asn,
    asnOrg: a.asnOrg,
    registryPrefix: a.prefix,
    sources: facts.sources,
    ...(facts.asnUnavailable ? { asnUnavailable: facts.asnUnavailable } : {}),
    caveat: CAVEAT,
  };
  if (a.scope !== 'public') {
    return {
      outcome: h.kind,
      status: 'skip',
      message: `${who}: ${a.scope} address, not on the public internet: registries cannot tell where it is`,
      evidence,
    };
  }
  if (!a.country) {
    return {
      outcome: h.kind,
      status: 'skip',
      message: `${who}: no registry country for this address`,
      evidence,
    };
  }
  const where = `${a.country}, ${owner(a, facts)}`;
  if (allowed.length && !allowed.includes(a.country)) {
    return {
      outcome: h.kind,
      status: 'fail',
      message: `${who}: ${where}; outside the allowed countries (${allowed.join(', ')}) (${CAVEAT})`,
      evidence,
    };
  }
  return {
    outcome: h.kind,
    status: 'pass',
    severity: 'info',
    message: `${who}: ${where}${allowed.length ? ' (allowed)' : ''} (${CAVEAT})`,
    evidence,
  };
}

export default defineCheck({
  id: 'jurisdiction.location',
  area: 'jurisdiction',
  title: 'Where the data is stored',
  severity: 'error',
  seed: 'Data storage jurisdiction',
  description:
    'Maps every address that holds the data — the site’s resolved addresses (honouring --resolve), the database host from the DSN and each backup destination (config `backupRepos`) — to the registry country and network (ASN) owner with offline databases from npm (no network lookups), and compares the country with the policy’s `allowedCountries`. Always reports country and owner (info) and that a registry country is not always the datacentre’s; loopback and private addresses: skip.',
  remediation:
    'Move the site, database or backups to a provider in an allowed country, or, if the registry country is misleading (anycast, a multinational network), check the provider’s datacentre location in its contract and record it. Adjust `allowedCountries` if the policy is wrong.',
  references: [
    'https://docs.civicrm.org/sysadmin/en/latest/setup/security/',
    'https://www.nro.net/about/rirs/',
  ],
  outcomes: {
    site: { title: 'Site address location', severity: 'error' },
    database: { title: 'Database host location', severity: 'error' },
    backup: { title: 'Backup destination location', severity: 'error' },
  },
  probes: { loc: locationsProbe },
  mode: 'both',
  run({ loc }, ctx) {
    const allowed = ctx.target.policy.allowedCountries.map((c) => c.toUpperCase());
    const out: Finding[] = [];
    for (const h of loc.holders) {
      if (h.unresolved) {
        out.push({
          outcome: h.kind,
          status: h.unresolved.status,
          message: `${h.label}: ${h.unresolved.reason}`,
        });
        continue;
      }
      for (const a of h.addresses) out.push(judgeAddress(h, a, loc, allowed));
    }
    return out;
  },
});
