import ipaddr from 'ipaddr.js';
import { InvalidIpError } from '../errors/catalogue.js';

/** The two IP families, named as Kubernetes names them (`ipFamilies`, EndpointSlice `addressType`). */
export type IPFamily = 'IPv4' | 'IPv6';

/** Bits in an address of each family. */
export const familyBits: Record<IPFamily, number> = { IPv4: 32, IPv6: 128 };

/**
 * An IPv4 or IPv6 address as a number, so that ordering, next/prev and containment are arithmetic.
 * Strings are canonical: dotted decimal, or RFC 5952 for IPv6 (`2001:db8::1`).
 * @example parseIP('10.244.1.2').next().toString() // '10.244.1.3'
 */
export class IP {
  private text: string | undefined;

  /** @internal Use {@link parseIP} or {@link IP.fromValue}. */
  constructor(
    /** `IPv4` or `IPv6`. */
    readonly family: IPFamily,
    /** The address as an unsigned integer of 32 or 128 bits. */
    readonly value: bigint,
  ) {}

  /** The address with this integer value in the given family; throws if out of range. */
  static fromValue(family: IPFamily, value: bigint): IP {
    const bits = familyBits[family];
    if (value < 0n || value >= 1n << BigInt(bits)) {
      throw new InvalidIpError(`${family} value ${value}`);
    }
    return new IP(family, value);
  }

  /** 32 or 128. */
  get bits(): number {
    return familyBits[this.family];
  }

  /** The next address; throws past the end of the address space. */
  next(): IP {
    return this.add(1n);
  }

  /** The previous address; throws before the start of the address space. */
  prev(): IP {
    return this.add(-1n);
  }

  /** This address plus `offset` (negative allowed); throws when the result leaves the family's space. */
  add(offset: bigint | number): IP {
    return IP.fromValue(this.family, this.value + BigInt(offset));
  }

  /** -1, 0 or 1; IPv4 sorts before IPv6. */
  compare(other: IP): number {
    if (this.family !== other.family) return this.family === 'IPv4' ? -1 : 1;
    return this.value < other.value ? -1 : this.value > other.value ? 1 : 0;
  }

  /** Same family and value. */
  equals(other: IP): boolean {
    return this.family === other.family && this.value === other.value;
  }

  /** Network-order bytes (4 or 16). */
  toBytes(): Uint8Array {
    const length = this.bits / 8;
    const bytes = new Uint8Array(length);
    let v = this.value;
    for (let i = length - 1; i >= 0; i--) {
      bytes[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return bytes;
  }

  /** Canonical text: dotted decimal, or RFC 5952 IPv6. */
  toString(): string {
    if (this.text === undefined) {
      const bytes = Array.from(this.toBytes());
      this.text = ipaddr.fromByteArray(bytes).toString();
    }
    return this.text;
  }

  /** JSON form is the canonical string. */
  toJSON(): string {
    return this.toString();
  }
}

/** The address from bytes in network order (4 for IPv4, 16 for IPv6). */
export function ipFromBytes(bytes: ArrayLike<number>): IP {
  if (bytes.length !== 4 && bytes.length !== 16) throw new InvalidIpError(`${bytes.length}-byte address`);
  let value = 0n;
  for (let i = 0; i < bytes.length; i++) value = (value << 8n) | BigInt(bytes[i]!);
  return new IP(bytes.length === 4 ? 'IPv4' : 'IPv6', value);
}

/**
 * Parses an address the way Kubernetes validation does: IPv4 in four-part decimal only (no leading
 * zeros, no shorthand such as `10.1`), IPv6 in any RFC 4291 text form, no zone, no brackets.
 */
export function tryParseIP(text: string): IP | undefined {
  if (text.includes(':')) {
    if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return undefined;
    return ipFromBytes(ipaddr.IPv6.parse(text).toByteArray());
  }
  return parseIPv4(text);
}

const ipv4Pattern = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** Dotted decimal without leading zeros (parsed here: ipaddr.js validates by throwing, which is slow on hot paths). */
function parseIPv4(text: string): IP | undefined {
  const match = ipv4Pattern.exec(text);
  if (!match) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(match[i]);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return new IP('IPv4', BigInt(value));
}

/** Like {@link tryParseIP} but throws {@link InvalidIpError}. */
export function parseIP(text: string): IP {
  const ip = tryParseIP(text);
  if (!ip) throw new InvalidIpError(text);
  return ip;
}

/** True when `text` is a valid IPv4 or IPv6 address. */
export function isIP(text: string): boolean {
  return tryParseIP(text) !== undefined;
}

/** The family of a valid address string, or undefined. */
export function ipFamilyOf(text: string): IPFamily | undefined {
  return tryParseIP(text)?.family;
}

/** Canonical text of an address (e.g. `2001:0db8::0001` → `2001:db8::1`); throws when invalid. */
export function canonicalIP(text: string): string {
  return parseIP(text).toString();
}

/** Compares two address strings numerically, IPv4 before IPv6. */
export function compareIPs(a: string, b: string): number {
  return parseIP(a).compare(parseIP(b));
}
