// Chain, set and map names exactly as kube-proxy derives them.
// iptables: pkg/proxy/iptables/proxier.go portProtoHash / servicePortEndpointChainName.
// nftables: pkg/proxy/nftables/proxier.go servicePortChainNameBase / hashAndTruncate.
import { hash } from 'node:crypto';

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * `prefix` + the first `length` RFC 4648 base32 characters (Go `base32.StdEncoding`) of
 * SHA-256(`text`). A full render hashes one name per service port and per endpoint (110k for
 * 10k Services × 10): the one-shot `crypto.hash` with hex output is several times faster than
 * `createHash` + a digest Buffer, so the base32 digits are read from the hex digest, 4 bits per
 * hex digit. The name is built with one join so it is a flat string: every rule that names the
 * chain copies it, and a rope (`+=`) would be flattened again and again.
 */
function sha256Base32(text: string, length: number, prefix = ''): string {
  const hex = hash('sha256', text, 'hex');
  const out = [prefix];
  let buffer = 0;
  let bits = 0;
  for (let i = 0; out.length <= length; i++) {
    const code = hex.charCodeAt(i); // '0'–'9' or 'a'–'f'
    buffer = ((buffer << 4) | (code < 58 ? code - 48 : code - 87)) & 0xff;
    bits += 4;
    if (bits >= 5) {
      bits -= 5;
      out.push(base32Alphabet[(buffer >>> bits) & 31] as string);
    }
  }
  return out.join('');
}

/** Go `net.JoinHostPort`: IPv6 in brackets. */
export function joinHostPort(ip: string, port: number): string {
  // join gives a flat string: `ip:port` is an endpoint's sort and dedupe key and is in its rules.
  return ip.includes(':') ? ['[', ip, ']:', port].join('') : [ip, ':', port].join('');
}

/** The 16-character hash shared by KUBE-SVC-/SVL-/EXT-/FW- chains: SHA-256(servicePortName + protocol). */
export function portProtoHash(servicePortName: string, protocolLower: string): string {
  return sha256Base32(servicePortName + protocolLower, 16);
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
  return sha256Base32(servicePortName + protocolLower + endpoint, 16, 'KUBE-SEP-');
}

/** knftables' 256-character name limit minus the longest prefix (upstream chainNameBaseLengthMax). */
const nftBaseLengthMax = 240;

/** `HASH8-text`, cut to 240 characters with a trailing `...` (upstream hashAndTruncate). */
function hashAndTruncate(text: string): string {
  const name = `${sha256Base32(text, 8)}-${text}`;
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
