// The side-by-side table of `kemu trace --from pod/NAME URL`: one row per step, the model's
// account on the left, what the node agents reported for the real request on the right.
import type { TraceHop } from '@kemu/cni';
import type { EchoAnswer } from '../lab/client/pod-request.js';
import type { ModelTrace } from './trace-live-model.js';

/** What the real request reported. */
export interface RealTrace {
  status: number;
  statusMessage: string;
  hops: string[];
  refusal?: string;
  answeredBy?: EchoAnswer;
  /** Set when no HTTP answer came back at all. */
  error?: string;
}

type Step = 'service' | 'egress' | 'path' | 'ingress' | 'destination';
const steps: readonly Step[] = ['service', 'egress', 'path', 'ingress', 'destination'];

function describeHop(h: TraceHop): string {
  switch (h.kind) {
    case 'pod':
      return `pod ${h.pod} (${h.ip}) on ${h.node}`;
    case 'address':
      return `${h.ip}: ${h.note}`;
    case 'policy':
      return `${h.allowed ? 'allowed' : 'DENIED'} on ${h.node}: ${h.reason}`;
    case 'route':
      return `route on ${h.node}: ${h.route}`;
    case 'encapsulation':
      return `VXLAN VNI ${h.vni}: ${h.outer.src} -> ${h.outer.dst}:${h.outer.dstPort}, inner ${h.inner.src} -> ${h.inner.dst}`;
    case 'decapsulation':
      return `decapsulated on ${h.node} (${h.device})`;
    case 'bridge':
      return `${h.device} on ${h.node}: ${h.note}`;
    case 'drop':
      return `DROPPED on ${h.node}: ${h.reason}`;
  }
}

/** The model's lines per step. */
export function modelSteps(model: ModelTrace): Record<Step, string[]> {
  const rows: Record<Step, string[]> = { service: [], egress: [], path: [], ingress: [], destination: [] };
  const s = model.service;
  if (s) {
    const e = s.endpoint;
    const where = e?.pod ? ` (pod ${e.pod}${e.node ? ` on ${e.node}` : ''})` : '';
    rows.service.push(`${s.servicePort}: ${s.verdict}${e ? ` -> ${e.ip}:${e.port}${where}` : ''}`);
    rows.service.push(`chains ${s.chains.join(' -> ')}`);
    if (!e) rows.destination.push(`${s.verdict}: ${s.reasons.at(-1)?.detail ?? 'no endpoint'}`);
  } else rows.service.push('not a Service address: no kube-proxy rule catches it');
  if (model.error) rows.destination.push(`not traced: ${model.error}`);
  const hops = model.packet?.hops ?? [];
  for (const h of hops) {
    if (h.kind === 'pod' && h.role === 'source') continue;
    if (h.kind === 'policy') rows[h.direction].push(describeHop(h));
    // A drop for a policy's reason is already told on that policy's row.
    else if (h.kind === 'drop' && hops.some((p) => p.kind === 'policy' && !p.allowed && p.reason === h.reason)) {
      rows.destination.push(`DROPPED on ${h.node}`);
    } else if (h.kind === 'pod' || h.kind === 'drop') rows.destination.push(describeHop(h));
    else rows.path.push(describeHop(h));
  }
  if (model.packet?.delivered) rows.destination.push('delivered');
  return rows;
}

/** The real request's lines per step. */
export function realSteps(real: RealTrace): Record<Step, string[]> {
  const rows: Record<Step, string[]> = { service: [], egress: [], path: [], ingress: [], destination: [] };
  if (real.error) {
    rows.destination.push(`no answer: ${real.error}`);
    return rows;
  }
  for (const hop of real.hops) {
    if (hop.startsWith('service ')) rows.service.push(hop);
    else if (hop === 'bridge') rows.path.push('bridge: same node, never crosses a tunnel');
    else if (hop.startsWith('tunnel ')) rows.path.push(`${hop} (HTTP/2 CONNECT stream)`);
    else rows.path.push(hop);
  }
  if (rows.service.length === 0) rows.service.push('no Service DNAT reported');
  const denied = real.status === 403 && real.refusal !== undefined;
  const egressDenied = denied && /\bEgress\b/.test(real.refusal ?? '');
  if (egressDenied) rows.egress.push(`DENIED: ${real.refusal}`);
  else if (real.refusal === undefined || denied) rows.egress.push('allowed');
  if (denied && !egressDenied) rows.ingress.push(`DENIED: ${real.refusal}`);
  else if (real.refusal === undefined) rows.ingress.push('allowed');
  if (real.refusal !== undefined) {
    rows.destination.push(`${real.status} ${real.statusMessage} from the pod network${denied ? '' : `: ${real.refusal}`}`);
  } else {
    const a = real.answeredBy;
    const who = a
      ? ` from pod ${a.namespace ?? '?'}/${a.pod}${a.podIP ? ` (${a.podIP})` : ''}${a.node ? ` on ${a.node}` : ''}`
      : '';
    rows.destination.push(`HTTP ${real.status} ${real.statusMessage}${who}`);
  }
  return rows;
}

/** Formats the two columns, padded; a step with several lines takes several lines. */
export function formatSideBySide(model: ModelTrace, real: RealTrace): string {
  const left = modelSteps(model);
  const right = realSteps(real);
  const table: [string, string, string][] = [['STEP', 'MODEL', 'REAL']];
  for (const step of steps) {
    const n = Math.max(1, left[step].length, right[step].length);
    for (let i = 0; i < n; i++)
      table.push([i === 0 ? step : '', left[step][i] ?? (i === 0 ? '-' : ''), right[step][i] ?? (i === 0 ? '-' : '')]);
  }
  const w0 = Math.max(...table.map((r) => r[0].length));
  const w1 = Math.max(...table.map((r) => r[1].length));
  return table.map(([a, b, c]) => `${a.padEnd(w0 + 3)}${b.padEnd(w1 + 3)}${c}`.trimEnd()).join('\n');
}

/** One line saying whether the model and the real request agree on where the request ends. */
export function agreement(model: ModelTrace, real: RealTrace): string {
  const modelDelivered = model.packet?.delivered === true;
  const realDelivered = !real.error && real.refusal === undefined;
  if (modelDelivered !== realDelivered) {
    return `model and real DIFFER: the model says ${modelDelivered ? 'delivered' : 'not delivered'}, the request was ${realDelivered ? 'answered' : 'refused'}`;
  }
  if (!realDelivered) return 'model and real agree: not delivered';
  const modelPod = model.packet?.hops.find((h) => h.kind === 'pod' && h.role === 'destination');
  const realPod = real.answeredBy ? `${real.answeredBy.namespace ?? ''}/${real.answeredBy.pod}` : undefined;
  const modelName = modelPod?.kind === 'pod' ? modelPod.pod : undefined;
  if (modelName && realPod && modelName !== realPod) {
    return `model and real agree on delivery; the endpoint differs (model ${modelName}, real ${realPod}): the model picks by flow hash, the lab's agents round-robin`;
  }
  return 'model and real agree: delivered';
}
