import type { Service } from '@kemu/core';

// Service environment variables (pkg/kubelet/envvars/envvars.go FromServices): for every Service
// with a cluster IP, `{NAME}_SERVICE_HOST`, `{NAME}_SERVICE_PORT`, `{NAME}_SERVICE_PORT_{PORT}`
// for named ports, and the Docker-link style `{NAME}_PORT…` variables.

/** Upper case, dashes to underscores (envvars.go makeEnvVariableName). */
export function envVariableName(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}

/** Whether the Service has a usable cluster IP (helper.IsServiceIPSet). */
function hasClusterIP(service: Service): boolean {
  const ip = service.spec.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The variables one set of Services gives a pod, in upstream order. */
export function serviceEnvironment(services: readonly Service[]): [string, string][] {
  const result: [string, string][] = [];
  for (const service of services) {
    const ports = service.spec.ports ?? [];
    if (!hasClusterIP(service) || ports.length === 0) continue;
    const ip = service.spec.clusterIP!;
    const prefix = envVariableName(service.metadata.name);
    result.push([`${prefix}_SERVICE_HOST`, ip]);
    result.push([`${prefix}_SERVICE_PORT`, String(ports[0]!.port)]);
    for (const port of ports) {
      if (port.name) result.push([`${prefix}_SERVICE_PORT_${envVariableName(port.name)}`, String(port.port)]);
    }
    ports.forEach((port, i) => {
      const protocol = port.protocol ?? 'TCP';
      const url = `${protocol.toLowerCase()}://${joinHostPort(ip, port.port)}`;
      if (i === 0) result.push([`${prefix}_PORT`, url]);
      const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
      result.push([portPrefix, url]);
      result.push([`${portPrefix}_PROTO`, protocol.toLowerCase()]);
      result.push([`${portPrefix}_PORT`, String(port.port)]);
      result.push([`${portPrefix}_ADDR`, ip]);
    });
  }
  return result;
}
