import { randomUUID } from 'node:crypto';
import { resolveTestRedis } from '@kemu/core/testing';
import { afterAll, describe, expect, it, test } from 'vitest';
import { runCli } from './run-cli.js';

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
}
