// The few ASN.1 DER encodings (ITU-T X.690 §8, §10) an X.509 certificate is built from. Enough for
// a self-signed serving certificate; not a general ASN.1 library (no decoding, no SET OF sorting).

/** A tag-length-value: `tag` is the identifier octet, `content` the encoded contents. */
export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

/** X.690 §8.1.3: short form below 128, else 0x80 | count followed by the big-endian length. */
function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const sequence = (...items: Uint8Array[]): Buffer => tlv(0x30, ...items);
export const set = (...items: Uint8Array[]): Buffer => tlv(0x31, ...items);
export const octetString = (bytes: Uint8Array): Buffer => tlv(0x04, bytes);
export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
export const boolean = (value: boolean): Buffer => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
/** Context-specific constructed tag `[n]` (EXPLICIT). */
export const explicit = (n: number, item: Uint8Array): Buffer => tlv(0xa0 | n, item);
/** Context-specific primitive tag `[n]` (IMPLICIT over a primitive type). */
export const implicit = (n: number, bytes: Uint8Array): Buffer => tlv(0x80 | n, bytes);

/** A BIT STRING whose last `unusedBits` bits are padding (X.690 §8.6.2). */
export function bitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.from([unusedBits]), bytes);
}

/** A non-negative INTEGER from big-endian bytes: minimal, with a 0x00 lead when the top bit is set (§8.3.2). */
export function unsignedInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** An OBJECT IDENTIFIER from its dotted form: 40·first + second, then base-128 arcs (§8.19). */
export function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes: number[] = [];
  for (const arc of [40 * first + second, ...rest]) {
    const groups = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) groups.unshift(0x80 | (value & 0x7f));
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/**
 * A certificate validity time (RFC 5280 §4.1.2.5): UTCTime `YYMMDDHHMMSSZ` through 2049,
 * GeneralizedTime `YYYYMMDDHHMMSSZ` from 2050; whole seconds, always UTC.
 */
export function time(date: Date): Buffer {
  const digits = date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:T]/g, '');
  const year = date.getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}
