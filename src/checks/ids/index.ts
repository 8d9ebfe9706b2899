import type { AnyCheck } from '../../core/check.js';

export const idsChecks: AnyCheck[] = [];
