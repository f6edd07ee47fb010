import { any, arr, bool, int, intOrString, map, obj, type Shape, str } from './shape.js';

// Shapes of the fields kemu reads, per kind (from k8s.io/api types). Only types are checked here;
// value rules (names, ranges, cross-field) are in validate.ts.

const protocol = str(['TCP', 'UDP', 'SCTP']);
const labelSelector = obj({
  matchLabels: map(),
  matchExpressions: arr(
    obj({ key: str(), operator: str(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: arr(str()) }, ['key', 'operator']),
  ),
});
const nodeSelectorTerm = obj({
  matchExpressions: arr(
    obj({ key: str(), operator: str(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']), values: arr(str()) }, [
      'key',
      'operator',
    ]),
  ),
  matchFields: arr(
    obj({ key: str(), operator: str(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']), values: arr(str()) }, [
      'key',
      'operator',
    ]),
  ),
});
const probe = obj({
  httpGet: obj(
    {
      path: str(),
      port: intOrString,
      host: str(),
      scheme: str(['HTTP', 'HTTPS']),
      httpHeaders: arr(obj({ name: str(), value: str() })),
    },
    ['port'],
  ),
  tcpSocket: obj({ port: intOrString, host: str() }, ['port']),
  exec: obj({ command: arr(str()) }),
  grpc: obj({ port: int, service: str() }, ['port']),
  initialDelaySeconds: int,
  periodSeconds: int,
  timeoutSeconds: int,
  successThreshold: int,
  failureThreshold: int,
});
const container = obj(
  {
    name: str(),
    image: str(),
    command: arr(str()),
    args: arr(str()),
    workingDir: str(),
    ports: arr(obj({ name: str(), containerPort: int, protocol, hostPort: int, hostIP: str() }, ['containerPort'])),
    env: arr(obj({ name: str(), value: str(), valueFrom: any }, ['name'])),
    envFrom: arr(
      obj({ prefix: str(), configMapRef: obj({ name: str(), optional: bool }), secretRef: obj({ name: str(), optional: bool }) }),
    ),
    volumeMounts: arr(obj({ name: str(), mountPath: str(), readOnly: bool, subPath: str() }, ['name', 'mountPath'])),
    readinessProbe: probe,
    livenessProbe: probe,
    startupProbe: probe,
    resources: obj({ requests: map(intOrString), limits: map(intOrString) }),
    imagePullPolicy: str(['Always', 'IfNotPresent', 'Never']),
  },
  ['name'],
);
const podSpec = obj(
  {
    containers: arr(container),
    initContainers: arr(container),
    volumes: arr(
      obj(
        {
          name: str(),
          persistentVolumeClaim: obj({ claimName: str(), readOnly: bool }, ['claimName']),
          emptyDir: obj({ medium: str(), sizeLimit: intOrString }),
          configMap: obj({ name: str(), optional: bool }),
          secret: obj({ secretName: str(), optional: bool }),
          hostPath: obj({ path: str(), type: str() }, ['path']),
        },
        ['name'],
      ),
    ),
    nodeName: str(),
    nodeSelector: map(),
    affinity: obj({
      nodeAffinity: obj({
        requiredDuringSchedulingIgnoredDuringExecution: obj({ nodeSelectorTerms: arr(nodeSelectorTerm) }, ['nodeSelectorTerms']),
        preferredDuringSchedulingIgnoredDuringExecution: arr(
          obj({ weight: int, preference: nodeSelectorTerm }, ['weight', 'preference']),
        ),
      }),
    }),
    tolerations: arr(
      obj({
        key: str(),
        operator: str(['Exists', 'Equal']),
        value: str(),
        effect: str(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
        tolerationSeconds: int,
      }),
    ),
    restartPolicy: str(['Always', 'OnFailure', 'Never']),
    terminationGracePeriodSeconds: int,
    dnsPolicy: str(['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']),
    hostNetwork: bool,
    hostname: str(),
    subdomain: str(),
    enableServiceLinks: bool,
  },
  ['containers'],
);
const podTemplate = obj({ metadata: obj({ labels: map(), annotations: map() }), spec: podSpec }, ['spec']);
const pvcSpec = obj({
  accessModes: arr(str(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'])),
  resources: obj({ requests: map(intOrString), limits: map(intOrString) }),
  storageClassName: str(),
  volumeName: str(),
  volumeMode: str(['Filesystem', 'Block']),
  selector: labelSelector,
  dataSource: obj({ apiGroup: str(), kind: str(), name: str() }, ['kind', 'name']),
});
const ingressBackend = obj({
  service: obj({ name: str(), port: obj({ name: str(), number: int }) }, ['name']),
  resource: obj({ apiGroup: str(), kind: str(), name: str() }, ['kind', 'name']),
});
const networkPolicyPeer = obj({
  podSelector: labelSelector,
  namespaceSelector: labelSelector,
  ipBlock: obj({ cidr: str(), except: arr(str()) }, ['cidr']),
});
const networkPolicyPort = obj({ protocol, port: intOrString, endPort: int });
const parentRef = obj({ group: str(), kind: str(), namespace: str(), name: str(), sectionName: str(), port: int }, ['name']);
const backendRef = obj({ group: str(), kind: str(), name: str(), namespace: str(), port: int, weight: int, filters: arr(any) }, [
  'name',
]);
const headerMods = obj({
  set: arr(obj({ name: str(), value: str() }, ['name', 'value'])),
  add: arr(obj({ name: str(), value: str() }, ['name', 'value'])),
  remove: arr(str()),
});
const pathModifier = obj(
  { type: str(['ReplaceFullPath', 'ReplacePrefixMatch']), replaceFullPath: str(), replacePrefixMatch: str() },
  ['type'],
);
const httpRouteFilter = obj(
  {
    type: str([
      'RequestHeaderModifier',
      'ResponseHeaderModifier',
      'RequestRedirect',
      'URLRewrite',
      'RequestMirror',
      'ExtensionRef',
      'CORS',
    ]),
    requestHeaderModifier: headerMods,
    responseHeaderModifier: headerMods,
    requestRedirect: obj({ scheme: str(['http', 'https']), hostname: str(), path: pathModifier, port: int, statusCode: int }),
    urlRewrite: obj({ hostname: str(), path: pathModifier }),
    requestMirror: obj({ backendRef, percent: int, fraction: obj({ numerator: int, denominator: int }, ['numerator']) }, [
      'backendRef',
    ]),
  },
  ['type'],
);

/** The shape of each kind (metadata is checked separately). */
export const kindShapes: Readonly<Record<string, Shape>> = {
  Namespace: obj({}),
  Node: obj({
    spec: obj({
      podCIDR: str(),
      podCIDRs: arr(str()),
      unschedulable: bool,
      taints: arr(
        obj({ key: str(), value: str(), effect: str(['NoSchedule', 'PreferNoSchedule', 'NoExecute']) }, ['key', 'effect']),
      ),
    }),
    status: obj({ addresses: arr(obj({ type: str(), address: str() }, ['type', 'address'])) }),
  }),
  Pod: obj(
    { spec: podSpec, status: obj({ podIP: str(), podIPs: arr(obj({ ip: str() }, ['ip'])), hostIP: str(), phase: str() }) },
    ['spec'],
  ),
  Service: obj(
    {
      spec: obj({
        type: str(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']),
        selector: map(),
        ports: arr(
          obj({ name: str(), protocol, appProtocol: str(), port: int, targetPort: intOrString, nodePort: int }, ['port']),
        ),
        clusterIP: str(),
        clusterIPs: arr(str()),
        externalIPs: arr(str()),
        externalName: str(),
        sessionAffinity: str(['None', 'ClientIP']),
        sessionAffinityConfig: obj({ clientIP: obj({ timeoutSeconds: int }) }),
        externalTrafficPolicy: str(['Cluster', 'Local']),
        internalTrafficPolicy: str(['Cluster', 'Local']),
        healthCheckNodePort: int,
        loadBalancerIP: str(),
        loadBalancerSourceRanges: arr(str()),
        allocateLoadBalancerNodePorts: bool,
        ipFamilies: arr(str(['IPv4', 'IPv6'])),
        ipFamilyPolicy: str(['SingleStack', 'PreferDualStack', 'RequireDualStack']),
        publishNotReadyAddresses: bool,
        trafficDistribution: str(),
      }),
      status: obj({ loadBalancer: obj({ ingress: arr(obj({ ip: str(), hostname: str(), ipMode: str(['VIP', 'Proxy']) })) }) }),
    },
    ['spec'],
  ),
  Secret: obj({ type: str(), data: map(), stringData: map(), immutable: bool }),
  ConfigMap: obj({ data: map(), binaryData: map(), immutable: bool }),
  PersistentVolumeClaim: obj({ spec: pvcSpec }, ['spec']),
  PersistentVolume: obj(
    {
      spec: obj({
        capacity: map(intOrString),
        accessModes: arr(str(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'])),
        persistentVolumeReclaimPolicy: str(['Retain', 'Delete', 'Recycle']),
        storageClassName: str(),
        volumeMode: str(['Filesystem', 'Block']),
        claimRef: obj({ kind: str(), namespace: str(), name: str(), uid: str() }),
        csi: obj({ driver: str(), volumeHandle: str(), readOnly: bool, fsType: str(), volumeAttributes: map() }, [
          'driver',
          'volumeHandle',
        ]),
        hostPath: obj({ path: str() }, ['path']),
        local: obj({ path: str() }, ['path']),
        nodeAffinity: obj({ required: obj({ nodeSelectorTerms: arr(nodeSelectorTerm) }, ['nodeSelectorTerms']) }),
      }),
    },
    ['spec'],
  ),
  Deployment: obj(
    {
      spec: obj(
        {
          replicas: int,
          selector: labelSelector,
          template: podTemplate,
          strategy: obj({
            type: str(['RollingUpdate', 'Recreate']),
            rollingUpdate: obj({ maxSurge: intOrString, maxUnavailable: intOrString }),
          }),
          minReadySeconds: int,
          revisionHistoryLimit: int,
          progressDeadlineSeconds: int,
          paused: bool,
        },
        ['selector', 'template'],
      ),
    },
    ['spec'],
  ),
  ReplicaSet: obj(
    { spec: obj({ replicas: int, selector: labelSelector, template: podTemplate, minReadySeconds: int }, ['selector']) },
    ['spec'],
  ),
  StatefulSet: obj(
    {
      spec: obj(
        {
          replicas: int,
          selector: labelSelector,
          serviceName: str(),
          template: podTemplate,
          volumeClaimTemplates: arr(obj({ metadata: obj({ name: str() }, ['name']), spec: pvcSpec }, ['metadata'])),
          podManagementPolicy: str(['OrderedReady', 'Parallel']),
          updateStrategy: obj({
            type: str(['RollingUpdate', 'OnDelete']),
            rollingUpdate: obj({ partition: int, maxUnavailable: intOrString }),
          }),
          revisionHistoryLimit: int,
        },
        ['selector', 'template'],
      ),
    },
    ['spec'],
  ),
  EndpointSlice: obj(
    {
      addressType: str(['IPv4', 'IPv6', 'FQDN']),
      endpoints: arr(
        obj(
          {
            addresses: arr(str()),
            conditions: obj({ ready: bool, serving: bool, terminating: bool }),
            hostname: str(),
            nodeName: str(),
            zone: str(),
            hints: obj({ forZones: arr(obj({ name: str() }, ['name'])), forNodes: arr(obj({ name: str() }, ['name'])) }),
          },
          ['addresses'],
        ),
      ),
      ports: arr(obj({ name: str(), protocol, port: int, appProtocol: str() })),
    },
    ['addressType'],
  ),
  Ingress: obj(
    {
      spec: obj({
        ingressClassName: str(),
        defaultBackend: ingressBackend,
        tls: arr(obj({ hosts: arr(str()), secretName: str() })),
        rules: arr(
          obj({
            host: str(),
            http: obj(
              {
                paths: arr(
                  obj({ path: str(), pathType: str(['Exact', 'Prefix', 'ImplementationSpecific']), backend: ingressBackend }, [
                    'pathType',
                    'backend',
                  ]),
                ),
              },
              ['paths'],
            ),
          }),
        ),
      }),
    },
    ['spec'],
  ),
  IngressClass: obj({ spec: obj({ controller: str(), parameters: any }) }),
  NetworkPolicy: obj(
    {
      spec: obj(
        {
          podSelector: labelSelector,
          policyTypes: arr(str(['Ingress', 'Egress'])),
          ingress: arr(obj({ from: arr(networkPolicyPeer), ports: arr(networkPolicyPort) })),
          egress: arr(obj({ to: arr(networkPolicyPeer), ports: arr(networkPolicyPort) })),
        },
        ['podSelector'],
      ),
    },
    ['spec'],
  ),
  GatewayClass: obj({ spec: obj({ controllerName: str(), description: str(), parametersRef: any }, ['controllerName']) }, [
    'spec',
  ]),
  Gateway: obj(
    {
      spec: obj(
        {
          gatewayClassName: str(),
          listeners: arr(
            obj(
              {
                name: str(),
                hostname: str(),
                port: int,
                protocol: str(),
                tls: obj({
                  mode: str(['Terminate', 'Passthrough']),
                  certificateRefs: arr(obj({ group: str(), kind: str(), name: str(), namespace: str() }, ['name'])),
                }),
                allowedRoutes: obj({
                  namespaces: obj({ from: str(['All', 'Same', 'Selector']), selector: labelSelector }),
                  kinds: arr(obj({ group: str(), kind: str() }, ['kind'])),
                }),
              },
              ['name', 'port', 'protocol'],
            ),
          ),
        },
        ['gatewayClassName', 'listeners'],
      ),
    },
    ['spec'],
  ),
  HTTPRoute: obj(
    {
      spec: obj({
        parentRefs: arr(parentRef),
        hostnames: arr(str()),
        rules: arr(
          obj({
            name: str(),
            matches: arr(
              obj({
                path: obj({ type: str(['Exact', 'PathPrefix', 'RegularExpression']), value: str() }),
                headers: arr(obj({ type: str(['Exact', 'RegularExpression']), name: str(), value: str() }, ['name', 'value'])),
                queryParams: arr(
                  obj({ type: str(['Exact', 'RegularExpression']), name: str(), value: str() }, ['name', 'value']),
                ),
                method: str(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']),
              }),
            ),
            filters: arr(httpRouteFilter),
            backendRefs: arr(backendRef),
            timeouts: obj({ request: str(), backendRequest: str() }),
          }),
        ),
      }),
    },
    ['spec'],
  ),
  ReferenceGrant: obj(
    {
      spec: obj(
        {
          from: arr(obj({ group: str(), kind: str(), namespace: str() }, ['group', 'kind', 'namespace'])),
          to: arr(obj({ group: str(), kind: str(), name: str() }, ['group', 'kind'])),
        },
        ['from', 'to'],
      ),
    },
    ['spec'],
  ),
  StorageClass: obj(
    {
      provisioner: str(),
      parameters: map(),
      reclaimPolicy: str(['Delete', 'Retain']),
      volumeBindingMode: str(['Immediate', 'WaitForFirstConsumer']),
      allowVolumeExpansion: bool,
      mountOptions: arr(str()),
      allowedTopologies: arr(obj({ matchLabelExpressions: arr(obj({ key: str(), values: arr(str()) }, ['key', 'values'])) })),
    },
    ['provisioner'],
  ),
  VolumeAttachment: obj(
    {
      spec: obj({ attacher: str(), nodeName: str(), source: obj({ persistentVolumeName: str(), inlineVolumeSpec: any }) }, [
        'attacher',
        'nodeName',
        'source',
      ]),
    },
    ['spec'],
  ),
  CSIDriver: obj({ spec: obj({ attachRequired: bool, podInfoOnMount: bool, storageCapacity: bool, requiresRepublish: bool }) }),
  CSINode: obj(
    {
      spec: obj({ drivers: arr(obj({ name: str(), nodeID: str(), topologyKeys: arr(str()) }, ['name', 'nodeID'])) }, ['drivers']),
    },
    ['spec'],
  ),
};

/** Shape of metadata, for every kind. */
export const metadataShape: Shape = obj({
  name: str(),
  generateName: str(),
  namespace: str(),
  labels: map(),
  annotations: map(),
  finalizers: arr(str()),
  resourceVersion: str(),
  uid: str(),
});
