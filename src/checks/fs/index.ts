import type { AnyCheck } from '../../core/check.js';

export const fsChecks: AnyCheck[] = [];
