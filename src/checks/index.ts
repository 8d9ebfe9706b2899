import type { AnyCheck } from '../core/check.js';
import { accessChecks } from './access/index.js';
import { exposureChecks } from './exposure/index.js';
import { httpChecks } from './http/index.js';
import { tlsChecks } from './tls/index.js';

/** Every registered check. The registry test keeps this in line with SPEC §3 and the files on disk. */
export const ALL_CHECKS: readonly AnyCheck[] = [
  ...tlsChecks,
  ...httpChecks,
  ...exposureChecks,
  ...accessChecks,
];

export function findCheck(id: string): AnyCheck | undefined {
  return ALL_CHECKS.find((c) => c.id === id);
}
