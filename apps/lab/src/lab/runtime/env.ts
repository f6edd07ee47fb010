import { Buffer } from 'node:buffer';
import type { ConfigMap, Container, Pod, Secret, Service } from '@kemu/core';
import { ContainerConfigError } from '../errors.js';
import type { PodPortBinding } from '../hooks.js';
import { expandVariables } from './expansion.js';
import { envVariableName, serviceEnvironment } from './service-env.js';

/** What the environment of one container is built from. */
export interface EnvironmentInput {
  pod: Pod;
  container: Container;
  /** Services of the pod's namespace (used when enableServiceLinks) and `kubernetes` in `default`. */
  services: readonly Service[];
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  /** The pod's real ports (every container's). */
  bindings: readonly PodPortBinding[];
  /** Host directory of each volume, by volume name. */
  volumePaths: ReadonlyMap<string, string>;
  /** From the pod network (proxies). */
  networkEnv?: Record<string, string>;
}

// C_IDENTIFIER-ish rule for envFrom keys (validation.IsEnvVarName): invalid keys are skipped.
const envName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The environment of one container as the kubelet builds it (kubelet_pods.go
 * makeEnvironmentVariables): envFrom first, then env (with `$(VAR)` expansion and the downward
 * API), then service variables not already set; then kemu's own `KEMU_*` variables.
 */
export function containerEnvironment(input: EnvironmentInput): Record<string, string> {
  const { pod, container } = input;
  const namespace = pod.metadata.namespace ?? 'default';
  const services =
    pod.spec.enableServiceLinks === false
      ? input.services.filter((s) => s.metadata.name === 'kubernetes' && s.metadata.namespace === 'default')
      : input.services;
  const serviceEnv = new Map(serviceEnvironment(services));
  const env = new Map<string, string>();

  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    const data = envFromData(input, namespace, source);
    for (const [key, value] of Object.entries(data)) {
      if (envName.test(prefix + key)) env.set(prefix + key, value);
    }
  }
  const lookup = (name: string) => env.get(name) ?? serviceEnv.get(name);
  for (const variable of container.env ?? []) {
    if (variable.valueFrom) {
      const value = valueFrom(input, namespace, variable.name, variable.valueFrom);
      if (value !== undefined) env.set(variable.name, value);
    } else {
      env.set(variable.name, expandVariables(variable.value ?? '', lookup));
    }
  }
  for (const [name, value] of serviceEnv) if (!env.has(name)) env.set(name, value);

  const kemu = kemuEnvironment(input);
  for (const [name, value] of Object.entries(kemu)) if (!env.has(name)) env.set(name, value);
  return Object.fromEntries(env);
}

/** kemu's own variables: who the pod is, its real listen addresses, its volumes and proxies. */
function kemuEnvironment(input: EnvironmentInput): Record<string, string> {
  const { pod } = input;
  const env: Record<string, string> = {
    KEMU_POD_NAME: pod.metadata.name,
    KEMU_POD_NAMESPACE: pod.metadata.namespace ?? 'default',
    KEMU_POD_IP: pod.status?.podIP ?? '',
    KEMU_NODE_NAME: pod.spec.nodeName ?? '',
    KEMU_CONTAINER_NAME: input.container.name,
  };
  for (const binding of input.bindings) {
    if (binding.container !== input.container.name) continue;
    const suffix = binding.protocol === 'TCP' ? '' : `_${binding.protocol}`;
    env[`KEMU_LISTEN_${binding.containerPort}${suffix}`] = `${binding.host}:${binding.port}`;
  }
  const mounts: Record<string, string> = {};
  for (const [name, dir] of input.volumePaths) env[`KEMU_VOLUME_${envVariableName(name).replaceAll('.', '_')}`] = dir;
  for (const mount of input.container.volumeMounts ?? []) {
    const dir = input.volumePaths.get(mount.name);
    if (dir) mounts[mount.mountPath] = mount.subPath ? `${dir}/${mount.subPath}` : dir;
  }
  if (Object.keys(mounts).length > 0) env.KEMU_MOUNTS = JSON.stringify(mounts);
  Object.assign(env, input.networkEnv ?? {});
  return env;
}

function envFromData(
  input: EnvironmentInput,
  namespace: string,
  source: NonNullable<Container['envFrom']>[number],
): Record<string, string> {
  if (source.configMapRef) {
    const map = input.configMap(namespace, source.configMapRef.name);
    if (!map) {
      if (source.configMapRef.optional) return {};
      throw new ContainerConfigError(`configmap "${source.configMapRef.name}" not found`);
    }
    return map.data ?? {};
  }
  if (source.secretRef) {
    const secret = input.secret(namespace, source.secretRef.name);
    if (!secret) {
      if (source.secretRef.optional) return {};
      throw new ContainerConfigError(`secret "${source.secretRef.name}" not found`);
    }
    return secretData(secret);
  }
  return {};
}

/** A Secret's values, decoded (data is base64; stringData wins, as the API server merges it). */
function secretData(secret: Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) out[key] = Buffer.from(value, 'base64').toString('utf8');
  Object.assign(out, secret.stringData ?? {});
  return out;
}

function valueFrom(
  input: EnvironmentInput,
  namespace: string,
  name: string,
  from: NonNullable<NonNullable<Container['env']>[number]['valueFrom']>,
): string | undefined {
  if (from.fieldRef) return fieldRef(input.pod, from.fieldRef.fieldPath);
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const value = input.configMap(namespace, ref.name)?.data?.[ref.key];
    if (value === undefined && !ref.optional) {
      throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${namespace}/${ref.name} (env ${name})`);
    }
    return value;
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const secret = input.secret(namespace, ref.name);
    const value = secret ? secretData(secret)[ref.key] : undefined;
    if (value === undefined && !ref.optional) {
      throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${namespace}/${ref.name} (env ${name})`);
    }
    return value;
  }
  return undefined;
}

/** The downward API's `fieldRef` paths (pkg/api/v1/pod ConvertDownwardAPIFieldLabel + kubelet podFieldSelectorRuntimeValue). */
export function fieldRef(pod: Pod, fieldPath: string): string {
  const bracket = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (bracket) return (bracket[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[bracket[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace ?? 'default';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.hostIPs':
      return (pod.status?.hostIPs ?? []).map((i) => i.ip).join(',');
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((i) => i.ip).join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldRef fieldPath "${fieldPath}"`);
  }
}

/** `key="value"` lines, sorted (fieldpath.FormatMap). */
function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map![k])}`)
    .join('\n');
}
