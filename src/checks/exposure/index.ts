import type { AnyCheck } from '../../core/check.js';
import backups from './backups.js';
import customFiles from './custom-files.js';
import listing from './listing.js';
import log from './log.js';
import settings from './settings.js';
import templatesC from './templates-c.js';
import unsafeFiles from './unsafe-files.js';
import uploads from './uploads.js';
import vcs from './vcs.js';

export const exposureChecks: AnyCheck[] = [
  uploads,
  customFiles,
  log,
  templatesC,
  listing,
  settings,
  vcs,
  backups,
  unsafeFiles,
];
