import { type OutputFormat, printData } from '../cli/output.js';
import { versionInfo } from '../version.js';

/** Prints kemu's version information. */
export async function runVersion(options: { output: string }): Promise<void> {
  await printData(options.output as OutputFormat, versionInfo, () =>
    Object.entries(versionInfo)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
  );
}
