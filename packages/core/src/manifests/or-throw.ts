import type { KubernetesObject } from '../objects/meta.js';
import { ManifestError } from './issue.js';
import { findDuplicates, type ParseManifestOptions, parseManifests } from './parse.js';

/**
 * Parses manifests and returns the objects, throwing {@link ManifestError} (with every issue)
 * when anything is wrong — the convenient form for tests and fixtures.
 * @example const [service] = parseManifestsOrThrow(`apiVersion: v1\nkind: Service\n…`)
 */
export function parseManifestsOrThrow(text: string, options: ParseManifestOptions = {}): KubernetesObject[] {
  const result = parseManifests(text, options);
  findDuplicates(result);
  if (result.issues.some((i) => i.severity === 'error')) throw new ManifestError(result.issues);
  return result.objects;
}
