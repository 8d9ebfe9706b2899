import type { Command } from 'commander';
import { CiviguardError } from '../core/errors.js';

// Placeholder until the demo command lands; its owner replaces this file.
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('(demo: not built yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CiviguardError('E_USAGE', 'demo is not built yet');
    });
}
