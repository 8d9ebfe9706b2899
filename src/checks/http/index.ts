import type { AnyCheck } from '../../core/check.js';
import cookies from './cookies.js';
import disclosure from './disclosure.js';
import hsts from './hsts.js';
import mixedContent from './mixed-content.js';
import redirectSensitive from './redirect-sensitive.js';
import redirect from './redirect.js';

export const httpChecks: AnyCheck[] = [redirect, redirectSensitive, hsts, cookies, mixedContent, disclosure];
