/** How a command prints data: `--output json|yaml|text`. */
export type OutputFormat = 'json' | 'yaml' | 'text';

/** The accepted values of `--output`. */
export const outputFormats: readonly OutputFormat[] = ['json', 'yaml', 'text'];

/** Prints `data` as JSON or YAML, or calls `text` for the human form. */
export async function printData(format: OutputFormat, data: unknown, text: () => string): Promise<void> {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  } else if (format === 'yaml') {
    const { stringify } = await import('yaml');
    process.stdout.write(stringify(data));
  } else {
    const out = text();
    process.stdout.write(out.endsWith('\n') || out === '' ? out : `${out}\n`);
  }
}
