import type { AnyCheck } from '../../core/check.js';
import location from './location.js';

export const jurisdictionChecks: AnyCheck[] = [location];
