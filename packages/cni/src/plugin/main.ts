// Process entry of the kemu-cni binary: stdin, env, stdout, exit code.
import type { Store } from '@kemu/core';
import { runPlugin } from './run.js';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Opens `redis://…` with @kemu/core/redis, loaded only when a config asks for it. */
async function openStore(url: string): Promise<Store> {
  const specifier = '@kemu/core/redis';
  const mod = (await import(specifier)) as { createRedisStore(o: { url: string; lab?: string }): Store };
  return mod.createRedisStore({ url, lab: 'kemu-cni' });
}

const command = process.env.CNI_COMMAND;
const stdin = command && command !== 'VERSION' ? await readStdin() : '';
const out = await runPlugin({ env: process.env, stdin, openStore });
if (out.stderr) process.stderr.write(out.stderr);
process.stdout.write(out.stdout, () => process.exit(out.exitCode));
