import { Command } from 'commander';
import { VERSION } from '../version.js';
import { registerAudit } from './audit.js';
import { registerBackup } from './backup.js';
import { registerDemo } from './demo.js';
import { registerIds } from './ids.js';
import { handleCliError } from './errors.js';

/** Builds the command tree; each command lives in its own file and loads its heavy parts lazily. */
export function buildProgram(): Command {
  const program = new Command('civiguard')
    .description('security toolkit for self-hosted CiviCRM sites')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (s, write) => write(s.replace(/^error:/, 'civiguard:')) });
  registerAudit(program);
  registerDemo(program);
  registerIds(program);
  registerBackup(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    process.exitCode = handleCliError(e);
  }
}
