import { type IPVSScheduler, Proxier, route } from '@kemu/kube-proxy';
import { CliExit, exitCodes } from '../cli/exit.js';
import { loadManifestsForCommand } from '../cli/manifests.js';
import { type OutputFormat, printData } from '../cli/output.js';
import { nodeProxierConfig } from './kube-proxy-render.action.js';
import type { RouteServiceOptions } from './kube-proxy-route.command.js';

/** Prints the selection for one connection with its reasons. */
export async function runKubeProxyRoute(service: string, options: RouteServiceOptions): Promise<void> {
  const { objects } = await loadManifestsForCommand(options.filename);
  const port = Number(options.clientPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliExit(exitCodes.userError, `--client-port must be 0–65535, got "${options.clientPort}"`);
  }
  const proxier = Proxier.from(objects, nodeProxierConfig(objects, options.fromNode, options.clusterCidr));
  const selection = route(proxier, {
    servicePort: service,
    via: options.via,
    clientIP: options.clientIp,
    clientPort: port,
    mode: options.mode,
    scheduler: options.scheduler as IPVSScheduler,
  });
  const data = {
    service: selection.servicePort,
    node: options.fromNode,
    client: `${options.clientIp}:${port}`,
    via: options.via,
    mode: options.mode,
    verdict: selection.verdict,
    endpoint: selection.endpoint
      ? {
          address: selection.endpoint.endpoint,
          nodeName: selection.endpoint.nodeName || undefined,
          pod: selection.endpoint.podName,
          zone: selection.endpoint.zone || undefined,
        }
      : null,
    masquerade: selection.masquerade,
    chains: selection.chains,
    candidates: selection.candidates,
    reasons: selection.reasons,
  };
  await printData(options.output as OutputFormat, data, () =>
    [
      `${data.service} via ${data.via} from ${data.client} on ${data.node}: ${data.verdict}${data.endpoint ? ` → ${data.endpoint.address}` : ''}`,
      ...selection.reasons.map((r) => `  - ${r.code}: ${r.detail}`),
    ].join('\n'),
  );
}
