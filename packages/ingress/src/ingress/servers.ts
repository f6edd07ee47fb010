// Builds ingress-nginx "servers" (one per host) from Ingresses, oldest first, the way
// internal/ingress/controller/controller.go createServers + getBackendServers merge them.
import type { HTTPIngressPath, Ingress, IngressBackend, PathType } from '@kemu/core';
import type { BackendResolution } from '../backends.js';
import { ingressWildcardMatches, invalidHost } from '../hosts.js';
import type { RouterIssue } from '../issues.js';
import type { BackendRef, RouteRef } from '../request.js';
import { forcesRegex, type IngressAnnotations } from './annotations.js';

/**
 * `ingress-nginx` (default): what ingress-nginx renders and nginx does (string-prefix
 * ImplementationSpecific, exact twins, 301 trailing-slash redirect, regex mode, URI normalisation).
 * `spec`: the Ingress API text alone (element-wise Prefix, ImplementationSpecific = Prefix, no redirects).
 */
export type IngressProfile = 'ingress-nginx' | 'spec';

/** The catch-all server name (nginx `server_name _`), for host-less rules. */
export const catchAllHost = '_';

/** One served Ingress with its parsed annotations. */
export interface IngressInfo {
  ingress: Ingress;
  /** `namespace/name`. */
  key: string;
  namespace: string;
  annotations: IngressAnnotations;
  /** creationTimestamp in ms (0 when absent). */
  created: number;
}

/** An nginx location of a server (after updateServerLocations added the Prefix exact twins). */
export interface NginxLocation {
  /** The nginx location path (`/foo/` for Prefix `/foo`). */
  path: string;
  /** The path as the Ingress wrote it. */
  ingressPath: string;
  pathType: PathType;
  /** `location = path`. */
  exact: boolean;
  /** The exact twin added for a Prefix path. */
  twin: boolean;
  owner: IngressInfo | undefined;
  /** Undefined = the controller's default backend. */
  backend: IngressBackend | undefined;
  isDefBackend: boolean;
  canary?: { owner: IngressInfo; backend: IngressBackend };
  regex?: RegExp;
  /** Filled by the router: this location's RouteRef. */
  ref?: RouteRef;
  /** Filled by the answer step: the numbered backend for the current endpoint resolution. */
  answerCache?: { resolution: BackendResolution; version: number; ref: BackendRef; message: string };
}

/** TLS of a server: the oldest Ingress with a rule and a tls entry for the host. */
export interface ServerTLS {
  owner: IngressInfo;
  secretName: string | undefined;
}

/** One ingress-nginx server. */
export interface NginxServer {
  host: string;
  owner: IngressInfo | undefined;
  locations: NginxLocation[];
  regexMode: boolean;
  tls?: ServerTLS;
  appRoot?: string;
}

