import { isIP } from 'node:net';
import { loadKubeletServingCertificate } from '../agent/kubelet-serving-cert.js';
import { startNodeRuntime } from '../agent/node-runtime.js';
import { CliExit, exitCodes } from '../cli/exit.js';
import { untilStopSignal } from '../cli/signals.js';
import type { AgentOptions } from './agent.command.js';
import { defaultLabDataDir } from './lab-data-dir.js';
import { openStore, parseStoreOption } from './up-store.js';

/** Runs one node of a lab until SIGINT/SIGTERM; pods stop with their grace periods and stay in the store. */
export async function runAgent(options: AgentOptions): Promise<void> {
  if (parseStoreOption(options.store).kind !== 'redis')
    throw new CliExit(exitCodes.userError, 'error: --store must be redis://HOST:PORT[/db]: agents share the lab through Redis');
  if (!isIP(options.advertise))
    throw new CliExit(exitCodes.userError, `error: --advertise must be an IP address, got "${options.advertise}"`);
  const kubeletCertificate = kubeletCertificateOf(options);
  const store = (await openStore(options.store, options.lab))!;
  const started = performance.now();
  const log = (message: string) => process.stderr.write(`${message}\n`);
  let runtime: Awaited<ReturnType<typeof startNodeRuntime>>;
  try {
    runtime = await startNodeRuntime({
      store,
      node: options.node,
      advertise: options.advertise,
      zone: options.zone,
      dataDir: options.dataDir ?? defaultLabDataDir(options.lab),
      heartbeatMs: options.heartbeat,
      admissionTimeoutMs: options.admissionTimeout,
      kubeletCertificate,
      log,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const endpoint = (await runtime.podNetwork.agent(options.node)).endpoint;
  process.stdout.write(
    `kemu agent ${options.node} up in ${Math.round(performance.now() - started)} ms: tunnel ${endpoint.address}:${endpoint.tunnelPort}, VXLAN ${endpoint.address}:${endpoint.vxlanPort}, kubelet ${runtime.kubelet.url}\n`,
  );
  await untilStopSignal();
  process.stdout.write(`stopping node ${options.node}: pods get SIGTERM and their grace period…\n`);
  await runtime.close();
  await store.close();
  process.stdout.write('agent stopped\n');
}

/** The certificate of `--kubelet-tls-cert` and `--kubelet-tls-key`, which go together; undefined for a generated one. */
function kubeletCertificateOf(options: AgentOptions) {
  const { kubeletTlsCert: cert, kubeletTlsKey: key } = options;
  if (!cert && !key) return undefined;
  if (!cert || !key)
    throw new CliExit(
      exitCodes.userError,
      'error: --kubelet-tls-cert and --kubelet-tls-key go together: give both, or neither for a self-signed certificate',
    );
  return loadKubeletServingCertificate(cert, key);
}
