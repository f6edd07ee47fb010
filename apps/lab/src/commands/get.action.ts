import type { KubernetesObject } from '@kemu/core';
import { CliExit, exitCodes } from '../cli/exit.js';
import { printData } from '../cli/output.js';
import { resourceNamed } from '../lab/api/resources.js';
import { LabClient } from '../lab/client/api-client.js';
import { displayName } from '../lab/client/display.js';
import { formatTable } from '../lab/client/table.js';
import type { GetOptions } from './get.command.js';

/** Prints one object or a list, as a table or as data. */
export async function runGet(kind: string, name: string | undefined, options: GetOptions): Promise<void> {
  const info = resourceNamed(kind);
  const client = new LabClient(options);
  const namespace = info.namespaced && !options.allNamespaces ? options.namespace : undefined;
  let objects: KubernetesObject[];
  if (name) {
    const object = await client.get(info, namespace ?? options.namespace, name);
    if (!object) throw new CliExit(exitCodes.userError, `Error from server (NotFound): ${info.resource} "${name}" not found`);
    objects = [object];
  } else {
    objects = await client.list(info, namespace, options.selector);
  }
  const format = options.output;
  if (format === 'name') {
    process.stdout.write(objects.map((o) => `${displayName(o)}\n`).join(''));
    return;
  }
  if (format === 'json' || format === 'yaml') {
    const data = name ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects };
    await printData(format, data, () => '');
    return;
  }
  if (objects.length === 0) {
    process.stderr.write(`No resources found${namespace ? ` in ${namespace} namespace` : ''}.\n`);
    return;
  }
  process.stdout.write(
    `${formatTable(objects, { wide: format === 'wide', withNamespace: info.namespaced && options.allNamespaces })}\n`,
  );
}