/** Sort order of ingress-nginx (sortIngressSlice): creationTimestamp, then namespace/name. */
export function compareIngresses(a: IngressInfo, b: IngressInfo): number {
  if (a.created !== b.created) return a.created - b.created;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Hosts an Ingress contributes to ('_' for host-less rules and rule-less defaultBackends). */
export function hostsOf(ingress: Ingress): Set<string> {
  const hosts = new Set<string>();
  for (const rule of ingress.spec.rules ?? []) hosts.add(rule.host || catchAllHost);
  if ((ingress.spec.rules ?? []).length === 0 && ingress.spec.defaultBackend) hosts.add(catchAllHost);
  return hosts;
}

function rootLocation(owner: IngressInfo | undefined, backend: IngressBackend | undefined): NginxLocation {
  return {
    path: '/',
    ingressPath: '/',
    pathType: 'Prefix',
    exact: false,
    twin: false,
    owner,
    backend,
    isDefBackend: backend === undefined,
  };
}

/** The controller's own catch-all server (`server_name _`): one root location on the default backend. */
export function defaultServer(): NginxServer {
  return { host: catchAllHost, owner: undefined, locations: [rootLocation(undefined, undefined)], regexMode: false };
}

/** Validates one path the way the API server and ingress-nginx's admission would. */
function invalidPath(path: HTTPIngressPath, regexMode: boolean): string | undefined {
  if (!path.pathType) return 'pathType is required';
  const p = path.path || '/';
  if (!p.startsWith('/')) return `must start with "/", got "${p}"`;
  if (path.pathType !== 'ImplementationSpecific' && !/^[A-Za-z0-9/_.~-]*$/.test(p)) {
    return `${path.pathType} paths may not hold regex characters ("${p}"); use ImplementationSpecific with use-regex`;
  }
  if (regexMode) {
    try {
      new RegExp(`^${p}`, 'i');
    } catch (error) {
      return `invalid regular expression "${p}": ${(error as Error).message}`;
    }
  }
  return undefined;
}

/**
 * Builds the servers for `hosts` from `infos` (every Ingress touching those hosts, in any order).
 * Conflicts are reported in `issues`; the oldest Ingress keeps the path.
 */
export function buildServers(
  infos: readonly IngressInfo[],
  hosts: ReadonlySet<string>,
  issues: RouterIssue[],
  profile: IngressProfile = 'ingress-nginx',
): Map<string, NginxServer> {
  const sorted = [...infos].sort(compareIngresses);
  const servers = new Map<string, NginxServer>();
  const regexHosts = new Set<string>();
  for (const info of sorted) {
    if (profile === 'spec' || info.annotations.canary || !forcesRegex(info.annotations)) continue;
    for (const host of hostsOf(info.ingress)) regexHosts.add(host);
  }
  const main = sorted.filter((i) => !i.annotations.canary);
  for (const info of main) {
    const rules = info.ingress.spec.rules ?? [];
    if (rules.length === 0 && info.ingress.spec.defaultBackend && hosts.has(catchAllHost)) {
      // A rule-less Ingress with a defaultBackend configures the catch-all server; oldest wins.
      const server = servers.get(catchAllHost);
      if (!server) servers.set(catchAllHost, newServer(catchAllHost, info, info.ingress.spec.defaultBackend));
      else if (server.locations[0]?.isDefBackend) server.locations[0] = rootLocation(info, info.ingress.spec.defaultBackend);
    }
    rules.forEach((rule, r) => {
      const host = rule.host || catchAllHost;
      if (!hosts.has(host)) return;
      if (rule.host) {
        const bad = invalidHost(rule.host);
        if (bad) {
          issues.push({
            object: `Ingress/${info.key}`,
            field: `spec.rules[${r}].host`,
            message: `"${rule.host}" ${bad}; rule ignored`,
          });
          return;
        }
      }
      let server = servers.get(host);
      if (!server) {
        server = newServer(host, info, info.ingress.spec.defaultBackend);
        servers.set(host, server);
      }
      if (!server.tls) {
        const tls = (info.ingress.spec.tls ?? []).find((t) =>
          (t.hosts ?? []).some((h) => h === host || (h.startsWith('*.') && ingressWildcardMatches(h, host))),
        );
        if (tls) server.tls = { owner: info, secretName: tls.secretName };
      }
      if (!server.appRoot && info.annotations.appRoot) server.appRoot = info.annotations.appRoot;
      for (const [p, path] of (rule.http?.paths ?? []).entries()) {
        addPath(server, info, path, `spec.rules[${r}].http.paths[${p}]`, regexHosts.has(host), issues);
      }
    });
  }
  for (const info of sorted.filter((i) => i.annotations.canary)) mergeCanary(servers, info, hosts, issues);
  for (const server of servers.values()) {
    server.regexMode = regexHosts.has(server.host);
    if (profile === 'ingress-nginx') server.locations = addExactTwins(server.locations);
  }
  return servers;
}

function newServer(host: string, owner: IngressInfo, defaultBackend: IngressBackend | undefined): NginxServer {
  return { host, owner, locations: [rootLocation(owner, defaultBackend)], regexMode: false };
}

function addPath(
  server: NginxServer,
  info: IngressInfo,
  path: HTTPIngressPath,
  field: string,
  regexMode: boolean,
  issues: RouterIssue[],
): void {
  const bad = invalidPath(path, regexMode);
  if (bad) {
    issues.push({ object: `Ingress/${info.key}`, field, message: `${bad}; path ignored` });
    return;
  }
  const nginxPath = path.path || '/';
  const existing = server.locations.find((l) => l.path === nginxPath && (l.pathType === path.pathType || nginxPath === '/'));
  if (existing) {
    if (existing.isDefBackend) {
      // The root location still holds the default backend: the first `/` path replaces it.
      Object.assign(existing, { owner: info, backend: path.backend, isDefBackend: false, pathType: path.pathType });
      return;
    }
    issues.push({
      object: `Ingress/${info.key}`,
      field,
      message: `path ${nginxPath} (${path.pathType}) on host ${server.host} is already defined by Ingress/${existing.owner?.key}, which is older and wins`,
    });
    return;
  }
  server.locations.push({
    path: nginxPath,
    ingressPath: nginxPath,
    pathType: path.pathType,
    exact: path.pathType === 'Exact',
    twin: false,
    owner: info,
    backend: path.backend,
    isDefBackend: false,
  });
}

/** Canary Ingresses attach to the main location with the same host and path (mergeAlternativeBackends). */
function mergeCanary(
  servers: Map<string, NginxServer>,
  info: IngressInfo,
  hosts: ReadonlySet<string>,
  issues: RouterIssue[],
): void {
  for (const [r, rule] of (info.ingress.spec.rules ?? []).entries()) {
    const host = rule.host || catchAllHost;
    if (!hosts.has(host)) continue;
    for (const [p, path] of (rule.http?.paths ?? []).entries()) {
      const location = servers.get(host)?.locations.find((l) => l.ingressPath === (path.path || '/') && !l.isDefBackend);
      const field = `spec.rules[${r}].http.paths[${p}]`;
      if (!location) {
        issues.push({
          object: `Ingress/${info.key}`,
          field,
          message: `canary path ${path.path} on host ${host} has no main Ingress with the same host and path; ignored`,
        });
      } else if (location.canary) {
        issues.push({
          object: `Ingress/${info.key}`,
          field,
          message: `host ${host} path ${path.path} already has canary Ingress/${location.canary.owner.key}; only one canary per rule`,
        });
      } else {
        location.canary = { owner: info, backend: path.backend };
      }
    }
  }
}

/** updateServerLocations (location.go): Prefix `/foo` becomes `/foo/` plus an exact twin `= /foo`. */
function addExactTwins(locations: NginxLocation[]): NginxLocation[] {
  const exact = new Set(locations.filter((l) => l.pathType === 'Exact').map((l) => l.path));
  const out: NginxLocation[] = [];
  for (const location of locations) {
    out.push(location);
    if (location.path === '/' || location.pathType !== 'Prefix') continue;
    const a = location.owner?.annotations;
    const needsRewrite = a?.rewriteTarget !== undefined && a.rewriteTarget !== location.path;
    if (needsRewrite || a?.useRegex) continue;
    const written = location.path;
    location.path = written.endsWith('/') ? written : `${written}/`;
    if (exact.has(written)) continue;
    out.push({ ...location, path: written, exact: true, twin: true });
  }
  return out;
}
