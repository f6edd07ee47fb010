import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';

/** Who the echo app is: what it reports in every HTTP answer. */
export interface EchoIdentity {
  pod: string;
  namespace: string;
  node: string;
  podIP: string;
}

/** A port the echo app serves: the declared containerPort and its protocol. */
export interface EchoPort {
  containerPort: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** The JSON body `kemu/echo` answers every HTTP request with. */
export interface EchoResponse extends EchoIdentity {
  method: string;
  host: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  /** The containerPort the request arrived on. */
  port: number;
}

// An HTTP/1.x request line; anything else on a TCP port (HTTP/2 prior knowledge included) is echoed raw.
const httpStart = /^(?:GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH) /;

/**
 * The built-in `kemu/echo` app: listens on 127.0.0.1 for every declared containerPort (each on
 * its own real port from listen(0)); answers HTTP with JSON naming the pod and the request it saw,
 * echoes raw bytes on TCP connections that are not HTTP, and echoes UDP datagrams.
 */
export class EchoApp {
  private readonly tcpServers: net.Server[] = [];
  private readonly udpSockets: dgram.Socket[] = [];
  private readonly rawSockets = new Set<net.Socket>();
  private readonly httpServer: http.Server;
  private readonly portOf = new WeakMap<net.Socket, number>();

  constructor(
    private readonly identity: EchoIdentity,
    private readonly log: (line: string) => void,
  ) {
    this.httpServer = http.createServer((request, response) => this.answer(request, response));
    this.httpServer.keepAliveTimeout = 5000;
  }

  /** Opens every port (on `fixed` real ports when given: a restart keeps its ports); returns the real port of each. */
  async start(ports: readonly EchoPort[], fixed: readonly number[] = []): Promise<number[]> {
    const real: number[] = [];
    for (const [i, port] of ports.entries()) {
      const want = fixed[i] ?? 0;
      real.push(port.protocol === 'UDP' ? await this.listenUdp(port, want) : await this.listenTcp(port, want));
    }
    this.log(
      `kemu/echo serving ${this.identity.namespace}/${this.identity.pod} on ${ports.map((p, i) => `${p.containerPort}/${p.protocol}→127.0.0.1:${real[i]}`).join(', ')}`,
    );
    return real;
  }

  /**
   * Stops listening (new connections are refused), lets in-flight HTTP requests finish and closes
   * idle keep-alive connections and raw echo streams, as a well-behaved server on SIGTERM.
   */
  async stop(): Promise<void> {
    const closing = this.tcpServers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const socket of this.udpSockets) socket.close();
    this.httpServer.closeIdleConnections();
    for (const socket of this.rawSockets) socket.end();
    this.httpServer.close();
    await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    this.kill();
  }

  /** Drops every connection at once (SIGKILL). */
  kill(): void {
    for (const server of this.tcpServers) server.close();
    this.httpServer.closeAllConnections();
    for (const socket of this.rawSockets) socket.destroy();
  }

  private async listenTcp(port: EchoPort, want: number): Promise<number> {
    const server = net.createServer((socket) => this.accept(socket, port.containerPort));
    this.tcpServers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: want }, () => resolve());
    });
    return (server.address() as net.AddressInfo).port;
  }

  private async listenUdp(port: EchoPort, want: number): Promise<number> {
    const socket = dgram.createSocket('udp4');
    this.udpSockets.push(socket);
    socket.on('message', (message, remote) => {
      this.log(`udp ${message.length} bytes from ${remote.address}:${remote.port} on ${port.containerPort}`);
      socket.send(message, remote.port, remote.address);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: '127.0.0.1', port: want }, () => resolve());
    });
    return socket.address().port;
  }

  /** Looks at the first bytes: HTTP goes to the HTTP server, anything else is echoed. */
  private accept(socket: net.Socket, containerPort: number): void {
    socket.on('error', () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      if (httpStart.test(chunk.subarray(0, 8).toString('latin1'))) {
        this.portOf.set(socket, containerPort);
        this.httpServer.emit('connection', socket);
      } else {
        this.rawSockets.add(socket);
        socket.on('close', () => this.rawSockets.delete(socket));
        socket.pipe(socket);
      }
      socket.resume();
    });
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://echo');
    const body: EchoResponse = {
      ...this.identity,
      method: request.method ?? 'GET',
      host: request.headers.host ?? '',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      headers: request.headers,
      port: this.portOf.get(request.socket) ?? 0,
    };
    // Drain the request body so keep-alive connections stay usable.
    request.resume();
    request.on('end', () => {
      const json = JSON.stringify(body);
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      response.end(request.method === 'HEAD' ? undefined : json);
      this.log(`${body.method} ${body.host}${body.path} 200`);
    });
  }
}
