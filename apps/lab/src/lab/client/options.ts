import { type Command, Option } from 'commander';

/** Options every command that talks to a running lab takes. */
export interface ServerOptions {
  server?: string;
  token?: string;
}

/** Adds `--server URL` (env KEMU_SERVER, default http://127.0.0.1:7443) and `--token` (env KEMU_TOKEN). */
export function addServerOptions(command: Command): Command {
  return command
    .addOption(new Option('--server <url>', 'the lab API URL (env KEMU_SERVER; default http://127.0.0.1:7443)'))
    .addOption(new Option('--token <token>', 'bearer token of the lab API (env KEMU_TOKEN)'));
}

/** `-n, --namespace <ns>`. */
export function namespaceOption(): Option {
  return new Option('-n, --namespace <namespace>', 'namespace').default('default');
}
