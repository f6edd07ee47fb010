// Policy verdicts/s with 1,000 policies over 10,000 pods in 100 namespaces, and compile time.
import type { NetworkPolicy } from '@kemu/core';
import { compileNetworkPolicies, type PolicyPod } from '../src/index.js';

export function benchPolicy(): void {
  const namespaces = Array.from({ length: 100 }, (_, i) => ({ name: `ns-${i}`, labels: { tier: i % 2 ? 'back' : 'front' } }));
  const pods: PolicyPod[] = [];
  for (let i = 0; i < 10_000; i++) {
    const ns = `ns-${i % 100}`;
    pods.push({
      namespace: ns,
      name: `pod-${i}`,
      labels: { app: `app-${i % 20}`, version: `v${i % 3}` },
      ips: [`10.${244 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`],
      ports: [{ name: 'http', containerPort: 8080 }],
    });
  }
  const policies: NetworkPolicy[] = [];
  for (let i = 0; i < 1000; i++) {
    const ns = `ns-${i % 100}`;
    policies.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `p-${i}`, namespace: ns },
      spec: {
        podSelector: { matchLabels: { app: `app-${i % 20}` } },
        policyTypes: i % 4 === 0 ? ['Ingress', 'Egress'] : ['Ingress'],
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: { app: `app-${(i + 1) % 20}` } } },
              {
                namespaceSelector: { matchLabels: { tier: 'front' } },
                podSelector: { matchExpressions: [{ key: 'version', operator: 'In', values: ['v1', 'v2'] }] },
              },
            ],
            ports: [{ port: 'http' }, { port: 9000, endPort: 9100 }],
          },
          { from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.200.0/24'] } }], ports: [{ port: 443 }] },
        ],
        egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 8080 }, { port: 53, protocol: 'UDP' }] }],
      },
    });
  }
  const t0 = performance.now();
  const engine = compileNetworkPolicies({ policies, namespaces, pods });
  const compileMs = performance.now() - t0;
  // Pairs chosen up front so the loop measures verdicts only.
  const srcs = Array.from({ length: 4096 }, (_, i) => pods[(i * 7919) % pods.length]!);
  const dsts = Array.from({ length: 4096 }, (_, i) => pods[(i * 104729 + 13) % pods.length]!);
  const flows = [{ port: 8080 }, { port: 443 }, { port: 9050 }, { port: 53, protocol: 'UDP' as const }];
  let n = 0;
  let allowed = 0;
  const start = performance.now();
  while (performance.now() - start < 2000) {
    for (let i = 0; i < 4096; i++) {
      if (engine.verdict(srcs[i]!, dsts[i]!, flows[i & 3]!).allowed) allowed++;
    }
    n += 4096;
  }
  const secs = (performance.now() - start) / 1000;
  console.log(`policy: compile 1,000 policies / 10,000 pods / 100 namespaces: ${compileMs.toFixed(0)} ms (target < 1000 ms)`);
  console.log(
    `policy: ${Math.round(n / secs).toLocaleString('en-US')} verdicts/s (target >= 1,000,000; ${((allowed / n) * 100).toFixed(0)}% allowed)`,
  );
}
