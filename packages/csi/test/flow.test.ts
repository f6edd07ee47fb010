// The Kubernetes volume flow end to end: PVC → PV (binding or provisioning) → VolumeAttachment →
// NodeStage → NodePublish, and back. Sources: kubernetes pkg/controller/volume/persistentvolume,
// attachdetach, pkg/kubelet/volumemanager, kubernetes-csi/external-provisioner and external-attacher.
import { lstat, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type KubernetesObject,
  type Node,
  type PersistentVolume,
  type PersistentVolumeClaim,
  parseManifestsOrThrow,
  type VolumeAttachment,
} from '@kemu/core';
import { attacherFinalizer, deleteClaim, storageAnnotations, uniqueVolumeName, volumeAttachmentName } from '@kemu/csi';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cluster, driverName, startCluster } from './cluster.js';

let cluster: Cluster;
afterEach(() => cluster?.close());

const classes = `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: kemu }
provisioner: csi.kemu.dev
reclaimPolicy: Delete
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: kemu-retain }
provisioner: csi.kemu.dev
reclaimPolicy: Retain
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: kemu-wffc }
provisioner: csi.kemu.dev
volumeBindingMode: WaitForFirstConsumer
`;

const claimYaml = (name: string, storageClass = 'kemu', mode = 'ReadWriteOnce') => `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: ${name}, namespace: default }
spec: { accessModes: [${mode}], storageClassName: ${storageClass}, resources: { requests: { storage: 1Gi } } }
`;

const podYaml = (name: string, node: string, claim: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default }
spec: { nodeName: ${node}, containers: [ { name: app, image: kemu/echo } ], volumes: [ { name: data, persistentVolumeClaim: { claimName: ${claim} } } ] }
`;

async function apply(yaml: string): Promise<void> {
  for (const object of parseManifestsOrThrow(yaml)) await cluster.store.create(object as KubernetesObject);
}

const getClaim = (name: string) =>
  cluster.store.get<PersistentVolumeClaim>({ kind: 'PersistentVolumeClaim', namespace: 'default', name });
const getPv = (name: string) => cluster.store.get<PersistentVolume>({ kind: 'PersistentVolume', name });
const attachments = async () => (await cluster.store.list<VolumeAttachment>('VolumeAttachment')).items;
const deletePod = (name: string) => cluster.store.delete({ kind: 'Pod', namespace: 'default', name });
function mountOf(node: string, podName: string) {
  const kubelet = cluster.kubelets.get(node)!;
  return (async () => {
    const pod = await cluster.store.get<KubernetesObject & { spec: never }>({ kind: 'Pod', namespace: 'default', name: podName });
    return pod ? kubelet.mountsOf(pod as never)[0] : undefined;
  })();
}

describe('provisioning and binding', () => {
  it('provisions a PV named pvc-<uid> for an Immediate class and binds it both ways', async () => {
    cluster = await startCluster();
    await apply(classes + '---' + claimYaml('data'));
    await cluster.settle(1);
    const claim = (await getClaim('data'))!;
    expect(claim.status?.phase).toBe('Bound');
    expect(claim.spec.volumeName).toBe(`pvc-${claim.metadata.uid}`);
    expect(claim.metadata.annotations?.[storageAnnotations.bindCompleted]).toBe('yes');
    const pv = (await getPv(claim.spec.volumeName!))!;
    expect(pv.status?.phase).toBe('Bound');
    expect(pv.spec.claimRef?.name).toBe('data');
    expect(pv.spec.csi?.driver).toBe(driverName);
    expect(pv.spec.capacity?.storage).toBe('1Gi');
    expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Delete');
    expect(pv.metadata.annotations?.[storageAnnotations.provisionedBy]).toBe(driverName);
  });

  it('binds a claim to the smallest fitting static PV instead of provisioning', async () => {
    cluster = await startCluster();
    await apply(`${classes}---
apiVersion: v1
kind: PersistentVolume
metadata: { name: static-big }
spec: { capacity: { storage: 5Gi }, accessModes: [ReadWriteOnce], storageClassName: kemu, csi: { driver: csi.kemu.dev, volumeHandle: pre-1 } }
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: static-small }
spec: { capacity: { storage: 2Gi }, accessModes: [ReadWriteOnce], storageClassName: kemu, csi: { driver: csi.kemu.dev, volumeHandle: pre-2 } }
---${claimYaml('data')}`);
    await cluster.settle(1);
    expect((await getClaim('data'))?.spec.volumeName).toBe('static-small');
  });

  it('binds a claim pre-bound with spec.volumeName to that PV, bigger or not', async () => {
    // persistent-volumes.md "Reserving a PersistentVolume": class, modes and size still checked
    cluster = await startCluster();
    await apply(`${classes}---
