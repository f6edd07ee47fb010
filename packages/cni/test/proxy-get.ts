// A GET through a pod's HTTP proxy, for the agent tests: the request in absolute form
// (RFC 9112 §3.2.2), the answer with what the agents reported (`kemu-reason`, `kemu-hops`).
import http from 'node:http';
import { hopsHeader, parseHops, reasonHeader } from '../src/agent/hops-header.js';

/** What came back through the proxy. */
export interface ProxiedAnswer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** Why the pod network refused, when it did. */
  reason: string | undefined;
  hops: string[];
}

/** GETs `url` through the HTTP proxy at `proxy` (`http://127.0.0.x:PORT`), with the URL's host as Host. */
export function getVia(proxy: string, url: string): Promise<ProxiedAnswer> {
  const p = new URL(proxy);
  return new Promise((resolve, reject) => {
    http
      .get({ host: p.hostname, port: Number(p.port), path: url, headers: { host: new URL(url).host } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          const reason = res.headers[reasonHeader];
          const hops = res.headers[hopsHeader];
          resolve({
            status: res.statusCode ?? 0,
            body,
            headers: res.headers,
            reason: typeof reason === 'string' ? decodeURIComponent(reason) : undefined,
            hops: parseHops(typeof hops === 'string' ? hops : undefined),
          });
        });
      })
      .on('error', reject);
  });
}
