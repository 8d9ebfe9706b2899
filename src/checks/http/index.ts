import type { AnyCheck } from '../../core/check.js';
import hsts from './hsts.js';

export const httpChecks: AnyCheck[] = [hsts];
