// createCsiVolumes in a real Lab: what `mount` returns, the fallbacks, WaitForFirstConsumer, the
// Multi-Attach wait and the mount timeout. Sources: kubernetes pkg/kubelet/volumemanager
// (WaitForAttachAndMount), pkg/controller/volume/attachdetach/reconciler (Multi-Attach),
// pkg/scheduler/framework/plugins/volumebinding (selected-node), kubelet csi_mounter.go (paths).
import { lstat, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Node,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
  parseManifestsOrThrow,
  type Volume,
} from '@kemu/core';
import { storageAnnotations } from '@kemu/csi';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from '../lab/lab.js';
import { type CsiVolumes, type CsiVolumesOptions, createCsiVolumes } from './csi.js';
import { VolumesClosedError } from './errors.js';

let lab: Lab | undefined;
let dir: string | undefined;

afterEach(async () => {
  await lab?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  lab = undefined;
  dir = undefined;
});

async function startLab(options: Partial<CsiVolumesOptions> = {}, log: string[] = []): Promise<CsiVolumes> {
  dir = await mkdtemp(join(tmpdir(), 'kemu-wiring-csi-'));
  const csi = createCsiVolumes({ dataDir: dir, ...options });
  lab = new Lab({ nodes: 2, api: false, dataDir: dir, volumes: csi.volumes, addons: [csi.addon], log: (m) => log.push(m) });
  await lab.start();
  return csi;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const classYaml = (name: string, extra = '', provisioner = 'csi.kemu.dev') => `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: ${name} }
provisioner: ${provisioner}
${extra}
`;
const claimYaml = (name: string, storageClass: string) => `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: ${name}, namespace: default }
spec: { accessModes: [ReadWriteOnce], storageClassName: ${storageClass}, resources: { requests: { storage: 1Gi } } }
`;
const podYaml = (name: string, node: string, claim: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default }
spec:
  nodeName: ${node}
  containers: [ { name: app, image: kemu/echo } ]
  volumes: [ { name: data, persistentVolumeClaim: { claimName: ${claim} } } ]
`;

const getPod = (name: string) => lab!.store.get<Pod>({ kind: 'Pod', namespace: 'default', name });
const getClaim = (name: string) =>
  lab!.store.get<PersistentVolumeClaim>({ kind: 'PersistentVolumeClaim', namespace: 'default', name });
const running = (name: string) =>
  until(`${name} to run`, async () => ((await getPod(name))?.status?.phase === 'Running' ? true : undefined));
const claimVolume = (claimName: string): Volume => ({ name: 'data', persistentVolumeClaim: { claimName } });

describe('createCsiVolumes', () => {
  it('mounts a claim at the NodePublish target under the kubelet dir, linked to the driver volume', async () => {
    // kubelet csi_mounter.go: <kubelet>/pods/<uid>/volumes/kubernetes.io~csi/<pv>/mount
    const csi = await startLab();
    await lab!.apply(classYaml('kemu') + '---' + claimYaml('data', 'kemu') + '---' + podYaml('app', lab!.nodes[0]!, 'data'));
    await running('app');
    const pod = (await getPod('app'))!;
    const pv = (await getClaim('data'))!.spec.volumeName!;
    const path = await csi.volumes.mount(pod, claimVolume('data'));
    expect(path).toBe(
      join(dir!, 'kubelet', lab!.nodes[0]!, 'pods', pod.metadata.uid!, 'volumes', 'kubernetes.io~csi', pv, 'mount'),
    );
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    const handle = (await lab!.store.get<PersistentVolume>({ kind: 'PersistentVolume', name: pv }))!.spec.csi!.volumeHandle;
    expect(await readlink(path)).toBe(join(dir!, 'csi', 'volumes', handle));
  });

  it('tears down in reverse when the pod goes: unpublish, unstage, volumesInUse cleared, then detach', async () => {
    // kubelet volumemanager reconciler: UnmountVolume, then UnmountDevice; A/D detaches once not in use
    const csi = await startLab();
    const node = lab!.nodes[0]!;
    await lab!.apply(classYaml('kemu') + '---' + claimYaml('data', 'kemu') + '---' + podYaml('app', node, 'data'));
    await running('app');
    const pod = (await getPod('app'))!;
    const path = await csi.volumes.mount(pod, claimVolume('data'));
    const kubelet = csi.cluster()!.kubelets.get(node)!;
    await lab!.delete([{ kind: 'Pod', namespace: 'default', name: 'app' }]);
    await until('the pod to go', async () => ((await getPod('app')) ? undefined : true));
    expect(kubelet.mountsOf(pod)).toEqual([]);
    await expect(lstat(path)).rejects.toThrow(/ENOENT/);
    const nodeObject = await lab!.store.get<Node>({ kind: 'Node', name: node });
    expect(nodeObject!.status?.volumesInUse ?? []).toEqual([]);
    await until('the detach', async () => ((await lab!.store.list('VolumeAttachment')).items.length === 0 ? true : undefined));
    expect((await getClaim('data'))!.status?.phase).toBe('Bound');
  });

  it('gives emptyDir and configMap volumes the lab directories, with the ConfigMap keys as files', async () => {
    const csi = await startLab();
    const [configMap, pod] = parseManifestsOrThrow(`
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: default }
data: { mode: fast }
---
apiVersion: v1
kind: Pod
metadata: { name: plain, namespace: default, uid: u-1 }
spec: { nodeName: kemu-worker, containers: [ { name: app, image: kemu/echo } ] }
`) as [never, Pod];
    await lab!.apply([configMap]);
    await until('the ConfigMap informer', async () => lab!.informers.for('ConfigMap').get('default', 'settings'));
    const scratch = await csi.volumes.mount(pod, { name: 'scratch', emptyDir: {} });
    expect(scratch).toBe(join(dir!, 'volumes', 'pods', 'u-1', 'volumes', 'scratch'));
    const settings = await csi.volumes.mount(pod, { name: 'settings', configMap: { name: 'settings' } });
    expect(await readFile(join(settings, 'mode'), 'utf8')).toBe('fast');
  });

  it('binds a WaitForFirstConsumer claim only once a pod lands, provisioning in that node topology', async () => {
    // volumebinding PreBind writes volume.kubernetes.io/selected-node; external-provisioner passes its topology
    await startLab();
    await lab!.apply(classYaml('local', 'volumeBindingMode: WaitForFirstConsumer') + '---' + claimYaml('late', 'local'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await getClaim('late'))!.status?.phase ?? 'Pending').toBe('Pending');
    const node = lab!.nodes[1]!;
    await lab!.apply(podYaml('consumer', node, 'late'));
    await running('consumer');
    const claim = (await getClaim('late'))!;
    expect(claim.status?.phase).toBe('Bound');
    expect(claim.metadata.annotations?.[storageAnnotations.selectedNode]).toBe(node);
    const pv = (await lab!.store.get<PersistentVolume>({ kind: 'PersistentVolume', name: claim.spec.volumeName! }))!;
    expect(pv.spec.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]).toEqual({
      key: 'topology.csi.kemu.dev/node',
      operator: 'In',
      values: [node],
    });
  });

  it("keeps a second node's pod waiting with the Multi-Attach error while an RWO volume is used elsewhere", async () => {
    // reconciler.go reportMultiAttachError; kubelet gives up WaitForAttachAndMount after its timeout
    const log: string[] = [];
    await startLab({ mountTimeoutMs: 400 }, log);
    await lab!.apply(
      classYaml('kemu') + '---' + claimYaml('shared', 'kemu') + '---' + podYaml('first', lab!.nodes[0]!, 'shared'),
    );
    await running('first');
    await lab!.apply(podYaml('second', lab!.nodes[1]!, 'shared'));
    const failure = await until('the second pod to give up', async () =>
      log.find((m) => m.startsWith('pod default/second failed')),
    );
    expect(failure).toContain('volume "data" not mounted after 400 ms: Multi-Attach error for volume "pvc-');
    expect(failure).toContain('Volume is already used by pod(s) first');
    expect((await getPod('second'))!.status?.phase ?? 'Pending').toBe('Pending');
  });

  it("keeps the lab's directory per claim for a claim bound to a PV of another driver", async () => {
    const csi = await startLab();
    await lab!.apply(`
