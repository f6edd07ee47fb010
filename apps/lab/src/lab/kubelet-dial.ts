import tls from 'node:tls';
import { KubeletCertificateError } from './errors.js';

/** Where a node's kubelet listens, from its Node, and the serving certificate it pins. */
export interface KubeletEndpoint {
  address: string;
  port: number;
  /** SHA-256 fingerprint of the kubelet's serving certificate (`AB:CD:…`); none from an agent older than HTTPS kubelets. */
  certificateSHA256?: string;
}

/** The Node annotation with the SHA-256 fingerprint of its agent's kubelet serving certificate. */
export const kubeletServingCertAnnotation = 'kemu.dev/kubelet-serving-cert-sha256';

/** Whether two SHA-256 fingerprints are the same, in `AB:CD:…` form or plain hex of any case. */
export function sameFingerprint(a: string, b: string): boolean {
  const plain = (fingerprint: string) => fingerprint.replaceAll(':', '').toUpperCase();
  return plain(a) === plain(b);
}

/**
 * Opens a TLS connection to a node's kubelet and resolves once it has presented the certificate its
 * Node pins — before a byte of the request, so the kubelet token never reaches another server. The
 * chain and name are not checked against a CA (a kubelet's self-signed certificate has none, and
 * upstream's API server skips the check unless `--kubelet-certificate-authority` is set): the
 * fingerprint is the check. Rejects with a {@link KubeletCertificateError} for another certificate
 * or no pin, and with the socket's error when the kubelet cannot be reached within `timeoutMs`.
 */
export function dialKubelet(node: string, endpoint: KubeletEndpoint, timeoutMs: number): Promise<tls.TLSSocket> {
  const pinned = endpoint.certificateSHA256;
  if (!pinned)
    return Promise.reject(
      new KubeletCertificateError(
        `node ${node} publishes no kubelet serving certificate (annotation ${kubeletServingCertAnnotation}): its \`kemu agent\` is older than this control plane; restart it with this kemu`,
      ),
    );
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: endpoint.address, port: endpoint.port, rejectUnauthorized: false });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      const presented = socket.getPeerX509Certificate()?.fingerprint256 ?? 'none';
      if (sameFingerprint(presented, pinned)) return resolve(socket);
      socket.destroy();
      reject(
        new KubeletCertificateError(
          `the kubelet of node ${node} at ${endpoint.address}:${endpoint.port} presented a certificate with SHA-256 fingerprint ${presented}, but the Node pins ${pinned} (annotation ${kubeletServingCertAnnotation}); refusing to send it the kubelet token. Another server answers on the agent's address, or the agent restarted and has not published its new certificate yet`,
        ),
      );
    });
  });
}
