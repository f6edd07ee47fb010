// Endpoint choice and the virtual → real address mapping. The lab backs `EndpointChooser` with
// @kemu/kube-proxy; alone, the proxy balances round-robin over the endpoints the model returns.
import type { BackendRef, EndpointAddress } from '../request.js';

/** A real loopback socket address for a (virtual) endpoint. */
export interface RealAddress {
  host: string;
  port: number;
}

/** Maps a virtual endpoint (pod IP:port) to the loopback address that serves it; undefined = unreachable. */
export type EndpointResolver = (endpoint: EndpointAddress, backend: BackendRef) => RealAddress | undefined;

/** What a chooser knows about the request. */
export interface ChoiceContext {
  clientIP: string;
  /** Endpoints already tried for this request (a retry must pick another). */
  exclude: ReadonlySet<string>;
}

/** Picks one endpoint of a backend for a new request. */
export interface EndpointChooser {
  choose(backend: BackendRef, endpoints: readonly EndpointAddress[], context: ChoiceContext): EndpointAddress | undefined;
}

/** `address:port` of an endpoint. */
export function endpointKey(endpoint: EndpointAddress): string {
  return endpoint.address.includes(':') ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}

/** Round-robin over the given endpoints, one counter per backend (ingress-nginx `load-balance: round_robin`). */
export class RoundRobinChooser implements EndpointChooser {
  private readonly next = new Map<string, number>();

  /** Picks the next endpoint not yet tried. */
  choose(backend: BackendRef, endpoints: readonly EndpointAddress[], context: ChoiceContext): EndpointAddress | undefined {
    // First try of a request: nothing excluded, so no filtered copy (the common case, once per request).
    const candidates = context.exclude.size === 0 ? endpoints : endpoints.filter((e) => !context.exclude.has(endpointKey(e)));
    if (candidates.length === 0) return undefined;
    const key = `${backend.namespace}/${backend.service}:${backend.port}`;
    const i = this.next.get(key) ?? 0;
    this.next.set(key, i + 1);
    return candidates[i % candidates.length];
  }
}

/** A resolver over a fixed table `virtualIP:port` → real address (handy in tests and small labs). */
export function tableResolver(table: Readonly<Record<string, RealAddress>>): EndpointResolver {
  return (endpoint) => table[endpointKey(endpoint)];
}
