import { InvalidCidrError } from '../errors/catalogue.js';
import { familyBits, IP, type IPFamily, tryParseIP } from './ip.js';

/**
 * A CIDR block: the network address (host bits cleared) and the prefix length.
 * @example parseCIDR('10.244.0.0/16').contains(parseIP('10.244.3.4')) // true
 */
export class CIDR {
  /** @internal Use {@link parseCIDR}. */
  constructor(
    /** The network address, host bits zero. */
    readonly network: IP,
    /** Bits of the prefix, 0–32 or 0–128. */
    readonly prefixLength: number,
  ) {}

  /** `IPv4` or `IPv6`. */
  get family(): IPFamily {
    return this.network.family;
  }

  /** Number of host bits. */
  get hostBits(): number {
    return this.network.bits - this.prefixLength;
  }

  /** Addresses in the block, network and broadcast included. */
  get size(): bigint {
    return 1n << BigInt(this.hostBits);
  }

  /** The first address (the network address). */
  get first(): IP {
    return this.network;
  }

  /** The last address (the IPv4 broadcast address). */
  get last(): IP {
    return new IP(this.family, this.network.value + this.size - 1n);
  }

  /** True when `ip` is of the same family and inside the block. */
  contains(ip: IP): boolean {
    if (ip.family !== this.family) return false;
    const shift = BigInt(this.hostBits);
    return ip.value >> shift === this.network.value >> shift;
  }

  /** True when `other` lies entirely inside this block. */
  containsCIDR(other: CIDR): boolean {
    return other.prefixLength >= this.prefixLength && this.contains(other.network);
  }

  /** True when the two blocks share any address. */
  overlaps(other: CIDR): boolean {
    return this.containsCIDR(other) || other.containsCIDR(this);
  }

  /** The address at `offset` from the network address; throws when outside the block. */
  at(offset: bigint | number): IP {
    const o = BigInt(offset);
    if (o < 0n || o >= this.size) throw new InvalidCidrError(this.toString(), `has no address at offset ${o}`);
    return new IP(this.family, this.network.value + o);
  }

  /** How many subnets of prefix `maskSize` the block splits into. */
  subnetCount(maskSize: number): bigint {
    this.checkMaskSize(maskSize);
    return 1n << BigInt(maskSize - this.prefixLength);
  }

  /**
   * The `index`-th subnet of prefix `maskSize`, in address order — how kube-controller-manager's
   * range allocator carves a cluster CIDR into node pod CIDRs (`--node-cidr-mask-size`).
   */
  subnet(maskSize: number, index: bigint | number): CIDR {
    const count = this.subnetCount(maskSize);
    const i = BigInt(index);
    if (i < 0n || i >= count) {
      throw new InvalidCidrError(this.toString(), `has ${count} subnets of /${maskSize}; index ${i} is out of range`);
    }
    const step = 1n << BigInt(this.network.bits - maskSize);
    return new CIDR(new IP(this.family, this.network.value + i * step), maskSize);
  }

  /** Every subnet of prefix `maskSize`, lazily, in address order. */
  *subnets(maskSize: number): Generator<CIDR> {
    const count = this.subnetCount(maskSize);
    for (let i = 0n; i < count; i++) yield this.subnet(maskSize, i);
  }

  /** `network/prefix` in canonical form. */
  toString(): string {
    return `${this.network.toString()}/${this.prefixLength}`;
  }

  /** JSON form is the canonical string. */
  toJSON(): string {
    return this.toString();
  }

  private checkMaskSize(maskSize: number): void {
    if (!Number.isInteger(maskSize) || maskSize < this.prefixLength || maskSize > this.network.bits) {
      throw new InvalidCidrError(
        this.toString(),
        `cannot be split into /${maskSize} subnets (mask size must be between ${this.prefixLength} and ${this.network.bits})`,
      );
    }
  }
}

/** Options for {@link parseCIDR}. */
export interface ParseCIDROptions {
  /** Reject host bits (`10.1.2.3/8`) instead of clearing them as Go's net.ParseCIDR does. */
  strict?: boolean;
}

/** Parses `addr/prefix`; returns a typed reason instead of throwing. */
export function tryParseCIDR(text: string, options: ParseCIDROptions = {}): CIDR | string {
  const slash = text.indexOf('/');
  if (slash < 0) return 'is not a CIDR: it has no "/prefix" part';
  const ip = tryParseIP(text.slice(0, slash));
  if (!ip) return `is not a CIDR: "${text.slice(0, slash)}" is not an IP address`;
  const prefixText = text.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > ip.bits) {
    return `is not a CIDR: prefix length must be 0–${ip.bits}`;
  }
  const prefixLength = Number(prefixText);
  const shift = BigInt(ip.bits - prefixLength);
  const networkValue = (ip.value >> shift) << shift;
  if (options.strict && networkValue !== ip.value) {
    return `has host bits set; the network address is ${new IP(ip.family, networkValue)}/${prefixLength}`;
  }
  return new CIDR(new IP(ip.family, networkValue), prefixLength);
}

/** Parses `addr/prefix` (host bits cleared unless `strict`); throws {@link InvalidCidrError}. */
export function parseCIDR(text: string, options: ParseCIDROptions = {}): CIDR {
  const result = tryParseCIDR(text, options);
  if (typeof result === 'string') throw new InvalidCidrError(text, result);
  return result;
}

/** True when `text` is a valid CIDR. */
export function isCIDR(text: string): boolean {
  return typeof tryParseCIDR(text) !== 'string';
}

/** The CIDR that holds exactly one address (`/32` or `/128`). */
export function hostCIDR(ip: IP): CIDR {
  return new CIDR(ip, familyBits[ip.family]);
}
