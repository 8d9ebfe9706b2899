import { defineCheck } from '../../core/check.js';
import type { Finding } from '../../core/check.js';
import type { CategoryFacts, CipherCategory } from '../../probes/tls/ciphers.js';
import { tlsCiphersProbe } from '../../probes/tls/ciphers.js';

const BROKEN: Record<Exclude<CipherCategory, 'rsa-kx' | 'cbc'>, string> = {
  null: 'NULL (no encryption)',
  anon: 'anonymous (no server authentication)',
  export: 'EXPORT-grade (40/56-bit)',
  rc4: 'RC4',
  '3des': '3DES (64-bit block, Sweet32)',
  des: 'single DES (56-bit)',
};
const LESSER: Record<'rsa-kx' | 'cbc', string> = {
  'rsa-kx': 'static RSA key exchange (no forward secrecy)',
  cbc: 'CBC-mode (non-AEAD)',
};

function accepted(c: CategoryFacts): string {
  return c.tests
    .filter((t) => t.state === 'accepted')
    .map((t) => `${t.suite ?? '?'} at ${t.protocol}`)
    .join(', ');
}

function judgeCategory(key: CipherCategory, c: CategoryFacts, label: string, tls13Only: boolean): Finding {
  const evidence = { category: key, tests: c.tests };
  switch (c.state) {
    case 'accepted':
      return { outcome: key, status: 'fail', message: `${label} suites accepted: ${accepted(c)}`, evidence };
    case 'refused':
      return {
        outcome: key,
        status: 'pass',
        message: tls13Only
          ? `${label} suites cannot be used: only TLS 1.3 is offered`
          : `${label} suites refused (tried at ${c.tests.map((t) => t.protocol).join(', ')})`,
        evidence,
      };
    case 'untestable':
      return {
        outcome: key,
        status: 'skip',
        message: `${label} suites not tested: ${c.tests[0]?.detail ?? ''}`,
        evidence,
      };
    case 'inconclusive':
      return {
        outcome: key,
        status: 'error',
        message: `${label} suites: no clear answer (${c.tests.find((t) => t.state === 'inconclusive')?.detail ?? ''})`,
        evidence,
      };
  }
}

export default defineCheck({
  id: 'tls.ciphers',
  area: 'tls',
  title: 'Cipher suites',
  severity: 'error',
  seed: 'Encrypted data transfer',
  description:
    "Offers one category of suites per handshake at TLS 1.2 and at TLS 1.0 when the server speaks it: NULL, anonymous, EXPORT, RC4, 3DES and DES with a hand-built ClientHello (OpenSSL 3 cannot offer most of them), static-RSA and CBC suites with Node. Any of the first group accepted is an error. A current client (Node's defaults: TLS 1.2+, default suite order) given a suite without forward secrecy or without AEAD is a warning; such suites merely accepted alongside good ones are a notice.",
  remediation:
    'Use Mozilla\'s "intermediate" suite list: ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2, all TLS 1.3 suites, and let the server prefer them (nginx `ssl_ciphers ...; ssl_prefer_server_ciphers off;` with TLS 1.3, Apache `SSLCipherSuite`).',
  references: [
    'https://ssl-config.mozilla.org/',
    'https://www.rfc-editor.org/rfc/rfc7465',
    'https://sweet32.info/',
  ],
  outcomes: {
    null: { title: 'NULL suites accepted', severity: 'error' },
    anon: { title: 'Anonymous suites accepted', severity: 'error' },
    export: { title: 'EXPORT suites accepted', severity: 'error' },
    rc4: { title: 'RC4 suites accepted', severity: 'error' },
    '3des': { title: '3DES suites accepted', severity: 'error' },
    des: { title: 'DES suites accepted', severity: 'error' },
    'modern-no-fs': { title: 'Current clients get no forward secrecy', severity: 'warning' },
    'modern-no-aead': { title: 'Current clients get a non-AEAD suite', severity: 'warning' },
    'rsa-kx': { title: 'Static RSA key exchange accepted', severity: 'notice' },
    cbc: { title: 'CBC suites accepted', severity: 'notice' },
  },
  probes: { tls: tlsCiphersProbe },
  mode: 'remote',
  run({ tls }): Finding[] {
    const tls13Only = tls.testedAt.length === 0;
    const out: Finding[] = [];
    for (const [key, label] of Object.entries(BROKEN) as [keyof typeof BROKEN, string][])
      out.push(judgeCategory(key, tls.categories[key], label, tls13Only));
    const m = tls.modern;
    if (!m) {
      const why = tls.modernFailure ?? 'no modern handshake';
      out.push({ outcome: 'modern-no-fs', status: 'skip', message: `${why} (see tls.protocols)` });
      out.push({ outcome: 'modern-no-aead', status: 'skip', message: `${why} (see tls.protocols)` });
    } else {
      const evidence = { protocol: m.protocol, suite: m.suite, ephemeral: m.ephemeral };
      out.push(
        m.forwardSecrecy
          ? {
              outcome: 'modern-no-fs',
              status: 'pass',
              message: `a current client gets forward secrecy (${m.suite}, ${m.protocol})`,
              evidence,
            }
          : {
              outcome: 'modern-no-fs',
              status: 'fail',
              message: `a current client is given ${m.suite} (${m.protocol}) without forward secrecy: recorded traffic can be decrypted if the key leaks`,
              evidence,
            },
      );
      out.push(
        m.aead
          ? {
              outcome: 'modern-no-aead',
              status: 'pass',
              message: `a current client gets an AEAD suite (${m.suite})`,
              evidence,
            }
          : {
              outcome: 'modern-no-aead',
              status: 'fail',
              message: `a current client is given ${m.suite} (${m.protocol}), a CBC suite without AEAD`,
              evidence,
            },
      );
    }
    // Lesser suites accepted alongside good ones: a notice (the modern results above carry the warning).
    for (const [key, label] of Object.entries(LESSER) as ['rsa-kx' | 'cbc', string][])
      out.push(judgeCategory(key, tls.categories[key], label, tls13Only));
    return out;
  },
});