apiVersion: v1
kind: PersistentVolume
metadata: { name: static }
spec: { capacity: { storage: 1Gi }, accessModes: [ReadWriteOnce], storageClassName: "", hostPath: { path: /srv/static } }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: manual, namespace: default }
spec: { accessModes: [ReadWriteOnce], storageClassName: "", volumeName: static, resources: { requests: { storage: 1Gi } } }
`);
    await until('the static bind', async () => ((await getClaim('manual'))?.status?.phase === 'Bound' ? true : undefined));
    const pod = parseManifestsOrThrow(podYaml('legacy', lab!.nodes[0]!, 'manual'))[0] as Pod;
    expect(await csi.volumes.mount(pod, claimVolume('manual'))).toBe(join(dir!, 'volumes', 'claims', 'default', 'manual'));
  });

  it('names the PV controller reason when a claim cannot be provisioned in time', async () => {
    const csi = await startLab({ mountTimeoutMs: 200 });
    await lab!.apply(classYaml('elsewhere', '', 'other.example.com') + '---' + claimYaml('orphan', 'elsewhere'));
    const pod = parseManifestsOrThrow(podYaml('ghost', lab!.nodes[0]!, 'orphan'))[0] as Pod;
    await expect(csi.volumes.mount(pod, claimVolume('orphan'))).rejects.toThrow(
      'pod default/ghost: volume "data" not mounted after 200 ms: waiting for provisioner other.example.com',
    );
  });

  it('refuses to mount once the addon is closed, and unmounts as a no-op', async () => {
    const csi = await startLab();
    await csi.addon.close();
    const pod = parseManifestsOrThrow(podYaml('late', lab!.nodes[0]!, 'x'))[0] as Pod;
    await expect(csi.volumes.mount(pod, claimVolume('x'))).rejects.toBeInstanceOf(VolumesClosedError);
    await expect(csi.volumes.unmount(pod, claimVolume('x'))).resolves.toBeUndefined();
  });
});
