import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKubeletServingCertificate } from '../agent/kubelet-serving-cert.js';
import { KubeletCertificateError } from './errors.js';
import { dialKubelet, type KubeletEndpoint, sameFingerprint } from './kubelet-dial.js';

// The API server's connection to a kemu agent's kubelet. Upstream's API server verifies the
// kubelet's certificate only with --kubelet-certificate-authority (pkg/kubelet/client
// KubeletClientConfig.TLSClientConfig; without a CA it is Insecure); kemu instead pins the
// certificate by the SHA-256 fingerprint the agent publishes on its Node, and checks it before a
// byte of the request (with the kubelet token) is written.
describe('dialKubelet', () => {
  const kubelet = generateKubeletServingCertificate('node-a', ['127.0.0.1']);
  const impostor = generateKubeletServingCertificate('node-a', ['127.0.0.1']);
  let server: https.Server;
  let requests: number;
  let port: number;

  beforeEach(async () => {
    requests = 0;
    server = https.createServer({ cert: kubelet.cert, key: kubelet.key }, (_request, response) => {
      requests++;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  const stop = async () => {
    if (!server.listening) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  afterEach(stop);

  const endpoint = (certificateSHA256?: string): KubeletEndpoint =>
    certificateSHA256 ? { address: '127.0.0.1', port, certificateSHA256 } : { address: '127.0.0.1', port };

  it('connects to a kubelet that presents the certificate its Node pins; requests then go over that connection', async () => {
    const socket = await dialKubelet('node-a', endpoint(kubelet.fingerprint), 5000);
    expect(requests).toBe(0);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`https://127.0.0.1:${port}/healthz`, { createConnection: () => socket }, (response) => {
          response.setEncoding('utf8');
          let text = '';
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(body).toBe('ok');
    expect(requests).toBe(1);
  });

  it('refuses another certificate, naming the node and both fingerprints, before sending any request', async () => {
    const refused = dialKubelet('node-a', endpoint(impostor.fingerprint), 5000);
    await expect(refused).rejects.toBeInstanceOf(KubeletCertificateError);
    await expect(refused).rejects.toMatchObject({
      code: 'KEMU_LAB_KUBELET_CERTIFICATE',
      status: 500,
      message: expect.stringContaining(
        `the kubelet of node node-a at 127.0.0.1:${port} presented a certificate with SHA-256 fingerprint ${kubelet.fingerprint}, but the Node pins ${impostor.fingerprint}`,
      ),
    });
    expect(requests).toBe(0);
  });

  it('refuses a Node that pins no certificate (an agent older than HTTPS kubelets)', async () => {
    await expect(dialKubelet('node-a', endpoint(), 5000)).rejects.toThrow(
      /node node-a publishes no kubelet serving certificate \(annotation kemu\.dev\/kubelet-serving-cert-sha256\)/,
    );
  });

  it("rejects with the socket's error when nothing listens on the port", async () => {
    await stop();
    await expect(dialKubelet('node-a', endpoint(kubelet.fingerprint), 5000)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('sameFingerprint', () => {
  it('compares SHA-256 fingerprints whatever their case and colons', () => {
    // `openssl x509 -fingerprint -sha256` prints AB:CD:…; sha256sum of the DER prints abcd….
    expect(sameFingerprint('AB:CD:EF', 'abcdef')).toBe(true);
    expect(sameFingerprint('AB:CD:EF', 'AB:CD:EE')).toBe(false);
  });
});
