import type { AnyCheck } from '../../core/check.js';
import adminExposed from './admin-exposed.js';

export const accessChecks: AnyCheck[] = [adminExposed];
