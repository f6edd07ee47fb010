import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMemoryStore, MemoryBackend, type Pod, type Store } from '@kemu/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAll, eventually, httpGet, tcpRoundTrip, testNode, udpRoundTrip } from '../../../test/helpers.js';
import { InformerFactory } from '../informer.js';
import { isPodReady } from '../pods.js';
import { PodAddressRegistry } from './address-book.js';
import { DirectoryVolumes, loopbackNetwork, NodeAgent, NodeCIDRAllocator } from './index.js';

let store: Store;
let informers: InformerFactory;
let agent: NodeAgent;
let registry: PodAddressRegistry;
let dir: string;

beforeEach(async () => {
  store = createMemoryStore({ backend: new MemoryBackend() });
  informers = new InformerFactory(store);
  registry = new PodAddressRegistry();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-agent-'));
  await store.create(testNode('kemu-worker', 1));
  agent = new NodeAgent({
    store,
    informers,
    nodeName: 'kemu-worker',
    allocator: new NodeCIDRAllocator(store),
    network: loopbackNetwork,
    volumes: new DirectoryVolumes(dir, {
      configMap: (ns, name) => informers.for<never>('ConfigMap').get(ns, name),
      secret: (ns, name) => informers.for<never>('Secret').get(ns, name),
    }),
    registry,
    heartbeatMs: 100,
    backOff: { initialMs: 100, maxMs: 400 },
    probeTimeScale: 0.05,
    logDir: path.join(dir, 'logs'),
  });
  agent.start();
  await informers.start();
});

