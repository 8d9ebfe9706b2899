import type { AnyCheck } from '../../core/check.js';
import available from './available.js';
import certChain from './cert-chain.js';
import certExpiry from './cert-expiry.js';
import certHostname from './cert-hostname.js';
import certKey from './cert-key.js';
import certTrusted from './cert-trusted.js';
import ciphers from './ciphers.js';
import protocols from './protocols.js';

export const tlsChecks: AnyCheck[] = [
  available,
  certTrusted,
  certHostname,
  certExpiry,
  certChain,
  certKey,
  protocols,
  ciphers,
];
