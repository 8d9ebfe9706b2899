import { defineCheck } from '../../core/check.js';
import type { Finding } from '../../core/check.js';
import type { CertInfo } from '../../probes/tls/certificate-info.js';
import { tlsCertificateProbe } from '../../probes/tls/certificate.js';

const WEAK_HASHES = new Set(['MD2', 'MD4', 'MD5', 'SHA-1']);
const STRONG_TYPES = new Set(['ed25519', 'ed448']);

/** null when strong enough, a reason when weak, 'unknown' when it cannot be judged. */
export function keyWeakness(key: CertInfo['key']): string | null | 'unknown' {
  if (STRONG_TYPES.has(key.type)) return null;
  if (key.bits === null) return 'unknown';
  if ((key.type === 'rsa' || key.type === 'rsa-pss' || key.type === 'dsa') && key.bits < 2048)
    return `${key.type.toUpperCase()} ${key.bits} bits (minimum 2048)`;
  if (key.type === 'ec' && key.bits < 256)
    return `EC ${key.curve ?? ''} ${key.bits} bits (minimum 256)`.replace('  ', ' ');
  if (key.type === 'rsa' || key.type === 'rsa-pss' || key.type === 'dsa' || key.type === 'ec') return null;
  return 'unknown';
}

export default defineCheck({
  id: 'tls.cert-key',
  area: 'tls',
  title: 'Certificate keys and signatures are strong',
  severity: 'error',
  seed: '',
  description:
    "Looks at the leaf and every intermediate on the chain: fails when a key is RSA/DSA under 2048 bits or EC under 256 bits, or a certificate is signed with SHA-1 or MD5. A root's own self-signature does not count (it is trusted by presence, not by signature).",
  remediation:
    'Reissue the certificate with an EC P-256 or RSA 2048+ key (certbot: `--key-type ecdsa`), from a CA that signs with SHA-256 or better, and serve its current intermediates.',
  references: ['https://cabforum.org/baseline-requirements/', 'https://www.rfc-editor.org/rfc/rfc9155'],
  outcomes: {
    'weak-key': { title: 'Key too small', severity: 'error' },
    'weak-signature': { title: 'SHA-1 or MD5 signature', severity: 'error' },
    'unknown-key': { title: 'Key type that cannot be judged', severity: 'error' },
  },
  probes: { cert: tlsCertificateProbe },
  mode: 'remote',
  run({ cert }): Finding[] {
    const { path } = cert.chain;
    // The leaf and the intermediates on the built path; when no path beyond the leaf, just the leaf.
    const certs = (path.length ? path.map((e) => e.info) : cert.served.slice(0, 1)).filter(
      (c, i) => i === 0 || !c.selfSigned,
    );
    const role = (i: number) => (i === 0 ? 'leaf' : 'intermediate');
    const out: Finding[] = [];
    const weakKeys: string[] = [];
    const unknown: string[] = [];
    const weakSigs: string[] = [];
    certs.forEach((c, i) => {
      const w = keyWeakness(c.key);
      if (w === 'unknown') unknown.push(`${role(i)} '${c.subject}' (${c.key.type})`);
      else if (w) weakKeys.push(`${role(i)} '${c.subject}': ${w}`);
      if (c.selfSigned) return; // a self-signature protects nothing, whatever its hash
      if (c.signature.hash && WEAK_HASHES.has(c.signature.hash))
        weakSigs.push(`${role(i)} '${c.subject}': ${c.signature.name}`);
    });
    const evidence = {
      certificates: certs.map((c, i) => ({
        role: role(i),
        subject: c.subject,
        key: c.key,
        signature: c.signature.name,
      })),
    };
    if (weakKeys.length)
      out.push({
        outcome: 'weak-key',
        status: 'fail',
        message: `weak key: ${weakKeys.join('; ')}`,
        evidence,
      });
    if (weakSigs.length)
      out.push({
        outcome: 'weak-signature',
        status: 'fail',
        message: `weak signature (collisions can be forged): ${weakSigs.join('; ')}`,
        evidence,
      });
    if (unknown.length)
      out.push({
        outcome: 'unknown-key',
        status: 'skip',
        message: `key type not judged: ${unknown.join('; ')}`,
        evidence,
      });
    if (out.some((f) => f.status === 'fail')) return out;
    const summary = certs.map(
      (c, i) => `${role(i)} ${c.key.type.toUpperCase()} ${c.key.bits ?? '?'}/${c.signature.name}`,
    );
    return [
      ...out,
      { status: 'pass', message: `keys and signatures are strong: ${summary.join(', ')}`, evidence },
    ];
  },
});
