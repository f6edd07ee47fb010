import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockCap, codeOf, type Lab, MiB, mountCap, startLab } from '../harness.js';

/** Identity and Controller RPCs over the socket (CSI spec v1.12.0; csi-sanity pkg/sanity/controller.go). */
export function identityAndControllerCases(protoPath?: string) {
  describe('Identity', () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await startLab(protoPath);
    });
    afterAll(() => lab.close());

    it('GetPluginInfo names the plugin in domain notation and gives a vendor version', async () => {
      // spec GetPluginInfo; csi-sanity identity.go wants ^[a-zA-Z][A-Za-z0-9-\.\_]{0,61}[a-zA-Z]$
      const info = await lab.client.call<{ name: string; vendor_version: string }>('Identity', 'GetPluginInfo');
      expect(info.name).toBe('csi.kemu.dev');
      expect(info.name).toMatch(/^[a-zA-Z][A-Za-z0-9-._]{0,61}[a-zA-Z]$/);
      expect(info.vendor_version).not.toBe('');
    });

    it('GetPluginCapabilities reports the controller service, topology and online expansion', async () => {
      const caps = await lab.client.call<{ capabilities: { service?: { type: string }; volume_expansion?: { type: string } }[] }>(
        'Identity',
        'GetPluginCapabilities',
      );
      expect(caps.capabilities.map((c) => c.service?.type ?? c.volume_expansion?.type)).toEqual([
        'CONTROLLER_SERVICE',
        'VOLUME_ACCESSIBILITY_CONSTRAINTS',
        'ONLINE',
      ]);
    });

    it('Probe answers ready as a BoolValue wrapper', async () => {
      expect(await lab.client.call('Identity', 'Probe')).toEqual({ ready: { value: true } });
    });
  });

  describe('Controller', () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await startLab(protoPath, { capacityBytes: 100 * MiB, maxVolumeSizeBytes: 50 * MiB });
    });
    afterAll(() => lab.close());
    const c = () => lab.client;
    const create = (name: string, extra: object = {}) =>
      c().createVolume({ name, volume_capabilities: [mountCap()], capacity_range: { required_bytes: MiB }, ...extra });

    it('ControllerGetCapabilities lists what kemu implements', async () => {
      const caps = await c().call<{ capabilities: { rpc: { type: string } }[] }>('Controller', 'ControllerGetCapabilities');
      const types = caps.capabilities.map((x) => x.rpc.type);
      expect(types).toContain('PUBLISH_UNPUBLISH_VOLUME');
      expect(types).toContain('LIST_VOLUMES_PUBLISHED_NODES');
      expect(types).toContain('CLONE_VOLUME');
    });

    it('CreateVolume provisions the required size and repeats idempotently with the same id', async () => {
      // spec CreateVolume: same name + compatible arguments → OK with the same volume
      const first = await create('idem');
      const again = await create('idem');
      expect(first.volume.capacity_bytes).toBe(String(MiB));
      expect(again.volume.volume_id).toBe(first.volume.volume_id);
    });

    it('CreateVolume with the same name and another size is ALREADY_EXISTS', async () => {
      // csi-sanity "should fail when requesting to create a volume with already existing name and different capacity"
      await create('size-clash');
      expect(await codeOf(create('size-clash', { capacity_range: { required_bytes: 2 * MiB, limit_bytes: 2 * MiB } }))).toBe(6);
    });

    it('CreateVolume with the same name and other parameters is ALREADY_EXISTS', async () => {
      await create('param-clash', { parameters: { tier: 'fast' } });
      expect(await codeOf(create('param-clash', { parameters: { tier: 'slow' } }))).toBe(6);
    });

    it('CreateVolume uses a default size without a range and the limit caps it', async () => {
      const sized = await c().createVolume({
        name: 'limit-only',
        volume_capabilities: [mountCap()],
        capacity_range: { limit_bytes: 3 * MiB },
      });
      expect(Number(sized.volume.capacity_bytes)).toBeLessThanOrEqual(3 * MiB);
    });

    it('CreateVolume above the maximum volume size is OUT_OF_RANGE', async () => {
      expect(await codeOf(create('too-big', { capacity_range: { required_bytes: 51 * MiB } }))).toBe(11);
    });

    it('CreateVolume with required above limit or negative bytes is INVALID_ARGUMENT', async () => {
      expect(await codeOf(create('bad-range', { capacity_range: { required_bytes: 2 * MiB, limit_bytes: MiB } }))).toBe(3);
      expect(await codeOf(create('neg-range', { capacity_range: { required_bytes: -1 } }))).toBe(3);
    });

    it('CreateVolume past the remaining capacity is RESOURCE_EXHAUSTED', async () => {
      await create('fill-1', { capacity_range: { required_bytes: 45 * MiB } });
      expect(await codeOf(create('fill-2', { capacity_range: { required_bytes: 50 * MiB } }))).toBe(8);
      await c().deleteVolume({
        volume_id: (await create('fill-1', { capacity_range: { required_bytes: 45 * MiB } })).volume.volume_id,
      });
    });

    it('CreateVolume without name or capabilities, or with mixed block and mount, is INVALID_ARGUMENT', async () => {
      expect(await codeOf(c().createVolume({ name: '', volume_capabilities: [mountCap()] }))).toBe(3);
      expect(await codeOf(c().createVolume({ name: 'no-caps', volume_capabilities: [] }))).toBe(3);
      expect(await codeOf(c().createVolume({ name: 'mixed', volume_capabilities: [mountCap(), blockCap()] }))).toBe(3);
      expect(await codeOf(c().createVolume({ name: 'no-mode', volume_capabilities: [{ mount: {} }] }))).toBe(3);
    });

    it('CreateVolume places the volume in the preferred topology', async () => {
      // spec TopologyRequirement: preferred first, then requisite
      const segments = { 'topology.csi.kemu.dev/node': 'node-2' };
      const { volume } = await create('topo', {
        accessibility_requirements: {
          requisite: [{ segments }, { segments: { 'topology.csi.kemu.dev/node': 'node-1' } }],
          preferred: [{ segments }],
        },
      });
      expect(volume.accessible_topology).toEqual([{ segments }]);
    });

    it('CreateVolume from a snapshot and from a volume copies the data', async () => {
      const source = await create('source');
      const snap = await c().call<{ snapshot: { snapshot_id: string; ready_to_use: boolean; source_volume_id: string } }>(
        'Controller',
        'CreateSnapshot',
        { source_volume_id: source.volume.volume_id, name: 'snap-1' },
      );
      expect(snap.snapshot.ready_to_use).toBe(true);
      const fromSnap = await create('from-snap', {
        volume_content_source: { snapshot: { snapshot_id: snap.snapshot.snapshot_id } },
      });
      expect(fromSnap.volume.content_source?.snapshot?.snapshot_id).toBe(snap.snapshot.snapshot_id);
      const clone = await create('clone', { volume_content_source: { volume: { volume_id: source.volume.volume_id } } });
      expect(clone.volume.content_source?.volume?.volume_id).toBe(source.volume.volume_id);
    });

    it('CreateVolume from a missing snapshot or volume is NOT_FOUND; smaller than the source is OUT_OF_RANGE', async () => {
      expect(await codeOf(create('ghost-snap', { volume_content_source: { snapshot: { snapshot_id: 'snap-missing' } } }))).toBe(
        5,
      );
      expect(await codeOf(create('ghost-vol', { volume_content_source: { volume: { volume_id: 'vol-missing' } } }))).toBe(5);
      const big = await create('big-source', { capacity_range: { required_bytes: 4 * MiB } });
      expect(
        await codeOf(create('small-clone', { volume_content_source: { volume: { volume_id: big.volume.volume_id } } })),
      ).toBe(11);
    });

    it('DeleteVolume of an unknown volume is OK and deleting twice is OK', async () => {
      const { volume } = await create('delete-me');
      await c().deleteVolume({ volume_id: volume.volume_id });
      await c().deleteVolume({ volume_id: volume.volume_id });
      expect(await codeOf(c().deleteVolume({ volume_id: 'vol-never-existed' }))).toBe(0);
    });

    it('DeleteVolume of a published volume is FAILED_PRECONDITION and leaves it untouched', async () => {
      // spec DeleteVolume: "Volume in use" → 9 (csi-driver-host-path answers INTERNAL)
      const { volume } = await create('in-use');
      await c().controllerPublishVolume({
        volume_id: volume.volume_id,
        node_id: 'node-1',
        volume_capability: mountCap(),
        readonly: false,
      });
      expect(await codeOf(c().deleteVolume({ volume_id: volume.volume_id }))).toBe(9);
      await c().controllerUnpublishVolume({ volume_id: volume.volume_id, node_id: 'node-1' });
      await c().deleteVolume({ volume_id: volume.volume_id });
    });

    it('ValidateVolumeCapabilities confirms supported capabilities and answers unsupported ones with a message', async () => {
      const { volume } = await create('validate');
      const ok = await c().call<{ confirmed: { volume_capabilities: unknown[] } | null }>(
        'Controller',
        'ValidateVolumeCapabilities',
        {
          volume_id: volume.volume_id,
          volume_capabilities: [mountCap('MULTI_NODE_MULTI_WRITER')],
        },
      );
      expect(ok.confirmed?.volume_capabilities).toHaveLength(1);
      const no = await c().call<{ confirmed: unknown; message: string }>('Controller', 'ValidateVolumeCapabilities', {
        volume_id: volume.volume_id,
        volume_capabilities: [blockCap()],
      });
      expect(no.confirmed).toBeNull();
      expect(no.message).toMatch(/mount volume/);
      expect(
        await codeOf(
          c().call('Controller', 'ValidateVolumeCapabilities', { volume_id: 'vol-x', volume_capabilities: [mountCap()] }),
        ),
      ).toBe(5);
      expect(
        await codeOf(
          c().call('Controller', 'ValidateVolumeCapabilities', { volume_id: volume.volume_id, volume_capabilities: [] }),
        ),
      ).toBe(3);
    });

    it('ListVolumes pages with next_token and never repeats an entry', async () => {
      const all = await c().call<{ entries: { volume: { volume_id: string } }[] }>('Controller', 'ListVolumes', {});
      const seen: string[] = [];
      let token = '';
      do {
        const page = await c().call<{ entries: { volume: { volume_id: string } }[]; next_token: string }>(
          'Controller',
          'ListVolumes',
          {
            max_entries: 2,
            starting_token: token,
          },
        );
        expect(page.entries.length).toBeLessThanOrEqual(2);
        seen.push(...page.entries.map((e) => e.volume.volume_id));
        token = page.next_token;
      } while (token);
      expect(seen).toEqual(all.entries.map((e) => e.volume.volume_id));
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('ListVolumes with a token it never issued is ABORTED, with negative max_entries INVALID_ARGUMENT', async () => {
      // spec ListVolumes: invalid starting_token → 10 ABORTED (csi-sanity "should fail when an invalid starting_token is passed")
      expect(await codeOf(c().call('Controller', 'ListVolumes', { starting_token: 'invalid-token' }))).toBe(10);
      expect(await codeOf(c().call('Controller', 'ListVolumes', { max_entries: -1 }))).toBe(3);
    });

    it('ListVolumes and ControllerGetVolume report the nodes a volume is published to', async () => {
      const { volume } = await create('listed');
      await c().controllerPublishVolume({
        volume_id: volume.volume_id,
        node_id: 'node-2',
        volume_capability: mountCap(),
        readonly: true,
      });
      const got = await c().call<{ status: { published_node_ids: string[]; volume_condition: { abnormal: boolean } } }>(
        'Controller',
        'ControllerGetVolume',
        { volume_id: volume.volume_id },
      );
      expect(got.status.published_node_ids).toEqual(['node-2']);
      expect(got.status.volume_condition.abnormal).toBe(false);
      await c().controllerUnpublishVolume({ volume_id: volume.volume_id, node_id: '' });
      expect(await codeOf(c().call('Controller', 'ControllerGetVolume', { volume_id: 'vol-gone' }))).toBe(5);
    });

    it('GetCapacity answers the remaining bytes for a known topology and 0 for an unknown one', async () => {
      const known = await c().call<{ available_capacity: string; maximum_volume_size: { value: string } }>(
        'Controller',
        'GetCapacity',
        {
          accessible_topology: { segments: { 'topology.csi.kemu.dev/node': 'node-1' } },
        },
      );
      expect(Number(known.available_capacity)).toBeGreaterThan(0);
      expect(known.maximum_volume_size.value).toBe(String(50 * MiB));
      const unknown = await c().call<{ available_capacity: string }>('Controller', 'GetCapacity', {
        accessible_topology: { segments: { 'topology.csi.kemu.dev/node': 'nowhere' } },
      });
      expect(unknown.available_capacity).toBe('0');
    });

    it('ControllerExpandVolume grows to exactly the requested size and is idempotent', async () => {
      // csi-sanity "ExpandVolume should work": capacity_bytes equals the request
      const { volume } = await create('grow');
      const grown = await c().call<{ capacity_bytes: string }>('Controller', 'ControllerExpandVolume', {
        volume_id: volume.volume_id,
        capacity_range: { required_bytes: 2 * MiB },
      });
      expect(grown.capacity_bytes).toBe(String(2 * MiB));
      const again = await c().call<{ capacity_bytes: string }>('Controller', 'ControllerExpandVolume', {
        volume_id: volume.volume_id,
        capacity_range: { required_bytes: MiB },
      });
      expect(again.capacity_bytes).toBe(String(2 * MiB));
      expect(
        await codeOf(
          c().call('Controller', 'ControllerExpandVolume', { volume_id: 'vol-none', capacity_range: { required_bytes: 1 } }),
        ),
      ).toBe(5);
      expect(await codeOf(c().call('Controller', 'ControllerExpandVolume', { volume_id: volume.volume_id }))).toBe(3);
      expect(
        await codeOf(
          c().call('Controller', 'ControllerExpandVolume', {
            volume_id: volume.volume_id,
            capacity_range: { required_bytes: 60 * MiB },
          }),
        ),
      ).toBe(11);
    });

    it('Snapshots: idempotent on name, ALREADY_EXISTS for another source, listed, filtered and deleted', async () => {
      const a = await create('snap-src-a');
      const b = await create('snap-src-b');
      const first = await c().call<{ snapshot: { snapshot_id: string } }>('Controller', 'CreateSnapshot', {
        source_volume_id: a.volume.volume_id,
        name: 'daily',
      });
      const again = await c().call<{ snapshot: { snapshot_id: string } }>('Controller', 'CreateSnapshot', {
        source_volume_id: a.volume.volume_id,
        name: 'daily',
      });
      expect(again.snapshot.snapshot_id).toBe(first.snapshot.snapshot_id);
      expect(
        await codeOf(c().call('Controller', 'CreateSnapshot', { source_volume_id: b.volume.volume_id, name: 'daily' })),
      ).toBe(6);
      expect(await codeOf(c().call('Controller', 'CreateSnapshot', { source_volume_id: 'vol-none', name: 'orphan' }))).toBe(5);
      const bySource = await c().call<{ entries: unknown[] }>('Controller', 'ListSnapshots', {
        source_volume_id: a.volume.volume_id,
      });
      expect(bySource.entries).toHaveLength(1);
      const none = await c().call<{ entries: unknown[] }>('Controller', 'ListSnapshots', { snapshot_id: 'snap-unknown' });
      expect(none.entries).toHaveLength(0);
      expect(await codeOf(c().call('Controller', 'ListSnapshots', { starting_token: 'nope' }))).toBe(10);
      await c().call('Controller', 'DeleteSnapshot', { snapshot_id: first.snapshot.snapshot_id });
      expect(await codeOf(c().call('Controller', 'DeleteSnapshot', { snapshot_id: first.snapshot.snapshot_id }))).toBe(0);
      expect(await codeOf(c().call('Controller', 'GetSnapshot', { snapshot_id: first.snapshot.snapshot_id }))).toBe(5);
    });

    it('ControllerModifyVolume needs mutable parameters and a known volume', async () => {
      const { volume } = await create('modify');
      expect(
        await codeOf(
          c().call('Controller', 'ControllerModifyVolume', { volume_id: volume.volume_id, mutable_parameters: { iops: '100' } }),
        ),
      ).toBe(0);
      expect(await codeOf(c().call('Controller', 'ControllerModifyVolume', { volume_id: volume.volume_id }))).toBe(3);
      expect(
        await codeOf(c().call('Controller', 'ControllerModifyVolume', { volume_id: 'vol-none', mutable_parameters: { a: 'b' } })),
      ).toBe(5);
    });
  });
}
