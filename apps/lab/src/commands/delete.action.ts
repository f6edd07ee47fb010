import { CliExit, exitCodes } from '../cli/exit.js';
import { loadManifestsForCommand } from '../cli/manifests.js';
import { resourceNamed, resourceOfKind } from '../lab/api/resources.js';
import { LabClient } from '../lab/client/api-client.js';
import { displayName } from '../lab/client/display.js';

/** Deletes by manifests or by kind and names; exit 1 when something named does not exist. */
export async function runDelete(
  kind: string | undefined,
  names: string[],
  options: { filename?: string[]; namespace: string; server?: string; token?: string },
): Promise<void> {
  const client = new LabClient(options);
  const targets: { kind: string; namespace?: string; name: string }[] = [];
  if (options.filename?.length) {
    const { objects } = await loadManifestsForCommand(options.filename);
    for (const o of objects) targets.push({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });
  } else {
    if (!kind || names.length === 0)
      throw new CliExit(exitCodes.userError, 'error: give -f FILE, or a kind and one or more names');
    const info = resourceNamed(kind);
    for (const name of names) targets.push({ kind: info.kind, namespace: info.namespaced ? options.namespace : undefined, name });
  }
  let missing = 0;
  for (const target of targets) {
    const info = resourceOfKind(target.kind);
    const shown = displayName({ kind: target.kind, metadata: { name: target.name } });
    if (await client.delete(info, target.namespace, target.name)) process.stdout.write(`${shown} deleted\n`);
    else {
      missing++;
      process.stderr.write(`Error from server (NotFound): ${info.resource} "${target.name}" not found\n`);
    }
  }
  if (missing > 0) throw new CliExit(exitCodes.userError);
}
