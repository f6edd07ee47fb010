import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { loadManifestsForCommand } from '../cli/manifests.js';
import { convertIngresses, formatReport } from '../migrate/index.js';

/** Converts, prints the objects on stdout and the report on stderr. */
export async function runMigrateConvert(options: {
  filename: string[];
  gateway: string;
  gatewayNamespace?: string;
  gatewayClass: string;
  output: 'yaml' | 'json';
  report?: string;
}): Promise<void> {
  const { objects } = await loadManifestsForCommand(options.filename);
  const result = convertIngresses(objects, {
    gateway: options.gateway,
    gatewayNamespace: options.gatewayNamespace,
    gatewayClass: options.gatewayClass,
  });
  if (options.output === 'json') {
    process.stdout.write(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: result.objects }, null, 2)}\n`);
  } else {
    process.stdout.write(result.objects.map((o) => stringify(o, { aliasDuplicateObjects: false })).join('---\n'));
  }
  const text = formatReport(result.report);
  process.stderr.write(text);
  if (options.report)
    await writeFile(options.report, options.report.endsWith('.json') ? `${JSON.stringify(result.report, null, 2)}\n` : text);
}
