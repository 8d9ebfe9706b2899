import type { Command } from 'commander';
import { CiviguardError } from '../core/errors.js';

// Placeholder until the backup command lands; its owner replaces this file.
export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('(backup: not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CiviguardError('E_USAGE', 'backup is not built yet');
    });
}
