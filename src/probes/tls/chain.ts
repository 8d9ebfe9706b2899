import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { CertInfo, ParsedCert } from './certificate-info.js';
import { parseCert } from './certificate-info.js';

/** A trust anchor: a root from Node's bundled store or from `--ca`. */
export interface Anchor {
  cert: ParsedCert;
  source: 'system' | 'ca-option';
}

/** One certificate on the built path, leaf first. */
export interface PathEntry {
  /** Index in the served chain, or null for an anchor taken from the store / `--ca`. */
  served: number | null;
  /** This certificate is a trust anchor (system store or `--ca`). */
  anchor: 'system' | 'ca-option' | null;
  info: CertInfo;
}

/** Problems found while building the path; each is reported as its own reason. */
export type ChainProblem =
  | { kind: 'self-signed'; subject: string }
  | { kind: 'untrusted-root'; subject: string }
  | { kind: 'incomplete'; missingIssuer: string; caIssuers: string[] }
  | { kind: 'bad-signature'; subject: string; issuer: string; detail: string }
  | { kind: 'not-a-ca'; subject: string }
  | { kind: 'expired-issuer'; subject: string; notAfter: string }
  | { kind: 'not-yet-valid-issuer'; subject: string; notBefore: string }
  | { kind: 'too-long'; length: number }
  /** The leaf's extendedKeyUsage does not allow TLS server authentication. */
  | { kind: 'wrong-purpose'; subject: string; usages: string[] };

export interface ChainVerdict {
  path: PathEntry[];
  /** The path ends at a trust anchor and every signature on it verified. */
  trusted: boolean;
  /** The served certificates alone (plus an anchor) form the whole path: no intermediate needs fetching. */
  complete: boolean;
  problems: ChainProblem[];
  /** Indexes of served certificates not on the path (extra or misplaced). */
  unused: number[];
}

const MAX_PATH = 10;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EKU = '2.5.29.37.0';

let systemAnchors: Anchor[] | null = null;

const fingerprints = new WeakMap<X509Certificate, string>();
/** SHA-256 of the DER, cached (node's `fingerprint256` getter costs ~2 ms per call). */
function fp(c: X509Certificate): string {
  let f = fingerprints.get(c);
  if (!f) {
    f = createHash('sha256').update(c.raw).digest('hex');
    fingerprints.set(c, f);
  }
  return f;
}

/**
 * A certificate whose full facts are parsed only when asked for: the ~140 bundled roots are parsed
 * by node:crypto alone (fast), and only the anchor that ends a path gets its CertInfo.
 */
function lazyCert(der: Buffer): ParsedCert {
  const node = new X509Certificate(der);
  let info: CertInfo | undefined;
  return {
    x509: node,
    get info(): CertInfo {
      info ??= parseCert(der).info;
      return info;
    },
  };
}

