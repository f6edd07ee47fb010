// The proxy's own answers (errors, redirects), shaped like nginx's built-in pages.
import { STATUS_CODES } from 'node:http';
import type { AnyResponse } from './forward.js';

/** Writes a status page (and Location for redirects) unless headers already went out. */
export function sendStatus(res: AnyResponse, status: number, location?: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = `${status} ${STATUS_CODES[status] ?? ''}`.trim();
  const body = `<html>\r\n<head><title>${text}</title></head>\r\n<body>\r\n<center><h1>${text}</h1></center>\r\n</body>\r\n</html>\r\n`;
  const headers: Record<string, string | number> = {
    'content-type': 'text/html',
    'content-length': Buffer.byteLength(body),
    ...extra,
  };
  if (location) headers.location = location;
  res.writeHead(status, headers as never);
  res.end(body);
}
