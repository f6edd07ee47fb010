// Conntrack entries and the filters kube-proxy deletes them with, in the kernel's terms as
// pkg/proxy/conntrack/filter.go reads them: an entry's original destination (--orig-dst,
// --orig-port-dst: the Service address the client sent to) and its reply source (--reply-src,
// --reply-port-src: the endpoint the first packet was DNATed to).
import type { Protocol } from '@kemu/core';

/** One conntrack entry (a flow), the fields cleanup reads. */
export interface ConntrackFlow {
  readonly protocol: Protocol;
  /** --orig-dst: where the client sent to (a Service IP; a node address for a NodePort). */
  readonly origDst: string;
  /** --orig-port-dst: the Service port, or the nodePort. */
  readonly origPortDst: number;
  /** --reply-src: the endpoint IP the flow was DNATed to (the Service IP itself when it was not). */
  readonly replySrc: string;
  /** --reply-port-src: the endpoint port. */
  readonly replyPortSrc: number;
}

/**
 * Deletes the entries it matches: protocol and destination port always, the destination IP unless
 * it is a NodePort's (`*:nodePort`, every node address), the DNAT target unless every flow to the
 * address goes (a Service that just got endpoints, or was deleted).
 */
export interface ConntrackFilter {
  readonly protocol: Protocol;
  /** --orig-dst; absent for a NodePort. */
  readonly origDst?: string;
  /** --orig-port-dst. */
  readonly origPortDst: number;
  /** --reply-src; absent to match whatever the flow was DNATed to (or not DNATed at all). */
  readonly replySrc?: string;
  /** --reply-port-src, given with `replySrc`. */
  readonly replyPortSrc?: number;
}

/** Whether `filter` deletes `flow` (netlink's CustomConntrackFilter.MatchConntrackFlow). */
export function conntrackFilterMatches(filter: ConntrackFilter, flow: ConntrackFlow): boolean {
  return (
    filter.protocol === flow.protocol &&
    filter.origPortDst === flow.origPortDst &&
    (filter.origDst === undefined || filter.origDst === flow.origDst) &&
    (filter.replySrc === undefined || (filter.replySrc === flow.replySrc && filter.replyPortSrc === flow.replyPortSrc))
  );
}
