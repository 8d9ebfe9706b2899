import type { AnyCheck } from '../../core/check.js';
import plaintext from './plaintext.js';

export const ftpChecks: AnyCheck[] = [plaintext];
