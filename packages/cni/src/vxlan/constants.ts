// Wire constants: RFC 7348 §5, IEEE EtherTypes, IANA protocol numbers.

/** VXLAN header length. */
export const vxlanHeaderLength = 8;
/** Ethernet header length without 802.1Q tag. */
export const ethernetHeaderLength = 14;
/** The I flag: "MUST be set to 1 for a valid VXLAN Network ID" (RFC 7348 §5). */
export const vxlanFlagI = 0x08;
/** EtherType IPv4. */
export const etherTypeIPv4 = 0x0800;
/** EtherType IPv6. */
export const etherTypeIPv6 = 0x86dd;
/** IP protocol numbers. */
export const ipProtocol = { ICMP: 1, TCP: 6, UDP: 17, ICMPv6: 58 } as const;
/** IANA VXLAN port (RFC 7348 §5). */
export const vxlanIanaPort = 4789;
/** Linux's pre-IANA default VXLAN port, which flannel keeps (reference §3.2). */
export const vxlanLinuxPort = 8472;
/** Outer overhead on an IPv4 underlay: 14 Ethernet + 20 IPv4 + 8 UDP + 8 VXLAN. */
export const vxlanOverheadIPv4 = 50;
/** Outer overhead on an IPv6 underlay: 14 + 40 + 8 + 8. */
export const vxlanOverheadIPv6 = 70;
