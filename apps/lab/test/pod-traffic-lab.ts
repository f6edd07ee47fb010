import { type EndpointSlice, type Pod, parseManifestsOrThrow } from '@kemu/core';
import { readPodNetwork } from '../src/lab/runtime/pod-network-annotation.js';
import { type FullLab, startFullLab } from '../src/wiring/full-lab.js';
import { eventually } from './helpers.js';

/**
 * Two nodes; in namespace `shop` a `web` pod (kemu-worker2) behind Service `web`, and three
 * clients on kemu-worker: `client`, which the NetworkPolicy `web-ingress` lets in, `intruder`,
 * which it does not, and `locked`, whose own policy `locked-egress` denies all its egress.
 */
export const podTrafficManifests = `
apiVersion: v1
kind: Node
metadata: {name: kemu-worker}
---
apiVersion: v1
kind: Node
metadata: {name: kemu-worker2}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  nodeName: kemu-worker2
  containers: [{name: web, image: kemu/echo, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec:
  nodeName: kemu-worker
  containers: [{name: c, image: kemu/echo, ports: [{containerPort: 9000}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: intruder, namespace: shop, labels: {app: intruder}}
spec:
  nodeName: kemu-worker
  containers: [{name: c, image: kemu/echo, ports: [{containerPort: 9000}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: locked, namespace: shop, labels: {app: locked}}
spec:
  nodeName: kemu-worker
  containers: [{name: c, image: kemu/echo, ports: [{containerPort: 9000}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: locked-egress, namespace: shop}
spec: {podSelector: {matchLabels: {app: locked}}, policyTypes: [Egress]}
`;

/** Starts the lab in-process (API on a free port) and waits until every pod publishes its network. */
export async function startPodTrafficLab(): Promise<FullLab> {
  const full = await startFullLab({
    objects: parseManifestsOrThrow(podTrafficManifests),
    dashboardPort: false,
    ingressPort: 0,
    api: { port: 0 },
  });
  try {
    await full.lab.ready();
    await eventually(
      async () => {
        const pods = await full.lab.store.list<Pod>('Pod', { namespace: 'shop' });
        const slices = await full.lab.store.list<EndpointSlice>('EndpointSlice', { namespace: 'shop' });
        const webReady = slices.items.some((s) => s.endpoints.some((e) => e.conditions?.ready !== false));
        return (
          webReady &&
          pods.items.length === 4 &&
          pods.items.every((p) => p.status?.phase === 'Running' && readPodNetwork(p)?.httpProxy)
        );
      },
      10_000,
      'pods running with their network published and web ready',
    );
  } catch (error) {
    await full.close();
    throw error;
  }
  return full;
}
