import { lstat, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccessModeName } from '@kemu/csi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockCap, codeOf, type Lab, MiB, mountCap, startLab } from '../harness.js';

/** ControllerPublish/Unpublish and the Node service over the socket (CSI spec v1.12.0; csi-sanity node.go). */
export function publishAndNodeCases(protoPath?: string) {
  describe('ControllerPublish / ControllerUnpublish', () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await startLab(protoPath);
      await lab.served.driver.registerNode('small-node', { maxVolumesPerNode: 1 });
    });
    afterAll(() => lab.close());
    const c = () => lab.client;
    const volume = async (name: string, cap = mountCap()) =>
      (await c().createVolume({ name, volume_capabilities: [cap] })).volume.volume_id;
    const publish = (volume_id: string, node_id: string, mode: AccessModeName = 'SINGLE_NODE_WRITER', readonly = false) =>
      c().controllerPublishVolume({ volume_id, node_id, volume_capability: mountCap(mode), readonly });

    it('publishes to any lab node with a publish_context, and repeats idempotently', async () => {
      const id = await volume('pub');
      const first = await publish(id, 'node-3');
      expect(first.publish_context['csi.kemu.dev/node']).toBe('node-3');
      expect(await publish(id, 'node-3')).toEqual(first);
    });

    it('the same node with another readonly flag is ALREADY_EXISTS', async () => {
      const id = await volume('pub-ro');
      await publish(id, 'node-1');
      expect(await codeOf(publish(id, 'node-1', 'SINGLE_NODE_WRITER', true))).toBe(6);
    });

    it('a single-node volume published elsewhere is FAILED_PRECONDITION naming the node', async () => {
      // spec ControllerPublishVolume: "Volume published to another node" → 9, message SHOULD name the node
      const id = await volume('rwo');
      await publish(id, 'node-1');
      const error = await publish(id, 'node-2').catch((e: { code: number; details: string }) => e);
      expect((error as { code: number }).code).toBe(9);
      expect((error as { details: string }).details).toContain('node-1');
    });

    it('a MULTI_NODE mode publishes to several nodes', async () => {
      const id = await volume('rwx');
      await publish(id, 'node-1', 'MULTI_NODE_MULTI_WRITER');
      await publish(id, 'node-2', 'MULTI_NODE_MULTI_WRITER');
      expect(await codeOf(publish(id, 'node-3', 'SINGLE_NODE_WRITER'))).toBe(9);
    });

    it('an unknown node or volume is NOT_FOUND', async () => {
      const id = await volume('ghost-node');
      expect(await codeOf(publish(id, 'node-unknown'))).toBe(5);
      expect(await codeOf(publish('vol-unknown', 'node-1'))).toBe(5);
    });

    it('past max_volumes_per_node is RESOURCE_EXHAUSTED, and unpublish frees the slot', async () => {
      const a = await volume('slot-a');
      const b = await volume('slot-b');
      await publish(a, 'small-node');
      expect(await codeOf(publish(b, 'small-node'))).toBe(8);
      await c().controllerUnpublishVolume({ volume_id: a, node_id: 'small-node' });
      await publish(b, 'small-node');
    });

    it('missing volume_id, node_id or capability is INVALID_ARGUMENT', async () => {
      const id = await volume('missing-fields');
      expect(await codeOf(publish('', 'node-1'))).toBe(3);
      expect(await codeOf(publish(id, ''))).toBe(3);
      expect(await codeOf(c().controllerPublishVolume({ volume_id: id, node_id: 'node-1', readonly: false }))).toBe(3);
    });

    it('unpublishing what is not published, an unknown volume or an unknown node is OK', async () => {
      const id = await volume('unpub');
      expect(await codeOf(c().controllerUnpublishVolume({ volume_id: id, node_id: 'node-2' }))).toBe(0);
      expect(await codeOf(c().controllerUnpublishVolume({ volume_id: 'vol-unknown', node_id: 'node-2' }))).toBe(0);
      expect(await codeOf(c().controllerUnpublishVolume({ volume_id: id, node_id: 'node-unknown' }))).toBe(0);
      expect(await codeOf(c().controllerUnpublishVolume({ volume_id: '', node_id: 'node-2' }))).toBe(3);
    });
  });

  describe('Node', () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await startLab(protoPath, { maxVolumesPerNode: 16, topology: { 'topology.kubernetes.io/zone': 'z1' } });
    });
    afterAll(() => lab.close());
    const c = () => lab.client;
    const paths = (name: string) => ({
      staging: join(lab.dir, 'kubelet', name, 'globalmount'),
      target: join(lab.dir, 'kubelet', 'pods', name, 'mount'),
    });
    async function attached(name: string, cap = mountCap(), size = MiB) {
      const { volume } = await c().createVolume({ name, volume_capabilities: [cap], capacity_range: { required_bytes: size } });
      const { publish_context } = await c().controllerPublishVolume({
        volume_id: volume.volume_id,
        node_id: 'node-1',
        volume_capability: cap,
        readonly: false,
      });
      return { id: volume.volume_id, publish_context, ...paths(name) };
    }
    const stage = (id: string, staging: string, cap = mountCap()) =>
      c().nodeStageVolume({ volume_id: id, staging_target_path: staging, volume_capability: cap });
    const nodePublish = (id: string, staging: string, target: string, cap = mountCap(), readonly = false) =>
      c().nodePublishVolume({
        volume_id: id,
        staging_target_path: staging,
        target_path: target,
        volume_capability: cap,
        readonly,
      });

    it('NodeGetInfo gives the node id, attach limit and topology', async () => {
      const info = await c().call<{
        node_id: string;
        max_volumes_per_node: string;
        accessible_topology: { segments: Record<string, string> };
      }>('Node', 'NodeGetInfo');
      expect(info.node_id).toBe('node-1');
      expect(info.max_volumes_per_node).toBe('16');
      expect(info.accessible_topology.segments).toEqual({
        'topology.csi.kemu.dev/node': 'node-1',
        'topology.kubernetes.io/zone': 'z1',
      });
    });

    it('NodeGetCapabilities advertises stage/unstage, stats and expansion', async () => {
      const caps = await c().call<{ capabilities: { rpc: { type: string } }[] }>('Node', 'NodeGetCapabilities');
      expect(caps.capabilities.map((x) => x.rpc.type)).toEqual(
        expect.arrayContaining(['STAGE_UNSTAGE_VOLUME', 'GET_VOLUME_STATS', 'EXPAND_VOLUME']),
      );
    });

    it('the full node lifecycle creates the target as a link to the data and removes it again', async () => {
      const v = await attached('lifecycle');
      await stage(v.id, v.staging);
      await stage(v.id, v.staging);
      await nodePublish(v.id, v.staging, v.target);
      await nodePublish(v.id, v.staging, v.target);
      expect((await lstat(v.target)).isSymbolicLink()).toBe(true);
      await writeFile(join(v.target, 'hello.txt'), 'written through the pod view');
      expect((await stat(join(lab.dir, 'state', 'volumes', v.id, 'hello.txt'))).size).toBeGreaterThan(0);
      await c().nodeUnpublishVolume({ volume_id: v.id, target_path: v.target });
      await c().nodeUnpublishVolume({ volume_id: v.id, target_path: v.target });
      // csi-sanity "should remove target path"
      await expect(lstat(v.target)).rejects.toThrow();
      await c().nodeUnstageVolume({ volume_id: v.id, staging_target_path: v.staging });
      await c().nodeUnstageVolume({ volume_id: v.id, staging_target_path: v.staging });
      await c().controllerUnpublishVolume({ volume_id: v.id, node_id: 'node-1' });
      await c().deleteVolume({ volume_id: v.id });
    });

    it('a block volume publishes as a link to a file of the volume size', async () => {
      const v = await attached('blocky', blockCap(), 2 * MiB);
      await stage(v.id, v.staging, blockCap());
      await nodePublish(v.id, v.staging, v.target, blockCap());
      expect((await stat(v.target)).size).toBe(2 * MiB);
      expect(await readlink(v.target)).toMatch(/\.img$/);
    });

    it('staging at the same path with another capability is ALREADY_EXISTS', async () => {
      const v = await attached('stage-clash');
      await stage(v.id, v.staging);
      expect(await codeOf(stage(v.id, v.staging, mountCap('SINGLE_NODE_READER_ONLY')))).toBe(6);
    });

    it('staging a volume not published to this node, or with the wrong access type, is FAILED_PRECONDITION', async () => {
      const { volume } = await c().createVolume({ name: 'unattached', volume_capabilities: [mountCap()] });
      expect(await codeOf(stage(volume.volume_id, paths('unattached').staging))).toBe(9);
      const v = await attached('wrong-type');
      expect(await codeOf(stage(v.id, v.staging, blockCap()))).toBe(9);
    });

    it('publishing at the same target with other arguments is ALREADY_EXISTS', async () => {
      const v = await attached('pub-clash');
      await stage(v.id, v.staging);
      await nodePublish(v.id, v.staging, v.target);
      expect(await codeOf(nodePublish(v.id, v.staging, v.target, mountCap(), true))).toBe(6);
    });

    it('a second target for SINGLE_NODE_WRITER is FAILED_PRECONDITION, for SINGLE_NODE_MULTI_WRITER OK', async () => {
      // spec NodePublishVolume table, "T differs" columns
      const v = await attached('two-targets');
      await stage(v.id, v.staging);
      await nodePublish(v.id, v.staging, v.target);
      expect(await codeOf(nodePublish(v.id, v.staging, `${v.target}-2`))).toBe(9);
      const m = await attached('two-targets-multi', mountCap('SINGLE_NODE_MULTI_WRITER'));
      await stage(m.id, m.staging, mountCap('SINGLE_NODE_MULTI_WRITER'));
      await nodePublish(m.id, m.staging, m.target, mountCap('SINGLE_NODE_MULTI_WRITER'));
      await nodePublish(m.id, m.staging, `${m.target}-2`, mountCap('SINGLE_NODE_MULTI_WRITER'));
    });

    it('publishing without a staging path or before staging is FAILED_PRECONDITION', async () => {
      const v = await attached('unstaged');
      expect(
        await codeOf(
          c().nodePublishVolume({ volume_id: v.id, target_path: v.target, volume_capability: mountCap(), readonly: false }),
        ),
      ).toBe(9);
      expect(await codeOf(nodePublish(v.id, v.staging, v.target))).toBe(9);
    });

    it('unstaging while still published is FAILED_PRECONDITION', async () => {
      const v = await attached('busy-stage');
      await stage(v.id, v.staging);
      await nodePublish(v.id, v.staging, v.target);
      expect(await codeOf(c().nodeUnstageVolume({ volume_id: v.id, staging_target_path: v.staging }))).toBe(9);
    });

    it('node RPCs on an unknown volume are NOT_FOUND', async () => {
      const p = paths('ghost');
      expect(await codeOf(stage('vol-ghost', p.staging))).toBe(5);
      expect(await codeOf(nodePublish('vol-ghost', p.staging, p.target))).toBe(5);
      expect(await codeOf(c().nodeUnpublishVolume({ volume_id: 'vol-ghost', target_path: p.target }))).toBe(5);
      expect(await codeOf(c().nodeUnstageVolume({ volume_id: 'vol-ghost', staging_target_path: p.staging }))).toBe(5);
      expect(await codeOf(c().call('Node', 'NodeGetVolumeStats', { volume_id: 'vol-ghost', volume_path: p.target }))).toBe(5);
    });

    it('NodeGetVolumeStats reports real bytes and inodes used, and flags a volume over its capacity', async () => {
      const v = await attached('stats', mountCap(), MiB);
      await stage(v.id, v.staging);
      await nodePublish(v.id, v.staging, v.target);
      await writeFile(join(v.target, 'a.bin'), Buffer.alloc(256 * 1024, 1));
      type Stats = {
        usage: { unit: string; used: string; total: string; available: string }[];
        volume_condition: { abnormal: boolean; message: string };
      };
      const stats = await c().call<Stats>('Node', 'NodeGetVolumeStats', { volume_id: v.id, volume_path: v.target });
      const bytes = stats.usage.find((u) => u.unit === 'BYTES')!;
      const inodes = stats.usage.find((u) => u.unit === 'INODES')!;
      expect(Number(bytes.used)).toBeGreaterThanOrEqual(256 * 1024);
      expect(bytes.total).toBe(String(MiB));
      expect(Number(inodes.used)).toBe(2);
      expect(stats.volume_condition.abnormal).toBe(false);
      await writeFile(join(v.target, 'b.bin'), Buffer.alloc(MiB, 1));
      const over = await c().call<Stats>('Node', 'NodeGetVolumeStats', { volume_id: v.id, volume_path: v.target });
      expect(over.volume_condition.abnormal).toBe(true);
      expect(over.volume_condition.message).toMatch(/over capacity/);
      expect(over.usage.find((u) => u.unit === 'BYTES')!.available).toBe('0');
      // csi-sanity: a real volume queried at a wrong path is NOT_FOUND
      expect(await codeOf(c().call('Node', 'NodeGetVolumeStats', { volume_id: v.id, volume_path: '/nonexistent/path' }))).toBe(5);
    });

    it('NodeExpandVolume grows a staged volume and needs a path where it is used', async () => {
      const v = await attached('node-grow');
      await stage(v.id, v.staging);
      const grown = await c().call<{ capacity_bytes: string }>('Node', 'NodeExpandVolume', {
        volume_id: v.id,
        volume_path: v.staging,
        capacity_range: { required_bytes: 3 * MiB },
      });
      expect(grown.capacity_bytes).toBe(String(3 * MiB));
      expect(await codeOf(c().call('Node', 'NodeExpandVolume', { volume_id: v.id, volume_path: '/elsewhere' }))).toBe(5);
      expect(await codeOf(c().call('Node', 'NodeExpandVolume', { volume_id: v.id }))).toBe(3);
    });
  });
}
