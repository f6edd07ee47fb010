import type { AgentDirectory, AgentEndpoint, PodRegistration } from './types.js';

/** An in-process {@link AgentDirectory}: agents and pods register themselves here. */
export class MemoryDirectory implements AgentDirectory {
  private readonly pods = new Map<string, PodRegistration & { node: string }>();
  private readonly agents = new Map<string, AgentEndpoint>();

  podByIP(ip: string): (PodRegistration & { node: string }) | undefined {
    return this.pods.get(ip);
  }

  agent(node: string): AgentEndpoint | undefined {
    return this.agents.get(node);
  }

  /** Records (or replaces) a node agent. */
  addAgent(endpoint: AgentEndpoint): void {
    this.agents.set(endpoint.node, endpoint);
  }

  /** Forgets a node agent. */
  removeAgent(node: string): void {
    this.agents.delete(node);
  }

  /** Records a pod on a node. */
  addPod(node: string, pod: PodRegistration): void {
    this.pods.set(pod.ip, { ...pod, node });
  }

  /** Forgets a pod. */
  removePod(ip: string): void {
    this.pods.delete(ip);
  }
}
