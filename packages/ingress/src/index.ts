// @kemu/ingress — the pure routing model: Ingress v1 with ingress-nginx semantics and Gateway API
// HTTPRoute. No sockets, files or timers here; the proxy is `@kemu/ingress/proxy`.

// Building blocks users test against
export { type BackendProblem, type BackendResolution, ObjectIndex } from './backends.js';
export { type AnswerSummary, compareAnswers, summarizeAnswer } from './compare.js';
// Errors
export {
  BadTLSError,
  type IngressErrorCode,
  InvalidOptionError,
  InvalidRequestError,
  ingressErrorCodes,
  ListenFailedError,
} from './errors.js';
export { parseGatewayDuration, pickWeighted } from './gateway/answer.js';
export { intersectHostnames, kemuGatewayClass, kemuGatewayController, type ServedListener } from './gateway/attach.js';
export { replacePrefixMatch } from './gateway/filters.js';
export { GatewayRouter, type GatewayRouterOptions } from './gateway/router.js';
export { gatewayWildcardMatches, ingressWildcardMatches, invalidHost } from './hosts.js';
export { type IngressAnnotations, parseAnnotations, parseNginxSize } from './ingress/annotations.js';
export {
  type ClassVerdict,
  classifyIngress,
  defaultClassAnnotation,
  type IngressClassOptions,
  legacyClassAnnotation,
  servedControllers,
} from './ingress/classes.js';
export { IngressRouter, type IngressRouterOptions, type IngressTLSHost } from './ingress/router.js';
export type { IngressProfile } from './ingress/servers.js';
export type { RouterIssue } from './issues.js';
export { elementPrefixMatches, normalizeNginxURI, SegmentTrie } from './paths.js';
// Common request and answer types
export type {
  BackendOutcome,
  BackendRef,
  Consideration,
  CookieAffinity,
  EndpointAddress,
  HeaderEdits,
  HTTPRequest,
  NormalizedRequest,
  RouteAnswer,
  RouteRef,
  StatusOutcome,
  UpstreamLimits,
} from './request.js';
export { hostWithoutPort, normalizeRequest } from './request.js';
// Routers
export { compileRouter, type DataPlaneChoice, Router, type RouterOptions } from './router.js';
