// Chain, set and map names exactly as kube-proxy derives them.
// iptables: pkg/proxy/iptables/proxier.go portProtoHash / servicePortEndpointChainName.
// nftables: pkg/proxy/nftables/proxier.go servicePortChainNameBase / hashAndTruncate.
import { createHash } from 'node:crypto';

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 of `bytes`, the first `length` characters (Go `base32.StdEncoding`). */
function base32Prefix(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
      if (out.length === length) return out;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

function sha256(text: string): Uint8Array {
  return createHash('sha256').update(text).digest();
}

/** Go `net.JoinHostPort`: IPv6 in brackets. */
export function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** The 16-character hash shared by KUBE-SVC-/SVL-/EXT-/FW- chains: SHA-256(servicePortName + protocol). */
export function portProtoHash(servicePortName: string, protocolLower: string): string {
  return base32Prefix(sha256(servicePortName + protocolLower), 16);
}

/** The iptables chain names of one service port. */
export interface IPTablesChainNames {
  /** KUBE-SVC-…: Cluster-policy endpoints. */
  readonly cluster: string;
  /** KUBE-SVL-…: Local-policy endpoints. */
  readonly local: string;
  /** KUBE-EXT-…: external destinations (NodePort, LB, externalIPs). */
  readonly external: string;
  /** KUBE-FW-…: loadBalancerSourceRanges. */
  readonly firewall: string;
}

/** The four per-service-port iptables chain names. */
export function iptablesChainNames(servicePortName: string, protocolLower: string): IPTablesChainNames {
  const hash = portProtoHash(servicePortName, protocolLower);
  return {
    cluster: `KUBE-SVC-${hash}`,
    local: `KUBE-SVL-${hash}`,
    external: `KUBE-EXT-${hash}`,
    firewall: `KUBE-FW-${hash}`,
  };
}

/** KUBE-SEP-…: SHA-256(servicePortName + protocol + "ip:port"), first 16 base32 characters. */
export function iptablesEndpointChainName(servicePortName: string, protocolLower: string, endpoint: string): string {
  return `KUBE-SEP-${base32Prefix(sha256(servicePortName + protocolLower + endpoint), 16)}`;
}

/** knftables' 256-character name limit minus the longest prefix (upstream chainNameBaseLengthMax). */
const nftBaseLengthMax = 240;

/** `HASH8-text`, cut to 240 characters with a trailing `...` (upstream hashAndTruncate). */
function hashAndTruncate(text: string): string {
  const name = `${base32Prefix(sha256(text), 8)}-${text}`;
  return name.length > nftBaseLengthMax ? `${name.slice(0, nftBaseLengthMax - 3)}...` : name;
}

/** The nftables base name of a service port: `HASH8-ns/name/proto/portName`. */
export function nftServiceBase(namespace: string, name: string, protocolLower: string, portName: string): string {
  return hashAndTruncate(`${namespace}/${name}/${protocolLower}/${portName}`);
}

/** The nftables base name of an endpoint: `HASH8-ns/name/proto/portName__ip/port` (IPv6 colons become dots). */
export function nftEndpointBase(
  namespace: string,
  name: string,
  protocolLower: string,
  portName: string,
  ip: string,
  port: number,
): string {
  return hashAndTruncate(`${namespace}/${name}/${protocolLower}/${portName}__${ip.replaceAll(':', '.')}/${port}`);
}
