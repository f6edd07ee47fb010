// @kemu/ingress/proxy — the data plane: a real HTTP(S) proxy driven by the routing model.
export {
  type ChoiceContext,
  type EndpointChooser,
  type EndpointResolver,
  endpointKey,
  type RealAddress,
  RoundRobinChooser,
  tableResolver,
} from './endpoints.js';
export { affinityValue } from './forward.js';
export { IngressProxy, type IngressProxyOptions, type ListenerKind, type ResponseCompletion } from './server.js';
export { type PEMPair, selfSignedPair } from './tls.js';
