/** A field path as segments: names and array indexes. */
export type FieldPath = readonly (string | number)[];

/** `spec.ports[0].port`, `metadata.labels[app.kubernetes.io/name]` — kubectl's field path form. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${segment}]`;
  }
  return out;
}
