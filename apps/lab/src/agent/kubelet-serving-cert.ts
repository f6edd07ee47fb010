import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import { KubeletServingCertificateError } from '../lab/errors.js';
import { type PEMPair, selfSignedServingCertificate } from './self-signed-certificate.js';

/** The certificate and key a kubelet serves HTTPS with, and its leaf's SHA-256 fingerprint (`AB:CD:…`). */
export interface KubeletServingCertificate extends PEMPair {
  fingerprint: string;
}

/** certutil's validity: an hour back for clock skew, one year from there. */
const backdateMs = 3_600_000;
const maxAgeMs = 365 * 86_400_000;

/**
 * The certificate a kubelet generates when it is given none (cmd/kubelet/app/server.go
 * InitializeTLS → client-go certutil.GenerateSelfSignedCertKey(hostname)): CN `<hostname>@<unix
 * seconds>`, the hostname as a DNS subjectAltName (an IP one when it parses as an address), valid
 * from an hour ago for a year. Unlike upstream, `addresses` join the subjectAltNames (the API server
 * dials the agent's advertise address, as a kubelet serving certificate from the CSR API names the
 * node's addresses, pkg/kubelet/certificate), the key is ECDSA P-256 rather than RSA 2048, the leaf
 * is self-signed rather than signed by a throwaway CA, and it lives in memory for one agent start
 * rather than in `--cert-dir`: the control plane pins it by the fingerprint the agent publishes.
 */
export function generateKubeletServingCertificate(
  hostname: string,
  addresses: readonly string[],
  now = new Date(),
): KubeletServingCertificate {
  const notBefore = new Date(now.getTime() - backdateMs);
  const altNames = [...new Set([hostname, ...addresses.filter((a) => isIP(a))])];
  const pair = selfSignedServingCertificate({
    commonName: `${hostname}@${Math.floor(now.getTime() / 1000)}`,
    altNames,
    notBefore,
    notAfter: new Date(notBefore.getTime() + maxAgeMs),
  });
  return { ...pair, fingerprint: new X509Certificate(pair.cert).fingerprint256 };
}

/**
 * A certificate and key from files, as the kubelet's `--tls-cert-file` / `--tls-private-key-file`
 * (the certificate file may carry intermediates after the serving certificate; the first one is
 * the one pinned). Refuses files it cannot read or parse, and a key that is not the certificate's.
 */
export function loadKubeletServingCertificate(certFile: string, keyFile: string): KubeletServingCertificate {
  const cert = readPEM(certFile, '--kubelet-tls-cert');
  const key = readPEM(keyFile, '--kubelet-tls-key');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (error) {
    throw new KubeletServingCertificateError(`--kubelet-tls-cert ${certFile}: not a PEM certificate (${reason(error)})`, error);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new KubeletServingCertificateError(`--kubelet-tls-key ${keyFile}: not a PEM private key (${reason(error)})`, error);
  }
  if (!leaf.checkPrivateKey(privateKey))
    throw new KubeletServingCertificateError(
      `--kubelet-tls-key ${keyFile} is not the private key of the certificate in --kubelet-tls-cert ${certFile} (${leaf.subject.replaceAll('\n', ', ')})`,
    );
  return { cert, key, fingerprint: leaf.fingerprint256 };
}

function readPEM(file: string, flag: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new KubeletServingCertificateError(`${flag} ${file}: cannot be read (${reason(error)})`, error);
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
