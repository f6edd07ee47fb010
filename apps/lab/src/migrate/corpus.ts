import { type HTTPRoute, type Ingress, type KubernetesObject, ofKind } from '@kemu/core';

/** One request both routers are asked about. */
export interface ProbeRequest {
  method: string;
  scheme: 'http' | 'https';
  host: string;
  /** Path and query as sent (not normalized): normalization is part of what is compared. */
  path: string;
  headers: Record<string, string>;
  /** The uniform draw in [0, 1) that picks among weighted backends, the same for both routers. */
  weightSample: number;
}

const nginx = 'nginx.ingress.kubernetes.io/';
// A literal prefix of a regex path: everything before the first regex metacharacter.
const literalPrefix = (path: string) => path.split(/[()[\]{}*+?|^$\\.]/)[0] || '/';

/** Every path boundary worth asking about for one rule path. */
function pathVariants(path: string): string[] {
  const base = /[()[\]{}*+?|^$\\]/.test(path) ? literalPrefix(path) : path;
  const trimmed = base.length > 1 && base.endsWith('/') ? base.slice(0, -1) : base;
  const variants = new Set<string>([
    base,
    trimmed,
    `${trimmed}/`,
    `${trimmed}/x`,
    `${trimmed}/x/y?q=1`,
    `${trimmed}bar`,
    `${trimmed}.html`,
  ]);
  if (trimmed !== '/') {
    variants.add(trimmed.toUpperCase());
    variants.add(`${trimmed}//x`);
    variants.add(`/x/..${trimmed}`);
    variants.add(`/.${trimmed}`);
    // Percent-encode the first letter of the last segment: nginx decodes before matching.
    variants.add(trimmed.replace(/[a-z](?=[^/]*$)/, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
    variants.add(trimmed.slice(0, -1) || '/');
  }
  return [...variants];
}

/** Hosts around one rule host: itself, wildcard neighbours, upper case, with a port. */
function hostVariants(host: string): string[] {
  if (!host) return ['unknown.invalid'];
  if (host.startsWith('*.')) {
    const domain = host.slice(2);
    return [`a.${domain}`, `a.b.${domain}`, domain, `A.${domain.toUpperCase()}`];
  }
  return [host, host.toUpperCase(), `${host}:8080`, `x.${host}`];
}

/** Header sets that turn each header condition on and off (canaries and HTTPRoute header matches). */
function headerVariants(objects: readonly KubernetesObject[]): Record<string, string>[] {
  const sets: Record<string, string>[] = [{}];
  for (const ingress of ofKind(objects, 'Ingress') as Ingress[]) {
    const a = ingress.metadata.annotations ?? {};
    const header = a[`${nginx}canary-by-header`];
    if (header)
      for (const value of ['always', 'never', 'other', a[`${nginx}canary-by-header-value`] ?? 'always'])
        sets.push({ [header]: value });
    const cookie = a[`${nginx}canary-by-cookie`];
    if (cookie) for (const value of ['always', 'never']) sets.push({ cookie: `${cookie}=${value}` });
  }
  for (const route of ofKind(objects, 'HTTPRoute') as HTTPRoute[]) {
    for (const rule of route.spec.rules ?? []) {
      for (const match of rule.matches ?? []) {
        for (const header of match.headers ?? [])
          if (header.type !== 'RegularExpression')
            sets.push({ [header.name]: header.value }, { [header.name]: `${header.value}-not` });
      }
    }
  }
  const seen = new Set<string>();
  return sets.filter((s) => {
    const key = JSON.stringify(s);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The weight draws that land in every bucket of every weighted split in the input. */
function weightSamples(objects: readonly KubernetesObject[]): number[] {
  const samples = new Set<number>([0.0001]);
  const splits: number[][] = [];
  for (const ingress of ofKind(objects, 'Ingress') as Ingress[]) {
    const weight = Number(ingress.metadata.annotations?.[`${nginx}canary-weight`] ?? 'NaN');
    const total = Number(ingress.metadata.annotations?.[`${nginx}canary-weight-total`] ?? '100');
    if (Number.isFinite(weight)) splits.push([total - weight, weight]);
  }
  for (const route of ofKind(objects, 'HTTPRoute') as HTTPRoute[]) {
    for (const rule of route.spec.rules ?? [])
      if ((rule.backendRefs?.length ?? 0) > 1) splits.push(rule.backendRefs!.map((b) => b.weight ?? 1));
  }
  for (const weights of splits) {
    const total = weights.reduce((a, b) => a + b, 0);
    let edge = 0;
    for (const w of weights) {
      if (w > 0) samples.add((edge + w / 2) / total); // the middle of each bucket
      edge += w;
    }
  }
  return [...samples].sort((a, b) => a - b);
}

/**
 * A request corpus generated from both configurations: every host and its wildcard neighbours,
 * every path boundary (exact, prefix, prefix + `/`, sub-path, the near miss `/foobar`, case,
 * percent-encoding, dot-segments, `//`), every header condition on and off, both schemes, and a
 * draw inside every weight bucket.
 */
export function generateCorpus(oldObjects: readonly KubernetesObject[], newObjects: readonly KubernetesObject[]): ProbeRequest[] {
  const all = [...oldObjects, ...newObjects];
  const hosts = new Set<string>(['unknown.invalid']);
  const paths = new Set<string>(['/']);
  for (const ingress of ofKind(all, 'Ingress') as Ingress[]) {
    for (const rule of ingress.spec.rules ?? []) {
      for (const host of hostVariants(rule.host ?? '')) hosts.add(host);
      for (const p of rule.http?.paths ?? []) for (const v of pathVariants(p.path ?? '/')) paths.add(v);
    }
    const root = ingress.metadata.annotations?.[`${nginx}app-root`];
    if (root) paths.add(root);
  }
  for (const route of ofKind(all, 'HTTPRoute') as HTTPRoute[]) {
    for (const host of route.spec.hostnames ?? []) for (const v of hostVariants(host)) hosts.add(v);
    for (const rule of route.spec.rules ?? [])
      for (const match of rule.matches ?? []) for (const v of pathVariants(match.path?.value ?? '/')) paths.add(v);
  }
  const headers = headerVariants(all);
  const samples = weightSamples(all);
  const corpus: ProbeRequest[] = [];
  for (const host of hosts) {
    for (const path of paths) {
      for (const scheme of ['http', 'https'] as const) {
        for (const h of headers) {
          for (const weightSample of h === headers[0] ? samples : [samples[0]!]) {
            corpus.push({ method: 'GET', scheme, host, path, headers: h, weightSample });
          }
        }
      }
    }
  }
  return corpus;
}

/**
 * Parses the user's own requests: one per line, `METHOD host path [header=value…]`, or an
 * nginx/ingress-nginx access-log line (`… "GET /path HTTP/1.1" …` with the host in the upstream
 * vhost field when present). Lines starting with `#` are skipped.
 */
export function parseRequestLines(text: string): { requests: ProbeRequest[]; errors: string[] } {
  const requests: ProbeRequest[] = [];
  const errors: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const log = /"([A-Z]+) (\S+) HTTP\/[\d.]+"/.exec(line);
    if (log) {
      const host = /\s(\S+\.\S+)\s*$/.exec(line)?.[1] ?? /"host":"([^"]+)"/.exec(line)?.[1] ?? 'unknown.invalid';
      requests.push({ method: log[1]!, scheme: 'http', host, path: log[2]!, headers: {}, weightSample: 0.0001 });
      return;
    }
    const [method, hostPart, path, ...rest] = line.split(/\s+/);
    if (!method || !hostPart || !path || !/^[A-Z]+$/.test(method) || !path.startsWith('/')) {
      errors.push(`line ${index + 1}: expected "METHOD host /path [header=value…]", got "${line}"`);
      return;
    }
    const scheme = hostPart.startsWith('https://') ? 'https' : 'http';
    const host = hostPart.replace(/^https?:\/\//, '');
    const headers: Record<string, string> = {};
    for (const pair of rest) {
      const eq = pair.indexOf('=');
      if (eq <= 0) {
        errors.push(`line ${index + 1}: header "${pair}" is not name=value`);
        return;
      }
      headers[pair.slice(0, eq).toLowerCase()] = pair.slice(eq + 1);
    }
    requests.push({ method, scheme, host, path, headers, weightSample: 0.0001 });
  });
  return { requests, errors };
}
