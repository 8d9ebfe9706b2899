import type { AnyCheck } from '../../core/check.js';
import cardData from './card-data.js';
import saq from './saq.js';

export const pciChecks: AnyCheck[] = [cardData, saq];
