// gateway.networking.k8s.io kinds (sigs.k8s.io/gateway-api apis/v1 and v1beta1).
import type { Condition, KubernetesObject, LabelSelector } from './meta.js';

/** A reference to a Gateway (or other parent) from a route. */
export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

/** A GatewayClass. */
export interface GatewayClass extends KubernetesObject {
  kind: 'GatewayClass';
  spec: {
    controllerName: string;
    description?: string;
    parametersRef?: { group: string; kind: string; name: string; namespace?: string };
  };
  status?: { conditions?: Condition[] };
}

/** A Gateway listener. */
export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS' | 'TLS' | 'TCP' | 'UDP' | string;
  tls?: {
    mode?: 'Terminate' | 'Passthrough';
    certificateRefs?: { group?: string; kind?: string; name: string; namespace?: string }[];
    options?: Record<string, string>;
  };
  allowedRoutes?: {
    namespaces?: { from?: 'All' | 'Same' | 'Selector'; selector?: LabelSelector };
    kinds?: { group?: string; kind: string }[];
  };
}

/** A Gateway. */
export interface Gateway extends KubernetesObject {
  kind: 'Gateway';
  spec: {
    gatewayClassName: string;
    listeners: Listener[];
    addresses?: { type?: string; value: string }[];
  };
  status?: {
    conditions?: Condition[];
    listeners?: {
      name: string;
      attachedRoutes: number;
      conditions: Condition[];
      supportedKinds: { group?: string; kind: string }[];
    }[];
  };
}

/** An HTTP header match or modification. */
export interface HTTPHeader {
  name: string;
  value: string;
}

/** One match of an HTTPRoute rule (all its conditions must hold). */
export interface HTTPRouteMatch {
  path?: { type?: 'Exact' | 'PathPrefix' | 'RegularExpression'; value?: string };
  headers?: { type?: 'Exact' | 'RegularExpression'; name: string; value: string }[];
  queryParams?: { type?: 'Exact' | 'RegularExpression'; name: string; value: string }[];
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';
}

/** An HTTPRoute filter. */
export interface HTTPRouteFilter {
  type:
    | 'RequestHeaderModifier'
    | 'ResponseHeaderModifier'
    | 'RequestRedirect'
    | 'URLRewrite'
    | 'RequestMirror'
    | 'ExtensionRef'
    | 'CORS';
  requestHeaderModifier?: { set?: HTTPHeader[]; add?: HTTPHeader[]; remove?: string[] };
  responseHeaderModifier?: { set?: HTTPHeader[]; add?: HTTPHeader[]; remove?: string[] };
  requestRedirect?: {
    scheme?: 'http' | 'https';
    hostname?: string;
    path?: { type: 'ReplaceFullPath' | 'ReplacePrefixMatch'; replaceFullPath?: string; replacePrefixMatch?: string };
    port?: number;
    statusCode?: 301 | 302 | 303 | 307 | 308;
  };
  urlRewrite?: {
    hostname?: string;
    path?: { type: 'ReplaceFullPath' | 'ReplacePrefixMatch'; replaceFullPath?: string; replacePrefixMatch?: string };
  };
  requestMirror?: {
    backendRef: BackendObjectReference;
    percent?: number;
    fraction?: { numerator: number; denominator?: number };
  };
  extensionRef?: { group: string; kind: string; name: string };
}

/** A reference to a backend object (a Service by default). */
export interface BackendObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}

/** A weighted backend of an HTTPRoute rule. */
export interface HTTPBackendRef extends BackendObjectReference {
  weight?: number;
  filters?: HTTPRouteFilter[];
}

/** One rule of an HTTPRoute. */
export interface HTTPRouteRule {
  name?: string;
  matches?: HTTPRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
  timeouts?: { request?: string; backendRequest?: string };
}

/** Route status per parent, as a controller reports it. */
export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

/** An HTTPRoute. */
export interface HTTPRoute extends KubernetesObject {
  kind: 'HTTPRoute';
  spec: {
    parentRefs?: ParentReference[];
    hostnames?: string[];
    rules?: HTTPRouteRule[];
  };
  status?: { parents: RouteParentStatus[] };
}

/** A ReferenceGrant (v1beta1): lets routes in one namespace reference objects in another. */
export interface ReferenceGrant extends KubernetesObject {
  kind: 'ReferenceGrant';
  spec: {
    from: { group: string; kind: string; namespace: string }[];
    to: { group: string; kind: string; name?: string }[];
  };
}
