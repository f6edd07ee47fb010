// Every reason a selection can give, in one table (closed union, one place).

/** Why a selection went the way it did. */
export const selectionReasons = {
  'cluster-ip': 'the destination is the Service ClusterIP (KUBE-SERVICES → internal chain)',
  'external-ip': 'the destination is one of spec.externalIPs (→ KUBE-EXT)',
  'load-balancer-ip': 'the destination is a status.loadBalancer.ingress IP (→ KUBE-EXT or KUBE-FW)',
  'node-port': 'the destination is a node port on this node (KUBE-NODEPORTS → KUBE-EXT)',
  'no-endpoints': 'no usable endpoint anywhere in the cluster: filter REJECT',
  'no-local-endpoints': 'traffic policy Local and no usable endpoint on this node: filter DROP',
  'source-range-denied': 'the client is outside loadBalancerSourceRanges: KUBE-PROXY-FIREWALL DROP',
  'source-range-allowed': 'the client is inside loadBalancerSourceRanges (KUBE-FW → KUBE-EXT)',
  'internal-policy-cluster': 'internalTrafficPolicy Cluster: any ready endpoint (KUBE-SVC)',
  'internal-policy-local': 'internalTrafficPolicy Local: endpoints on this node only (KUBE-SVL)',
  'external-policy-cluster': 'externalTrafficPolicy Cluster: any ready endpoint, source masqueraded',
  'external-policy-local': 'externalTrafficPolicy Local: endpoints on this node only, source kept (KUBE-SVL)',
  'pod-short-circuit': 'a pod on this node reaching an external address goes to the Cluster chain (ETP Local short-circuit)',
  'host-short-circuit': 'traffic from the node itself goes to the Cluster chain, masqueraded (ETP Local)',
  'masquerade-off-cluster': 'the client is outside the cluster CIDR: KUBE-MARK-MASQ',
  'masquerade-all': '--masquerade-all: every ClusterIP connection is masqueraded',
  'masquerade-hairpin': 'the endpoint is the client itself (hairpin): KUBE-MARK-MASQ in the SEP chain',
  'topology-same-zone': 'topology hints: only endpoints hinted for this node’s zone',
  'topology-same-node': 'topology hints: only endpoints hinted for this node',
  'topology-ignored': 'topology hints present but not usable here; every ready endpoint is used',
  'terminating-fallback': 'no ready endpoint: serving and terminating endpoints are used',
  'affinity-hit': 'ClientIP affinity: the client was sent to this endpoint within the timeout (recent --rcheck)',
  'affinity-miss': 'ClientIP affinity: no recent entry for this client; load-balance and remember (recent --set)',
  'iptables-probability': 'iptables mode: rule i of n matches with probability 1/(n−i)',
  'nftables-numgen': 'nftables mode: numgen random mod n picks the vmap entry',
  'ipvs-scheduler': 'IPVS mode: the virtual server’s scheduler picks the real server',
  maglev: 'Maglev: the flow hash indexes a consistent-hashing table',
  'excluded-retry': 'endpoints that failed this connection were left out (userspace retry)',
} as const;

/** One of the codes in {@link selectionReasons}. */
export type SelectionReasonCode = keyof typeof selectionReasons;

/** A reason with its detail for this connection. */
export interface SelectionReason {
  readonly code: SelectionReasonCode;
  readonly detail: string;
}
