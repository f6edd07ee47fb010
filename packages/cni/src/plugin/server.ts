// The thick-plugin side of kemu-cni: a long-lived process (the node agent) answers CNI requests
// on a unix socket, so the per-pod exec is a tiny shell shim instead of a Node start (the design
// Multus and Cilium use). bin/kemu-cni falls back to running standalone when no socket answers.
import { rmSync } from 'node:fs';
import http, { type Server } from 'node:http';
import { type PluginInput, runPlugin } from './run.js';

/** The CNI_* variables the shim forwards as `X-Cni-*` headers (header names are lower-case). */
export const forwardedEnv = [
  'CNI_COMMAND',
  'CNI_CONTAINERID',
  'CNI_NETNS',
  'CNI_IFNAME',
  'CNI_ARGS',
  'CNI_PATH',
  'KEMU_CNI_COMPAT',
] as const;

/** Options of {@link startPluginServer}. */
export interface PluginServerOptions {
  /** Unix socket path, e.g. `/run/kemu/cni.sock` (the shim reads `KEMU_CNI_SOCKET`). */
  socketPath: string;
  openStore?: PluginInput['openStore'];
}

/**
 * Serves `POST /cni`: headers carry the environment, the body is the network config; the answer's
 * body is the plugin's stdout and its status 200 (exit 0) or 400 (exit 1).
 */
export async function startPluginServer(options: PluginServerOptions): Promise<Server> {
  rmSync(options.socketPath, { force: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const env: Record<string, string> = {};
      for (const name of forwardedEnv) {
        const v = req.headers[`x-${name.toLowerCase().replace(/_/g, '-')}`];
        if (typeof v === 'string' && v !== '') env[name] = v;
      }
      void runPlugin({
        env,
        stdin: Buffer.concat(chunks).toString('utf8'),
        ...(options.openStore ? { openStore: options.openStore } : {}),
      }).then((out) => {
        res.writeHead(out.exitCode === 0 ? 200 : 400, { 'content-type': 'application/json' });
        res.end(out.stdout);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => resolve());
  });
  return server;
}
