import { CliExit, exitCodes } from '../cli/exit.js';
import { LabClient } from '../lab/client/api-client.js';

/** Prints the log text the lab kept for the pod. */
export async function runLogs(
  pod: string,
  options: { container?: string; tail?: number; namespace: string; server?: string; token?: string },
): Promise<void> {
  const match = /^(?:(?:pods?|po)\/)?([^/]+)$/.exec(pod);
  if (!match) throw new CliExit(exitCodes.userError, `error: "${pod}" is not a pod (use pod/NAME or NAME)`);
  const client = new LabClient(options);
  process.stdout.write(
    await client.logs(options.namespace, match[1]!, { container: options.container, tailLines: options.tail }),
  );
}
