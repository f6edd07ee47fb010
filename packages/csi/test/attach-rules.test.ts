// Attach/detach rules (kubernetes pkg/volume/csi/csi_attacher.go, attachdetach/reconciler.go,
// pkg/volume/csi/csi_client.go) and kubelet paths.
import { createHash } from 'node:crypto';
import { type PersistentVolume, type PersistentVolumeClaim, type Pod, parseManifestsOrThrow } from '@kemu/core';
import {
  attacherFinalizer,
  capabilityForVolume,
  csiAccessModeFor,
  isMultiAttachForbidden,
  multiAttachMessage,
  publishPath,
  readWriteOncePodOwners,
  stagingPath,
  volumeAttachmentName,
} from '@kemu/csi';
import { describe, expect, it } from 'vitest';

const pv = (modes: string, extra = '') =>
  parseManifestsOrThrow(`
apiVersion: v1
kind: PersistentVolume
metadata: { name: pvc-1 }
spec: { capacity: { storage: 1Gi }, accessModes: ${modes}, csi: { driver: csi.kemu.dev, volumeHandle: vol-1, fsType: ext4 } ${extra} }
`)[0] as PersistentVolume;

describe('names', () => {
  it('names a VolumeAttachment csi-<sha256(volumeHandle + driver + node)>', () => {
    const expected = `csi-${createHash('sha256').update('vol-1csi.kemu.devnode-1').digest('hex')}`;
    expect(volumeAttachmentName('vol-1', 'csi.kemu.dev', 'node-1')).toBe(expected);
    expect(expected).toHaveLength(68);
  });

  it('names the attacher finalizer with dots turned into dashes', () => {
    expect(attacherFinalizer('pd.csi.storage.gke.io')).toBe('external-attacher/pd-csi-storage-gke-io');
  });

  it('lays out kubelet staging and publish paths as kubelet does', () => {
    expect(stagingPath('/var/lib/kubelet', 'csi.kemu.dev', 'vol-1')).toMatch(
      /^\/var\/lib\/kubelet\/plugins\/kubernetes.io\/csi\/csi.kemu.dev\/[0-9a-f]{64}\/globalmount$/,
    );
    expect(publishPath('/var/lib/kubelet', 'uid-1', 'pvc-1')).toBe(
      '/var/lib/kubelet/pods/uid-1/volumes/kubernetes.io~csi/pvc-1/mount',
    );
  });
});

describe('multi-attach', () => {
  it('forbids a second node for RWO and RWOP, allows it for RWX, ROX and no modes', () => {
    expect(isMultiAttachForbidden(pv('[ReadWriteOnce]'))).toBe(true);
    expect(isMultiAttachForbidden(pv('[ReadWriteOncePod]'))).toBe(true);
    expect(isMultiAttachForbidden(pv('[ReadWriteOnce, ReadOnlyMany]'))).toBe(false);
    expect(isMultiAttachForbidden(pv('[ReadWriteMany]'))).toBe(false);
    const modeless = pv('[ReadWriteOnce]');
    expect(isMultiAttachForbidden({ ...modeless, spec: { ...modeless.spec, accessModes: [] } })).toBe(false);
  });

  it('words the Multi-Attach event as the reconciler does', () => {
    expect(multiAttachMessage('pvc-1', 'default', [])).toBe(
      `Multi-Attach error for volume "pvc-1" Volume is already exclusively attached to one node and can't be attached to another`,
    );
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-0', namespace: 'default' },
      spec: { containers: [] },
    } as Pod;
    expect(multiAttachMessage('pvc-1', 'default', [pod])).toBe(
      'Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) web-0',
    );
    expect(multiAttachMessage('pvc-1', 'other', [pod])).toBe(
      'Multi-Attach error for volume "pvc-1" Volume is already used by 1 pod(s) in different namespaces',
    );
  });
});

describe('access modes to CSI', () => {
  it('maps PV access modes as kubelet asCSIAccessModeV1 does', () => {
    expect(csiAccessModeFor(['ReadWriteOnce'], false)).toBe('SINGLE_NODE_WRITER');
    expect(csiAccessModeFor(['ReadOnlyMany'], false)).toBe('MULTI_NODE_READER_ONLY');
    expect(csiAccessModeFor(['ReadWriteMany'], false)).toBe('MULTI_NODE_MULTI_WRITER');
    expect(csiAccessModeFor(['ReadWriteOncePod'], false)).toBe('SINGLE_NODE_WRITER');
    expect(csiAccessModeFor(['ReadWriteOnce'], true)).toBe('SINGLE_NODE_MULTI_WRITER');
    expect(csiAccessModeFor(['ReadWriteOncePod'], true)).toBe('SINGLE_NODE_SINGLE_WRITER');
  });

  it('sends a mount capability with the PV fsType, or block for volumeMode Block', () => {
    expect(capabilityForVolume(pv('[ReadWriteOnce]'))).toEqual({
      mount: { fs_type: 'ext4', mount_flags: [] },
      access_mode: { mode: 'SINGLE_NODE_WRITER' },
    });
    expect(capabilityForVolume(pv('[ReadWriteMany]', ', volumeMode: Block'))).toEqual({
      block: {},
      access_mode: { mode: 'MULTI_NODE_MULTI_WRITER' },
    });
  });
});

describe('ReadWriteOncePod', () => {
  it('gives the claim to the oldest pod only', () => {
    const objects = parseManifestsOrThrow(`
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: solo, namespace: default }
spec: { accessModes: [ReadWriteOncePod], resources: { requests: { storage: 1Gi } } }
---
apiVersion: v1
kind: Pod
metadata: { name: second, namespace: default, creationTimestamp: "2026-01-01T00:00:02Z" }
spec: { nodeName: node-1, containers: [ { name: c } ], volumes: [ { name: d, persistentVolumeClaim: { claimName: solo } } ] }
---
apiVersion: v1
kind: Pod
metadata: { name: first, namespace: default, creationTimestamp: "2026-01-01T00:00:01Z" }
spec: { nodeName: node-1, containers: [ { name: c } ], volumes: [ { name: d, persistentVolumeClaim: { claimName: solo } } ] }
`);
    const owners = readWriteOncePodOwners(
      objects.filter((o) => o.kind === 'Pod') as Pod[],
      objects.filter((o) => o.kind !== 'Pod') as PersistentVolumeClaim[],
    );
    expect(owners.get('default/solo')).toBe('default/first');
  });
});
