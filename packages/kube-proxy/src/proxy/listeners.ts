// Loopback listeners for NodePorts and LoadBalancer host ports (TCP servers, UDP flow tables).
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import type { Protocol } from '@kemu/core';
import { ListenFailedError } from '../errors.js';
import { UdpFlowTable, type UdpFlowTarget } from './udp.js';

/** One open listener. */
export interface ListenerInfo {
  readonly kind: 'nodePort' | 'loadBalancer' | 'healthCheck';
  readonly servicePort: string;
  readonly protocol: Protocol;
  readonly host: string;
  readonly port: number;
}

/** A listener and how to close it. */
export interface Listener {
  readonly info: ListenerInfo;
  readonly close: () => Promise<void>;
  /** A UDP listener's flows (conntrack cleanup closes stale ones). */
  readonly flows?: UdpFlowTable;
}

/** A TCP listener; each client arrives paused (so no byte is read before the backend is chosen). */
export function listenTcp(info: ListenerInfo, accept: (client: net.Socket) => void): Promise<Listener> {
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, highWaterMark: 1 << 20, noDelay: true }, accept);
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new ListenFailedError(`${info.host}:${info.port}/TCP`, err)));
    server.listen(info.port, info.host, () => resolve({ info, close: () => new Promise<void>((r) => server.close(() => r())) }));
  });
}

/** A UDP listener with its flow table. */
export function listenUdp(
  info: ListenerInfo,
  idleTimeoutMs: number | undefined,
  pick: (clientIP: string, clientPort: number) => UdpFlowTarget | undefined,
): Promise<Listener> {
  const socket = dgram.createSocket(info.host.includes(':') ? 'udp6' : 'udp4');
  const flows = new UdpFlowTable(socket, { idleTimeoutMs, pick });
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => reject(new ListenFailedError(`${info.host}:${info.port}/UDP`, err)));
    socket.bind(info.port, info.host, () =>
      resolve({
        info,
        flows,
        close: () =>
          new Promise<void>((r) => {
            flows.close();
            socket.close(() => r());
          }),
      }),
    );
  });
}

/** Current health of a health-check node port's Service. */
export interface ServiceHealth {
  readonly namespace: string;
  readonly name: string;
  readonly localEndpoints: number;
}

/**
 * The health-check node port server (pkg/proxy/healthcheck/service_health.go): 200 when the
 * Service has local endpoints, else 503, with the JSON body kube-proxy sends.
 */
export function listenHealthCheck(info: ListenerInfo, health: () => ServiceHealth | undefined): Promise<Listener> {
  const server = http.createServer((_req, res) => {
    const h = health();
    const count = h?.localEndpoints ?? 0;
    res.writeHead(count > 0 ? 200 : 503, {
      'Content-Type': 'application/json',
      'X-Content-Type-Options': 'nosniff',
      'X-Load-Balancing-Endpoint-Weight': String(count),
    });
    res.end(
      JSON.stringify({
        service: { namespace: h?.namespace ?? '', name: h?.name ?? '' },
        localEndpoints: count,
        serviceProxyHealthy: true,
      }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new ListenFailedError(`${info.host}:${info.port}/TCP (health check)`, err)));
    server.listen(info.port, info.host, () =>
      resolve({
        info,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    );
  });
}
