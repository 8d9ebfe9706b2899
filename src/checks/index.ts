import type { AnyCheck } from '../core/check.js';
import { accessChecks } from './access/index.js';
import { backupChecks } from './backup/index.js';
import { configChecks } from './config/index.js';
import { exposureChecks } from './exposure/index.js';
import { fsChecks } from './fs/index.js';
import { ftpChecks } from './ftp/index.js';
import { httpChecks } from './http/index.js';
import { idsChecks } from './ids/index.js';
import { jurisdictionChecks } from './jurisdiction/index.js';
import { pciChecks } from './pci/index.js';
import { sshChecks } from './ssh/index.js';
import { tlsChecks } from './tls/index.js';

/** Every registered check. The registry test keeps this in line with SPEC §3 and the files on disk. */
export const ALL_CHECKS: readonly AnyCheck[] = [
  ...tlsChecks,
  ...httpChecks,
  ...exposureChecks,
  ...accessChecks,
  ...fsChecks,
  ...configChecks,
  ...sshChecks,
  ...ftpChecks,
  ...pciChecks,
  ...backupChecks,
  ...jurisdictionChecks,
  ...idsChecks,
];

export function findCheck(id: string): AnyCheck | undefined {
  return ALL_CHECKS.find((c) => c.id === id);
}