afterEach(async () => {
  await agent.close();
  await informers.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function readyPod(name: string): Promise<Pod> {
  return eventually(
    async () => {
      const pod = await store.get<Pod>({ kind: 'Pod', namespace: 'default', name });
      return pod && isPodReady(pod) ? pod : undefined;
    },
    5000,
    `pod ${name} Ready`,
  );
}

const echoPod = `
apiVersion: v1
kind: Pod
metadata: { name: web, labels: { app: web } }
spec:
  nodeName: kemu-worker
  containers:
  - name: echo
    image: kemu/echo
    ports:
    - { name: http, containerPort: 8080 }
    - { name: dns, containerPort: 5353, protocol: UDP }
`;

describe('node agent running kemu/echo', () => {
  // The lab's pod contract: a real loopback port per containerPort; HTTP answers name the pod.
  it('answers HTTP with the pod, node, pod IP and the request it saw', async () => {
    await createAll(store, echoPod);
    const pod = await readyPod('web');
    expect(pod.status?.podIP).toBe('10.244.1.2');
    expect(pod.status?.hostIP).toBe('172.18.0.3');
    expect(pod.status?.phase).toBe('Running');
    const binding = registry.resolve('10.244.1.2', 8080, 'TCP')!;
    expect(binding.host).toBe('127.0.0.1');
    const response = await httpGet(binding.port, '/hello?x=1', { host: 'web.default' });
    expect(JSON.parse(response.body)).toMatchObject({
      pod: 'web',
      namespace: 'default',
      node: 'kemu-worker',
      podIP: '10.244.1.2',
      method: 'GET',
      host: 'web.default',
      path: '/hello',
      query: 'x=1',
    });
  });

  it('echoes raw TCP bytes that are not HTTP', async () => {
    await createAll(store, echoPod);
    await readyPod('web');
    const binding = registry.resolve('10.244.1.2', 8080, 'TCP')!;
    expect(await tcpRoundTrip(binding.port, 'hello raw\n')).toBe('hello raw\n');
  });

  it('echoes UDP datagrams on UDP ports', async () => {
    await createAll(store, echoPod);
    await readyPod('web');
    const binding = registry.resolve('10.244.1.2', 5353, 'UDP')!;
    expect(await udpRoundTrip(binding.port, 'ping')).toBe('ping');
  });

  it('keeps request lines in the pod log', async () => {
    await createAll(store, echoPod);
    await readyPod('web');
    await httpGet(registry.resolve('10.244.1.2', 8080)!.port, '/logged');
    const lines = await eventually(() =>
      agent
        .logs('default', 'web')
        ?.get('echo')
        ?.read()
        .map((l) => l.text),
    );
    expect(lines.some((l) => l.includes('/logged'))).toBe(true);
  });

  // registry/core/pod/strategy.go: a graceful delete sets deletionTimestamp; the kubelet removes the pod after shutdown.
  it('removes a gracefully deleted pod after its containers stopped and frees its ports', async () => {
    await createAll(store, echoPod);
    const pod = await readyPod('web');
    const port = registry.resolve('10.244.1.2', 8080)!.port;
    pod.metadata.deletionTimestamp = new Date().toISOString();
    pod.metadata.deletionGracePeriodSeconds = 1;
    await store.update(pod);
    await eventually(async () => !(await store.get({ kind: 'Pod', namespace: 'default', name: 'web' })), 5000, 'pod removed');
    expect(registry.resolve('10.244.1.2', 8080)).toBeUndefined();
    await expect(httpGet(port)).rejects.toThrow();
  });

  it('runs unknown images as echo and says so in the log', async () => {
    await createAll(store, echoPod.replace('kemu/echo', 'nginx:1.27'));
    await readyPod('web');
    const lines = agent
      .logs('default', 'web')!
      .get('echo')!
      .read()
      .map((l) => l.text);
    expect(lines.some((l) => l.includes('image "nginx:1.27" cannot run in kemu'))).toBe(true);
  });
});

describe('node agent running local commands', () => {
  // kubelet_pods.go makeEnvironmentVariables: downward API, $(VAR) expansion, envFrom, service links.
  it('gives a local command the Kubernetes environment and its real listen address', async () => {
    await createAll(
      store,
      `
apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
data: { GREETING: hi, MODE: fast }
---
apiVersion: v1
kind: Service
metadata: { name: my-api }
spec: { clusterIP: 10.96.0.20, selector: { app: api }, ports: [ { name: http, port: 80 } ] }
---
apiVersion: v1
kind: Pod
metadata: { name: env-dump, annotations: { kemu.dev/run-local: "true" } }
spec:
  nodeName: kemu-worker
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'env | sort']
    ports: [ { containerPort: 9000 } ]
    envFrom: [ { configMapRef: { name: settings }, prefix: CFG_ } ]
    env:
    - { name: POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
    - { name: POD_IP, valueFrom: { fieldRef: { fieldPath: status.podIP } } }
    - { name: NODE_NAME, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }
    - { name: GREETING_TWICE, value: "$(CFG_GREETING)-$(CFG_GREETING)-$$(NOPE)" }
`,
    );
    const lines = await eventually(() => {
      const read =
        agent
          .logs('default', 'env-dump')
          ?.get('main')
          ?.read()
          .map((l) => l.text) ?? [];
      return read.some((l) => l.startsWith('POD_NAME=')) && read.some((l) => l.includes('exited')) ? read : undefined;
    });
    const env = Object.fromEntries(
      lines.filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env).toMatchObject({
      POD_NAME: 'env-dump',
      POD_IP: '10.244.1.2',
      NODE_NAME: 'kemu-worker',
      CFG_GREETING: 'hi',
      GREETING_TWICE: 'hi-hi-$(NOPE)',
      MY_API_SERVICE_HOST: '10.96.0.20',
      MY_API_SERVICE_PORT: '80',
      MY_API_SERVICE_PORT_HTTP: '80',
      MY_API_PORT: 'tcp://10.96.0.20:80',
      MY_API_PORT_80_TCP_ADDR: '10.96.0.20',
    });
    expect(env.KEMU_LISTEN_9000).toMatch(/^127\.0\.0\.1:\d+$/);
    const pod = await eventually(async () => {
      const p = await store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'env-dump' });
      return p?.status?.phase === 'Succeeded' ? p : undefined;
    });
    expect(pod.status?.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  // kuberuntime: a missing ConfigMap is CreateContainerConfigError, retried until it exists.
  it('waits with CreateContainerConfigError until the ConfigMap exists', async () => {
    await createAll(
      store,
      `
apiVersion: v1
kind: Pod
metadata: { name: configured }
spec:
  nodeName: kemu-worker
  containers: [ { name: echo, image: kemu/echo, envFrom: [ { configMapRef: { name: later } } ] } ]
`,
    );
    const waiting = await eventually(async () => {
      const p = await store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'configured' });
      const state = p?.status?.containerStatuses?.[0]?.state as { waiting?: { reason?: string; message?: string } } | undefined;
      return state?.waiting?.reason === 'CreateContainerConfigError' ? state.waiting : undefined;
    });
    expect(waiting.message).toBe('configmap "later" not found');
    await createAll(store, 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: later }\ndata: { A: b }\n');
    const pod = await readyPod('configured');
    expect(pod.status?.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  // kubelet back-off: a crashing container restarts with CrashLoopBackOff, restartCount counts up.
  it('restarts a crashing command with back-off and counts restarts', async () => {
    await createAll(
      store,
      `
apiVersion: v1
kind: Pod
metadata: { name: crasher, annotations: { kemu.dev/run-local: "true" } }
spec:
  nodeName: kemu-worker
  containers: [ { name: main, image: busybox, command: [sh, -c, 'exit 3'] } ]
`,
    );
    const pod = await eventually(async () => {
      const p = await store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'crasher' });
      return (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 ? p : undefined;
    });
    const status = pod.status!.containerStatuses![0]!;
    expect(status).toMatchObject({ lastState: { terminated: { exitCode: 3 } } });
  });

  // prober/worker.go: readiness starts failed and follows the probe; SIGTERM ends a command.
  it('marks a pod Ready only once its readiness probe passes', async () => {
    await createAll(
      store,
      `
apiVersion: v1
kind: Pod
metadata: { name: late, annotations: { kemu.dev/run-local: "true" } }
spec:
  nodeName: kemu-worker
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'sleep 0.3; touch $(KEMU_VOLUME_WORK)/ready; sleep 30']
    readinessProbe: { exec: { command: [sh, -c, 'test -f $KEMU_VOLUME_WORK/ready'] }, periodSeconds: 1, failureThreshold: 1 }
    volumeMounts: [ { name: work, mountPath: /work } ]
  volumes: [ { name: work, emptyDir: {} } ]
`,
    );
    const first = await eventually(() =>
      store
        .get<Pod>({ kind: 'Pod', namespace: 'default', name: 'late' })
        .then((p) => (p?.status?.phase === 'Running' ? p : undefined)),
    );
    expect(isPodReady(first)).toBe(false);
    await readyPod('late');
  });
});

describe('node agent shutting pods down', () => {
  // kuberuntime_container.go killContainer: SIGTERM, then SIGKILL when the grace period ends.
  it('kills a process that ignores SIGTERM once its grace period is over', async () => {
    await createAll(
      store,
      `
apiVersion: v1
kind: Pod
metadata: { name: stubborn, annotations: { kemu.dev/run-local: "true" } }
spec:
  nodeName: kemu-worker
  terminationGracePeriodSeconds: 1
  containers: [ { name: main, image: busybox, command: [sh, -c, 'trap "" TERM; echo started; sleep 30'] } ]
`,
    );
    await eventually(() =>
      agent
        .logs('default', 'stubborn')
        ?.get('main')
        ?.read()
        .some((l) => l.text === 'started'),
    );
    const pod = (await store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'stubborn' }))!;
    pod.metadata.deletionTimestamp = new Date().toISOString();
    pod.metadata.deletionGracePeriodSeconds = 1;
    const log = agent.logs('default', 'stubborn')!.get('main')!;
    const started = Date.now();
    await store.update(pod);
    await eventually(
      async () => !(await store.get({ kind: 'Pod', namespace: 'default', name: 'stubborn' })),
      5000,
      'pod removed',
    );
    // It ran until the grace period ended: SIGTERM alone did not stop it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(log.read().some((l) => l.text === 'started')).toBe(true);
  });

  // The httpGet preStop hook reaches the container before SIGTERM.
  it('runs an httpGet preStop hook against the pod before stopping it', async () => {
    await createAll(
      store,
      `
apiVersion: v1
kind: Pod
metadata: { name: hooked }
spec:
  nodeName: kemu-worker
  terminationGracePeriodSeconds: 2
  containers:
  - name: echo
    image: kemu/echo
    ports: [ { name: http, containerPort: 8080 } ]
    readinessProbe: { httpGet: { path: /ready, port: http }, periodSeconds: 1 }
    lifecycle: { preStop: { httpGet: { path: /drain, port: http } } }
`,
    );
    const pod = await readyPod('hooked');
    const log = agent.logs('default', 'hooked')!.get('echo')!;
    expect(log.read().some((l) => l.text.includes('/ready 200'))).toBe(true);
    pod.metadata.deletionTimestamp = new Date().toISOString();
    pod.metadata.deletionGracePeriodSeconds = 2;
    await store.update(pod);
    await eventually(async () => !(await store.get({ kind: 'Pod', namespace: 'default', name: 'hooked' })), 5000, 'pod removed');
    expect(log.read().some((l) => l.text.includes('/drain 200'))).toBe(true);
  });

  // kubelet: a container in back-off waits with reason CrashLoopBackOff.
  it('reports CrashLoopBackOff while a crashing container waits to restart', async () => {
    const reasons = new Set<string>();
    const watch = store.watch<Pod>({ kind: 'Pod' });
    const seen = (async () => {
      for await (const event of watch) {
        const state = event.object.status?.containerStatuses?.[0]?.state as { waiting?: { reason?: string } } | undefined;
        if (state?.waiting?.reason) reasons.add(state.waiting.reason);
      }
    })();
    await createAll(
      store,
      `
apiVersion: v1
kind: Pod
metadata: { name: looping, annotations: { kemu.dev/run-local: "true" } }
spec:
  nodeName: kemu-worker
  containers: [ { name: main, image: busybox, command: [sh, -c, 'exit 1'] } ]
`,
    );
    await eventually(() => reasons.has('CrashLoopBackOff'), 5000, 'CrashLoopBackOff');
    watch.close();
    await seen;
  });
});
