import type { AnyCheck } from '../../core/check.js';

export const exposureChecks: AnyCheck[] = [];
