import { Command, CommanderError } from 'commander';
import { CliExit, exitCodes } from './cli/exit.js';
import { commandDefinitions } from './commands/registry.js';
import { versionInfo } from './version.js';

/** Builds the `kemu` program with every command declared. */
export function buildProgram(): Command {
  const program = new Command('kemu')
    .description('kemu — the Kubernetes network and storage data path, emulated on loopback')
    .version(versionInfo.kemu, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const define of commandDefinitions) define(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and returns the exit code (0 ok, 1 user error, 2 internal error). */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[]);
    return exitCodes.ok;
  } catch (error) {
    return reportFailure(error);
  }
}

function reportFailure(error: unknown): number {
  if (error instanceof CliExit) {
    if (error.message) process.stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof CommanderError) {
    // Help and version exit 0; parse errors were already printed by commander.
    return error.exitCode === 0 ? exitCodes.ok : exitCodes.userError;
  }
  const kemuError = error as { code?: unknown; userError?: unknown; message?: string };
  if (typeof kemuError?.code === 'string' && kemuError.code.startsWith('KEMU_')) {
    process.stderr.write(`error: ${kemuError.message} [${kemuError.code}]\n`);
    return kemuError.userError === false ? exitCodes.internalError : exitCodes.userError;
  }
  process.stderr.write(`internal error: ${error instanceof Error ? error.message : String(error)}\n`);
  if (process.env.KEMU_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return exitCodes.internalError;
}

// Run when executed as the bin (not when imported by tests).
const invokedPath = process.argv[1] ?? '';
if (/(?:^|[\\/])(?:cli\.(?:js|ts)|kemu)$/.test(invokedPath)) {
  main().then((code) => {
    process.exitCode = code;
  });
}
