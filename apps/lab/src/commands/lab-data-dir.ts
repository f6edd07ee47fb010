import os from 'node:os';
import path from 'node:path';

/**
 * The data folder of a lab kept in a shared store: the control plane and its `kemu agent`
 * processes on one machine must agree on it (CSI volume data lives there), and it outlives the
 * processes as the store's state does.
 */
export function defaultLabDataDir(lab: string): string {
  return path.join(os.tmpdir(), 'kemu-labs', lab.replace(/[^\w.-]/g, '_'));
}
