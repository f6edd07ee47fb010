import { readFile } from 'node:fs/promises';
import { CliExit, exitCodes } from '../cli/exit.js';
import { loadManifestsForCommand } from '../cli/manifests.js';
import { compareRouters, formatCheckJUnit, formatCheckText } from '../migrate/check.js';
import { generateCorpus, parseRequestLines } from '../migrate/corpus.js';
import { buildRouters } from '../migrate/routers.js';

/** Compares both routers; exit 0 when equivalent, 4 when not, 1 on bad input. */
export async function runMigrateCheck(options: {
  from: string[];
  to: string[];
  requests?: string;
  output: 'text' | 'json' | 'junit';
}): Promise<void> {
  const before = (await loadManifestsForCommand(options.from)).objects;
  const after = (await loadManifestsForCommand(options.to)).objects;
  const corpus = generateCorpus(before, after);
  if (options.requests) {
    const { requests, errors } = parseRequestLines(await readFile(options.requests, 'utf8'));
    if (errors.length > 0) throw new CliExit(exitCodes.userError, errors.map((e) => `${options.requests}: ${e}`).join('\n'));
    corpus.push(...requests);
  }
  const routers = buildRouters(before, after);
  const result = compareRouters(routers.old, routers.new, corpus);
  if (options.output === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (options.output === 'junit') process.stdout.write(formatCheckJUnit(result));
  else process.stdout.write(formatCheckText(result));
  if (result.differences.length > 0) throw new CliExit(exitCodes.different);
}
