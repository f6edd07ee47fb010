import { KemuError } from '@kemu/core';

/**
 * Every error code the lab's wiring of the emulators throws. Codes are stable; a retired code is
 * never reused.
 */
export const wiringErrorCodes = {
  KEMU_LAB_VOLUME_MOUNT_TIMEOUT:
    "a pod's PersistentVolumeClaim was not bound, attached and published to its node in time; the message gives kubelet's last reason",
  KEMU_LAB_VOLUME_UNMOUNT_TIMEOUT: "a stopped pod's CSI volume was not unpublished in time",
  KEMU_LAB_VOLUME_NODE: 'a pod runs on a node that has no CSI node plugin (the node is not in `nodes`)',
  KEMU_LAB_VOLUMES_CLOSED: 'a volume was mounted after the CSI addon was closed, or before it was started',
  KEMU_LAB_POD_NETWORK_ADDRESSES: 'more nodes than node-agent addresses in 127.0.0.2–127.0.0.254',
  KEMU_LAB_NODE_NOT_ADMITTED:
    'a `kemu agent` registered its Node but no control plane gave it a pod CIDR and the kubelet credentials in time (is `kemu up --no-agents` running on the same store and lab?)',
} as const;

/** One of the codes in {@link wiringErrorCodes}. */
export type WiringErrorCode = keyof typeof wiringErrorCodes;

/** A claim was not ready for a pod within the mount timeout (kubelet's "Unable to attach or mount volumes"). */
export class VolumeMountTimeoutError extends KemuError {
  constructor(pod: string, volume: string, timeoutMs: number, reason: string) {
    super(
      'KEMU_LAB_VOLUME_MOUNT_TIMEOUT',
      `pod ${pod}: volume "${volume}" not mounted after ${timeoutMs} ms: ${reason} (check the PersistentVolumeClaim, its StorageClass provisioner and the VolumeAttachments)`,
    );
  }
}

/** A stopped pod's volume stayed published past the timeout. */
export class VolumeUnmountTimeoutError extends KemuError {
  constructor(pod: string, volume: string, timeoutMs: number, reason: string) {
    super('KEMU_LAB_VOLUME_UNMOUNT_TIMEOUT', `pod ${pod}: volume "${volume}" still published after ${timeoutMs} ms: ${reason}`, {
      userError: false,
    });
  }
}

/** The pod's node has no CSI node plugin. */
export class VolumeNodeError extends KemuError {
  constructor(pod: string, node: string, known: readonly string[]) {
    super(
      'KEMU_LAB_VOLUME_NODE',
      `pod ${pod}: node "${node}" has no CSI node plugin (nodes with one: ${known.join(', ') || 'none'}); pass it in createCsiVolumes({ nodes })`,
    );
  }
}

/** The CSI addon is not running. */
export class VolumesClosedError extends KemuError {
  constructor(what: string) {
    super('KEMU_LAB_VOLUMES_CLOSED', `${what}: the CSI volumes addon is not running (add it to the lab's addons)`, {
      userError: false,
    });
  }
}

/** No loopback address is left for another node agent. */
export class PodNetworkAddressError extends KemuError {
  constructor(node: string, limit: number) {
    super(
      'KEMU_LAB_POD_NETWORK_ADDRESSES',
      `node ${node}: no loopback address left for its agent (at most ${limit} nodes get one of 127.0.0.2–127.0.0.254); run fewer nodes`,
    );
  }
}

/** No control plane gave an agent's Node a pod CIDR in time. */
export class NodeNotAdmittedError extends KemuError {
  constructor(
    readonly node: string,
    timeoutMs: number,
  ) {
    super(
      'KEMU_LAB_NODE_NOT_ADMITTED',
      `node ${node} got no pod CIDR within ${timeoutMs} ms: start the control plane on the same store and lab (\`kemu up --store … --lab … --no-agents\`), or give the Node a spec.podCIDR`,
      { userError: false },
    );
  }
}
