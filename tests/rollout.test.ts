import type { Deployment, Pod } from '@kemu/core';
import { createLab, type LabResponse } from 'kemu/testing';
import { describe, expect, it } from 'vitest';

// Issue 7, end-to-end: "Rolling update of a 5-replica Deployment while a client sends a steady 200
// requests/s through the ingress for the whole rollout: zero failed requests." Zero-downtime relies on
// what Kubernetes relies on: a readinessProbe gating new pods into the EndpointSlice, and a preStop
// sleep so a terminating pod leaves the endpoints before it stops listening
// (kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination).
function manifests(version: string): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 5
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: kemu/echo
        env: [{name: VERSION, value: "${version}"}]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1}
        lifecycle: {preStop: {sleep: {seconds: 1}}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  ingressClassName: nginx
  rules:
  - host: web.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
`;
}

/** The Deployment controller's "complete" condition (deployment_util.go DeploymentComplete). */
function rolledOut(d: Deployment | undefined): boolean {
  const s = d?.status;
  return (
    !!d &&
    !!s &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
    s.updatedReplicas === 5 &&
    s.replicas === 5 &&
    s.availableReplicas === 5
  );
}

describe('rolling update under load (e2e)', () => {
  it('serves a steady 200 requests/s through the ingress with zero failures while 5 replicas roll', async () => {
    await using lab = await createLab(manifests('v1'), { nodes: 2 });
    await lab.ready();
    const store = lab.full.lab.store;
    const podNames = async () => (await store.list<Pod>('Pod')).items.map((p) => p.metadata.name);
    const oldPods = new Set(await podNames());
    expect(oldPods.size).toBe(5);

    const answers: { status: number; pod?: string; error?: string }[] = [];
    const inFlight = new Set<Promise<void>>();
    const send = () => {
      const request: Promise<void> = lab.request('/', { host: 'web.test' }).then(
        (res: LabResponse) => {
          const pod = (res.json as { pod?: string } | undefined)?.pod;
          answers.push({ status: res.status, pod, ...(res.status === 200 ? {} : { error: res.text.slice(0, 200) }) });
        },
        (error: Error) => {
          answers.push({ status: 0, error: error.message });
        },
      );
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
    };
    // 200 requests/s: one every 5 ms, not waiting for answers (an open-loop client).
    const client = setInterval(send, 5);
    try {
      await new Promise((r) => setTimeout(r, 300));
      await lab.apply(manifests('v2'));
      const deadline = Date.now() + 40_000;
      let deployment: Deployment | undefined;
      do {
        await new Promise((r) => setTimeout(r, 100));
        deployment = await store.get<Deployment>({ kind: 'Deployment', namespace: 'default', name: 'web' });
      } while (!rolledOut(deployment) && Date.now() < deadline);
      expect(rolledOut(deployment)).toBe(true);
      // Keep sending until the last old pod has stopped, so its termination is under load too.
      while ((await podNames()).some((name) => oldPods.has(name)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      clearInterval(client);
      await Promise.all(inFlight);
    }
    const failed = answers.filter((a) => a.status !== 200);
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
    expect(answers.length).toBeGreaterThan(200);
    const newPods = new Set((await podNames()).filter((name) => !oldPods.has(name)));
    expect(newPods.size).toBe(5);
    const seen = new Set(answers.map((a) => a.pod));
    expect([...oldPods].some((p) => seen.has(p))).toBe(true);
    expect([...newPods].some((p) => seen.has(p))).toBe(true);
  }, 60_000);
});
