// Invariant (kemu ARCHITECTURE "attachments are claimed atomically"; Kubernetes' Multi-Attach
// guard): whatever pods come and go and in whatever order the controllers and kubelets run, and
// even with a rogue caller publishing directly, no RWO volume is ever attached to two nodes.
import { type KubernetesObject, type PersistentVolumeClaim, parseManifestsOrThrow, type VolumeAttachment } from '@kemu/core';
import { syncAttachDetach, syncAttacher } from '@kemu/csi';
import type { VolumeRecord } from '@kemu/csi/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driverName, startCluster } from './cluster.js';

const nodes = ['node-1', 'node-2', 'node-3'];

type Op =
  | { kind: 'schedule'; pod: number; node: number }
  | { kind: 'delete'; pod: number }
  | { kind: 'attachDetach' }
  | { kind: 'attacher' }
  | { kind: 'kubelet'; node: number }
  | { kind: 'rogue'; node: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('schedule' as const), pod: fc.nat(3), node: fc.nat(2) }),
  fc.record({ kind: fc.constant('delete' as const), pod: fc.nat(3) }),
  fc.constant({ kind: 'attachDetach' as const }),
  fc.constant({ kind: 'attacher' as const }),
  fc.record({ kind: fc.constant('kubelet' as const), node: fc.nat(2) }),
  fc.record({ kind: fc.constant('rogue' as const), node: fc.nat(2) }),
);

describe('attach invariant', () => {
  it('no RWO volume is attached to two nodes, in VolumeAttachments or in the driver', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
        const cluster = await startCluster(nodes);
        try {
          const { store } = cluster;
          for (const object of parseManifestsOrThrow(`
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: kemu }
provisioner: csi.kemu.dev
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: default }
spec: { accessModes: [ReadWriteOnce], storageClassName: kemu, resources: { requests: { storage: 1Gi } } }
`))
            await store.create(object as KubernetesObject);
          await cluster.round();
          const claim = (await store.get<PersistentVolumeClaim>({
            kind: 'PersistentVolumeClaim',
            namespace: 'default',
            name: 'data',
          }))!;
          const pv = (await store.get<KubernetesObject & { spec: { csi: { volumeHandle: string } } }>({
            kind: 'PersistentVolume',
            name: claim.spec.volumeName!,
          }))!;
          for (const step of ops) {
            switch (step.kind) {
              case 'schedule': {
                const name = `pod-${step.pod}`;
                if (await store.get({ kind: 'Pod', namespace: 'default', name })) break;
                await store.create({
                  apiVersion: 'v1',
                  kind: 'Pod',
                  metadata: { name, namespace: 'default' },
                  spec: {
                    nodeName: nodes[step.node],
                    containers: [{ name: 'c' }],
                    volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }],
                  },
                } as KubernetesObject);
                break;
              }
              case 'delete':
                await store.delete({ kind: 'Pod', namespace: 'default', name: `pod-${step.pod}` }).catch(() => undefined);
                break;
              case 'attachDetach':
                await syncAttachDetach(store, { driverName });
                break;
              case 'attacher':
                await syncAttacher(store, cluster.controller, { driverName, singleNodeMultiWriter: true });
                break;
              case 'kubelet':
                await cluster.kubelets.get(nodes[step.node]!)!.sync();
                break;
              case 'rogue':
                await cluster.controller
                  .controllerPublishVolume({
                    volume_id: pv.spec.csi.volumeHandle,
                    node_id: nodes[step.node]!,
                    volume_capability: { mount: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } },
                    readonly: false,
                  })
                  .catch(() => undefined);
                break;
            }
            const attached = (await store.list<VolumeAttachment>('VolumeAttachment')).items.filter((a) => a.status?.attached);
            expect(new Set(attached.map((a) => a.spec.nodeName)).size).toBeLessThanOrEqual(1);
            const records = (await store.list<VolumeRecord>('KemuCSIVolume', { namespace: 'kemu-csi' })).items;
            for (const record of records) expect(Object.keys(record.status.published).length).toBeLessThanOrEqual(1);
          }
        } finally {
          await cluster.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});
