import { loadManifestsForCommand } from '../cli/manifests.js';
import { resourceOfKind } from '../lab/api/resources.js';
import { applyTo, withLastApplied } from '../lab/apply.js';
import { LabClient } from '../lab/client/api-client.js';
import { displayName } from '../lab/client/display.js';

/** Creates each object, or replaces its spec keeping what the lab filled in (status, allocations). */
export async function runApply(options: { filename: string[]; server?: string; token?: string }): Promise<void> {
  const { objects } = await loadManifestsForCommand(options.filename);
  const client = new LabClient(options);
  for (const object of objects) {
    const info = resourceOfKind(object.kind);
    const current = await client.get(info, object.metadata.namespace, object.metadata.name);
    if (!current) {
      await client.create(withLastApplied(object));
      process.stdout.write(`${displayName(object)} created\n`);
      continue;
    }
    const next = applyTo(current, object);
    const changed = JSON.stringify(next) !== JSON.stringify(current);
    if (changed) await client.update(next);
    process.stdout.write(`${displayName(object)} ${changed ? 'configured' : 'unchanged'}\n`);
  }
}
