// The match() fast path of the ingress-nginx router: exact host → path table → shared backend plan.
// It answers requests to plain locations of small servers (see path-table.ts and host-tables.ts
// for why it is laid out this way) and hands every other request back to the full lookup, which
// explain() always takes; test/path-table.test.ts checks that both give the same answers.
import type { ObjectIndex } from '../backends.js';
import type { BackendOutcome, NormalizedRequest, RouteAnswer, RouteRef } from '../request.js';
import { type AnswerOptions, type BackendPlan, isPlainLocation, locationAnswer, plannedAnswer } from './answer.js';
import { routeRef } from './explain.js';
import { HostTables } from './host-tables.js';
import { type CompiledServer, describeLocation } from './locations.js';
import { buildPathTable, findInPathTable, type PathShape, type PathTable } from './path-table.js';
import type { IngressInfo, NginxLocation } from './servers.js';

/** Path tables and answer plans of the exact hosts of one router. */
export class FastPath {
  private readonly tables = new HostTables();
  /** One shared PathShape per distinct key list. */
  private readonly shapes = new Map<string, PathShape>();
  private lastShape: PathShape | undefined;
  /** Backend plans by Ingress annotations and endpoints, for the ObjectIndex version `plansVersion`. */
  private plans = new WeakMap<object, Map<object, BackendPlan>>();
  private plansVersion = -1;

  constructor(
    private readonly index: ObjectIndex,
    private readonly answerOptions: AnswerOptions,
  ) {}

  /** Replaces every table, from all exact-host servers (after a full compile). */
  reset(exact: ReadonlyMap<string, CompiledServer>): void {
    const tables: [string, PathTable][] = [];
    for (const [host, compiled] of exact) {
      const table = buildPathTable(compiled, this.shapeFor);
      if (table) tables.push([host, table]);
    }
    this.tables.reset(tables);
  }

  /** Replaces the table of one exact host (undefined: the host is gone). */
  set(host: string, compiled: CompiledServer | undefined): void {
    this.tables.set(host, compiled && buildPathTable(compiled, this.shapeFor));
  }

  /**
   * The answer for a request to an exact host, replayed from the entry's plan when it is current,
   * otherwise computed in full and planned for next time. Undefined when the full lookup must
   * answer (no table, slash redirect, no prefix, a location whose answer depends on more than the
   * path, a body over proxy-body-size). `server` finds the compiled server on the rare full path.
   */
  answer(request: NormalizedRequest, uri: string, server: (host: string) => CompiledServer | undefined): RouteAnswer | undefined {
    const at = this.tables.offset(request.host);
    if (at < 0) return undefined;
    const slots = this.tables.slots;
    const slot = findInPathTable(slots, at, uri);
    if (slot < 0) return undefined;
    const plan = slots[slot + 3] as BackendPlan | null | undefined;
    if (plan === null) return undefined;
    if (plan !== undefined && plan.version === this.index.version) {
      const max = plan.limits.maxBodyBytes;
      if (max > 0 && (request.contentLength ?? 0) > max) return undefined;
      return plannedAnswer(plan, slots[slot + 1] as RouteRef, slots[slot + 2] as string, request);
    }
    const location = slots[slot] as NginxLocation;
    const compiled = server(request.host) as CompiledServer;
    if (!isPlainLocation(compiled.server, location)) {
      slots[slot + 3] = null;
      return undefined;
    }
    location.ref ??= routeRef(compiled.server.host, location, describeLocation(compiled, location));
    const answer = locationAnswer(
      compiled.server,
      location,
      location.ref,
      request,
      uri,
      this.index,
      this.answerOptions,
      undefined,
    );
    if (answer.outcome.type === 'backend' && answer.reason === 'PathMatched') {
      slots[slot + 1] = location.ref;
      slots[slot + 2] = answer.message;
      slots[slot + 3] = this.backendPlan(location, answer.outcome);
    }
    return answer;
  }

  private readonly shapeFor = (keys: string[], prefixStart: number): PathShape => {
    // Neighbouring hosts usually share their shape: compare with the last one before building an id.
    const last = this.lastShape;
    if (last && last.prefixStart === prefixStart && sameStrings(last.keys, keys)) return last;
    const id = JSON.stringify([prefixStart, keys]);
    let shape = this.shapes.get(id);
    if (!shape) {
      shape = Object.freeze({ keys: Object.freeze(keys), prefixStart });
      this.shapes.set(id, shape);
    }
    this.lastShape = shape;
    return shape;
  };

  /** The shared plan for a plain location's backend outcome at the current ObjectIndex version. */
  private backendPlan(location: NginxLocation, outcome: BackendOutcome): BackendPlan {
    const version = this.index.version;
    if (this.plansVersion !== version) {
      this.plans = new WeakMap();
      this.plansVersion = version;
    }
    // A plain location always has an owner (isPlainLocation).
    const annotations = (location.owner as IngressInfo).annotations;
    let byEndpoints = this.plans.get(annotations);
    if (!byEndpoints) {
      byEndpoints = new Map();
      this.plans.set(annotations, byEndpoints);
    }
    let plan = byEndpoints.get(outcome.endpoints);
    if (!plan) {
      const { backend, endpoints, limits } = outcome;
      plan = { version, backend, endpoints, limits, upstreamVhost: annotations.upstreamVhost };
      byEndpoints.set(endpoints, plan);
    }
    return plan;
  }
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
