// The lab's control loops: each a small reconciler over the store.
export { Controller, type ControllerContext } from './controller.js';
export { DeploymentController, revisionAnnotation, revisionOf } from './deployment.js';
export {
  chunk,
  controllerName,
  desiredEndpointGroups,
  endpointPorts,
  findPort,
  maxEndpointsPerSlice,
  podToEndpoint,
} from './endpoints-model.js';
export { EndpointSliceController } from './endpointslice.js';
export { GarbageCollector } from './garbage-collector.js';
export { NodeLifecycleController, unreachableTaint } from './node-lifecycle.js';
export { deletionOrder, isAvailable, podFromTemplate, ReplicaSetController } from './replicaset.js';
export { maxUnavailable, newReplicaSetReplicas, resolveFenceposts, scaleDownOld, scaledValue } from './rolling.js';
export { Scheduler } from './scheduler.js';
export { matchesNodeSelectorAndAffinity, nodeUnfitReason, pickNode, tolerates } from './scheduling.js';
export {
  assignLoadBalancerIP,
  loadBalancerPool,
  ServiceLoadBalancerController,
  wantsLoadBalancer,
} from './service-load-balancer.js';
export { ordinalOf, StatefulSetController } from './statefulset.js';
export {
  canonicalJSON,
  computeTemplateHash,
  equalIgnoreHash,
  fnv32a,
  podTemplateHashLabel,
  safeEncodeString,
} from './template-hash.js';
