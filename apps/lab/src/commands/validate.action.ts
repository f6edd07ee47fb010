import { formatIssue, objectRef } from '@kemu/core';
import { loadManifestFiles } from '@kemu/core/node';
import { CliExit, exitCodes } from '../cli/exit.js';
import { type OutputFormat, printData } from '../cli/output.js';

/** Validates manifests; exit 1 when any error was found. */
export async function runValidate(options: { filename: string[]; output: string }): Promise<void> {
  const result = await loadManifestFiles(options.filename);
  const errors = result.issues.filter((i) => i.severity === 'error');
  const format = options.output as OutputFormat;
  if (format === 'text') {
    for (const issue of result.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    const summary = `${result.objects.length} object(s) valid, ${errors.length} error(s)`;
    (errors.length > 0 ? process.stderr : process.stdout).write(`${summary}\n`);
  } else {
    await printData(format, { valid: result.objects.map(objectRef), issues: result.issues }, () => '');
  }
  if (errors.length > 0) throw new CliExit(exitCodes.userError);
}
