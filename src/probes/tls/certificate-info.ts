import { X509Certificate } from 'node:crypto';
import '../../pki/reflect-metadata.js';
import * as x509 from '@peculiar/x509';
import { describeError } from '../../core/errors.js';

/** What the checks need to know about one certificate (leaf, intermediate or root). */
export interface CertInfo {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  fingerprint256: string;
  /** subject == issuer */
  selfIssued: boolean;
  /** self-issued and its signature verifies with its own key */
  selfSigned: boolean;
  /** basicConstraints cA */
  isCa: boolean;
  key: { type: string; bits: number | null; curve: string | null };
  signature: { oid: string; name: string; hash: string | null };
  dnsNames: string[];
  ipAddresses: string[];
  /** Authority Information Access caIssuers URLs (where a client could fetch the issuer). */
  caIssuers: string[];
  /** extendedKeyUsage OIDs, or null when the certificate has no such extension (any use). */
  extKeyUsage: string[] | null;
  pem: string;
}

/** A certificate parsed both ways: node's X509Certificate (verify, checkHost) and the facts. */
export interface ParsedCert {
  x509: X509Certificate;
  info: CertInfo;
}

const SIG_OIDS: Record<string, [string, string | null]> = {
  '1.2.840.113549.1.1.2': ['md2WithRSAEncryption', 'MD2'],
  '1.2.840.113549.1.1.3': ['md4WithRSAEncryption', 'MD4'],
  '1.2.840.113549.1.1.4': ['md5WithRSAEncryption', 'MD5'],
  '1.2.840.113549.1.1.5': ['sha1WithRSAEncryption', 'SHA-1'],
  '1.2.840.113549.1.1.11': ['sha256WithRSAEncryption', 'SHA-256'],
  '1.2.840.113549.1.1.12': ['sha384WithRSAEncryption', 'SHA-384'],
  '1.2.840.113549.1.1.13': ['sha512WithRSAEncryption', 'SHA-512'],
  '1.2.840.113549.1.1.14': ['sha224WithRSAEncryption', 'SHA-224'],
  '1.2.840.113549.1.1.10': ['rsassaPss', null],
  '1.2.840.10045.4.1': ['ecdsa-with-SHA1', 'SHA-1'],
  '1.2.840.10045.4.3.1': ['ecdsa-with-SHA224', 'SHA-224'],
  '1.2.840.10045.4.3.2': ['ecdsa-with-SHA256', 'SHA-256'],
  '1.2.840.10045.4.3.3': ['ecdsa-with-SHA384', 'SHA-384'],
  '1.2.840.10045.4.3.4': ['ecdsa-with-SHA512', 'SHA-512'],
  '1.2.840.10040.4.3': ['dsa-with-sha1', 'SHA-1'],
  '2.16.840.1.101.3.4.3.2': ['dsa-with-sha256', 'SHA-256'],
  '1.3.101.112': ['Ed25519', 'SHA-512'],
  '1.3.101.113': ['Ed448', 'SHAKE256'],
};

