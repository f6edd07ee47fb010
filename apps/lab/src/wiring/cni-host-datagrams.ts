import dgram from 'node:dgram';
import type { DatagramReply, NodeAgent } from '@kemu/cni/agent';
import type { GatewayAddress } from './cni-host-gateway.js';

interface DatagramForwarder {
  socket: dgram.Socket;
  address: GatewayAddress | undefined;
  open: boolean;
}

/**
 * UDP NodePorts (and LoadBalancer host ports) into the overlay. One loopback UDP socket per pod
 * UDP endpoint (`podIP:port`) takes what the service proxy's UDP relay sends it: one relay socket
 * per client, as kube-proxy's DNAT gives each client flow its own conntrack entry. Each datagram
 * leaves the host's node agent as a VXLAN frame (RFC 7348) from `sourceIP:<relay port>`:
 * kube-proxy's KUBE-EXT chain masquerades external traffic (`-j KUBE-MARK-MASQ`, "masquerade
 * traffic for <spn> external destinations"; from the host itself even with
 * externalTrafficPolicy: Local), so the pod's agent judges ingress NetworkPolicy on that address.
 * The pod's answers come back through the agents (their UDP conntrack, with its idle timeouts)
 * and this socket to the relay, which hands them to the client.
 */
export class HostDatagramGateway {
  private readonly forwarders = new Map<string, DatagramForwarder>();
  private closed = false;

  constructor(
    private readonly agent: () => Promise<NodeAgent>,
    private readonly sourceIP: string,
  ) {}

  /** The loopback address whose datagrams reach `podIP:port` over the overlay (undefined until its socket is bound). */
  addressFor(podIP: string, port: number): GatewayAddress | undefined {
    const forwarder = this.forwarders.get(`${podIP}|${port}`);
    if (!forwarder) this.prepare(podIP, port);
    return forwarder?.address;
  }

  /** Opens the socket of `podIP:port` (a pod published a UDP port). */
  prepare(podIP: string, port: number): void {
    const key = `${podIP}|${port}`;
    if (this.closed || this.forwarders.has(key)) return;
    const socket = dgram.createSocket('udp4');
    const forwarder: DatagramForwarder = { socket, address: undefined, open: true };
    this.forwarders.set(key, forwarder);
    socket.on('error', () => {
      if (this.forwarders.get(key) === forwarder) this.forwarders.delete(key);
      closeForwarder(forwarder);
    });
    socket.on('message', (payload, relay) => {
      // The relay's port is the flow's source port after masquerade: answers of the flow go back to it.
      const reply: DatagramReply = (_host, _port, data) => {
        if (!forwarder.open) return false;
        socket.send(data, relay.port, relay.address);
        return true;
      };
      const source = { ip: this.sourceIP, port: relay.port };
      // One promise for the agent, so datagrams keep their order while it starts. A lost datagram is UDP's lot.
      this.agent().then(
        (agent) => forwarder.open && agent.sendDatagramFromHost(source, podIP, port, payload, reply),
        () => undefined,
      );
    });
    socket.bind(0, '127.0.0.1', () => {
      if (forwarder.open) forwarder.address = { host: '127.0.0.1', port: socket.address().port };
    });
  }

  /** Closes the sockets of a pod that is gone. */
  forget(podIP: string): void {
    for (const [key, forwarder] of this.forwarders) {
      if (!key.startsWith(`${podIP}|`)) continue;
      this.forwarders.delete(key);
      closeForwarder(forwarder);
    }
  }

  /** Closes every socket. */
  close(): void {
    this.closed = true;
    for (const forwarder of this.forwarders.values()) closeForwarder(forwarder);
    this.forwarders.clear();
  }
}

function closeForwarder(forwarder: DatagramForwarder): void {
  if (!forwarder.open) return;
  forwarder.open = false;
  forwarder.socket.close();
}
