import type { AnyCheck } from '../../core/check.js';
import events from './events.js';

export const idsChecks: AnyCheck[] = [events];
