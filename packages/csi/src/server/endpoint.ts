import { isAbsolute } from 'node:path';
import { CsiEndpointError } from '../errors.js';

/**
 * The socket path of a CSI endpoint. The spec ("Transport") allows only UNIX domain sockets given
 * as `unix:///path/to/socket.sock`, the path ending in `.sock`.
 */
export function parseEndpoint(endpoint: string): string {
  const match = /^unix:\/\/(\/.*)$/.exec(endpoint);
  if (!match) throw new CsiEndpointError(endpoint, 'is not unix:///absolute/path');
  const path = match[1]!;
  if (!isAbsolute(path) || path.includes('\u0000')) throw new CsiEndpointError(endpoint, 'has no absolute socket path');
  if (!path.endsWith('.sock')) throw new CsiEndpointError(endpoint, 'must end in .sock (CSI spec, Transport)');
  if (Buffer.byteLength(path) > 107) throw new CsiEndpointError(endpoint, 'is longer than a unix socket path may be (107 bytes)');
  return path;
}
