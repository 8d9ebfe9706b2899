import type { AnyCheck } from '../../core/check.js';
import backupsInWebroot from './backups-in-webroot.js';
import codeWritable from './code-writable.js';
import privateInWebroot from './private-in-webroot.js';
import settingsPerms from './settings-perms.js';

export const fsChecks: AnyCheck[] = [codeWritable, settingsPerms, privateInWebroot, backupsInWebroot];
