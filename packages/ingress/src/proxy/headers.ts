// Headers as ingress-nginx sends them upstream (rootfs/etc/nginx/template/nginx.tmpl,
// proxy_set_header block; ingress.md §10), and the hop-by-hop headers a proxy never forwards.
import { randomUUID } from 'node:crypto';
import type { HeaderEdits } from '../request.js';

/** RFC 9110 §7.6.1 connection-specific headers, plus what undici refuses to send. */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'http2-settings',
  'host',
  'expect',
]);

/** What the proxy knows about the downstream connection. */
export interface DownstreamInfo {
  clientIP: string;
  scheme: 'http' | 'https';
  /** Port the listener received the request on ($server_port). */
  port: number;
  hostHeader: string;
}

/** A 32-hex request id like nginx's `$request_id`. */
export function requestId(): string {
  // randomUUID draws from a buffered entropy pool: far cheaper per request than randomBytes.
  return randomUUID().replaceAll('-', '');
}

/** Builds the upstream request headers: incoming minus hop-by-hop, plus the X-Forwarded family, plus route edits. */
export function upstreamHeaders(
  incoming: Readonly<Record<string, string | string[] | undefined>>,
  down: DownstreamInfo,
  upstreamHost: string,
  edits: HeaderEdits,
  keepUpgrade = false,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connection = incoming.connection;
  const connectionTokens =
    connection === undefined || connection === 'keep-alive' || connection === 'close'
      ? undefined
      : new Set(
          String(connection)
            .split(',')
            .map((t) => t.trim().toLowerCase())
            .filter(Boolean),
        );
  // for…in rather than Object.entries: no [name, value] pair allocated per header on the hot path.
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || name.startsWith(':')) continue;
    const lower = name.toLowerCase();
    if (hopByHop.has(lower) || connectionTokens?.has(lower)) continue;
    out[lower] = value;
  }
  const originalFor = incoming['x-forwarded-for'];
  const originalHost = incoming['x-forwarded-host'];
  out.host = upstreamHost;
  out['x-request-id'] = typeof incoming['x-request-id'] === 'string' ? incoming['x-request-id'] : requestId();
  out['x-real-ip'] = down.clientIP;
  // ingress-nginx replaces X-Forwarded-For with the client address (use-forwarded-headers off).
  out['x-forwarded-for'] = down.clientIP;
  out['x-forwarded-host'] = down.hostHeader;
  out['x-forwarded-port'] = String(down.port);
  out['x-forwarded-proto'] = down.scheme;
  out['x-forwarded-scheme'] = down.scheme;
  out['x-scheme'] = down.scheme;
  if (originalFor !== undefined) out['x-original-forwarded-for'] = originalFor;
  if (originalHost !== undefined) out['x-original-forwarded-host'] = originalHost;
  delete out.proxy; // httpoxy mitigation: `proxy_set_header Proxy ""`.
  if (keepUpgrade) {
    out.connection = 'upgrade';
    if (incoming.upgrade) out.upgrade = incoming.upgrade;
  }
  applyEdits(out, edits);
  return out;
}

/** Applies header edits in place (names case-insensitive; `add` appends with a comma). */
export function applyEdits(headers: Record<string, string | string[] | number | undefined>, edits: HeaderEdits): void {
  if (edits.remove.length === 0 && isEmpty(edits.set) && isEmpty(edits.add)) return;
  for (const [name, value] of Object.entries(edits.set)) headers[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(edits.add)) {
    const lower = name.toLowerCase();
    const existing = headers[lower];
    headers[lower] = existing === undefined ? value : `${Array.isArray(existing) ? existing.join(',') : existing},${value}`;
  }
  for (const name of edits.remove) delete headers[name.toLowerCase()];
}

/** Response headers from upstream, minus hop-by-hop ones. */
export function downstreamHeaders(
  upstream: Readonly<Record<string, string | string[] | undefined>>,
  edits: HeaderEdits | undefined,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (hopByHop.has(lower) && lower !== 'host') continue;
    out[lower] = value;
  }
  if (edits) applyEdits(out, edits);
  return out;
}

function isEmpty(record: Record<string, string>): boolean {
  for (const _ in record) return false;
  return true;
}
