import { defineCheck } from '../../core/check.js';
import type { Finding } from '../../core/check.js';
import type { ChainProblem } from '../../probes/tls/chain.js';
import { tlsCertificateProbe } from '../../probes/tls/certificate.js';

function problemFinding(p: ChainProblem): Finding | null {
  switch (p.kind) {
    case 'self-signed':
      return {
        outcome: 'self-signed',
        status: 'fail',
        message: `the certificate '${p.subject}' is self-signed: no browser trusts it`,
        evidence: { subject: p.subject },
      };
    case 'untrusted-root':
      return {
        outcome: 'untrusted-root',
        status: 'fail',
        message: `the chain ends at '${p.subject}', which is not a trusted root (system store or --ca)`,
        evidence: { root: p.subject },
      };
    case 'incomplete':
      if (p.caIssuers.length === 0)
        return {
          outcome: 'unknown-issuer',
          status: 'fail',
          message: `the issuer '${p.missingIssuer}' is neither sent by the server nor a trusted root, and the certificate names no place to fetch it (AIA): no client can verify it`,
          evidence: { missingIssuer: p.missingIssuer },
        };
      return null; // decided below: trust cannot be judged without fetching the intermediate
    case 'bad-signature':
      return {
        outcome: 'bad-signature',
        status: 'fail',
        message: `the signature on '${p.subject}' by '${p.issuer}' is invalid: ${p.detail}`,
        evidence: { subject: p.subject, issuer: p.issuer, detail: p.detail },
      };
    case 'not-a-ca':
      return {
        outcome: 'issuer-not-ca',
        status: 'fail',
        message: `'${p.subject}' signs another certificate in the chain but is not a CA certificate (basicConstraints)`,
        evidence: { subject: p.subject },
      };
    case 'expired-issuer':
      return {
        outcome: 'issuer-expired',
        status: 'fail',
        message: `the issuing certificate '${p.subject}' expired on ${p.notAfter}`,
        evidence: { subject: p.subject, notAfter: p.notAfter },
      };
    case 'not-yet-valid-issuer':
      return {
        outcome: 'issuer-expired',
        status: 'fail',
        message: `the issuing certificate '${p.subject}' is not valid before ${p.notBefore}`,
        evidence: { subject: p.subject, notBefore: p.notBefore },
      };
    case 'wrong-purpose':
      return {
        outcome: 'wrong-purpose',
        status: 'fail',
        message: `'${p.subject}' is not a server certificate: its extended key usage (${p.usages.join(', ')}) lacks TLS server authentication`,
        evidence: { subject: p.subject, extKeyUsage: p.usages },
      };
    case 'too-long':
      return {
        outcome: 'untrusted-root',
        status: 'fail',
        message: `no trusted root within ${p.length} certificates`,
        evidence: { length: p.length },
      };
  }
}

export default defineCheck({
  id: 'tls.cert-trusted',
  area: 'tls',
  title: 'Certificate chain is trusted',
  severity: 'error',
  seed: 'Setting up SSL',
  description:
    "Builds the path from the served certificate to a trusted root (the system store: Node's bundled Mozilla roots, the OS CA bundle and NODE_EXTRA_CA_CERTS; plus --ca) with civiguard's own verifier, so that weak (SHA-1) signatures, expiry and host name are judged separately by the other tls.* checks. Fails for a self-signed certificate, a chain ending at an untrusted root, an invalid signature, an issuer that is not a CA or has expired, a leaf whose extended key usage excludes TLS servers, or an issuer that nobody can find. Trust is not judged (skip) when only an intermediate is missing and the certificate says where to fetch it: tls.cert-chain reports that.",
  remediation:
    "Use a certificate from a publicly trusted CA (for example a free ACME certificate from Let's Encrypt) and configure the server with the full chain file (nginx `ssl_certificate fullchain.pem`, Apache `SSLCertificateFile` with the chain).",
  references: ['https://www.rfc-editor.org/rfc/rfc5280#section-6', 'https://letsencrypt.org/docs/'],
  outcomes: {
    'self-signed': { title: 'Self-signed certificate', severity: 'error' },
    'untrusted-root': { title: 'Chain ends at an untrusted root', severity: 'error' },
    'unknown-issuer': { title: 'Issuer unknown and not fetchable', severity: 'error' },
    'bad-signature': { title: 'Invalid signature in the chain', severity: 'error' },
    'issuer-not-ca': { title: 'Chain certificate is not a CA', severity: 'error' },
    'issuer-expired': { title: 'Issuing certificate outside its validity', severity: 'error' },
    'wrong-purpose': { title: 'Not a TLS server certificate (extended key usage)', severity: 'error' },
  },
  probes: { cert: tlsCertificateProbe },
  mode: 'remote',
  run({ cert }): Finding[] {
    const { chain } = cert;
    const path = chain.path.map((e) => ({
      subject: e.info.subject,
      served: e.served !== null,
      anchor: e.anchor,
    }));
    if (chain.trusted) {
      const root = chain.path[chain.path.length - 1]!;
      const where = root.anchor === 'ca-option' ? 'a CA given with --ca' : "the system's trusted roots";
      return [
        {
          status: 'pass',
          message: `the chain verifies to '${root.info.subject}' from ${where}`,
          evidence: { path },
        },
      ];
    }
    const findings = chain.problems.map(problemFinding).filter((f): f is Finding => f !== null);
    if (findings.length) return findings.map((f) => ({ ...f, evidence: { ...f.evidence, path } }));
    const missing = chain.problems.find((p) => p.kind === 'incomplete');
    if (missing?.kind === 'incomplete') {
      return [
        {
          status: 'skip',
          message: `the server does not send the issuer '${missing.missingIssuer}'; whether it leads to a trusted root can only be seen by fetching it from ${missing.caIssuers[0]} (AIA), which civiguard does not do: tls.cert-chain reports the missing intermediate`,
          evidence: { path, missingIssuer: missing.missingIssuer, caIssuers: missing.caIssuers },
        },
      ];
    }
    return [
      { status: 'error', message: 'the chain is not trusted for an unrecognised reason', evidence: { path } },
    ];
  },
});
