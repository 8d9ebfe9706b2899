import type { AnyCheck } from '../../core/check.js';

export const sshChecks: AnyCheck[] = [];
