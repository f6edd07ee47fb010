import http from 'node:http';
import type { Pod } from '@kemu/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Lab } from '../src/lab/index.js';
import { eventually } from './helpers.js';
import { startCli } from './run-cli.js';

// `kemu logs` against a running lab, with kubectl logs' flags (kubectl reference, `kubectl logs`):
// -f/--follow, -p/--previous, --since, --timestamps, --tail, --limit-bytes, -c and the default container.

let lab: Lab;

const echoPod = (name: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  terminationGracePeriodSeconds: 0
  containers: [ { name: echo, image: kemu/echo, ports: [ { containerPort: 8080 } ] } ]
`;

const manifests = `${echoPod('hello')}
---${echoPod('tailed')}
---
apiVersion: v1
kind: Pod
metadata: { name: duo }
spec:
  terminationGracePeriodSeconds: 0
  containers: [ { name: a, image: kemu/echo }, { name: b, image: kemu/echo } ]
---
apiVersion: v1
kind: Pod
metadata: { name: flaky, annotations: { kemu.dev/run-local: "true" } }
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'if [ -f "$KEMU_VOLUME_WORK/ran" ]; then echo second run; exec sleep 30; fi; touch "$KEMU_VOLUME_WORK/ran"; echo first run; exit 1']
  volumes: [ { name: work, emptyDir: {} } ]
`;

/** `kemu …args --server <lab>`, in-process. */
const start = (...args: string[]) => startCli(...args, '--server', lab.apiURL);
const run = (...args: string[]) => start(...args).done;

beforeAll(async () => {
  lab = new Lab({ nodes: 1, backOff: { initialMs: 100, maxMs: 200 } });
  await lab.start();
  await lab.apply(manifests);
  await lab.ready(15_000);
});

afterAll(async () => {
  await lab?.close();
});

describe('kemu logs', () => {
  it('prints the last lines with their RFC 3339 times (--tail, --timestamps)', async () => {
    const { code, stdout } = await run('logs', 'pod/hello', '--tail', '1', '--timestamps');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z started container echo \(restart 0\)\n$/);
  });

  it('keeps lines newer than --since or --since-time and stops at --limit-bytes', async () => {
    expect((await run('logs', 'hello', '--since', '1h')).stdout).toContain('kemu/echo serving default/hello on 8080/TCP');
    expect(await run('logs', 'hello', '--since-time', '2999-01-01T00:00:00Z')).toMatchObject({ code: 0, stdout: '' });
    expect(await run('logs', 'hello', '--limit-bytes', '9')).toMatchObject({ code: 0, stdout: 'kemu/echo' });
  });

  it('reads the first container of a pod with several, saying so on stderr, or the one -c names', async () => {
    // kubectl logsforobject.go: `Defaulted container "a" out of: a, b`.
    const first = await run('logs', 'duo');
    expect(first.stderr).toBe('Defaulted container "a" out of: a, b\n');
    expect(first.stdout).toContain('started container a');
    const named = await run('logs', 'duo', '-c', 'b');
    expect(named.stderr).toBe('');
    expect(named.stdout).toContain('started container b');
  });

  it('prints the previous instance of a container that restarted (-p)', async () => {
    await eventually(
      async () =>
        ((await lab.store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'flaky' }))?.status?.containerStatuses?.[0]
          ?.restartCount ?? 0) >= 1,
      10_000,
      'a restart',
    );
    const previous = await run('logs', 'flaky', '-p');
    expect(previous.code).toBe(0);
    expect(previous.stdout).toContain('first run\n');
    expect(previous.stdout).not.toContain('second run');
    await eventually(async () => (await run('logs', 'flaky')).stdout.includes('second run\n'), 10_000, 'the second run');
  });

  it("exits 1 with the kubelet's message when there is no previous instance", async () => {
    // kubelet_pods.go validateContainerLogStatus, a 400 BadRequest Status.
    const { code, stderr } = await run('logs', 'hello', '--previous');
    expect(code).toBe(1);
    expect(stderr).toContain('previous terminated container "echo" in pod "hello" not found');
  });

  it('follows the log as the container writes it, until the container ends (-f)', async () => {
    const follow = start('logs', 'tailed', '-f', '--tail', '1');
    await vi.waitFor(() => expect(follow.output()).toBe('started container echo (restart 0)\n'));
    // A request to the pod: kemu/echo logs it.
    const [binding] = lab.pods.bindingsOf('default', 'tailed');
    await new Promise<void>((resolve, reject) =>
      http
        .get({ host: binding!.host, port: binding!.port, path: '/after', agent: false }, (res) => res.resume().on('end', resolve))
        .on('error', reject),
    );
    await vi.waitFor(() => expect(follow.output()).toContain('/after 200\n'));
    await lab.delete([{ kind: 'Pod', namespace: 'default', name: 'tailed' }]);
    expect((await follow.done).code).toBe(0);
  });

  it('refuses a --since that is not a Go duration', async () => {
    const { code, stderr } = await run('logs', 'hello', '--since', '5x');
    expect(code).toBe(1);
    expect(stderr).toContain('time: unknown unit "x" in duration "5x"');
  });
});
