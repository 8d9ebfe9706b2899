/**
 * Certificates made at run time for the demo site and the tests: a root CA, leaves and intermediates
 * issued by it, self-signed certificates, including deliberately weak ones (RSA 1024, SHA-1).
 * Keys come from Node's webcrypto; the PEM private key is PKCS#8 and loads in `tls.createServer`.
 *
 * @example
 * const ca = await createCa('Test Root');
 * const leaf = await issueCert(ca, { dnsNames: ['site.test'] });
 * tls.createServer({ key: leaf.keyPem, cert: leaf.certPem + ca.certPem });
 */
import './reflect-metadata.js';
import { webcrypto } from 'node:crypto';
import type { webcrypto as wc } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = wc.CryptoKey;
type CryptoKeyPair = wc.CryptoKeyPair;

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
  cert: x509.X509Certificate;
}

export type KeySpec = { type: 'rsa'; bits: number } | { type: 'ec'; curve: 'P-256' | 'P-384' };

export interface IssueOptions {
  /** CN; default the first DNS name (or IP address). */
  subject?: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Default now − 1 h. */
  notBefore?: Date;
  /** Default now + 90 days. */
  notAfter?: Date;
  /** Default EC P-256. */
  key?: KeySpec;
  /** Signature hash used by the issuer; default SHA-256. */
  hash?: 'SHA-256' | 'SHA-1' | 'SHA-384';
  isCa?: boolean;
  pathLength?: number;
  /** Authority Information Access caIssuers URL (where clients may fetch the issuer). */
  caIssuersUrl?: string;
  /** Extended key usage OIDs of a leaf; default TLS server authentication only. */
  extKeyUsage?: string[];
}

/** The private key of every KeyPairPem made here, kept out of the public shape. */
const privateKeys = new WeakMap<KeyPairPem, CryptoKey>();

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function keyAlgorithm(spec: KeySpec, hash: string): wc.RsaHashedKeyGenParams | wc.EcKeyGenParams {
  if (spec.type === 'rsa') {
    return {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: spec.bits,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash,
    };
  }
  return { name: 'ECDSA', namedCurve: spec.curve };
}

/** The algorithm with which `signingKey` signs, using `hash`. */
function signingAlgorithm(signingKey: CryptoKey, hash: string): wc.Algorithm | wc.EcdsaParams {
  if (signingKey.algorithm.name === 'ECDSA') return { name: 'ECDSA', hash } as wc.EcdsaParams;
  return { name: 'RSASSA-PKCS1-v1_5', hash } as wc.Algorithm;
}

async function generateKeys(spec: KeySpec): Promise<CryptoKeyPair> {
  // The key's own hash parameter is irrelevant for the cert: signing uses signingAlgorithm().
  return (await webcrypto.subtle.generateKey(keyAlgorithm(spec, 'SHA-256'), true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
}

/** Re-imports an RSA private key with another hash so that webcrypto signs with it (SHA-1 certs). */
async function withHash(key: CryptoKey, hash: string): Promise<CryptoKey> {
  if (key.algorithm.name !== 'RSASSA-PKCS1-v1_5') return key;
  if ((key.algorithm as wc.RsaHashedKeyAlgorithm).hash.name === hash) return key;
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
}

function escapeRdn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1');
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

async function extensionsFor(
  opts: IssueOptions,
  publicKey: CryptoKey,
  authorityKey: CryptoKey | x509.PublicKey,
): Promise<x509.Extension[]> {
  const exts: x509.Extension[] = [];
  if (opts.isCa) {
    exts.push(new x509.BasicConstraintsExtension(true, opts.pathLength, true));
    exts.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true));
  } else {
    exts.push(new x509.BasicConstraintsExtension(false, undefined, true));
    const usage =
      publicKey.algorithm.name === 'ECDSA'
        ? x509.KeyUsageFlags.digitalSignature
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
    exts.push(new x509.KeyUsagesExtension(usage, true));
    exts.push(
      new x509.ExtendedKeyUsageExtension(opts.extKeyUsage ?? [x509.ExtendedKeyUsage.serverAuth], false),
    );
  }
  const names: x509.JsonGeneralName[] = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => {
      if (!isIP(value)) throw new Error(`pki: '${value}' is not an IP address`);
      return { type: 'ip' as const, value };
    }),
  ];
  if (names.length) exts.push(new x509.SubjectAlternativeNameExtension(names, false));
  if (opts.caIssuersUrl)
    exts.push(
      new x509.AuthorityInfoAccessExtension({ caIssuers: new x509.GeneralName('url', opts.caIssuersUrl) }),
    );
  exts.push(await x509.SubjectKeyIdentifierExtension.create(publicKey));
  exts.push(await x509.AuthorityKeyIdentifierExtension.create(authorityKey));
  return exts;
}

function commonName(opts: IssueOptions, fallback?: string): string {
  const cn = opts.subject ?? opts.dnsNames?.[0] ?? opts.ipAddresses?.[0] ?? fallback;
  if (!cn) throw new Error('pki: a certificate needs a subject, a DNS name or an IP address');
  return cn;
}

async function build(
  opts: IssueOptions,
  subjectName: string,
  issuer: { name: string; key: CryptoKey; publicKey: CryptoKey | x509.PublicKey } | null,
): Promise<KeyPairPem> {
  const keys = await generateKeys(opts.key ?? { type: 'ec', curve: 'P-256' });
  const hash = opts.hash ?? 'SHA-256';
  const signer = issuer?.key ?? keys.privateKey;
  const signingKey = await withHash(signer, hash);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
      .toString('hex')
      .replace(/^[89a-f]/, '7'), // positive INTEGER
    subject: subjectName,
    issuer: issuer?.name ?? subjectName,
    notBefore: opts.notBefore ?? new Date(now - HOUR),
    notAfter: opts.notAfter ?? new Date(now + 90 * DAY),
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: signingAlgorithm(signingKey, hash),
    extensions: await extensionsFor(opts, keys.publicKey, issuer?.publicKey ?? keys.publicKey),
  });
  const out: KeyPairPem = {
    certPem: cert.toString('pem') + '\n',
    keyPem: await exportKeyPem(keys.privateKey),
    cert,
  };
  privateKeys.set(out, keys.privateKey);
  return out;
}

/** A self-signed root CA (basicConstraints CA:TRUE, keyCertSign). */
export async function createCa(name: string, opts: IssueOptions = {}): Promise<KeyPairPem> {
  const cn = `CN=${escapeRdn(opts.subject ?? name)}`;
  return build({ ...opts, isCa: true }, cn, null);
}

/** A certificate signed by `issuer` (made by this module): a leaf, or an intermediate with `isCa`. */
export async function issueCert(issuer: KeyPairPem, opts: IssueOptions): Promise<KeyPairPem> {
  const key = privateKeys.get(issuer);
  if (!key) throw new Error('pki: the issuer must be a certificate made by createCa/issueCert');
  return build(opts, `CN=${escapeRdn(commonName(opts))}`, {
    name: issuer.cert.subject,
    key,
    publicKey: issuer.cert.publicKey,
  });
}

/** A self-signed end-entity certificate (not a CA) for the given names. */
export async function createSelfSigned(opts: IssueOptions): Promise<KeyPairPem> {
  return build(opts, `CN=${escapeRdn(commonName(opts))}`, null);
}
