import type { Node, PersistentVolumeClaim, Pod, ReplicaSet, StatefulSet } from '@kemu/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lab } from '../src/lab/index.js';
import { isPodReady } from '../src/lab/pods.js';
import { eventually } from './helpers.js';

// The control loops inside a running lab (two nodes, no API server).

let lab: Lab;

beforeEach(async () => {
  lab = new Lab({ nodes: 2, api: false, heartbeatMs: 100, backOff: { initialMs: 50, maxMs: 200 }, probeTimeScale: 0.05 });
  await lab.start();
});

afterEach(async () => {
  await lab.close();
});

const pods = async () => (await lab.store.list<Pod>('Pod', { namespace: 'default' })).items;

describe('StatefulSet controller', () => {
  // statefulset: OrderedReady creates <set>-0 then <set>-1 once -0 is Running and Ready; one PVC per claim template and ordinal.
  it('creates ordered pods with stable names, hostnames and per-pod claims', async () => {
    await lab.apply(`
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  serviceName: db
  replicas: 3
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: kemu/echo
        volumeMounts: [ { name: data, mountPath: /data } ]
  volumeClaimTemplates:
  - metadata: { name: data }
    spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
`);
    const ready = await eventually(
      async () => {
        const list = await pods();
        return list.length === 3 && list.every(isPodReady) ? list : undefined;
      },
      8000,
      'three ready pods',
    );
    expect(ready.map((p) => p.metadata.name).sort()).toEqual(['db-0', 'db-1', 'db-2']);
    const db1 = ready.find((p) => p.metadata.name === 'db-1')!;
    expect(db1.spec).toMatchObject({ hostname: 'db-1', subdomain: 'db' });
    expect(db1.metadata.labels).toMatchObject({
      'statefulset.kubernetes.io/pod-name': 'db-1',
      'apps.kubernetes.io/pod-index': '1',
    });
    expect(db1.spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'data-db-1' } });
    // Ordered: each pod was created after the one before it became ready.
    const created = (name: string) => ready.find((p) => p.metadata.name === name)!.status!.startTime!;
    expect(created('db-0') <= created('db-1') && created('db-1') <= created('db-2')).toBe(true);
    const claims = (await lab.store.list<PersistentVolumeClaim>('PersistentVolumeClaim', { namespace: 'default' })).items;
    expect(claims.map((c) => c.metadata.name).sort()).toEqual(['data-db-0', 'data-db-1', 'data-db-2']);
    const set = await eventually(async () => {
      const s = await lab.store.get<StatefulSet>({ kind: 'StatefulSet', namespace: 'default', name: 'db' });
      return s?.status?.readyReplicas === 3 ? s : undefined;
    });
    expect(set.status?.replicas).toBe(3);
  });

  it('scales down from the highest ordinal and keeps the claims', async () => {
    const yaml = (replicas: number) => `
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: kv }
spec:
  replicas: ${replicas}
  podManagementPolicy: Parallel
  selector: { matchLabels: { app: kv } }
  template:
    metadata: { labels: { app: kv } }
    spec: { terminationGracePeriodSeconds: 1, containers: [ { name: c, image: kemu/echo } ] }
`;
    await lab.apply(yaml(3));
    await eventually(async () => (await pods()).filter(isPodReady).length === 3, 5000, '3 ready');
    await lab.apply(yaml(1));
    await eventually(async () => (await pods()).map((p) => p.metadata.name).join() === 'kv-0', 8000, 'only kv-0 left');
  });
});

describe('StatefulSet rolling update', () => {
  // RollingUpdate: pods are replaced from the highest ordinal down, one at a time, each Ready before the next.
  it('replaces pods highest ordinal first with the new revision', async () => {
    const yaml = (version: string) => `
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: ru }
spec:
  replicas: 2
  selector: { matchLabels: { app: ru } }
  template:
    metadata: { labels: { app: ru }, annotations: { version: "${version}" } }
    spec: { terminationGracePeriodSeconds: 0, containers: [ { name: c, image: kemu/echo } ] }
`;
    await lab.apply(yaml('1'));
    await lab.ready(5000);
    const first = (await pods()).map((p) => p.metadata.labels?.['controller-revision-hash']);
    const deletions: string[] = [];
    const watch = lab.store.watch<Pod>({ kind: 'Pod', resourceVersion: (await lab.store.list('Pod')).resourceVersion });
    const seen = (async () => {
      for await (const event of watch) if (event.type === 'DELETED') deletions.push(event.object.metadata.name);
    })();
    await lab.apply(yaml('2'));
    await eventually(
      async () => {
        const list = await pods();
        return (
          list.length === 2 &&
          list.every((p) => isPodReady(p) && !first.includes(p.metadata.labels?.['controller-revision-hash']))
        );
      },
      8000,
      'both pods on the new revision',
    );
    watch.close();
    await seen;
    expect(deletions).toEqual(['ru-1', 'ru-0']);
  });
});

