// Shapes of the NetworkPolicy evaluator: endpoints in, explained verdicts out.
import type { ContainerPort, Labels, Protocol } from '@kemu/core';

/** A pod as the evaluator sees it. */
export interface PolicyPod {
  namespace: string;
  name: string;
  labels?: Labels;
  /** The pod's IPs (status.podIPs or IPAM's), used by ipBlock peers. */
  ips?: readonly string[];
  /** Container ports, for named ports in rules. */
  ports?: readonly ContainerPort[];
}

/** A namespace with its labels (`kubernetes.io/metadata.name` is added automatically). */
export interface PolicyNamespace {
  name: string;
  labels?: Labels;
}

/** The traffic judged: a connection start from `src` to `dst` on `port`/`protocol`. */
export interface Flow {
  port: number;
  /** Default TCP. */
  protocol?: Protocol;
}

/** Which rule of which policy let the traffic through. */
export interface RuleMatch {
  /** `namespace/name`. */
  policy: string;
  /** Index in `spec.ingress` or `spec.egress`. */
  rule: number;
  /** Index of the matching peer in from/to, or undefined when the rule has no peers (all peers). */
  peer?: number;
  /** Index of the matching port entry, or undefined when the rule has no ports (all ports). */
  port?: number;
}

/** The verdict for one direction (egress at the source or ingress at the destination). */
export interface DirectionVerdict {
  /** True when at least one policy selects the pod for this direction. */
  isolated: boolean;
  /** `namespace/name` of every policy that selects the pod for this direction. */
  policies: string[];
  allowed: boolean;
  /** The first rule that allowed it, when isolated and allowed. */
  allowedBy?: RuleMatch;
  /** One sentence a person can read. */
  reason: string;
}

/**
 * The full verdict: both ends must agree (reference §5 "Both ends must agree"). `reason` and
 * `policies` are computed when read (not own properties: copy fields by name, or use JSON).
 */
export interface PolicyVerdict {
  allowed: boolean;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
  /** One sentence summarising why. */
  reason: string;
}
