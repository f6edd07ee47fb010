import { formatIssue, type ManifestLoadResult } from '@kemu/core';
import { loadManifestFiles } from '@kemu/core/node';
import { CliExit, exitCodes } from './exit.js';

/**
 * Loads `-f` manifests for a command; prints every issue as `FILE:LINE:COL: …` and exits 1 when
 * any is an error. Commands that read manifests all go through here so errors look the same.
 */
export async function loadManifestsForCommand(paths: readonly string[]): Promise<ManifestLoadResult> {
  const result = await loadManifestFiles(paths);
  for (const issue of result.issues) process.stderr.write(`${formatIssue(issue)}\n`);
  if (result.issues.some((i) => i.severity === 'error')) {
    throw new CliExit(exitCodes.userError);
  }
  return result;
}
