import type { Command } from 'commander';
import { defineGraphCommand } from './graph.command.js';
import { defineMigrateConvertCommand } from './migrate.command.js';
import { defineTopCommand } from './top.command.js';
import { defineValidateCommand } from './validate.command.js';
import { defineVersionCommand } from './version.command.js';

/**
 * Every top-level command. Each `*.command.ts` only declares options (cheap to import) and
 * loads its `*.action.ts` when run, so `kemu version` does not pay for the emulators.
 */
export const commandDefinitions: ReadonlyArray<(program: Command) => void> = [
  defineVersionCommand,
  defineValidateCommand,
  defineGraphCommand,
  defineMigrateConvertCommand,
  defineTopCommand,
];
