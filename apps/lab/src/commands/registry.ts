import type { Command } from 'commander';
import { defineAgentCommand } from './agent.command.js';
import { defineApplyCommand } from './apply.command.js';
import { defineCniCommands } from './cni.command.js';
import { defineCsiCommands } from './csi.command.js';
import { defineCurlCommand } from './curl.command.js';
import { defineDeleteCommand } from './delete.command.js';
import { defineDownCommand } from './down.command.js';
import { defineGetCommand } from './get.command.js';
import { defineGraphCommand } from './graph.command.js';
import { defineIngressRouteCommand } from './ingress-route.command.js';
import { defineKubeProxyRenderCommands } from './kube-proxy-render.command.js';
import { defineKubeProxyRouteCommand } from './kube-proxy-route.command.js';
import { defineLogsCommand } from './logs.command.js';
import { defineMigrateCheckCommand, defineMigrateConvertCommand } from './migrate.command.js';
import { definePolicyCommands } from './policy.command.js';
import { defineTopCommand } from './top.command.js';
import { defineTraceCommand } from './trace.command.js';
import { defineUpCommand } from './up.command.js';
import { defineValidateCommand } from './validate.command.js';
import { defineVersionCommand } from './version.command.js';

/**
 * Every top-level command. Each `*.command.ts` only declares options (cheap to import) and
 * loads its `*.action.ts` when run, so `kemu version` does not pay for the emulators.
 */
export const commandDefinitions: ReadonlyArray<(program: Command) => void> = [
  defineVersionCommand,
  defineCsiCommands,
  defineValidateCommand,
  defineUpCommand,
  defineDownCommand,
  defineAgentCommand,
  defineApplyCommand,
  defineDeleteCommand,
  defineGetCommand,
  defineLogsCommand,
  defineCurlCommand,
  defineGraphCommand,
  defineMigrateConvertCommand,
  defineMigrateCheckCommand,
  defineTopCommand,
  defineKubeProxyRenderCommands,
  defineKubeProxyRouteCommand,
  defineIngressRouteCommand,
  defineCniCommands,
  definePolicyCommands,
  defineTraceCommand,
];
