import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, type Lab, mountCap, startLab } from '../harness.js';

/** Path traversal and malformed strings: INVALID_ARGUMENT before anything touches the disk. */
export function badInputCases(protoPath?: string) {
  describe('bad input', () => {
    let lab: Lab;
    let id: string;
    beforeAll(async () => {
      lab = await startLab(protoPath);
      id = (await lab.client.createVolume({ name: 'victim', volume_capabilities: [mountCap()] })).volume.volume_id;
      await lab.client.controllerPublishVolume({
        volume_id: id,
        node_id: 'node-1',
        volume_capability: mountCap(),
        readonly: false,
      });
    });
    afterAll(() => lab.close());
    const c = () => lab.client;

    it.each([
      ['a parent-directory id', '../../etc'],
      ['an id with a slash', 'vol/../x'],
      ['an absolute id', '/etc/passwd'],
      ['an id with NUL', 'vol\u0000x'],
      ['an over-long id', 'v'.repeat(129)],
    ])('DeleteVolume with %s is INVALID_ARGUMENT', async (_what, volume_id) => {
      expect(await codeOf(c().deleteVolume({ volume_id }))).toBe(3);
    });

    it.each([
      ['a control character', 'name\u0001'],
      ['a path', '../escape'],
      ['more than 128 bytes', 'n'.repeat(129)],
    ])('CreateVolume with a name holding %s is INVALID_ARGUMENT', async (_what, name) => {
      expect(await codeOf(c().createVolume({ name, volume_capabilities: [mountCap()] }))).toBe(3);
    });

    it.each([
      ['a relative path', 'relative/target'],
      ['a .. segment', '/tmp/x/../../etc/target'],
      ['NUL', '/tmp/target\u0000x'],
      ['more than PATH_MAX bytes', `/${'p'.repeat(4100)}`],
    ])('NodePublishVolume with a target path holding %s is INVALID_ARGUMENT', async (_what, target_path) => {
      const staging_target_path = join(lab.dir, 'staging');
      expect(
        await codeOf(
          c().nodePublishVolume({
            volume_id: id,
            staging_target_path,
            target_path,
            volume_capability: mountCap(),
            readonly: false,
          }),
        ),
      ).toBe(3);
    });

    it('a target path inside the state dir is INVALID_ARGUMENT', async () => {
      await c().nodeStageVolume({ volume_id: id, staging_target_path: join(lab.dir, 'staging'), volume_capability: mountCap() });
      const target_path = join(lab.dir, 'state', 'volumes', 'evil');
      expect(
        await codeOf(
          c().nodePublishVolume({
            volume_id: id,
            staging_target_path: join(lab.dir, 'staging'),
            target_path,
            volume_capability: mountCap(),
            readonly: false,
          }),
        ),
      ).toBe(3);
    });

    it('a node id over 256 bytes is INVALID_ARGUMENT', async () => {
      expect(
        await codeOf(
          c().controllerPublishVolume({
            volume_id: id,
            node_id: 'n'.repeat(257),
            volume_capability: mountCap(),
            readonly: false,
          }),
        ),
      ).toBe(3);
    });

    it('an UNKNOWN access mode is INVALID_ARGUMENT', async () => {
      expect(await codeOf(c().createVolume({ name: 'unknown-mode', volume_capabilities: [mountCap('UNKNOWN')] }))).toBe(3);
    });
  });
}
