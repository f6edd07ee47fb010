// Verdict objects: texts and lists are built only when read, so a hot path pays for `allowed` alone.
import type { IP, Labels, Protocol } from '@kemu/core';
import type { CompiledPolicy } from './compile.js';
import type { DirectionVerdict, PolicyPod, PolicyVerdict, RuleMatch } from './types.js';

/** What the engine knows about one pod: its selecting policies and memoised verdicts. */
export interface PodFacts {
  pod: PolicyPod;
  nsLabels: Labels;
  ip: IP | undefined;
  ingress: CompiledPolicy[];
  egress: CompiledPolicy[];
  /** Memo of this pod's direction verdicts against pod peers: peer facts -> (port*4+protocol) -> verdict. */
  memo: { ingress: WeakMap<PodFacts, Map<number, Direction>>; egress: WeakMap<PodFacts, Map<number, Direction>> };
}

/** An endpoint resolved for one verdict. */
export interface Resolved {
  facts: PodFacts | undefined;
  /** Set when the endpoint was given as an address. */
  address: string | undefined;
  ip: IP | undefined;
}

/** `namespace/name`, or the address. */
export function label(r: Resolved): string {
  return r.facts ? `${r.facts.pod.namespace}/${r.facts.pod.name}` : (r.address ?? '?');
}

/** No selecting policies. */
const none: readonly CompiledPolicy[] = [];

/**
 * One direction's verdict. Texts and lists are built only when read (a hot path judges millions
 * of connections and reads `allowed` alone); JSON has every field.
 */
export class Direction implements DirectionVerdict {
  readonly allowed: boolean;
  readonly isolated: boolean;
  readonly allowedBy?: RuleMatch;

  constructor(
    private readonly dir: 'ingress' | 'egress',
    private readonly self: Resolved,
    private readonly peer: Resolved,
    private readonly port: number,
    private readonly protocol: Protocol,
    private readonly selecting: readonly CompiledPolicy[] = none,
    allowedBy?: RuleMatch,
  ) {
    this.isolated = selecting.length > 0;
    this.allowed = !this.isolated || allowedBy !== undefined;
    if (allowedBy) this.allowedBy = allowedBy;
  }

  get policies(): string[] {
    return this.selecting.map((p) => p.id);
  }

  get reason(): string {
    const who = label(this.self);
    const kind = this.dir === 'ingress' ? 'Ingress' : 'Egress';
    const what = `${this.dir === 'ingress' ? 'from' : 'to'} ${label(this.peer)} on ${this.protocol}/${this.port}`;
    if (!this.self.facts) return `${who} is not a pod, so no ${this.dir} policy applies`;
    if (!this.isolated) return `${who} is not selected by any policy for ${kind}`;
    if (this.allowedBy) return `${this.allowedBy.policy} ${this.dir} rule ${this.allowedBy.rule} allows ${what}`;
    return `${who} is isolated for ${kind} by ${this.policies.join(', ')} and no ${this.dir} rule allows ${what}`;
  }

  toJSON(): DirectionVerdict {
    return {
      isolated: this.isolated,
      policies: this.policies,
      allowed: this.allowed,
      ...(this.allowedBy ? { allowedBy: this.allowedBy } : {}),
      reason: this.reason,
    };
  }
}

/** Both directions; `reason` is built when read. */
export class Verdict implements PolicyVerdict {
  readonly allowed: boolean;
  constructor(
    readonly egress: Direction,
    readonly ingress: Direction,
  ) {
    this.allowed = egress.allowed && ingress.allowed;
  }

  get reason(): string {
    return this.allowed
      ? `allowed: ${this.egress.reason}; ${this.ingress.reason}`
      : `denied: ${!this.egress.allowed ? this.egress.reason : this.ingress.reason}`;
  }

  toJSON(): PolicyVerdict {
    return { allowed: this.allowed, egress: this.egress.toJSON(), ingress: this.ingress.toJSON(), reason: this.reason };
  }
}
