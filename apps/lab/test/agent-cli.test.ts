import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import type { Node } from '@kemu/core';
import { resolveTestRedis } from '@kemu/core/testing';
import { afterAll, describe, expect, it, test, vi } from 'vitest';
import { generateKubeletServingCertificate } from '../src/agent/kubelet-serving-cert.js';
import { agentNode } from '../src/agent/node-runtime.js';
import { openStore } from '../src/commands/up-store.js';
import { ensureKubeletCredentials } from '../src/lab/kubelet-credentials.js';
import { runCli, startCli } from './run-cli.js';

// `kemu agent` and `kemu up --no-agents` (issue 8, "Scale it"): bad input is the user's (exit 1),
// a lab with no control plane is the environment's (exit 2), each with a message that says what to do.
// The whole multi-process lab runs in tests/agents.test.ts.

describe('kemu agent and kemu up --no-agents: bad input', () => {
  it('refuses a memory store for an agent: agents share the lab through Redis', async () => {
    const run = await runCli('agent', '--store', 'memory', '--node', 'n1');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--store must be redis:\/\/HOST:PORT\[\/db\]: agents share the lab through Redis/);
  });

  it('refuses an --advertise that is not an IP address', async () => {
    const run = await runCli('agent', '--store', 'redis://127.0.0.1:1', '--node', 'n1', '--advertise', 'node-1.local');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--advertise must be an IP address, got "node-1.local"/);
  });

  it('requires --node', async () => {
    const run = await runCli('agent', '--store', 'redis://127.0.0.1:1');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--node <name>/);
  });

  it('refuses --no-agents on a memory store: nothing could join it', async () => {
    const run = await runCli('up', '--no-agents', '--api-port', '0', '--ingress-port', '0', '--dashboard-port', '0');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--no-agents needs --store redis:\/\/HOST:PORT/);
  });

  it('takes --kubelet-tls-cert and --kubelet-tls-key together or not at all', async () => {
    // The kubelet generates its certificate only when neither --tls-cert-file nor --tls-private-key-file is set.
    const run = await runCli('agent', '--store', 'redis://127.0.0.1:1', '--node', 'n1', '--kubelet-tls-cert', 'kubelet.crt');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--kubelet-tls-cert and --kubelet-tls-key go together/);
  });

  it('refuses a --kubelet-tls-cert it cannot read, before it opens the store', async () => {
    const run = await runCli(
      'agent',
      ...['--store', 'redis://127.0.0.1:1', '--node', 'n1', '--kubelet-tls-cert', '/nonexistent/kubelet.crt'],
      ...['--kubelet-tls-key', '/nonexistent/kubelet.key'],
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--kubelet-tls-cert \/nonexistent\/kubelet\.crt: cannot be read .*\[KEMU_LAB_KUBELET_TLS_FILES\]/);
  });

  it('fails with exit 2 when the Redis does not answer', async () => {
    const run = await runCli('agent', '--store', 'redis://127.0.0.1:1/0', '--node', 'n1');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/does not answer/);
  });
});

const redis = await resolveTestRedis();
if ('skip' in redis) {
  test('kemu agent without a control plane', (context) => context.skip(redis.skip));
} else {
  afterAll(() => redis.stop());
  describe('kemu agent without a control plane', () => {
    it('registers its Node, then says no control plane gave it a pod CIDR (exit 2)', async () => {
      const lab = `agent-alone-${randomUUID().slice(0, 8)}`;
      const run = await runCli(
        'agent',
        ...['--store', redis.url, '--lab', lab, '--node', 'lonely', '--advertise', '127.0.0.9', '--admission-timeout', '300'],
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/node lonely got no pod CIDR within 300 ms: start the control plane on the same store and lab/);
    });
  });

  describe('kemu agent with its own kubelet certificate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-agent-tls-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('serves its kubelet with --kubelet-tls-cert and --kubelet-tls-key, and publishes that fingerprint on its Node', async () => {
      // The kubelet's --tls-cert-file / --tls-private-key-file. What a control plane would have done
      // for the agent (nodeipam's pod CIDR, the kubelet credentials) is written to the store here.
      const lab = `agent-tls-${randomUUID().slice(0, 8)}`;
      const store = (await openStore(redis.url, lab))!;
      await store.create({
        ...agentNode('tls-node', 'zone-a'),
        spec: { podCIDR: '10.244.9.0/24', providerID: 'kemu://tls-node' },
      });
      await ensureKubeletCredentials(store);
      const provided = generateKubeletServingCertificate('kubelet.example', ['127.0.0.9']);
      fs.writeFileSync(path.join(dir, 'kubelet.crt'), provided.cert);
      fs.writeFileSync(path.join(dir, 'kubelet.key'), provided.key);
      const agent = startCli(
        'agent',
        ...['--store', redis.url, '--lab', lab, '--node', 'tls-node', '--advertise', '127.0.0.9', '--data-dir', dir],
        ...['--kubelet-tls-cert', path.join(dir, 'kubelet.crt'), '--kubelet-tls-key', path.join(dir, 'kubelet.key')],
      );
      try {
        const up = () => {
          const port = /kubelet https:\/\/127\.0\.0\.9:(\d+)/.exec(agent.output())?.[1];
          if (!port) throw new Error(`agent not up yet: ${agent.output()}`);
          return Number(port);
        };
        const port = await vi.waitFor(up, { timeout: 15_000 });
        const node = await store.get<Node>({ kind: 'Node', name: 'tls-node' });
        expect(node?.metadata.annotations?.['kemu.dev/kubelet-serving-cert-sha256']).toBe(provided.fingerprint);
        const presented = await new Promise<string | undefined>((resolve, reject) => {
          const socket = connect({ host: '127.0.0.9', port, ca: provided.cert }, () => {
            resolve(socket.getPeerX509Certificate()?.fingerprint256);
            socket.destroy();
          });
          socket.on('error', reject);
        });
        expect(presented).toBe(provided.fingerprint);
      } finally {
        process.emit('SIGTERM', 'SIGTERM');
        expect((await agent.done).code).toBe(0);
        await store.close();
      }
    });
  });
}
