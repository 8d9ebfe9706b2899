import type { Severity } from './severity.js';

export const CMS_NAMES = ['drupal', 'wordpress', 'joomla', 'backdrop', 'standalone', 'unknown'] as const;
export type CmsName = (typeof CMS_NAMES)[number];

/** host:port → address pins (SPEC §6 `--resolve`), keyed `host:port` in lower case. */
export type ResolveMap = ReadonlyMap<string, string>;

export interface AuditPolicy {
  /** ISO 3166 alpha-2 codes; empty means no jurisdiction policy. */
  allowedCountries: string[];
  /** backup.recent: newest backup must be younger than this. */
  backupMaxAgeHours: number;
  /** backup.restorable: a successful drill within this many days. */
  drillMaxAgeDays: number;
}

/** Everything an audit needs to know about what it looks at. Built by the CLI from flags and config. */
export interface AuditTarget {
  /** The https side of the site (the URL the user gave, upgraded to https when it was http). */
  url: URL;
  /** Where the plain-http side answers (`--http-url`, default http://<host>/). */
  httpUrl: URL;
  /** Server-side root for local checks, or null for a remote-only audit. */
  root: string | null;
  cms: CmsName | 'auto';
  resolve: ResolveMap;
  /** Extra trusted CA certificates (PEM text), from `--ca`. */
  ca: string[];
  ssh: { host: string; port: number } | null;
  ftp: { host: string; port: number } | null;
  db: string | null;
  useSiteDb: boolean;
  accessLogs: string[];
  webUser: string | null;
  /** Per-probe time budget in ms. */
  timeoutMs: number;
  policy: AuditPolicy;
  /** civiguard backup repositories to judge (backup.* checks): directories, sftp:// or s3:// URLs. */
  backupRepos: string[];
}

export const DEFAULT_POLICY: AuditPolicy = {
  allowedCountries: [],
  backupMaxAgeHours: 26,
  drillMaxAgeDays: 35,
};

export interface TargetInput {
  url: string;
  httpUrl?: string | undefined;
  root?: string | null | undefined;
  cms?: CmsName | 'auto' | undefined;
  resolve?: string[] | undefined;
  ca?: string[] | undefined;
  ssh?: string | null | undefined;
  ftp?: string | null | undefined;
  db?: string | null | undefined;
  useSiteDb?: boolean | undefined;
  accessLogs?: string[] | undefined;
  webUser?: string | null | undefined;
  timeoutMs?: number | undefined;
  policy?: Partial<AuditPolicy> | undefined;
  backupRepos?: string[] | undefined;
}

/** Default failure threshold for exit codes. */
export const DEFAULT_FAIL_ON: Severity = 'error';