apiVersion: v1
kind: PersistentVolume
metadata: { name: reserved }
spec: { capacity: { storage: 5Gi }, accessModes: [ReadWriteOnce], storageClassName: "", csi: { driver: csi.kemu.dev, volumeHandle: pre-1 } }
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: other }
spec: { capacity: { storage: 1Gi }, accessModes: [ReadWriteOnce], storageClassName: "", csi: { driver: csi.kemu.dev, volumeHandle: pre-2 } }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: mine, namespace: default }
spec: { accessModes: [ReadWriteOnce], storageClassName: "", volumeName: reserved, resources: { requests: { storage: 1Gi } } }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: greedy, namespace: default }
spec: { accessModes: [ReadWriteOnce], storageClassName: "", volumeName: other, resources: { requests: { storage: 2Gi } } }
`);
    const [round] = await cluster.settle(1);
    expect((await getClaim('mine'))?.spec.volumeName).toBe('reserved');
    expect((await getPv('reserved'))?.spec.claimRef?.name).toBe('mine');
    expect((await getClaim('greedy'))?.status?.phase).not.toBe('Bound');
    expect(round!.pv.pending).toContainEqual({
      claim: 'default/greedy',
      reason: 'volume "other" is not available for this claim',
    });
  });

  it('WaitForFirstConsumer waits for a pod, then provisions in the scheduled node topology', async () => {
    cluster = await startCluster();
    await apply(classes + '---' + claimYaml('late', 'kemu-wffc'));
    const [first] = await cluster.settle(1);
    expect(first!.pv.pending).toEqual([
      { claim: 'default/late', reason: 'waiting for first consumer to be created before binding' },
    ]);
    await apply(podYaml('consumer', 'node-2', 'late'));
    await cluster.settle(1);
    const claim = (await getClaim('late'))!;
    expect(claim.metadata.annotations?.[storageAnnotations.selectedNode]).toBe('node-2');
    const pv = (await getPv(claim.spec.volumeName!))!;
    expect(pv.spec.nodeAffinity?.required?.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'topology.csi.kemu.dev/node', operator: 'In', values: ['node-2'] }] },
    ]);
  });
});

describe('attach, mount and teardown', () => {
  it('attaches with a VolumeAttachment named as Kubernetes names it, stages once and publishes per pod', async () => {
    cluster = await startCluster(['node-1', 'node-2'], { overSocket: true });
    await apply(
      classes +
        '---' +
        claimYaml('data') +
        '---' +
        podYaml('web-0', 'node-1', 'data') +
        '---' +
        podYaml('web-1', 'node-1', 'data'),
    );
    await cluster.settle(3);
    const pv = (await getPv((await getClaim('data'))!.spec.volumeName!))!;
    const [va] = await attachments();
    expect(va!.metadata.name).toBe(volumeAttachmentName(pv.spec.csi!.volumeHandle, driverName, 'node-1'));
    expect(va!.status?.attached).toBe(true);
    expect(va!.status?.attachmentMetadata?.['csi.kemu.dev/node']).toBe('node-1');
    expect(va!.metadata.finalizers).toContain(attacherFinalizer(driverName));
    const m0 = (await mountOf('node-1', 'web-0'))!;
    const m1 = (await mountOf('node-1', 'web-1'))!;
    expect(m0.path).not.toBe(m1.path);
    expect((await lstat(m0.path)).isSymbolicLink()).toBe(true);
    await writeFile(join(m0.path, 'shared.txt'), 'from web-0');
    expect(await readFile(join(m1.path, 'shared.txt'), 'utf8')).toBe('from web-0');
    const node = await cluster.store.get<Node>({ kind: 'Node', name: 'node-1' });
    expect(node?.status?.volumesInUse).toEqual([uniqueVolumeName(driverName, pv.spec.csi!.volumeHandle)]);
  });

  it('moves an RWO volume to another node: Multi-Attach error while attached, then detach, attach, and the data follows', async () => {
    cluster = await startCluster();
    await apply(classes + '---' + claimYaml('data') + '---' + podYaml('db', 'node-1', 'data'));
    await cluster.settle(3);
    await writeFile(join((await mountOf('node-1', 'db'))!.path, 'row.txt'), 'committed');
    await apply(podYaml('db-2', 'node-2', 'data'));
    const during = await cluster.round();
    expect(during.attach.errors[0]?.message).toMatch(
      /^Multi-Attach error for volume "pvc-[^"]+" Volume is already used by pod\(s\) db$/,
    );
    await deletePod('db');
    await cluster.settle(4);
    const vas = await attachments();
    expect(vas.map((v) => v.spec.nodeName)).toEqual(['node-2']);
    expect(await readFile(join((await mountOf('node-2', 'db-2'))!.path, 'row.txt'), 'utf8')).toBe('committed');
  });

  it('detaches only after the node stops reporting the volume in use, and tears down in reverse', async () => {
    cluster = await startCluster();
    await apply(classes + '---' + claimYaml('data') + '---' + podYaml('job', 'node-1', 'data'));
    await cluster.settle(3);
    const mount = (await mountOf('node-1', 'job'))!;
    await deletePod('job');
    const round = await cluster.round();
    const kubelet = round.kubelets.get('node-1')!;
    expect(kubelet.unmounted).toEqual([{ pod: 'default/job', pvName: mount.pvName }]);
    expect(kubelet.unstaged).toEqual([mount.pvName]);
    await expect(lstat(mount.path)).rejects.toThrow();
    await cluster.settle(2);
    expect(await attachments()).toEqual([]);
    expect((await cluster.store.get<Node>({ kind: 'Node', name: 'node-1' }))?.status?.volumesInUse).toEqual([]);
  });

  it('force-detaches after maxWaitForUnmount when the node never reports the unmount (node down)', async () => {
    // attachdetach reconciler: ReconcilerMaxWaitForUnmountDuration (6 min by default, scaled here)
    cluster = await startCluster();
    await apply(classes + '---' + claimYaml('data') + '---' + podYaml('stuck', 'node-1', 'data'));
    await cluster.settle(3);
    cluster.kubelets.delete('node-1'); // the node's kubelet is gone: volumesInUse never clears
    await deletePod('stuck');
    let clock = Date.now();
    await cluster.round({ now: () => clock, maxWaitForUnmountMs: 60_000 });
    expect(await attachments()).toHaveLength(1);
    clock += 61_000;
    const round = await cluster.round({ now: () => clock, maxWaitForUnmountMs: 60_000 });
    expect(round.attach.deleted).toHaveLength(1);
    expect(await attachments()).toEqual([]);
  });

  it('ReadWriteOncePod: a second pod using the claim waits, even on the same node', async () => {
    cluster = await startCluster();
    await apply(classes + '---' + claimYaml('solo', 'kemu', 'ReadWriteOncePod') + '---' + podYaml('owner', 'node-1', 'solo'));
    await cluster.settle(3);
    await apply(podYaml('intruder', 'node-1', 'solo'));
    const [round] = await cluster.settle(1);
    expect(round!.kubelets.get('node-1')!.waiting).toEqual([
      {
        pod: 'default/intruder',
        reason: 'PersistentVolumeClaim default/solo has access mode ReadWriteOncePod and is used by pod default/owner',
      },
    ]);
    expect(await mountOf('node-1', 'intruder')).toBeUndefined();
  });
});

describe('reclaim and protection', () => {
  it('reclaimPolicy Delete removes the PV and the CSI volume after the claim goes', async () => {
    cluster = await startCluster();
    await apply(classes + '---' + claimYaml('temp'));
    await cluster.settle(1);
    const pvName = (await getClaim('temp'))!.spec.volumeName!;
    expect(await deleteClaim(cluster.store, 'default', 'temp')).toBe(true);
    const [round] = await cluster.settle(1);
    expect(round!.pv.deleted).toEqual([pvName]);
    expect(await getPv(pvName)).toBeUndefined();
  });

  it('reclaimPolicy Retain keeps the PV Released with its volume, not bindable again', async () => {
    cluster = await startCluster();
    await apply(classes + '---' + claimYaml('keep', 'kemu-retain'));
    await cluster.settle(1);
    const pvName = (await getClaim('keep'))!.spec.volumeName!;
    await deleteClaim(cluster.store, 'default', 'keep');
    await cluster.settle(1);
    expect((await getPv(pvName))?.status?.phase).toBe('Released');
    await apply(claimYaml('again', 'kemu-retain'));
    await cluster.settle(1);
    expect((await getClaim('again'))?.spec.volumeName).not.toBe(pvName);
  });

  it('a claim in use by a pod is only marked for deletion and goes when the pod does', async () => {
    cluster = await startCluster();
    await apply(classes + '---' + claimYaml('busy') + '---' + podYaml('user', 'node-1', 'busy'));
    await cluster.settle(3);
    expect(await deleteClaim(cluster.store, 'default', 'busy')).toBe(false);
    expect((await getClaim('busy'))?.metadata.deletionTimestamp).toBeDefined();
    await cluster.settle(1);
    expect(await getClaim('busy')).toBeDefined();
    await deletePod('user');
    await cluster.settle(4);
    expect(await getClaim('busy')).toBeUndefined();
  });
});
