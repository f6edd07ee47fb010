// core/v1 kinds (k8s.io/api/core/v1/types.go), the fields kemu's emulators read.
import type { KubernetesObject, LabelSelector, LocalObjectReference } from './meta.js';

/** Transport protocols a port can carry. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A port given as a number or as the name of a container port. */
export type IntOrString = number | string;

/** A Namespace. */
export interface Namespace extends KubernetesObject {
  kind: 'Namespace';
  spec?: { finalizers?: string[] };
  status?: { phase?: 'Active' | 'Terminating' };
}

/** Node taint effect. */
export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

/** A Node: where pods run, with its pod CIDRs and addresses. */
export interface Node extends KubernetesObject {
  kind: 'Node';
  spec?: {
    podCIDR?: string;
    podCIDRs?: string[];
    unschedulable?: boolean;
    taints?: { key: string; value?: string; effect: TaintEffect }[];
    providerID?: string;
  };
  status?: {
    addresses?: { type: 'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS'; address: string }[];
    conditions?: {
      type: string;
      status: 'True' | 'False' | 'Unknown';
      reason?: string;
      message?: string;
      lastHeartbeatTime?: string;
    }[];
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    /** Volumes kubelet has mounted or is mounting (`kubernetes.io/csi/<driver>^<handle>`); the A/D controller waits for them to go before detaching. */
    volumesInUse?: string[];
    /** Volumes attached to the node, as the A/D controller reports them. */
    volumesAttached?: { name: string; devicePath: string }[];
    /** Ports of the node's daemons (NodeDaemonEndpoints): the kubelet's, which the API server dials for pods/log. */
    daemonEndpoints?: { kubeletEndpoint?: { Port: number } };
  };
}

/** A container port. */
export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: Protocol;
  hostPort?: number;
  hostIP?: string;
}

/** httpGet / tcpSocket / exec / grpc probe. */
export interface Probe {
  httpGet?: {
    path?: string;
    port: IntOrString;
    host?: string;
    scheme?: 'HTTP' | 'HTTPS';
    httpHeaders?: { name: string; value: string }[];
  };
  tcpSocket?: { port: IntOrString; host?: string };
  exec?: { command?: string[] };
  grpc?: { port: number; service?: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

/** An environment variable, literal or from a source. */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string; apiVersion?: string };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

/** A container of a pod. */
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  envFrom?: {
    prefix?: string;
    configMapRef?: { name: string; optional?: boolean };
    secretRef?: { name: string; optional?: boolean };
  }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] }; httpGet?: Probe['httpGet']; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

/** A pod volume (the sources kemu emulates). */
export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  emptyDir?: { medium?: string; sizeLimit?: string };
  configMap?: { name: string; items?: { key: string; path: string }[]; optional?: boolean };
  secret?: { secretName: string; items?: { key: string; path: string }[]; optional?: boolean };
  hostPath?: { path: string; type?: string };
  csi?: { driver: string; volumeAttributes?: Record<string, string>; readOnly?: boolean };
}

/** Toleration of a taint. */
export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: TaintEffect;
  tolerationSeconds?: number;
}

/** A node selector term of node affinity. */
export interface NodeSelectorTerm {
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt'; values?: string[] }[];
  matchFields?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt'; values?: string[] }[];
}

/** Pod spec fields kemu uses. */
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
      preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
    };
  };
  tolerations?: Toleration[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  terminationGracePeriodSeconds?: number;
  dnsPolicy?: 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';
  hostNetwork?: boolean;
  hostname?: string;
  subdomain?: string;
  serviceAccountName?: string;
  schedulerName?: string;
  enableServiceLinks?: boolean;
}