describe('scheduler in the lab', () => {
  it('leaves a pod Pending with the FitError message when no node fits, and places it when one does', async () => {
    await lab.apply(`
apiVersion: v1
kind: Pod
metadata: { name: picky }
spec:
  nodeSelector: { disk: ssd }
  containers: [ { name: c, image: kemu/echo } ]
`);
    const pending = await eventually(async () => {
      const pod = await lab.store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'picky' });
      return pod?.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False') ? pod : undefined;
    });
    expect(pending.status?.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({
      reason: 'Unschedulable',
      message: "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.",
    });
    const node = (await lab.store.get<Node>({ kind: 'Node', name: 'kemu-worker2' }))!;
    node.metadata.labels = { ...node.metadata.labels, disk: 'ssd' };
    await lab.store.update(node);
    const placed = await eventually(async () => {
      const pod = await lab.store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'picky' });
      return pod?.spec.nodeName ? pod : undefined;
    });
    expect(placed.spec.nodeName).toBe('kemu-worker2');
  });
});

describe('Deployment controller', () => {
  const deployment = (image: string, history = 1) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: app }
spec:
  replicas: 1
  revisionHistoryLimit: ${history}
  selector: { matchLabels: { app: app } }
  template:
    metadata: { labels: { app: app } }
    spec: { terminationGracePeriodSeconds: 0, containers: [ { name: c, image: "${image}" } ] }
`;

  // deployment sync.go cleanupDeployment: only revisionHistoryLimit old ReplicaSets are kept.
  it('keeps revisionHistoryLimit old ReplicaSets and numbers revisions', async () => {
    for (const tag of ['1', '2', '3']) {
      await lab.apply(deployment(`kemu/echo:${tag}`));
      await eventually(
        async () => {
          const sets = (await lab.store.list<ReplicaSet>('ReplicaSet', { namespace: 'default' })).items;
          const current = sets.find((s) => s.spec.template.spec.containers[0]!.image === `kemu/echo:${tag}`);
          return current?.status?.readyReplicas === 1 && sets.every((s) => s === current || s.spec.replicas === 0);
        },
        5000,
        `revision with tag ${tag}`,
      );
    }
    const sets = await eventually(
      async () => {
        const list = (await lab.store.list<ReplicaSet>('ReplicaSet', { namespace: 'default' })).items;
        return list.length === 2 ? list : undefined;
      },
      5000,
      'history pruned to one old ReplicaSet',
    );
    expect(sets.map((s) => s.metadata.annotations?.['deployment.kubernetes.io/revision']).sort()).toEqual(['2', '3']);
  });

  // rolloutRecreate: every old pod is gone before a new one is created.
  it('recreates: old pods are gone before new ones start', async () => {
    const yaml = (image: string) => deployment(image).replace('replicas: 1', 'replicas: 2\n  strategy: { type: Recreate }');
    await lab.apply(yaml('kemu/echo:1'));
    await eventually(async () => (await pods()).filter(isPodReady).length === 2, 5000, 'two ready pods');
    const images = new Set<string>();
    const watch = lab.store.watch<Pod>({ kind: 'Pod' });
    let overlap = false;
    const live = new Map<string, string>();
    const seen = (async () => {
      for await (const event of watch) {
        const image = event.object.spec.containers[0]!.image!;
        images.add(image);
        if (event.type === 'DELETED') live.delete(event.object.metadata.name);
        else live.set(event.object.metadata.name, image);
        if (new Set(live.values()).size > 1) overlap = true;
      }
    })();
    await lab.apply(yaml('kemu/echo:2'));
    await eventually(
      async () => {
        const list = await pods();
        return list.length === 2 && list.every((p) => isPodReady(p) && p.spec.containers[0]!.image === 'kemu/echo:2');
      },
      5000,
      'two new ready pods',
    );
    watch.close();
    await seen;
    expect(images.has('kemu/echo:2')).toBe(true);
    expect(overlap).toBe(false);
  });

  // garbagecollector: deleting the Deployment deletes its ReplicaSets and their pods.
  it('cascades a Deployment delete to its ReplicaSets and pods', async () => {
    await lab.apply(deployment('kemu/echo'));
    await eventually(async () => (await pods()).some(isPodReady), 5000, 'a ready pod');
    await lab.delete([{ kind: 'Deployment', namespace: 'default', name: 'app' }]);
    await eventually(
      async () => (await pods()).length === 0 && (await lab.store.list('ReplicaSet')).items.length === 0,
      5000,
      'everything gone',
    );
  });
});

describe('probes in the lab', () => {
  // prober: a failing liveness probe restarts the container and counts a restart.
  it('restarts a container whose liveness probe fails', async () => {
    await lab.apply(`
apiVersion: v1
kind: Pod
metadata: { name: sick, annotations: { kemu.dev/run-local: "true" } }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: [sleep, "30"]
    ports: [ { containerPort: 8080 } ]
    livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 1 }
