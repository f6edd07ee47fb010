import { writeFile } from 'node:fs/promises';
import type { KubernetesObject } from '@kemu/core';
import { CliExit, exitCodes } from '../cli/exit.js';
import { loadManifestsForCommand } from '../cli/manifests.js';
import { buildTopology, toMermaid, toSvg } from '../graph/index.js';
import type { GraphOptions } from './graph.command.js';

/** The objects of a running lab, from its dashboard's state endpoint. */
async function labObjects(dashboard: string): Promise<KubernetesObject[]> {
  const url = `${dashboard.replace(/\/$/, '')}/kemu/v1/state`;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return ((await response.json()) as { objects: KubernetesObject[] }).objects;
  } catch (error) {
    throw new CliExit(
      exitCodes.userError,
      `cannot read ${url}: ${(error as Error).message} (is a lab running? start one with kemu up)`,
    );
  }
}

/** Prints (or writes) the diagram of the manifests or of a running lab. */
export async function runGraph(options: GraphOptions): Promise<void> {
  if (!options.filename?.length && !options.lab)
    throw new CliExit(exitCodes.userError, 'give manifests with -f, or --lab for a running lab');
  const objects = options.lab
    ? await labObjects(options.lab === true ? (process.env.KEMU_DASHBOARD ?? 'http://127.0.0.1:7070') : options.lab)
    : (await loadManifestsForCommand(options.filename ?? [])).objects;
  const topology = buildTopology(objects);
  const text = options.format === 'svg' ? toSvg(topology) : toMermaid(topology);
  if (options.out) await writeFile(options.out, text);
  else process.stdout.write(text);
}
