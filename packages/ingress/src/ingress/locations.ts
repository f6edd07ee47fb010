// nginx location selection for one server (ngx_http_core_find_location): `=` exact first, then
// the longest prefix, with the 301 auto-redirect for `/foo` when only `/foo/` exists; in regex
// mode every location is `~* "^path"` and the first match in length-descending order wins.
import { elementPrefixMatches, SegmentTrie } from '../paths.js';
import type { IngressProfile, NginxLocation, NginxServer } from './servers.js';

/** The result of looking a URI up in a server. */
export type LocationMatch =
  | { type: 'location'; location: NginxLocation; how: string }
  | { type: 'slash-redirect'; location: NginxLocation; how: string };

/** A server compiled for lookups: map for exact, segment trie for Prefix, list for string prefixes. */
export interface CompiledServer {
  server: NginxServer;
  profile: IngressProfile;
  exact: ExactTable;
  /** `/foo` → the location `/foo/` that answers it with nginx's 301 auto_redirect (no `= /foo` exists). */
  slashRedirects: Map<string, NginxLocation> | undefined;
  prefix: SegmentTrie<NginxLocation>;
  strings: NginxLocation[];
  regexes: NginxLocation[];
  root: NginxLocation;
}

/** Compiles a server's locations into lookup structures. */
export function compileServer(server: NginxServer, profile: IngressProfile = 'ingress-nginx'): CompiledServer {
  const compiled: CompiledServer = {
    server,
    profile,
    exact: new ExactTable(),
    slashRedirects: undefined,
    prefix: new SegmentTrie({ strict: profile === 'ingress-nginx' }),
    strings: [],
    regexes: [],
    root: server.locations[0] as NginxLocation,
  };
  if (server.regexMode) {
    // controller.go sorts locations by path (descending) then, stably, by length (descending).
    compiled.regexes = [...server.locations]
      .sort((a, b) => (a.path < b.path ? 1 : a.path > b.path ? -1 : 0))
      .sort((a, b) => b.path.length - a.path.length);
    for (const location of compiled.regexes) location.regex = new RegExp(`^${location.path}`, 'i');
    return compiled;
  }
  if (profile === 'spec') {
    // Spec: Prefix and ImplementationSpecific are element-wise prefixes; the trie keeps the longest written path.
    for (const location of server.locations) {
      if (location.exact) compiled.exact.set(location.path, location);
      else {
        const previous = compiled.prefix.get(location.path);
        if (!previous || location.path.length > previous.path.length) compiled.prefix.insert(location.path, location);
      }
    }
    return compiled;
  }
  for (const location of server.locations) {
    if (location.exact) compiled.exact.set(location.path, location);
    else if (location.path === '/') compiled.prefix.insert('/', location);
    else if (location.pathType === 'Prefix' && location.path.endsWith('/')) compiled.prefix.insert(location.path, location);
    else compiled.strings.push(location);
  }
  compiled.strings.sort((a, b) => b.path.length - a.path.length);
  for (const location of server.locations) {
    const p = location.path;
    if (p.length > 1 && p.endsWith('/') && !compiled.exact.get(p.slice(0, -1))) {
      compiled.slashRedirects ??= new Map();
      compiled.slashRedirects.set(p.slice(0, -1), location);
    }
  }
  return compiled;
}

/** Exact locations: a short array scanned linearly (one cache line for most hosts), a Map when large. */
export class ExactTable {
  /** Alternating path, location, path, location… (one allocation). */
  private pairs: (string | NginxLocation)[] = [];
  private map: Map<string, NginxLocation> | undefined;

  /** Adds or replaces the location for `path`. */
  set(path: string, location: NginxLocation): void {
    if (this.map) {
      this.map.set(path, location);
      return;
    }
    const i = this.pairs.indexOf(path);
    if (i >= 0) this.pairs[i + 1] = location;
    else this.pairs.push(path, location);
    if (this.pairs.length > 16) {
      this.map = new Map();
      for (let k = 0; k < this.pairs.length; k += 2) this.map.set(this.pairs[k] as string, this.pairs[k + 1] as NginxLocation);
      this.pairs = [];
    }
  }

  /** The location for exactly `path`. */
  get(path: string): NginxLocation | undefined {
    if (this.map) return this.map.get(path);
    const pairs = this.pairs;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === path) return pairs[i + 1] as NginxLocation;
    return undefined;
  }
}

/** nginx length of the prefix a trie hit stands for (`/foo/` = 5, `/` = 1). */
function trieHitLength(location: NginxLocation): number {
  return location.path.length;
}

/** Finds the location for a normalized URI. */
export function findLocation(compiled: CompiledServer, uri: string): LocationMatch {
  if (compiled.server.regexMode) {
    for (const location of compiled.regexes) {
      if (location.regex?.test(uri))
        return { type: 'location', location, how: `first regex ~* "^${location.path}" in length order` };
    }
    return { type: 'location', location: compiled.root, how: 'no regex matched; root location' };
  }
  const exact = compiled.exact.get(uri);
  if (compiled.profile === 'spec') {
    // Longest rule path wins; on equal length Exact beats Prefix (networking/v1 PathType docs).
    const hit = compiled.prefix.longest(uri)?.value;
    if (exact && (!hit || exact.path.length >= hit.path.length))
      return { type: 'location', location: exact, how: `Exact ${exact.path}` };
    if (hit) return { type: 'location', location: hit, how: `longest Prefix ${hit.path}` };
    return { type: 'location', location: compiled.root, how: 'no path matched; default backend' };
  }
  if (exact) return { type: 'location', location: exact, how: `exact location = ${exact.path}` };
  if (compiled.slashRedirects) {
    // auto_redirect: a proxy_pass location `/foo/` (prefix or exact) answers `/foo` with 301.
    const target = compiled.slashRedirects.get(uri);
    if (target)
      return { type: 'slash-redirect', location: target, how: `location ${target.path} redirects ${uri} (nginx auto_redirect)` };
  }
  const trie = compiled.prefix.longest(uri);
  const string = compiled.strings.find((l) => uri.startsWith(l.path));
  if (string && (!trie || string.path.length > trieHitLength(trie.value))) {
    return { type: 'location', location: string, how: `longest prefix location ${string.path}` };
  }
  if (trie) return { type: 'location', location: trie.value, how: `longest prefix location ${trie.value.path}` };
  return { type: 'location', location: compiled.root, how: 'root location' };
}

/** Why one location does or does not match `uri` on its own (for explain()). */
export function locationMatches(compiled: CompiledServer, location: NginxLocation, uri: string): boolean {
  if (compiled.profile === 'spec') return location.exact ? location.path === uri : elementPrefixMatches(location.path, uri);
  if (compiled.server.regexMode) return location.regex?.test(uri) ?? false;
  if (location.exact) return location.path === uri;
  return uri.startsWith(location.path);
}

/** `= /p`, `/p`, or `~* "^/p"`: how the location appears in nginx.conf. */
export function describeLocation(compiled: CompiledServer, location: NginxLocation): string {
  if (compiled.server.regexMode) return `~* "^${location.path}"`;
  return location.exact ? `= ${location.path}` : location.path;
}
