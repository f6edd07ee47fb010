import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../test/run-cli.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = `${root}packages/core/test/fixtures/`;

const run = runCli;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('kemu CLI shell', () => {
  it('prints its version as data', async () => {
    const { code, stdout } = await run('version', '-o', 'json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ kemu: expect.any(String), csi: '1.12.0', cni: '1.1.0' });
  });

  it('exits 0 with help on --help for every command', async () => {
    for (const command of [[], ['validate'], ['version']]) {
      const { code, stdout } = await run(...command, '--help');
      expect(code, command.join(' ')).toBe(0);
      expect(stdout).toContain('Usage: kemu');
    }
  });

  it('exits 1 on an unknown command', async () => {
    const { code, stderr } = await run('frobnicate');
    expect(code).toBe(1);
    expect(stderr).toContain("unknown command 'frobnicate'");
  });

  it('exits 1 when a required option is missing', async () => {
    const { code, stderr } = await run('validate');
    expect(code).toBe(1);
    expect(stderr).toContain("required option '-f, --filename <path...>' not specified");
  });
});

describe('kemu validate', () => {
  it('accepts valid manifests and says how many objects it read', async () => {
    const { code, stdout } = await run('validate', '-f', `${fixtures}valid`);
    expect(code).toBe(0);
    expect(stdout).toBe('9 object(s) valid, 0 error(s)\n');
  });

  it('prints every error as FILE:LINE:COL: Kind/namespace/name: field.path: message and exits 1', async () => {
    const { code, stderr } = await run('validate', '-f', `${fixtures}bad/wrong-type.yaml`, `${fixtures}bad/unknown-kind.yaml`);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toEqual([
      `${fixtures}bad/wrong-type.yaml:7:11: Service/default/web: spec.ports[0].port: expected an integer, got string "eighty"`,
      `${fixtures}bad/unknown-kind.yaml:2:7: Widget/w: kind: unknown kind "Widget" (apiVersion example.com/v1); kemu reads: Namespace, Node, Pod, Service, Secret, ConfigMap, PersistentVolumeClaim, PersistentVolume, Deployment, ReplicaSet, StatefulSet, EndpointSlice, Ingress, IngressClass, NetworkPolicy, GatewayClass, Gateway, HTTPRoute, ReferenceGrant, StorageClass, VolumeAttachment, CSIDriver, CSINode`,
      '0 object(s) valid, 2 error(s)',
      '',
    ]);
  });

  it('reports issues as JSON with -o json', async () => {
    const { code, stdout } = await run('validate', '-f', `${fixtures}bad/wrong-type.yaml`, '-o', 'json');
    expect(code).toBe(1);
    const data = JSON.parse(stdout);
    expect(data.issues[0]).toMatchObject({ line: 7, column: 11, object: 'Service/default/web', path: 'spec.ports[0].port' });
  });

  it('reads manifests from standard input with -f -', () => {
    // Spawned, because stdin is the process's own.
    const result = spawnSync(process.execPath, ['--import', 'tsx', `${root}apps/lab/src/cli.ts`, 'validate', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n',
      encoding: 'utf8',
      cwd: `${root}apps/lab`,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('<stdin>:3:18: ConfigMap/default/Bad_Name: metadata.name: Invalid value: "Bad_Name"');
  });
});
