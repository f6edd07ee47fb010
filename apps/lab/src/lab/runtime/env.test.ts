import { type Pod, parseManifestsOrThrow, type Service } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { containerEnvironment } from './env.js';
import { expandVariables } from './expansion.js';
import { serviceEnvironment } from './service-env.js';

const svc = (name: string, ports: string): Service =>
  parseManifestsOrThrow(`apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec: { clusterIP: 10.96.0.50, ports: ${ports} }`)[0] as Service;

describe('service environment variables', () => {
  // pkg/kubelet/envvars/envvars_test.go TestFromServices.
  it('names variables as the kubelet does, with the docker-link forms', () => {
    expect(
      Object.fromEntries(
        serviceEnvironment([
          svc('foo-bar', '[ { name: https, port: 443, protocol: TCP }, { name: dns, port: 53, protocol: UDP } ]'),
        ]),
      ),
    ).toEqual({
      FOO_BAR_SERVICE_HOST: '10.96.0.50',
      FOO_BAR_SERVICE_PORT: '443',
      FOO_BAR_SERVICE_PORT_HTTPS: '443',
      FOO_BAR_SERVICE_PORT_DNS: '53',
      FOO_BAR_PORT: 'tcp://10.96.0.50:443',
      FOO_BAR_PORT_443_TCP: 'tcp://10.96.0.50:443',
      FOO_BAR_PORT_443_TCP_PROTO: 'tcp',
      FOO_BAR_PORT_443_TCP_PORT: '443',
      FOO_BAR_PORT_443_TCP_ADDR: '10.96.0.50',
      FOO_BAR_PORT_53_UDP: 'udp://10.96.0.50:53',
      FOO_BAR_PORT_53_UDP_PROTO: 'udp',
      FOO_BAR_PORT_53_UDP_PORT: '53',
      FOO_BAR_PORT_53_UDP_ADDR: '10.96.0.50',
    });
  });

  it('skips headless Services', () => {
    const headless = svc('h', '[ { port: 80 } ]');
    headless.spec.clusterIP = 'None';
    expect(serviceEnvironment([headless])).toEqual([]);
  });
});

describe('$(VAR) expansion', () => {
  // third_party/forked/golang/expansion/expand_test.go.
  it('expands defined references, keeps undefined ones and unescapes $$', () => {
    const lookup = (n: string) => ({ A: 'x', B: 'y' })[n];
    expect(expandVariables('$(A)-$(B)', lookup)).toBe('x-y');
    expect(expandVariables('$(NOPE)', lookup)).toBe('$(NOPE)');
    expect(expandVariables('$$(A)', lookup)).toBe('$(A)');
    expect(expandVariables('$A $(A', lookup)).toBe('$A $(A');
  });
});

describe('container environment', () => {
  const pod = parseManifestsOrThrow(`apiVersion: v1
kind: Pod
metadata: { name: p, namespace: shop, uid: u1, labels: { app: web } }
spec:
  nodeName: kemu-worker
  enableServiceLinks: false
  containers:
  - name: c
    env:
    - { name: POD_NAMESPACE, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
    - { name: APP, valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }
    - { name: PASSWORD, valueFrom: { secretKeyRef: { name: creds, key: password } } }
`)[0] as Pod;

  it('reads the downward API and Secrets, and honours enableServiceLinks: false', () => {
    const env = containerEnvironment({
      pod,
      container: pod.spec.containers[0]!,
      services: [svc('db', '[ { port: 5432 } ]')],
      configMap: () => undefined,
      secret: () => ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'creds' },
        data: { password: Buffer.from('hunter2').toString('base64') },
      }),
      bindings: [{ container: 'c', containerPort: 8080, protocol: 'TCP', host: '127.0.0.1', port: 40000 }],
      volumePaths: new Map([['data', '/tmp/x']]),
      networkEnv: { HTTP_PROXY: 'http://127.0.0.1:1' },
    });
    expect(env).toMatchObject({
      POD_NAMESPACE: 'shop',
      APP: 'web',
      PASSWORD: 'hunter2',
      KEMU_LISTEN_8080: '127.0.0.1:40000',
      KEMU_VOLUME_DATA: '/tmp/x',
      HTTP_PROXY: 'http://127.0.0.1:1',
    });
    expect(env.DB_SERVICE_HOST).toBeUndefined();
  });

  it('fails with CreateContainerConfigError for a missing non-optional key', () => {
    expect(() =>
      containerEnvironment({
        pod,
        container: pod.spec.containers[0]!,
        services: [],
        configMap: () => undefined,
        secret: () => undefined,
        bindings: [],
        volumePaths: new Map(),
      }),
    ).toThrow(/couldn't find key password in Secret shop\/creds/);
  });
});
