/**
 * `civiguard backup …` without the other commands: what the crash tests spawn (and kill), so that a
 * child starts in well under a second. Same code path as src/cli/main.ts for everything under `backup`.
 */
import { Command } from 'commander';
import { registerBackup } from '../../cli/backup.js';
import { handleCliError } from '../../cli/errors.js';

const program = new Command('civiguard').exitOverride();
registerBackup(program);
try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.exitCode = handleCliError(e);
}