const CURVE_BITS: Record<string, number> = {
  prime192v1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

/** Reads one DER TLV header at `off`: [tag, contentStart, contentLength]. */
function tlv(der: Uint8Array, off: number): [number, number, number] {
  const tag = der[off]!;
  let len = der[off + 1]!;
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  if (start + len > der.length) throw new Error('DER value runs past the end');
  return [tag, start, len];
}

/** The outer signatureAlgorithm OID of a DER certificate. */
export function signatureOid(der: Uint8Array): string {
  const [t0, s0] = tlv(der, 0);
  if (t0 !== 0x30) throw new Error('not a DER SEQUENCE');
  const [, tbsStart, tbsLen] = tlv(der, s0);
  const [t1, algStart] = tlv(der, tbsStart + tbsLen);
  if (t1 !== 0x30) throw new Error('no signatureAlgorithm');
  const [t2, oidStart, oidLen] = tlv(der, algStart);
  if (t2 !== 0x06) throw new Error('no algorithm OID');
  const b = der.subarray(oidStart, oidStart + oidLen);
  const parts = [Math.floor(b[0]! / 40), b[0]! % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function signatureOf(der: Uint8Array, pc: x509.X509Certificate): CertInfo['signature'] {
  const oid = signatureOid(der);
  const known = SIG_OIDS[oid];
  if (!known) return { oid, name: oid, hash: null };
  if (known[1] !== null) return { oid, name: known[0], hash: known[1] };
  try {
    const alg = pc.signatureAlgorithm as { hash?: { name?: string } };
    return { oid, name: known[0], hash: alg.hash?.name ?? null };
  } catch {
    return { oid, name: known[0], hash: null };
  }
}

/**
 * DNS and IP subjectAltNames. @peculiar/x509 refuses a SAN holding otherName/x400/EDI entries (found
 * in some enterprise certificates); then node's printed form is read instead.
 */
function altNames(
  pc: x509.X509Certificate,
  node: X509Certificate,
): { dnsNames: string[]; ipAddresses: string[] } {
  try {
    const items = pc.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
    return {
      dnsNames: items.filter((n) => n.type === 'dns').map((n) => n.value),
      ipAddresses: items.filter((n) => n.type === 'ip').map((n) => n.value),
    };
  } catch {
    const dnsNames: string[] = [];
    const ipAddresses: string[] = [];
    const text = (node.subjectAltName ?? '').slice(0, 64 * 1024);
    for (const m of text.matchAll(/(DNS|IP Address):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
      const v = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
      (m[1] === 'DNS' ? dnsNames : ipAddresses).push(v);
    }
    return { dnsNames, ipAddresses };
  }
}

/** Node prints names one RDN per line; the report uses the usual comma form. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** Parses one DER certificate. Throws a one-line error when it cannot be parsed. */
export function parseCert(der: Buffer): ParsedCert {
  let nodeCert: X509Certificate;
  let pc: x509.X509Certificate;
  try {
    nodeCert = new X509Certificate(der);
    pc = new x509.X509Certificate(der);
  } catch (e) {
    throw new Error(`unparseable certificate (${der.length} bytes): ${describeError(e)}`);
  }
  const pk = nodeCert.publicKey;
  const details = pk.asymmetricKeyDetails ?? {};
  const type = pk.asymmetricKeyType ?? 'unknown';
  const curve = details.namedCurve ?? null;
  let bits: number | null = details.modulusLength ?? null;
  if (type === 'ec') bits = curve ? (CURVE_BITS[curve] ?? null) : null;
  else if (type === 'ed25519') bits = 256;
  else if (type === 'ed448') bits = 456;
  const { dnsNames, ipAddresses } = altNames(pc, nodeCert);
  let caIssuers: string[] = [];
  try {
    const aia = pc.getExtension(x509.AuthorityInfoAccessExtension);
    caIssuers = (aia?.caIssuers ?? []).filter((n) => n.type === 'url').map((n) => n.value);
  } catch {
    // an AIA entry of a kind the parser does not know: no fetch location to report
  }
  let extKeyUsage: string[] | null = null;
  try {
    const usages = pc.getExtension(x509.ExtendedKeyUsageExtension)?.usages;
    extKeyUsage = usages ? Array.from(usages, (u) => String(u)) : null;
  } catch {
    extKeyUsage = null;
  }
  const selfIssued = nodeCert.subject === nodeCert.issuer;
  let selfSigned = false;
  if (selfIssued) {
    try {
      selfSigned = nodeCert.verify(pk);
    } catch {
      selfSigned = false;
    }
  }
  return {
    x509: nodeCert,
    info: {
      subject: oneLine(nodeCert.subject),
      issuer: oneLine(nodeCert.issuer),
      serialNumber: nodeCert.serialNumber,
      notBefore: new Date(nodeCert.validFrom).toISOString(),
      notAfter: new Date(nodeCert.validTo).toISOString(),
      fingerprint256: nodeCert.fingerprint256,
      selfIssued,
      selfSigned,
      isCa: nodeCert.ca,
      key: { type, bits, curve },
      signature: signatureOf(der, pc),
      dnsNames: dnsNames.slice(0, 200),
      ipAddresses: ipAddresses.slice(0, 200),
      caIssuers: caIssuers.slice(0, 10),
      extKeyUsage,
      pem: nodeCert.toString(),
    },
  };
}
