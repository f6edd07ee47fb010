import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KubeletServingCertificateError } from '../lab/errors.js';
import { generateKubeletServingCertificate, loadKubeletServingCertificate } from './kubelet-serving-cert.js';

// The kubelet's serving certificate when it is given none: cmd/kubelet/app/server.go InitializeTLS
// calls client-go certutil.GenerateSelfSignedCertKey(hostname, nil, nil).
describe('generateKubeletServingCertificate', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const generated = generateKubeletServingCertificate('node-a', ['127.0.0.2'], now);
  const x509 = new X509Certificate(generated.cert);

  it('names itself <hostname>@<unix seconds>, as certutil does', () => {
    expect(x509.subject).toBe(`CN=node-a@${now.getTime() / 1000}`);
    expect(x509.issuer).toBe(x509.subject);
  });

  it('lists the hostname as a DNS name and the advertise address as an IP address', () => {
    // certutil puts the host in DNSNames; kemu adds the address the API server dials.
    expect(x509.subjectAltName).toBe('DNS:node-a, IP Address:127.0.0.2');
    expect(x509.checkHost('node-a')).toBe('node-a');
    expect(x509.checkIP('127.0.0.2')).toBe('127.0.0.2');
    expect(x509.checkIP('127.0.0.3')).toBeUndefined();
  });

  it('lists an IPv6 advertise address, and a hostname that parses as an address, as IP addresses', () => {
    // certutil: `if ip := netutils.ParseIPSloppy(host); ip != nil` the host goes to IPAddresses.
    const v6 = new X509Certificate(generateKubeletServingCertificate('10.1.2.3', ['fd00::2'], now).cert);
    expect(v6.subjectAltName).toBe('IP Address:10.1.2.3, IP Address:FD00:0:0:0:0:0:0:2');
    expect(v6.checkIP('fd00::2')).toBe('fd00::2');
  });

  it('is valid from an hour before it was made, for a year', () => {
    // certutil: validFrom = now - 1h ("to avoid flakes due to clock skew"), maxAge one year.
    expect(new Date(x509.validFrom).toISOString()).toBe('2026-03-01T11:00:00.000Z');
    expect(new Date(x509.validTo).toISOString()).toBe('2027-03-01T11:00:00.000Z');
  });

  it('is a self-signed TLS server certificate on its ECDSA P-256 key, not a CA', () => {
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(generated.key))).toBe(true);
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x509.ca).toBe(false);
    // X509Certificate.keyUsage lists the extended key usages: serverAuth.
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('carries the SHA-256 fingerprint of its certificate, and each start makes a new one', () => {
    expect(generated.fingerprint).toBe(x509.fingerprint256);
    expect(generateKubeletServingCertificate('node-a', ['127.0.0.2'], now).fingerprint).not.toBe(generated.fingerprint);
  });
});

// The kubelet's --tls-cert-file / --tls-private-key-file: "File containing x509 Certificate used for
// serving HTTPS (with intermediate certs, if any, concatenated after server cert)".
describe('loadKubeletServingCertificate', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-kubelet-cert-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const serving = generateKubeletServingCertificate('node-a', ['127.0.0.2']);
  const other = generateKubeletServingCertificate('node-b', ['127.0.0.3']);

  it('reads a certificate and its key, pinning the first certificate of the file', () => {
    const cert = write('chain.crt', serving.cert + other.cert);
    const loaded = loadKubeletServingCertificate(cert, write('serving.key', serving.key));
    expect(loaded).toEqual({ cert: serving.cert + other.cert, key: serving.key, fingerprint: serving.fingerprint });
  });

  it('refuses a key that is not the certificate’s', () => {
    const load = () => loadKubeletServingCertificate(write('a.crt', serving.cert), write('b.key', other.key));
    expect(load).toThrow(KubeletServingCertificateError);
    expect(load).toThrow(
      /--kubelet-tls-key .*b\.key is not the private key of the certificate in --kubelet-tls-cert .*a\.crt \(CN=node-a@\d+\)/,
    );
  });

  it('refuses a file it cannot read, or that holds no PEM certificate or key', () => {
    const key = write('ok.key', serving.key);
    expect(() => loadKubeletServingCertificate(path.join(dir, 'missing.crt'), key)).toThrow(
      /--kubelet-tls-cert .*missing\.crt: cannot be read \(ENOENT/,
    );
    expect(() => loadKubeletServingCertificate(write('junk.crt', 'not a certificate'), key)).toThrow(
      /--kubelet-tls-cert .*junk\.crt: not a PEM certificate/,
    );
    expect(() => loadKubeletServingCertificate(write('c.crt', serving.cert), write('junk.key', 'nope'))).toThrow(
      /--kubelet-tls-key .*junk\.key: not a PEM private key/,
    );
  });
});
