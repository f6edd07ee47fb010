import { type KubernetesObject, type NetworkPolicy, type Node, type Pod, parseManifestsOrThrow } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { buildClusterModel } from './cluster.js';
import { tracePacket } from './trace.js';

const objects = parseManifestsOrThrow(`
apiVersion: v1
kind: Node
metadata: {name: n1}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default, labels: {app: web}}
spec: {nodeName: n1, containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: default, labels: {app: api}}
spec: {nodeName: n2, containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: cache, namespace: default, labels: {app: cache}}
spec: {nodeName: n1, containers: [{name: c, image: x}]}
status: {podIP: 10.244.0.77}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-in, namespace: default}
spec: {podSelector: {matchLabels: {app: api}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}
`);
const of = <T extends KubernetesObject>(kind: string) => objects.filter((o) => o.kind === kind) as T[];
const model = buildClusterModel({ nodes: of<Node>('Node'), pods: of<Pod>('Pod'), policies: of<NetworkPolicy>('NetworkPolicy') });

describe('tracePacket', () => {
  it('addresses pods as host-local would on their node, or by status.podIP', () => {
    expect(model.pods.map((p) => [p.name, p.ip])).toEqual([
      ['web', '10.244.0.2'],
      ['api', '10.244.1.2'],
      ['cache', '10.244.0.77'],
    ]);
  });

  it('shows route, VXLAN encapsulation and both verdicts across nodes', () => {
    const t = tracePacket(model, 'default/web', 'default/api', { port: 80 });
    expect(t.delivered).toBe(true);
    expect(t.hops.map((h) => h.kind)).toEqual([
      'pod',
      'policy',
      'route',
      'encapsulation',
      'decapsulation',
      'bridge',
      'policy',
      'pod',
    ]);
    expect(t.hops[3]).toMatchObject({
      vni: 1,
      outer: { src: '127.0.0.2', dst: '127.0.0.3', dstPort: 8472 },
      inner: { src: '10.244.0.2', dst: '10.244.1.2', srcMac: '0e:2a:7f:00:00:02', dstMac: '0e:2a:7f:00:00:03' },
    });
  });

  it('stays on the bridge for same-node pods', () => {
    const t = tracePacket(model, 'default/web', '10.244.0.77', { port: 6379 });
    expect(t.hops.map((h) => h.kind)).toEqual(['pod', 'policy', 'bridge', 'policy', 'pod']);
  });

  it('drops at the destination node when ingress policy denies', () => {
    const t = tracePacket(model, 'default/cache', 'default/api', { port: 80 });
    expect(t.delivered).toBe(false);
    expect(t.hops.at(-1)).toMatchObject({ kind: 'drop', node: 'n2' });
    expect(t.verdict.ingress.policies).toEqual(['default/api-in']);
  });
});
