// The shapes the VXLAN codec reads and writes (RFC 7348 §5: VXLAN header + inner Ethernet frame).

/** A transport header of the inner packet. */
export type Transport =
  | { protocol: 'UDP'; srcPort: number; dstPort: number }
  | {
      protocol: 'TCP';
      srcPort: number;
      dstPort: number;
      seq: number;
      ack: number;
      /** TCP flag bits (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10). */
      flags: number;
      window: number;
    }
  | {
      protocol: 'ICMP';
      /** ICMP type (ICMPv6 types over IPv6), e.g. 8 echo request / 128 for ICMPv6. */
      type: number;
      code: number;
      /** The 4 "rest of header" bytes as a number (identifier << 16 | sequence for echo). */
      rest: number;
    };

/** The inner packet: Ethernet addresses, IP header fields, transport header and payload. */
export interface InnerPacket {
  /** Inner destination MAC (the remote VtepMAC in flannel), 6 bytes. */
  dstMac: Uint8Array;
  /** Inner source MAC (the local VtepMAC), 6 bytes. */
  srcMac: Uint8Array;
  /** Source address, 4 bytes (IPv4) or 16 (IPv6). */
  src: Uint8Array;
  /** Destination address, same family as `src`. */
  dst: Uint8Array;
  /** TTL / hop limit; default 64. */
  ttl?: number;
  transport: Transport;
  payload: Uint8Array;
}

/** A decoded VXLAN datagram. */
export interface VxlanFrame {
  /** The 24-bit VXLAN network identifier. */
  vni: number;
  packet: InnerPacket;
}

/** Why a datagram was not a valid VXLAN frame (a closed union: one reason per failure). */
export type DecodeFailureReason =
  | 'truncated'
  | 'vni-flag-missing'
  | 'unsupported-ethertype'
  | 'bad-ip-header'
  | 'bad-ip-checksum'
  | 'length-mismatch'
  | 'unsupported-protocol'
  | 'bad-transport-checksum';

/** The result of decoding: a frame, or a typed reason (decoding never throws). */
export type DecodeResult = { ok: true; frame: VxlanFrame } | { ok: false; reason: DecodeFailureReason; detail: string };

/** The result of encoding: the UDP payload, or `oversize` when the inner IP packet exceeds the MTU. */
export type EncodeResult =
  | { ok: true; bytes: Uint8Array; innerLength: number }
  | { ok: false; reason: 'oversize'; innerLength: number; mtu: number; detail: string };
