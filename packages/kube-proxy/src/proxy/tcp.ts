// TCP splicing for the userspace proxy: full duplex, half-close (allowHalfOpen), backpressure
// (stream.pipe pauses the faster side), resets passed through as resets.
import net from 'node:net';

/** Where a virtual endpoint really listens (a loopback address or a unix socket path). */
export type RealAddress = { readonly host: string; readonly port: number } | { readonly path: string };

/** Dials `address`; resolves with the connected socket or rejects with the connect error. */
export function dial(address: RealAddress, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ ...address, allowHalfOpen: true, noDelay: true } as net.NetConnectOpts);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Joins two sockets both ways. Each direction ends independently (a FIN one way keeps the other
 * open); an error or reset on one side resets the other; `onClose` runs once when both are gone.
 */
export function splice(a: net.Socket, b: net.Socket, onClose?: () => void): void {
  let closed = 0;
  const done = () => {
    closed++;
    if (closed === 2) onClose?.();
  };
  forward(a, b);
  forward(b, a);
  const fail = (other: net.Socket) => () => {
    // A reset (or any error) on one side becomes a reset on the other, as a kernel DNAT would pass it.
    if (!other.destroyed) other.resetAndDestroy();
  };
  a.on('error', fail(b));
  b.on('error', fail(a));
  a.once('close', done);
  b.once('close', done);
}

/**
 * One direction: write what `from` reads into `to`, pause `from` while `to` is full (backpressure),
 * and end `to` when `from` ends (half-close). A lean stand-in for stream.pipe on this hot path.
 */
function forward(from: net.Socket, to: net.Socket): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => from.resume());
  from.once('end', () => {
    if (!to.destroyed) to.end();
  });
}