/** A pod condition. */
export interface PodCondition {
  type: 'PodScheduled' | 'Initialized' | 'ContainersReady' | 'Ready' | 'PodReadyToStartContainers' | string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** A Pod. */
export interface Pod extends KubernetesObject {
  kind: 'Pod';
  spec: PodSpec;
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    podIP?: string;
    podIPs?: { ip: string }[];
    hostIP?: string;
    hostIPs?: { ip: string }[];
    conditions?: PodCondition[];
    containerStatuses?: {
      name: string;
      ready: boolean;
      restartCount: number;
      started?: boolean;
      state?: Record<string, unknown>;
    }[];
    startTime?: string;
    reason?: string;
    message?: string;
  };
}

/** A pod template (Deployment, ReplicaSet, StatefulSet). */
export interface PodTemplateSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; name?: string };
  spec: PodSpec;
}

/** One port of a Service. */
export interface ServicePort {
  name?: string;
  protocol?: Protocol;
  appProtocol?: string;
  port: number;
  targetPort?: IntOrString;
  nodePort?: number;
}

/** Service types. */
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

/** A Service. */
export interface Service extends KubernetesObject {
  kind: 'Service';
  spec: {
    type?: ServiceType;
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    externalName?: string;
    sessionAffinity?: 'None' | 'ClientIP';
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    externalTrafficPolicy?: 'Cluster' | 'Local';
    internalTrafficPolicy?: 'Cluster' | 'Local';
    healthCheckNodePort?: number;
    loadBalancerIP?: string;
    loadBalancerSourceRanges?: string[];
    loadBalancerClass?: string;
    allocateLoadBalancerNodePorts?: boolean;
    ipFamilies?: ('IPv4' | 'IPv6')[];
    ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
    publishNotReadyAddresses?: boolean;
    trafficDistribution?: string;
  };
  status?: {
    loadBalancer?: {
      ingress?: { ip?: string; hostname?: string; ipMode?: 'VIP' | 'Proxy'; ports?: { port: number; protocol: Protocol }[] }[];
    };
  };
}

/** A Secret (kemu reads `kubernetes.io/tls` ones for ingress TLS). */
export interface Secret extends KubernetesObject {
  kind: 'Secret';
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  immutable?: boolean;
}

/** A ConfigMap. */
export interface ConfigMap extends KubernetesObject {
  kind: 'ConfigMap';
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

/** Volume access modes. */
export type PersistentVolumeAccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';

/** A PersistentVolumeClaim. */
export interface PersistentVolumeClaim extends KubernetesObject {
  kind: 'PersistentVolumeClaim';
  spec: {
    accessModes?: PersistentVolumeAccessMode[];
    resources?: { requests?: { storage?: string }; limits?: { storage?: string } };
    storageClassName?: string | null;
    volumeName?: string;
    volumeMode?: 'Filesystem' | 'Block';
    selector?: LabelSelector;
    dataSource?: { apiGroup?: string; kind: string; name: string };
  };
  status?: {
    phase?: 'Pending' | 'Bound' | 'Lost';
    accessModes?: PersistentVolumeAccessMode[];
    capacity?: { storage?: string };
  };
}

/** A PersistentVolume. */
export interface PersistentVolume extends KubernetesObject {
  kind: 'PersistentVolume';
  spec: {
    capacity?: { storage?: string };
    accessModes?: PersistentVolumeAccessMode[];
    persistentVolumeReclaimPolicy?: 'Retain' | 'Delete' | 'Recycle';
    storageClassName?: string;
    volumeMode?: 'Filesystem' | 'Block';
    claimRef?: { kind?: string; namespace?: string; name?: string; uid?: string; apiVersion?: string; resourceVersion?: string };
    csi?: {
      driver: string;
      volumeHandle: string;
      readOnly?: boolean;
      fsType?: string;
      volumeAttributes?: Record<string, string>;
    };
    hostPath?: { path: string };
    local?: { path: string };
    nodeAffinity?: { required?: { nodeSelectorTerms: NodeSelectorTerm[] } };
    mountOptions?: string[];
  };
  status?: { phase?: 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed'; message?: string; reason?: string };
}

/** A local object reference re-exported for kinds that use it. */
export type { LocalObjectReference };
