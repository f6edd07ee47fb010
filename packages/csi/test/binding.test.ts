// PV ↔ PVC matching as the PV controller does it (component-helpers storage/volume pv_helpers.go
// FindMatchingVolume; pkg/controller/volume/persistentvolume/index_test.go cases).
import { type PersistentVolume, type PersistentVolumeClaim, parseManifestsOrThrow, type StorageClass } from '@kemu/core';
import { defaultStorageClass, findMatchingVolume, nodeAffinityAllows } from '@kemu/csi';
import { describe, expect, it } from 'vitest';

const pvs = parseManifestsOrThrow(`
apiVersion: v1
kind: PersistentVolume
metadata: { name: small, labels: { tier: gold } }
spec: { capacity: { storage: 1Gi }, accessModes: [ReadWriteOnce], storageClassName: standard , csi: { driver: csi.kemu.dev, volumeHandle: h1 } }
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: medium }
spec: { capacity: { storage: 5Gi }, accessModes: [ReadWriteOnce], storageClassName: standard , csi: { driver: csi.kemu.dev, volumeHandle: h2 } }
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: large }
spec: { capacity: { storage: 10Gi }, accessModes: [ReadWriteOnce, ReadOnlyMany], storageClassName: standard , csi: { driver: csi.kemu.dev, volumeHandle: h3 } }
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: shared }
spec: { capacity: { storage: 8Gi }, accessModes: [ReadWriteMany], storageClassName: standard , csi: { driver: csi.kemu.dev, volumeHandle: h4 } }
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: classless }
spec: { capacity: { storage: 2Gi }, accessModes: [ReadWriteOnce] , csi: { driver: csi.kemu.dev, volumeHandle: h5 } }
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: blocky }
spec: { capacity: { storage: 3Gi }, accessModes: [ReadWriteOnce], storageClassName: standard, volumeMode: Block , csi: { driver: csi.kemu.dev, volumeHandle: h6 } }
`) as PersistentVolume[];

function claim(spec: string): PersistentVolumeClaim {
  return parseManifestsOrThrow(`
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: default, uid: u-1 }
spec: ${spec}
`)[0] as PersistentVolumeClaim;
}

describe('findMatchingVolume', () => {
  it('binds the smallest PV that fits the request', () => {
    const c = claim('{ accessModes: [ReadWriteOnce], storageClassName: standard, resources: { requests: { storage: 2Gi } } }');
    expect(findMatchingVolume(c, pvs)?.metadata.name).toBe('medium');
  });

  it('never binds a PV smaller than the request (50Gi PVs never satisfy 100Gi)', () => {
    const c = claim('{ accessModes: [ReadWriteOnce], storageClassName: standard, resources: { requests: { storage: 100Gi } } }');
    expect(findMatchingVolume(c, pvs)).toBeUndefined();
  });

  it('only matches PVs of the same storage class, empty only with empty', () => {
    const c = claim('{ accessModes: [ReadWriteOnce], storageClassName: "", resources: { requests: { storage: 1Gi } } }');
    expect(findMatchingVolume(c, pvs)?.metadata.name).toBe('classless');
  });

  it('needs every access mode the claim asks for', () => {
    const c = claim('{ accessModes: [ReadWriteMany], storageClassName: standard, resources: { requests: { storage: 1Gi } } }');
    expect(findMatchingVolume(c, pvs)?.metadata.name).toBe('shared');
  });

  it('prefers the smallest access-mode superset before a smaller PV with more modes (index.go)', () => {
    const c = claim('{ accessModes: [ReadWriteOnce], storageClassName: standard, resources: { requests: { storage: 6Gi } } }');
    expect(findMatchingVolume(c, pvs)?.metadata.name).toBe('large');
  });

  it('honours the claim selector', () => {
    const c = claim(
      '{ accessModes: [ReadWriteOnce], storageClassName: standard, selector: { matchLabels: { tier: gold } }, resources: { requests: { storage: 1Gi } } }',
    );
    expect(findMatchingVolume(c, pvs)?.metadata.name).toBe('small');
  });

  it('matches volumeMode: a Block claim gets the Block PV', () => {
    const c = claim(
      '{ accessModes: [ReadWriteOnce], storageClassName: standard, volumeMode: Block, resources: { requests: { storage: 1Gi } } }',
    );
    expect(findMatchingVolume(c, pvs)?.metadata.name).toBe('blocky');
  });

  it('returns a PV pre-bound to the claim even when a smaller one fits', () => {
    const prebound = {
      ...pvs[1]!,
      spec: { ...pvs[1]!.spec, claimRef: { namespace: 'default', name: 'data' } },
    } as PersistentVolume;
    const c = claim('{ accessModes: [ReadWriteOnce], storageClassName: standard, resources: { requests: { storage: 1Gi } } }');
    expect(findMatchingVolume(c, [pvs[0]!, prebound])?.metadata.name).toBe('medium');
  });

  it('skips PVs bound to another claim, not Available, or being deleted', () => {
    const c = claim('{ accessModes: [ReadWriteOnce], storageClassName: standard, resources: { requests: { storage: 1Gi } } }');
    const taken = {
      ...pvs[0]!,
      spec: { ...pvs[0]!.spec, claimRef: { namespace: 'default', name: 'other' } },
    } as PersistentVolume;
    const released = { ...pvs[1]!, status: { phase: 'Released' } } as PersistentVolume;
    const deleting = {
      ...pvs[2]!,
      metadata: { ...pvs[2]!.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
    } as PersistentVolume;
    expect(findMatchingVolume(c, [taken, released, deleting])).toBeUndefined();
  });

  it('in the PV controller path of a WaitForFirstConsumer class binds nothing but pre-bound PVs', () => {
    const c = claim('{ accessModes: [ReadWriteOnce], storageClassName: standard, resources: { requests: { storage: 1Gi } } }');
    expect(findMatchingVolume(c, pvs, { delayBinding: true })).toBeUndefined();
  });

  it('in the scheduler path checks the PV node affinity against the node', () => {
    const local = parseManifestsOrThrow(`
apiVersion: v1
kind: PersistentVolume
metadata: { name: local-1 }
spec:
  capacity: { storage: 1Gi }
  accessModes: [ReadWriteOnce]
  storageClassName: standard
  csi: { driver: csi.kemu.dev, volumeHandle: local }
  nodeAffinity: { required: { nodeSelectorTerms: [ { matchExpressions: [ { key: kubernetes.io/hostname, operator: In, values: [node-1] } ] } ] } }
`)[0] as PersistentVolume;
    const c = claim('{ accessModes: [ReadWriteOnce], storageClassName: standard, resources: { requests: { storage: 1Gi } } }');
    expect(findMatchingVolume(c, [local], { node: 'node-2' })).toBeUndefined();
    expect(findMatchingVolume(c, [local], { node: 'node-1' })?.metadata.name).toBe('local-1');
    expect(nodeAffinityAllows(local, 'node-1')).toBe(true);
  });
});

describe('defaultStorageClass', () => {
  it('picks the class annotated is-default-class', () => {
    const classes = parseManifestsOrThrow(`
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: slow }
provisioner: csi.kemu.dev
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: fast, annotations: { storageclass.kubernetes.io/is-default-class: "true" } }
provisioner: csi.kemu.dev
`) as StorageClass[];
    expect(defaultStorageClass(classes)?.metadata.name).toBe('fast');
  });
});
