// IPAM on Redis: two clients (as two node agents or plugin processes) never hand out one address,
// and a new client after a "restart" sees every reservation (issue 3, IPAM).
import { randomUUID } from 'node:crypto';
import { createRedisStore } from '@kemu/core/redis';
import { resolveTestRedis } from '@kemu/core/testing';
import { afterAll, describe, expect, it, test } from 'vitest';
import { allocateAddresses, ClaimIpamBackend, parseIpamConfig } from '../src/index.js';
import { runPlugin } from '../src/plugin/run.js';

const redis = await resolveTestRedis();
const config = parseIpamConfig({ name: 'lab', cniVersion: '1.0.0', ipam: { ranges: [[{ subnet: '10.1.0.0/27' }]] } });

if ('skip' in redis) {
  test('IPAM on Redis', (context) => context.skip(redis.skip));
} else {
  afterAll(() => redis.stop());
  const lab = `cni-test-${randomUUID()}`;

  describe('IPAM on Redis', () => {
    it('never hands out one IP twice across two clients allocating at once', async () => {
      const stores = [createRedisStore({ url: redis.url, lab }), createRedisStore({ url: redis.url, lab })];
      try {
        const backends = stores.map((s, i) => new ClaimIpamBackend(s, 'lab', i === 0 ? 'per-allocation' : 'deferred'));
        const got = await Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            allocateAddresses(config, backends[i % 2]!, { containerID: `c${i}`, ifname: 'eth0' }),
          ),
        );
        const ips = got.map((a) => a[0]!.ip.toString());
        expect(new Set(ips).size).toBe(24);
        expect((await backends[0]!.reservations()).size).toBe(24);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('keeps reservations and the cursor for a client started later', async () => {
      const store = createRedisStore({ url: redis.url, lab });
      try {
        const backend = new ClaimIpamBackend(store, 'lab');
        expect((await backend.reservations()).size).toBe(24);
        const [next] = await allocateAddresses(config, backend, { containerID: 'late', ifname: 'eth0' });
        expect((await backend.reservations()).get(next!.ip.toString())).toEqual({ containerID: 'late', ifname: 'eth0' });
      } finally {
        await store.close();
      }
    });

    it('serves kemu-cni ADD with "store": "redis://…" cluster-wide', async () => {
      const openStore = async (url: string) => createRedisStore({ url, lab: `${lab}-plugin` });
      const stdin = JSON.stringify({
        cniVersion: '1.0.0',
        name: 'lab',
        ipam: { store: redis.url, ranges: [[{ subnet: '10.2.0.0/24' }]] },
      });
      const env = (id: string) => ({
        CNI_COMMAND: 'ADD',
        CNI_CONTAINERID: id,
        CNI_IFNAME: 'eth0',
        CNI_NETNS: '/x',
        CNI_PATH: '/x',
      });
      const outs = await Promise.all(['a', 'b', 'c'].map((id) => runPlugin({ env: env(id), stdin, openStore })));
      const ips = outs.map((o) => (JSON.parse(o.stdout) as { ips: { address: string }[] }).ips[0]!.address);
      expect(ips.sort()).toEqual(['10.2.0.2/24', '10.2.0.3/24', '10.2.0.4/24']);
    });
  });
}
