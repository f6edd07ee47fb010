import type { KubernetesObject } from '@kemu/core';
import { type OutputFormat, printData } from '../cli/output.js';
import { resourceOfKind } from '../lab/api/resources.js';
import { LabClient } from '../lab/client/api-client.js';
import { echoAnswer, sendFromPod } from '../lab/client/pod-request.js';
import { addressedUrl, parseRequestUrl, resolveFor, sourcePod } from './pod-target.js';
import { agreement, formatSideBySide, type RealTrace } from './trace-live-format.js';
import { traceModel } from './trace-live-model.js';

/** Options of the live form of `kemu trace`. */
export interface LiveTraceOptions {
  from: string;
  namespace: string;
  request?: string;
  output?: string;
  server?: string;
  token?: string;
}

const kinds = ['Node', 'Namespace', 'Pod', 'Service', 'EndpointSlice', 'NetworkPolicy'] as const;

/**
 * Reads the lab's objects, traces the request through the models (kube-proxy on the source
 * node, then the CNI overlay and policies) and sends it for real through the pod's proxy, then
 * prints both accounts side by side.
 */
export async function runLiveTrace(text: string, options: LiveTraceOptions): Promise<void> {
  const url = parseRequestUrl(text);
  const client = new LabClient(options);
  const pod = await sourcePod(client, options.from, options.namespace);
  const objects: KubernetesObject[] = (await Promise.all(kinds.map((k) => client.list(resourceOfKind(k))))).flat();
  const resolved = await resolveFor(client, url, pod, objects);
  const port = Number(url.port || 80);
  const model = traceModel(objects, {
    namespace: pod.namespace,
    pod: pod.name,
    podIP: pod.podIP,
    node: pod.node,
    destIP: resolved.ip,
    destPort: port,
  });
  let real: RealTrace;
  try {
    const response = await sendFromPod(pod, {
      url: addressedUrl(url, resolved.ip),
      host: url.host,
      method: options.request ?? 'GET',
    });
    const answeredBy = echoAnswer(response);
    real = {
      status: response.status,
      statusMessage: response.statusMessage,
      hops: response.hops,
      ...(response.refusal !== undefined ? { refusal: response.refusal } : {}),
      ...(answeredBy ? { answeredBy } : {}),
    };
  } catch (error) {
    real = { status: 0, statusMessage: '', hops: [], error: (error as Error).message };
  }
  const data = {
    from: { pod: `${pod.namespace}/${pod.name}`, podIP: pod.podIP, node: pod.node, httpProxy: pod.httpProxy },
    url: url.href,
    resolved,
    model: JSON.parse(JSON.stringify(model)) as unknown,
    real,
    agreement: agreement(model, real),
  };
  await printData((options.output ?? 'text') as OutputFormat, data, () => {
    const lines = [`trace from pod ${data.from.pod} (${pod.podIP}) on ${pod.node} to ${url.href}`];
    if (resolved.source === 'cluster-dns') {
      lines.push(
        `${resolved.host} -> ${resolved.ip} (${resolved.name}): cluster DNS, resolved by kemu as the pod's resolver would`,
      );
    }
    lines.push('', formatSideBySide(model, real), '', data.agreement);
    return lines.join('\n');
  });
}
