import { type Command, InvalidArgumentError, Option } from 'commander';
import { type OutputFormat, outputFormats } from './output.js';

/** `-o, --output <format>`: json, yaml or text (default `fallback`). */
export function outputOption(fallback: OutputFormat = 'text'): Option {
  return new Option('-o, --output <format>', 'output format').choices(outputFormats).default(fallback);
}

/** `-f, --filename <path...>`: files, folders (recursive) or `-` for stdin, as kubectl apply -f. */
export function filenameOption(required = true): Option {
  const option = new Option('-f, --filename <path...>', 'manifest files or folders (recursive), or - for stdin');
  return required ? option.makeOptionMandatory() : option;
}

/** Parses an integer option value, with the option named in the error. */
export function parseInteger(name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be an integer, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

/**
 * The command group `name` (e.g. `route`, `csi`, `render`), created on first use, so several
 * `*.command.ts` files can each add one subcommand (`kemu route http`, `kemu route service`).
 */
export function commandGroup(program: Command, name: string, description: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing) return existing;
  return program.command(name).description(description);
}
