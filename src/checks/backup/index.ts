import type { AnyCheck } from '../../core/check.js';
import encrypted from './encrypted.js';
import keyEscrow from './key-escrow.js';
import offsite from './offsite.js';
import recent from './recent.js';
import restorable from './restorable.js';

export const backupChecks: AnyCheck[] = [recent, encrypted, offsite, restorable, keyEscrow];
