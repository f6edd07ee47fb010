import { Buffer } from 'node:buffer';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ConfigMap, Pod, Secret, Volume } from '@kemu/core';
import type { VolumeProvider } from '../hooks.js';

/**
 * The default volumes: a directory per volume under the lab's data directory. emptyDir lives and
 * dies with the pod; a persistentVolumeClaim maps to one directory per claim, so its bytes survive
 * the pod (as a bound PV would); configMap and secret volumes are written as files (one per key).
 * @kemu/csi's volume manager replaces it in a full lab.
 */
export class DirectoryVolumes implements VolumeProvider {
  constructor(
    private readonly root: string,
    private readonly lookup: {
      configMap(namespace: string, name: string): ConfigMap | undefined;
      secret(namespace: string, name: string): Secret | undefined;
    },
  ) {}

  async mount(pod: Pod, volume: Volume): Promise<string> {
    const namespace = pod.metadata.namespace ?? 'default';
    const dir = this.pathOf(pod, volume);
    await fs.mkdir(dir, { recursive: true });
    if (volume.configMap) {
      const map = this.lookup.configMap(namespace, volume.configMap.name);
      await writeKeys(dir, map?.data ?? {}, volume.configMap.items);
    } else if (volume.secret) {
      const secret = this.lookup.secret(namespace, volume.secret.secretName);
      const data: Record<string, string> = {};
      for (const [k, v] of Object.entries(secret?.data ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
      Object.assign(data, secret?.stringData ?? {});
      await writeKeys(dir, data, volume.secret.items);
    }
    return dir;
  }

  async unmount(pod: Pod, volume: Volume): Promise<void> {
    // Claims and host paths outlive the pod; everything else is the pod's own.
    if (volume.persistentVolumeClaim || volume.hostPath) return;
    await fs.rm(this.pathOf(pod, volume), { recursive: true, force: true });
  }

  private pathOf(pod: Pod, volume: Volume): string {
    const namespace = pod.metadata.namespace ?? 'default';
    if (volume.persistentVolumeClaim) return path.join(this.root, 'claims', namespace, volume.persistentVolumeClaim.claimName);
    if (volume.hostPath) return path.join(this.root, 'host', volume.hostPath.path);
    return path.join(this.root, 'pods', pod.metadata.uid ?? `${namespace}_${pod.metadata.name}`, 'volumes', volume.name);
  }
}

async function writeKeys(dir: string, data: Record<string, string>, items?: { key: string; path: string }[]): Promise<void> {
  const entries = items ? items.map((i) => [i.path, data[i.key] ?? ''] as const) : Object.entries(data);
  for (const [file, content] of entries) {
    const target = path.join(dir, file);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, content);
  }
}
