import { describe, expect, it } from 'vitest';
import { bitString, objectIdentifier, octetString, time, unsignedInteger } from './der.js';

// ITU-T X.690 (DER) encodings, checked against the examples of the standard and of RFC 5280.
describe('DER', () => {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

  it('encodes a length below 128 in one octet, and longer ones in the long form', () => {
    // X.690 §8.1.3.4 short form; §8.1.3.5 long form: 0x80 | number of length octets.
    expect(hex(octetString(Buffer.alloc(127))).slice(0, 4)).toBe('047f');
    expect(hex(octetString(Buffer.alloc(128))).slice(0, 6)).toBe('048180');
    expect(hex(octetString(Buffer.alloc(300))).slice(0, 8)).toBe('0482012c');
  });

  it('encodes an OBJECT IDENTIFIER with its first two arcs in one octet and the rest in base 128', () => {
    // X.690 §8.19.4: 1.2.840.113549 (rsadsi) is 2A 86 48 86 F7 0D.
    expect(hex(objectIdentifier('1.2.840.113549'))).toBe('06062a864886f70d');
    // 2.5.29.17, subjectAltName.
    expect(hex(objectIdentifier('2.5.29.17'))).toBe('0603551d11');
  });

  it('encodes a non-negative INTEGER minimally, with a leading zero when its top bit is set', () => {
    // X.690 §8.3.2: no redundant leading octets; §8.3.3 two's complement, so 0x80 needs 00 80.
    expect(hex(unsignedInteger(Buffer.from([0, 0, 5])))).toBe('020105');
    expect(hex(unsignedInteger(Buffer.from([0x80])))).toBe('02020080');
    expect(hex(unsignedInteger(Buffer.from([0])))).toBe('020100');
  });

  it('prefixes a BIT STRING with its count of unused bits', () => {
    // X.690 §8.6.2.2; RFC 5280 §4.2.1.3: keyUsage digitalSignature alone is 03 02 07 80.
    expect(hex(bitString(Buffer.from([0x80]), 7))).toBe('03020780');
  });

  it('writes validity as UTCTime through 2049 and as GeneralizedTime from 2050', () => {
    // RFC 5280 §4.1.2.5: YYMMDDHHMMSSZ until the end of 2049, YYYYMMDDHHMMSSZ after.
    expect(time(new Date('2049-12-31T23:59:59.999Z')).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });
});
