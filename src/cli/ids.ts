import type { Command } from 'commander';
import { CiviguardError } from '../core/errors.js';

// Placeholder until the ids command lands; its owner replaces this file.
export function registerIds(program: Command): void {
  program
    .command('ids')
    .description('(ids: not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CiviguardError('E_USAGE', 'ids is not built yet');
    });
}
