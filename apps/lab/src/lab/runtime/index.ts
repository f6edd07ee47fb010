// The pod runtime: node agents that run pods as real loopback servers.
export { PodAddressRegistry } from './address-book.js';
export type { BackOffOptions, ContainerStatus } from './container-slot.js';
export { EchoApp, type EchoIdentity, type EchoPort, type EchoResponse } from './echo-app.js';
export { containerEnvironment, type EnvironmentInput, fieldRef } from './env.js';
export { expandVariables } from './expansion.js';
export { NodeCIDRAllocator, podCIDROf } from './ip-allocator.js';
export { ContainerLogStream } from './log-stream.js';
export {
  ContainerLog,
  type ContainerLogOptions,
  type ContainerOutput,
  defaultContainerLogMaxBytes,
  type LogLine,
  type LogStreamName,
} from './logs.js';
export { NodeAgent, type NodeAgentOptions } from './node-agent.js';
export { type ContainerLogRequest, type KubeletLogSource, openContainerLog, readContainerLog } from './open-container-log.js';
export { formatPodNetwork, type PodNetworkStatus, podNetworkAnnotation, readPodNetwork } from './pod-network-annotation.js';
export { runLocalAnnotation } from './pod-worker.js';
export { envVariableName, serviceEnvironment } from './service-env.js';
export { DirectoryVolumes } from './volumes.js';

import type { PodNetwork } from '../hooks.js';

/** The pod network when no CNI agent is plugged in: attach gives nothing, detach does nothing. */
export const loopbackNetwork: PodNetwork = {
  attach: async () => ({}),
  detach: async () => undefined,
};