`);
    const pod = await eventually(
      async () => {
        const p = await lab.store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'sick' });
        return (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined;
      },
      5000,
      'a restart',
    );
    expect(pod.status?.containerStatuses?.[0]?.lastState).toMatchObject({ terminated: { exitCode: 137 } });
    // The instance the probe killed is the previous one (kubectl logs --previous).
    expect(lab.logs('default', 'sick', { previous: true })).toContain('failed liveness probe');
  });

  it('keeps PVC bytes across pod re-creation with the default volumes', async () => {
    const podYaml = `
apiVersion: v1
kind: Pod
metadata: { name: writer, annotations: { kemu.dev/run-local: "true" } }
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: busybox
    command: [sh, -c, 'cat $KEMU_VOLUME_DATA/file 2>/dev/null; echo hello > $KEMU_VOLUME_DATA/file']
  volumes: [ { name: data, persistentVolumeClaim: { claimName: data } } ]
`;
    await lab.apply(podYaml);
    await eventually(
      async () =>
        (await lab.store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'writer' }))?.status?.phase === 'Succeeded',
    );
    await lab.delete([{ kind: 'Pod', namespace: 'default', name: 'writer' }]);
    await eventually(async () => !(await lab.store.get({ kind: 'Pod', namespace: 'default', name: 'writer' })));
    await lab.apply(podYaml);
    await eventually(
      () => lab.logs('default', 'writer')?.includes('hello'),
      5000,
      'the second pod to read the first one’s bytes',
    );
  });
});

describe('nodes joining a running lab', () => {
  it('runs pods on a Node applied later, with its own pod CIDR', async () => {
    await lab.apply(`
apiVersion: v1
kind: Node
metadata: { name: gpu-node, labels: { gpu: "yes" } }
---
apiVersion: v1
kind: Pod
metadata: { name: trainer }
spec: { nodeSelector: { gpu: "yes" }, containers: [ { name: c, image: kemu/echo } ] }
`);
    await lab.ready(5000);
    const pod = (await lab.store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'trainer' }))!;
    expect(pod.spec.nodeName).toBe('gpu-node');
    expect(pod.status?.podIP).toMatch(/^10\.244\.3\./);
    expect(lab.nodes).toContain('gpu-node');
  });
});

describe('lab.ready()', () => {
  it('resolves once Deployments are available and pods Ready', async () => {
    await lab.apply(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: r }
spec:
  replicas: 3
  selector: { matchLabels: { app: r } }
  template: { metadata: { labels: { app: r } }, spec: { containers: [ { name: c, image: kemu/echo } ] } }
`);
    await lab.ready(5000);
    expect((await pods()).filter(isPodReady)).toHaveLength(3);
  });

  it('names what is not ready when it times out', async () => {
    await lab.apply(`
apiVersion: v1
kind: Pod
metadata: { name: nowhere }
spec: { nodeSelector: { disk: none }, containers: [ { name: c, image: kemu/echo } ] }
`);
    await expect(lab.ready(100)).rejects.toThrow('the lab is not ready: Pod/default/nowhere');
  });
});