/** Parses PEM text holding one or more certificates; unparseable blocks are skipped. */
export function parsePemBundle(pem: string): ParsedCert[] {
  const out: ParsedCert[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (const m of pem.matchAll(re)) {
    try {
      out.push(lazyCert(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
    } catch {
      // a broken block in a bundle does not spoil the others
    }
  }
  return out;
}

/** Where Linux distributions (and macOS/Alpine) keep the system CA bundle; the first readable one is used. */
const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
];
const MAX_BUNDLE = 8 * 1024 * 1024;

function readBundle(file: string | undefined): string {
  if (!file) return '';
  try {
    if (statSync(file).size > MAX_BUNDLE) return '';
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The system store: Node's bundled Mozilla roots, the operating system's CA bundle (which may hold
 * locally added CAs) and NODE_EXTRA_CA_CERTS, without duplicates.
 */
function loadSystemAnchors(): Anchor[] {
  const seen = new Set<string>();
  const out: Anchor[] = [];
  const osBundle = readBundle(SYSTEM_BUNDLES.find((f) => existsSync(f)));
  for (const pem of [...rootCertificates, osBundle, readBundle(process.env.NODE_EXTRA_CA_CERTS)]) {
    for (const cert of parsePemBundle(pem)) {
      if (seen.has(fp(cert.x509))) continue;
      seen.add(fp(cert.x509));
      out.push({ cert, source: 'system' });
    }
  }
  return out;
}

/** The system store (see loadSystemAnchors) plus the extra CAs given with `--ca`. */
export function trustAnchors(extraPems: readonly string[]): Anchor[] {
  systemAnchors ??= loadSystemAnchors();
  const extra = extraPems.flatMap((p) =>
    parsePemBundle(p).map((cert) => ({ cert, source: 'ca-option' as const })),
  );
  return [...extra, ...systemAnchors];
}

function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer);
  } catch {
    return false;
  }
}

function verifiesWith(child: X509Certificate, issuer: X509Certificate): string | null {
  try {
    return child.verify(issuer.publicKey) ? null : 'signature does not verify with the issuer key';
  } catch (e) {
    return `signature cannot be checked: ${(e as Error).message}`;
  }
}

/**
 * Builds the path from the leaf to a trust anchor with only the served certificates (no AIA
 * fetching), preferring an anchor at every step (like OpenSSL's trusted-first), and records every
 * problem on the way. Time validity of the leaf is not judged here (tls.cert-expiry does that).
 */
export function buildChain(
  served: readonly ParsedCert[],
  anchors: readonly Anchor[],
  now: Date,
): ChainVerdict {
  const problems: ChainProblem[] = [];
  if (served.length === 0) return { path: [], trusted: false, complete: false, problems, unused: [] };
  const anchorOf = (c: ParsedCert) => anchors.find((a) => fp(a.cert.x509) === fp(c.x509));
  const path: PathEntry[] = [
    { served: 0, anchor: anchorOf(served[0]!)?.source ?? null, info: served[0]!.info },
  ];
  const used = new Set<number>([0]);
  let cur = served[0]!;
  let trusted = false;
  let complete = false;
  for (;;) {
    const last = path[path.length - 1]!;
    if (last.anchor) {
      trusted = true;
      complete = true;
      break;
    }
    if (path.length >= MAX_PATH) {
      problems.push({ kind: 'too-long', length: path.length });
      break;
    }
    const anchor = anchors.find(
      (a) => issuedBy(cur.x509, a.cert.x509) && verifiesWith(cur.x509, a.cert.x509) === null,
    );
    if (anchor) {
      path.push({ served: null, anchor: anchor.source, info: anchor.cert.info });
      trusted = true;
      complete = true;
      break;
    }
    if (cur.info.selfSigned) {
      complete = true;
      problems.push(
        path.length === 1
          ? { kind: 'self-signed', subject: cur.info.subject }
          : { kind: 'untrusted-root', subject: cur.info.subject },
      );
      break;
    }
    let idx = served.findIndex((c, i) => !used.has(i) && issuedBy(cur.x509, c.x509));
    // OpenSSL's issuer match also demands keyCertSign; a non-CA that signed by name is found here
    // so that it can be reported as such instead of as a missing issuer.
    if (idx < 0)
      idx = served.findIndex(
        (c, i) =>
          !used.has(i) && c.x509.subject === cur.x509.issuer && verifiesWith(cur.x509, c.x509) === null,
      );
    if (idx < 0) {
      problems.push({ kind: 'incomplete', missingIssuer: cur.info.issuer, caIssuers: cur.info.caIssuers });
      break;
    }
    const issuer = served[idx]!;
    const bad = verifiesWith(cur.x509, issuer.x509);
    if (bad) {
      problems.push({
        kind: 'bad-signature',
        subject: cur.info.subject,
        issuer: issuer.info.subject,
        detail: bad,
      });
      break;
    }
    used.add(idx);
    path.push({ served: idx, anchor: anchorOf(issuer)?.source ?? null, info: issuer.info });
    cur = issuer;
  }
  // Every issuer on the path must be a CA and valid now (the leaf's own dates are tls.cert-expiry's).
  for (const e of path.slice(1)) {
    if (e.anchor) continue;
    if (!e.info.isCa) problems.push({ kind: 'not-a-ca', subject: e.info.subject });
    if (new Date(e.info.notAfter) < now)
      problems.push({ kind: 'expired-issuer', subject: e.info.subject, notAfter: e.info.notAfter });
    else if (new Date(e.info.notBefore) > now)
      problems.push({ kind: 'not-yet-valid-issuer', subject: e.info.subject, notBefore: e.info.notBefore });
  }
  const eku = served[0]!.info.extKeyUsage;
  if (eku && !eku.includes(SERVER_AUTH) && !eku.includes(ANY_EKU))
    problems.push({ kind: 'wrong-purpose', subject: served[0]!.info.subject, usages: eku });
  const unused = served.map((_, i) => i).filter((i) => !used.has(i));
  return { path, trusted: trusted && problems.length === 0, complete, problems, unused };
}
