// The lab's volume path end to end (issue 7, "A pod writes to its PVC, is deleted, is recreated on
// another node, and reads the same bytes"): a real Lab with two nodes, @kemu/csi wired in through
// createCsiVolumes, real processes writing through the NodePublish target. Sources: kubernetes
// pkg/controller/volume/{persistentvolume,attachdetach}, pkg/kubelet/volumemanager,
// kubernetes-csi external-provisioner and external-attacher.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim, Pod, VolumeAttachment, Watch } from '@kemu/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from '../apps/lab/src/lab/index.js';
import { createCsiVolumes } from '../apps/lab/src/wiring/index.js';

let lab: Lab | undefined;
let dir: string | undefined;
let watch: Watch<VolumeAttachment> | undefined;

afterEach(async () => {
  watch?.close();
  await lab?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  lab = undefined;
  dir = undefined;
  watch = undefined;
});

async function startLab(): Promise<Lab> {
  dir = await mkdtemp(join(tmpdir(), 'kemu-volumes-e2e-'));
  const { volumes, addon } = createCsiVolumes({ dataDir: dir, mountTimeoutMs: 10_000 });
  lab = new Lab({ nodes: 2, api: false, dataDir: dir, volumes, addons: [addon] });
  await lab.start();
  return lab;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const storage = `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: kemu }
provisioner: csi.kemu.dev
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: default }
spec: { accessModes: [ReadWriteOnce], storageClassName: kemu, resources: { requests: { storage: 1Gi } } }
`;

// A local process (kemu.dev/run-local) sees its volume at $KEMU_VOLUME_<NAME> (runtime/env.ts).
const pod = (name: string, node: string, script: string, restartPolicy = 'Always') => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default, annotations: { kemu.dev/run-local: "true" } }
spec:
  nodeName: ${node}
  restartPolicy: ${restartPolicy}
  terminationGracePeriodSeconds: 1
  containers:
    - name: app
      image: kemu/echo
      command: [sh, -c, '${script}']
      volumeMounts: [ { name: data, mountPath: /data } ]
  volumes: [ { name: data, persistentVolumeClaim: { claimName: data } } ]
`;

const getPod = (name: string) => lab!.store.get<Pod>({ kind: 'Pod', namespace: 'default', name });

describe('a pod and its PVC moving between nodes', () => {
  it('reads on node 2 the bytes it wrote on node 1, with the attachment moved and never on two nodes', async () => {
    await startLab();
    const [node1, node2] = lab!.nodes as [string, string];
    // Every VolumeAttachment state seen, to prove the RWO volume was never attached to two nodes at once.
    const attached = new Map<string, { pv: string; node: string }>();
    const history: { type: string; node: string; attached: boolean }[] = [];
    let overlap = false;
    watch = lab!.store.watch<VolumeAttachment>({ kind: 'VolumeAttachment' });
    void (async () => {
      for await (const { type, object } of watch!) {
        history.push({ type, node: object.spec.nodeName, attached: object.status?.attached === true });
        if (type !== 'DELETED' && object.status?.attached) {
          attached.set(object.metadata.name, { pv: object.spec.source.persistentVolumeName ?? '', node: object.spec.nodeName });
        } else attached.delete(object.metadata.name);
        const nodesPerPv = new Map<string, Set<string>>();
        for (const a of attached.values()) nodesPerPv.set(a.pv, (nodesPerPv.get(a.pv) ?? new Set()).add(a.node));
        if ([...nodesPerPv.values()].some((nodes) => nodes.size > 1)) overlap = true;
      }
    })();

    await lab!.apply(storage);
    await lab!.apply(pod('writer', node1, 'printf "kemu bytes 42\\n" > "$KEMU_VOLUME_DATA/file" && exec sleep 60'));
    const claim = await until('the claim to bind', async () => {
      const c = await lab!.store.get<PersistentVolumeClaim>({
        kind: 'PersistentVolumeClaim',
        namespace: 'default',
        name: 'data',
      });
      return c?.status?.phase === 'Bound' ? c : undefined;
    });
    expect(claim.spec.volumeName).toBe(`pvc-${claim.metadata.uid}`);
    const volumeDir = join(dir!, 'csi', 'volumes');
    const written = await until('the writer to write', async () => {
      const text = await readFile(join(volumeDir, (await handleOf(claim.spec.volumeName!)) ?? 'none', 'file'), 'utf8').catch(
        () => '',
      );
      return text || undefined;
    });
    expect(written).toBe('kemu bytes 42\n');

    await lab!.delete([{ kind: 'Pod', namespace: 'default', name: 'writer' }]);
    // Created at once: its mount waits while the volume is still attached to node 1 (Multi-Attach).
    await lab!.apply(pod('reader', node2, 'cat "$KEMU_VOLUME_DATA/file"', 'Never'));
    await until('the reader to finish', async () => ((await getPod('reader'))?.status?.phase === 'Succeeded' ? true : undefined));
    expect(lab!.logs('default', 'reader')?.split('\n')).toContain('kemu bytes 42');
    expect(await getPod('writer')).toBeUndefined();

    // The node-1 attachment was deleted before the node-2 one was created and attached.
    const firstNode2 = history.findIndex((h) => h.node === node2);
    const node1Deleted = history.findIndex((h) => h.node === node1 && h.type === 'DELETED');
    expect(history.some((h) => h.node === node1 && h.attached)).toBe(true);
    expect(node1Deleted).toBeGreaterThanOrEqual(0);
    expect(node1Deleted).toBeLessThan(firstNode2);
    expect(history.some((h) => h.node === node2 && h.attached)).toBe(true);
    expect(overlap).toBe(false);
    // The reader finished, so node 2 no longer needs the volume: it is detached too.
    await until('the node-2 attachment to go', async () =>
      (await lab!.store.list<VolumeAttachment>('VolumeAttachment')).items.length === 0 ? true : undefined,
    );
  });

  it('provisions and binds data-<sts>-0 for a StatefulSet and mounts it in its pod', async () => {
    await startLab();
    await lab!.apply(`${storage}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: default }
spec:
  serviceName: db
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [ { name: db, image: kemu/echo, ports: [ { containerPort: 5432 } ] } ] }
  volumeClaimTemplates:
    - metadata: { name: data }
      spec: { accessModes: [ReadWriteOnce], storageClassName: kemu, resources: { requests: { storage: 1Gi } } }
`);
    const claim = await until('data-db-0 to bind', async () => {
      const c = await lab!.store.get<PersistentVolumeClaim>({
        kind: 'PersistentVolumeClaim',
        namespace: 'default',
        name: 'data-db-0',
      });
      return c?.status?.phase === 'Bound' ? c : undefined;
    });
    expect(claim.spec.volumeName).toBe(`pvc-${claim.metadata.uid}`);
    await until('db-0 to run', async () => ((await getPod('db-0'))?.status?.phase === 'Running' ? true : undefined));
    const node = (await getPod('db-0'))!.spec.nodeName!;
    const { items } = await lab!.store.list<VolumeAttachment>('VolumeAttachment');
    expect(items.map((a) => [a.spec.nodeName, a.status?.attached])).toEqual([[node, true]]);
  });
});

/** The CSI volume id behind a PV. */
async function handleOf(pvName: string): Promise<string | undefined> {
  const pv = await lab!.store.get<PersistentVolume>({ kind: 'PersistentVolume', name: pvName });
  return pv?.spec.csi?.volumeHandle;
}
