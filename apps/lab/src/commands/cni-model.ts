// Builds the @kemu/cni cluster model from `-f` manifests (shared by `kemu cni`, `kemu policy`, `kemu trace`).

import { buildClusterModel, type ClusterModel } from '@kemu/cni';
import type { KubernetesObject, Namespace, NetworkPolicy, Node, Pod, Protocol } from '@kemu/core';
import { CliExit, exitCodes } from '../cli/exit.js';
import { loadManifestsForCommand } from '../cli/manifests.js';

/** Loads manifests and builds nodes, pod addresses (status.podIP, else IPAM's) and policies. */
export async function loadClusterModel(paths: readonly string[]): Promise<ClusterModel> {
  const { objects } = await loadManifestsForCommand(paths);
  const of = <T extends KubernetesObject>(kind: string) => objects.filter((o) => o.kind === kind) as T[];
  return buildClusterModel({
    nodes: of<Node>('Node'),
    pods: of<Pod>('Pod'),
    namespaces: of<Namespace>('Namespace'),
    policies: of<NetworkPolicy>('NetworkPolicy'),
  });
}

/** Parses `80`, `80/TCP`, `53/udp`. */
export function parsePortProtocol(text: string): { port: number; protocol: Protocol } {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(text);
  const port = Number(m?.[1]);
  if (!m || port < 1 || port > 65535) {
    throw new CliExit(exitCodes.userError, `error: --port must be PORT or PORT/PROTOCOL (TCP, UDP, SCTP), got "${text}"`);
  }
  return { port, protocol: (m[2]?.toUpperCase() ?? 'TCP') as Protocol };
}
