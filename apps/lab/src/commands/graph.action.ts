import { writeFile } from 'node:fs/promises';
import { loadManifestsForCommand } from '../cli/manifests.js';
import { buildTopology, toMermaid, toSvg } from '../graph/index.js';

/** Prints (or writes) the diagram of the manifests. */
export async function runGraph(options: { filename: string[]; format: 'mermaid' | 'svg'; out?: string }): Promise<void> {
  const { objects } = await loadManifestsForCommand(options.filename);
  const topology = buildTopology(objects);
  const text = options.format === 'svg' ? toSvg(topology) : toMermaid(topology);
  if (options.out) await writeFile(options.out, text);
  else process.stdout.write(text);
}
