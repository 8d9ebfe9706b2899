import type { AnyCheck } from '../../core/check.js';
import debug from './debug.js';
import enableSsl from './enable-ssl.js';
import keys from './keys.js';
import verifySsl from './verify-ssl.js';

export const configChecks: AnyCheck[] = [keys, debug, verifySsl, enableSsl];
