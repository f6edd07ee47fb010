import { type TraceHop, tracePacket } from '@kemu/cni';
import { CliExit, exitCodes } from '../cli/exit.js';
import { type OutputFormat, printData } from '../cli/output.js';
import { loadClusterModel, parsePortProtocol } from './cni-model.js';
import type { TraceOptions } from './trace.command.js';

function describeHop(h: TraceHop): string {
  switch (h.kind) {
    case 'pod':
      return `${h.role} pod ${h.pod} (${h.ip}) on ${h.node}`;
    case 'address':
      return `destination ${h.ip}: ${h.note}`;
    case 'policy':
      return `${h.direction} policy on ${h.node}: ${h.allowed ? 'allowed' : 'DENIED'} — ${h.reason}`;
    case 'route':
      return `route on ${h.node}: ${h.route}${h.neighbour ? `; neigh ${h.neighbour}` : ''}${h.fdb ? `; fdb ${h.fdb}` : ''}`;
    case 'encapsulation':
      return `VXLAN VNI ${h.vni}: outer ${h.outer.src}:${h.outer.srcPort} -> ${h.outer.dst}:${h.outer.dstPort}, inner ${h.inner.src} -> ${h.inner.dst}`;
    case 'decapsulation':
      return `decapsulated on ${h.node} (${h.device})`;
    case 'bridge':
      return `${h.device} on ${h.node}: ${h.note}`;
    case 'drop':
      return `DROPPED on ${h.node}: ${h.reason}`;
  }
}

/** Prints the model's hops from one pod to another pod or address (the `-f FILES --to` form). */
export async function runTrace(url: string | undefined, options: TraceOptions): Promise<void> {
  if (url !== undefined) {
    throw new CliExit(exitCodes.userError, 'error: a URL traces against a running lab; leave out -f and --to');
  }
  if (!options.filename || options.to === undefined) {
    throw new CliExit(
      exitCodes.userError,
      'error: give -f FILES and --to NS/POD|IP (model trace), or a URL (trace against a running lab)',
    );
  }
  const flow = parsePortProtocol(options.port);
  const model = await loadClusterModel(options.filename);
  const trace = tracePacket(model, options.from, options.to, flow);
  await printData((options.output ?? 'json') as OutputFormat, trace, () =>
    trace.hops.map((h, i) => `${i + 1}. ${describeHop(h)}`).join('\n'),
  );
}
