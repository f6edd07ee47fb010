// The pick inside the chosen chain: affinity first, then the mode's own balancing.
import type { EndpointInfo, ServicePortInfo } from '../table/types.js';
import { ipvsSchedule, newSchedulerState } from './ipvs-schedulers.js';
import { flowHash, MaglevTable } from './maglev.js';
import { fnv1a, seededRandom } from './random.js';
import type { SelectionReasonCode } from './reasons.js';
import type { ConnectionRequest } from './route.js';

const maglevCache = new Map<string, MaglevTable>();

/** Picks one endpoint of `pool` for the request, recording ClientIP affinity when asked. */
export function chooseEndpoint(
  port: ServicePortInfo,
  pool: readonly EndpointInfo[],
  request: ConnectionRequest,
  say: (code: SelectionReasonCode, detail?: string) => void,
): EndpointInfo {
  const affinity = port.sessionAffinity;
  if (affinity && request.affinity) {
    const now = request.now ?? 0;
    const remembered = request.affinity.lookup(port.key, request.clientIP, now, affinity.timeoutSeconds);
    const hit = remembered === undefined ? undefined : pool.find((e) => e.endpoint === remembered);
    if (hit) {
      say(
        'affinity-hit',
        `${request.clientIP} → ${hit.endpoint} within ${affinity.timeoutSeconds}s (recent --name ${hit.chain})`,
      );
      request.affinity.record(port.key, request.clientIP, hit.endpoint, now);
      return hit;
    }
    say('affinity-miss');
  }
  const mode = request.mode ?? 'iptables';
  const destination = `${port.clusterIP}:${port.port}`;
  const random =
    request.random ?? seededRandom(fnv1a(`${request.clientIP}|${request.clientPort ?? 0}|${destination}|${port.protocol}`));
  let chosen: EndpointInfo;
  if (mode === 'iptables') {
    const n = pool.length;
    let i = 0;
    for (; i < n - 1; i++) if (random() < 1 / (n - i)) break;
    chosen = pool[i] as EndpointInfo;
    say(
      'iptables-probability',
      i < n - 1
        ? `rule ${i + 1} of ${n} matched (probability ${(1 / (n - i)).toFixed(10)})`
        : `rule ${n} of ${n}: the last rule always matches`,
    );
  } else if (mode === 'nftables') {
    const i = Math.floor(random() * pool.length);
    chosen = pool[i] as EndpointInfo;
    say('nftables-numgen', `numgen random mod ${pool.length} = ${i}`);
  } else if (mode === 'ipvs') {
    const scheduler = request.scheduler ?? 'rr';
    const dests = pool.map((e) => ({
      endpoint: e.endpoint,
      ip: e.ip,
      weight: 1,
      activeConns: request.connections?.[e.endpoint]?.active ?? 0,
      inactiveConns: request.connections?.[e.endpoint]?.inactive ?? 0,
    }));
    const result = ipvsSchedule(scheduler, dests, request.ipvsState ?? newSchedulerState(), {
      clientIP: request.clientIP,
      destinationIP: request.destinationIP ?? port.clusterIP,
    });
    chosen = pool[Math.max(0, result.index)] as EndpointInfo;
    say('ipvs-scheduler', result.reason);
  } else {
    const size = request.maglevTableSize ?? 16381;
    const names = pool.map((e) => e.endpoint);
    const cacheKey = `${size}|${names.join(',')}`;
    let table = maglevCache.get(cacheKey);
    if (!table) {
      if (maglevCache.size > 256) maglevCache.clear();
      table = MaglevTable.build(names, size);
      maglevCache.set(cacheKey, table);
    }
    const hash = flowHash(request.clientIP, request.clientPort ?? 0, destination, port.protocol);
    const i = table.lookupIndex(hash);
    chosen = pool[i] as EndpointInfo;
    say('maglev', `flow hash ${hash} → slot ${hash % size} of ${size} → backend ${chosen.endpoint}`);
  }
  if (affinity && request.affinity) request.affinity.record(port.key, request.clientIP, chosen.endpoint, request.now ?? 0);
  return chosen;
}
