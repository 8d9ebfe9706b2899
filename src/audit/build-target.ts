import { readFileSync } from 'node:fs';
import { CiviguardError, describeError } from '../core/errors.js';
import type { AuditTarget, CmsName, TargetInput } from '../core/target.js';
import { CMS_NAMES, DEFAULT_POLICY } from '../core/target.js';
import { parseResolve } from '../probes/net/resolve.js';

function parseHostPort(value: string, flag: string, defPort: number): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:\s/]+)(?::(\d{1,5}))?$/.exec(value.trim());
  const port = m?.[2] ? Number(m[2]) : defPort;
  if (!m || port < 1 || port > 65535)
    throw new CiviguardError('E_USAGE', `${flag} '${value}' is not HOST[:PORT]`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

function parseSiteUrl(raw: string, flag: string): URL {
  let s = raw.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `https://${s}`;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new CiviguardError('E_USAGE', `${flag} '${raw}' is not a URL (e.g. https://example.org/)`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new CiviguardError('E_USAGE', `${flag} '${raw}' must be an http or https URL`);
  }
  if (u.username || u.password) throw new CiviguardError('E_USAGE', `${flag} must not carry credentials`);
  return u;
}

/** Turns flags/config values into a validated AuditTarget; every mistake is one E_USAGE line. */
export function buildTarget(input: TargetInput): AuditTarget {
  const given = parseSiteUrl(input.url, 'URL');
  const url = new URL(given);
  if (url.protocol === 'http:') {
    url.protocol = 'https:';
    if (url.port === '80') url.port = '';
  }
  const httpUrl = input.httpUrl
    ? parseSiteUrl(input.httpUrl, '--http-url')
    : new URL(
        `http://${given.hostname.includes(':') ? `[${given.hostname}]` : given.hostname}${given.protocol === 'http:' && given.port ? `:${given.port}` : ''}/`,
      );
  if (httpUrl.protocol !== 'http:') throw new CiviguardError('E_USAGE', `--http-url must be an http:// URL`);
  const cms = input.cms ?? 'auto';
  if (cms !== 'auto' && !(CMS_NAMES as readonly string[]).includes(cms)) {
    throw new CiviguardError('E_USAGE', `--cms must be auto or one of ${CMS_NAMES.join(', ')}`);
  }
  const ca = (input.ca ?? []).map((file) => {
    try {
      const pem = readFileSync(file, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
      return pem;
    } catch (e) {
      throw new CiviguardError('E_USAGE', `--ca ${file}: ${describeError(e)}`);
    }
  });
  const timeoutMs = input.timeoutMs ?? 20_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 100)
    throw new CiviguardError('E_USAGE', `--timeout must be ≥ 100 ms`);
  return {
    url,
    httpUrl,
    root: input.root ?? null,
    cms: cms as CmsName | 'auto',
    resolve: parseResolve(input.resolve ?? []),
    ca,
    ssh: input.ssh ? parseHostPort(input.ssh, '--ssh', 22) : null,
    ftp: input.ftp ? parseHostPort(input.ftp, '--ftp', 21) : null,
    db: input.db ?? null,
    useSiteDb: input.useSiteDb ?? false,
    accessLogs: input.accessLogs ?? [],
    webUser: input.webUser ?? null,
    timeoutMs,
    policy: { ...DEFAULT_POLICY, ...input.policy },
    backupRepos: input.backupRepos ?? [],
  };
}
