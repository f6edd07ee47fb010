// The CNI_* environment as libcni's skel reads and validates it (pkg/skel, pkg/utils).
import { CniProtocolError } from '../errors.js';

/** The CNI operations. */
export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC' | 'VERSION';

/** A validated request. */
export interface CniRequest {
  command: CniCommand;
  containerID: string;
  netns: string;
  ifname: string;
  args: string;
  path: string;
}

const required: Record<CniCommand, string[]> = {
  // libcni 1.x skel: ADD/CHECK need all four, DEL all but CNI_NETNS (reference §1.2).
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_PATH'],
  // Spec 1.1: GC needs CNI_PATH; STATUS and VERSION need nothing else.
  GC: ['CNI_PATH'],
  STATUS: [],
  VERSION: [],
};

/** Reads the environment; throws code 4 for an unknown command or missing variables. */
export function readRequest(env: Record<string, string | undefined>, commands: readonly CniCommand[]): CniRequest {
  const command = env.CNI_COMMAND ?? '';
  if (!(commands as readonly string[]).includes(command)) throw new CniProtocolError(4, `unknown CNI_COMMAND: ${command}`);
  const cmd = command as CniCommand;
  const missing = required[cmd].filter((k) => !env[k]);
  if (missing.length > 0) throw new CniProtocolError(4, `required env variables [${missing.join(',')}] missing`);
  return {
    command: cmd,
    containerID: env.CNI_CONTAINERID ?? '',
    netns: env.CNI_NETNS ?? '',
    ifname: env.CNI_IFNAME ?? '',
    args: env.CNI_ARGS ?? '',
    path: env.CNI_PATH ?? '',
  };
}

const idPattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** utils.ValidateContainerID / ValidateInterfaceName, with libcni's messages (code 4). */
export function validateAttachment(req: CniRequest): void {
  if (!idPattern.test(req.containerID)) {
    throw new CniProtocolError(4, 'invalid characters in containerID', req.containerID);
  }
  const n = req.ifname;
  if (n.length > 15)
    throw new CniProtocolError(4, 'interface name is too long', 'interface name should be less than 16 characters');
  if (n === '.' || n === '..') throw new CniProtocolError(4, 'interface name is . or ..');
  if (/[/:\s]/.test(n)) throw new CniProtocolError(4, 'interface name contains / or : or whitespace characters');
}

/** utils.ValidateNetworkName (code 7). */
export function validateNetworkName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new CniProtocolError(7, 'missing network name');
  if (!idPattern.test(name)) throw new CniProtocolError(7, 'invalid characters found in network name', name);
  return name;
}
