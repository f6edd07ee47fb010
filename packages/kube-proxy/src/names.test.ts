import { describe, expect, it } from 'vitest';
import { iptablesChainNames, iptablesEndpointChainName, nftEndpointBase, nftServiceBase, portProtoHash } from './names.js';

describe('chain names', () => {
  it('hashes service port + protocol like portProtoHash', () => {
    // Check values from upstream proxier_test.go (reference §1).
    expect(portProtoHash('ns1/svc1:p80', 'tcp')).toBe('XPGD46QRK7WJZT7O');
    expect(portProtoHash('ns2/svc2:p80', 'tcp')).toBe('GNZBNJ2PO5MGZ6GT');
    expect(portProtoHash('ns5/svc5:p80', 'tcp')).toBe('NUKIZ6OKUXPJNT4C');
    expect(portProtoHash('ns1/svc1', 'tcp')).toBe('AQI2S6QIMU7PVVRP');
  });

  it('names the chains every cluster has', () => {
    expect(iptablesChainNames('default/kubernetes:https', 'tcp').cluster).toBe('KUBE-SVC-NPX46M4PTMTKRN6Y');
    expect(iptablesChainNames('kube-system/kube-dns:dns', 'udp').cluster).toBe('KUBE-SVC-TCOU7JCQXEZGVUNU');
    expect(iptablesChainNames('kube-system/kube-dns:dns-tcp', 'tcp').cluster).toBe('KUBE-SVC-ERIFXISQEP7F7OF4');
  });

  it('shares one hash across SVC, SVL, EXT and FW', () => {
    const names = iptablesChainNames('ns1/svc1:p80', 'tcp');
    expect(names).toEqual({
      cluster: 'KUBE-SVC-XPGD46QRK7WJZT7O',
      local: 'KUBE-SVL-XPGD46QRK7WJZT7O',
      external: 'KUBE-EXT-XPGD46QRK7WJZT7O',
      firewall: 'KUBE-FW-XPGD46QRK7WJZT7O',
    });
  });

  it('hashes the endpoint ip:port into KUBE-SEP names', () => {
    expect(iptablesEndpointChainName('ns1/svc1:p80', 'tcp', '10.180.0.1:80')).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
  });

  it('builds nftables base names with an 8-character hash', () => {
    expect(nftServiceBase('ns1', 'svc1', 'tcp', 'p80')).toBe('ULMVA6XW-ns1/svc1/tcp/p80');
    expect(nftEndpointBase('ns1', 'svc1', 'tcp', 'p80', '10.180.0.1', 80)).toBe('5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
  });

  it('truncates nftables names past 240 characters with "..."', () => {
    // upstream hashAndTruncate: knftables' 256 limit minus the longest prefix.
    const name = nftServiceBase('n'.repeat(63), 's'.repeat(63), 'tcp', 'p'.repeat(120));
    expect(name).toHaveLength(240);
    expect(name.endsWith('...')).toBe(true);
  });

  it('keeps iptables chain names within the 28-character limit', () => {
    expect(iptablesChainNames('a-very-long-namespace/a-very-long-service:a-port', 'sctp').cluster.length).toBeLessThanOrEqual(28);
  });
});
