import { describe, expect, it } from 'vitest';
import { ClusterCidrError } from '../errors.js';
import { assignPodCIDRs } from '../ipam/pod-cidrs.js';
import { buildOverlay, nodeNetworkState } from './overlay.js';
import { renderBridgeFdb, renderIpNeigh, renderIpRoute } from './render.js';
import { vtepMac } from './vtep.js';

const nodes = [
  { name: 'a', publicIP: '192.168.64.2' },
  { name: 'b', publicIP: '192.168.64.3' },
  { name: 'c', publicIP: '192.168.64.4' },
];

describe('pod CIDRs (kube-controller-manager range allocator)', () => {
  it('carves /24s for IPv4 and /64s for IPv6 in node order (dual-stack)', () => {
    const m = assignPodCIDRs(['a', 'b'], { clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'] });
    expect(m.get('a')).toEqual(['10.244.0.0/24', 'fd00:10:244::/64']);
    expect(m.get('b')).toEqual(['10.244.1.0/24', 'fd00:10:244:1::/64']);
  });

  it('keeps podCIDRs a node already has and skips them for others', () => {
    const m = assignPodCIDRs([{ name: 'a', podCIDRs: ['10.244.0.0/24'] }, 'b'], { clusterCIDRs: ['10.244.0.0/16'] });
    expect(m.get('b')).toEqual(['10.244.1.0/24']);
  });

  it('reports exhaustion, host bits and two CIDRs of one family', () => {
    expect(() => assignPodCIDRs(['a', 'b'], { clusterCIDRs: ['10.0.0.0/24'] })).toThrow(ClusterCidrError);
    expect(() => assignPodCIDRs(['a'], { clusterCIDRs: ['10.0.0.1/16'] })).toThrow('host bits');
    expect(() => assignPodCIDRs(['a'], { clusterCIDRs: ['10.0.0.0/16', '10.1.0.0/16'] })).toThrow('one IPv4 and one IPv6');
  });
});

describe('flannel VXLAN per node (reference §3.2)', () => {
  const overlay = buildOverlay(nodes);

  it('uses VNI 1, port 8472 and MTU 1450 by default, and 4789 when configured', () => {
    expect([overlay.vni, overlay.port, overlay.mtu]).toEqual([1, 8472, 1450]);
    expect(buildOverlay(nodes, { port: 4789, underlayMTU: 9000 })).toMatchObject({ port: 4789, mtu: 8950 });
  });

  it('derives the VTEP MAC from the underlay address (0e:2a + IPv4 bytes)', () => {
    expect(vtepMac('192.168.64.3')).toBe('0e:2a:c0:a8:40:03');
  });

  it('programs one route, one neighbour and one FDB entry per remote node', () => {
    const s = nodeNetworkState(overlay, 'a');
    expect(renderIpRoute(s)).toEqual([
      '10.244.0.0/24 dev cni0 proto kernel scope link src 10.244.0.1',
      '10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink',
      '10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink',
    ]);
    expect(renderIpNeigh(s)[0]).toBe('10.244.1.0 dev flannel.1 lladdr 0e:2a:c0:a8:40:03 PERMANENT');
    expect(renderBridgeFdb(s)[1]).toBe('0e:2a:c0:a8:40:04 dev flannel.1 dst 192.168.64.4 self permanent');
    expect(s.subnetEnv).toBe(
      'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.0.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n',
    );
  });

  it('adds flannel-v6 entries for dual-stack leases', () => {
    const s = nodeNetworkState(buildOverlay(nodes, { clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'] }), 'a');
    expect(renderIpRoute(s)).toContain('fd00:10:244:1::/64 via fd00:10:244:1:: dev flannel-v6.1 onlink');
    expect(s.fdb.filter((f) => f.dev === 'flannel-v6.1')).toHaveLength(2);
  });
});
