import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import { parseIP } from '@kemu/core';
import {
  bitString,
  boolean,
  explicit,
  implicit,
  objectIdentifier,
  octetString,
  sequence,
  set,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';

/** What a {@link selfSignedServingCertificate} says about its subject. */
export interface SelfSignedRequest {
  commonName: string;
  /** subjectAltName entries: DNS names and IP addresses (IPv4 or IPv6), in this order. */
  altNames: readonly string[];
  notBefore: Date;
  notAfter: Date;
}

/** A PEM certificate and its PEM (PKCS #8) private key. */
export interface PEMPair {
  cert: string;
  key: string;
}

const oid = {
  commonName: '2.5.4.3',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/**
 * A self-signed X.509 v3 TLS server certificate on a fresh ECDSA P-256 key, as Go's
 * x509.CreateCertificate writes the leaf of client-go's certutil.GenerateSelfSignedCertKey:
 * basicConstraints CA:FALSE (critical), keyUsage digitalSignature (critical), extKeyUsage
 * serverAuth, and the subjectAltNames asked for. Built with node:crypto alone: a P-256 key and its
 * signature take about a millisecond, where RSA 2048 takes 100 ms or more and a certificate
 * library's import as long again (apps/lab/README.md, figures).
 */
export function selfSignedServingCertificate(request: SelfSignedRequest): PEMPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const algorithm = sequence(objectIdentifier(oid.ecdsaWithSHA256)); // RFC 5758 §3.2: parameters absent
  const name = sequence(set(sequence(objectIdentifier(oid.commonName), utf8String(request.commonName))));
  // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets, unique per issuer: random, since
  // every certificate here is its own issuer (certutil numbers its leaf 2 under its own CA).
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))), // v3
    unsignedInteger(serial),
    algorithm,
    name,
    sequence(time(request.notBefore), time(request.notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions(request.altNames))),
  );
  // node:crypto's ECDSA signature is DER Ecdsa-Sig-Value, what RFC 5758 §3.2 puts in the BIT STRING.
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

function extensions(altNames: readonly string[]): Buffer[] {
  const extension = (id: string, critical: boolean, value: Buffer) =>
    sequence(objectIdentifier(id), ...(critical ? [boolean(true)] : []), octetString(value));
  // RFC 5280 §4.2.1.6: dNSName [2] IA5String, iPAddress [7] OCTET STRING of 4 or 16 octets.
  const generalNames = altNames.map((n) => (isIP(n) ? implicit(7, parseIP(n).toBytes()) : implicit(2, Buffer.from(n, 'ascii'))));
  return [
    extension(oid.basicConstraints, true, sequence()),
    // Bit 0, digitalSignature: the only key usage of an ECDSA TLS server key (RFC 5480 §3; Go adds
    // keyEncipherment for RSA keys only).
    extension(oid.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
    extension(oid.extKeyUsage, false, sequence(objectIdentifier(oid.serverAuth))),
    extension(oid.subjectAltName, false, sequence(...generalNames)),
  ];
}
