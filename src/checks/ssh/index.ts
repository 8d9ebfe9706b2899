import type { AnyCheck } from '../../core/check.js';
import passwordAuth from './password-auth.js';

export const sshChecks: AnyCheck[] = [passwordAuth];
