import { KemuError } from '../errors/kemu-error.js';

/** One problem found in a manifest, located precisely enough to jump to it. */
export interface ManifestIssue {
  /** The file as given (`-` or `<stdin>` for standard input, `<inline>` for strings). */
  file: string;
  /** 0-based index of the YAML document in the file. */
  document: number;
  /** 1-based line and column of the offending node (or its nearest existing parent). */
  line: number;
  column: number;
  /** `Kind/namespace/name` when known. */
  object?: string;
  /** Field path in kubectl's form, e.g. `spec.ports[0].port`; empty for the whole document. */
  path: string;
  /** What is wrong and what was expected. */
  message: string;
  severity: 'error' | 'warning';
}

/** `FILE:LINE:COL: Kind/namespace/name: field.path: message`, the form `kemu validate` prints. */
export function formatIssue(issue: ManifestIssue): string {
  const parts = [`${issue.file}:${issue.line}:${issue.column}`];
  if (issue.object) parts.push(issue.object);
  if (issue.path) parts.push(issue.path);
  parts.push(issue.severity === 'warning' ? `warning: ${issue.message}` : issue.message);
  return parts.join(': ');
}

/** Thrown by the loading functions that do not return issues: carries every issue found. */
export class ManifestError extends KemuError {
  constructor(readonly issues: readonly ManifestIssue[]) {
    const errors = issues.filter((i) => i.severity === 'error');
    const shown = errors.slice(0, 20).map(formatIssue).join('\n');
    const more = errors.length > 20 ? `\n… and ${errors.length - 20} more` : '';
    super('KEMU_MANIFEST_INVALID', `${errors.length} error(s) in manifests:\n${shown}${more}`);
  }
}
