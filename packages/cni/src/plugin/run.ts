// The kemu-cni plugin: CNI 1.0/1.1 (reads 0.x configs) with host-local-compatible IPAM. Pure of
// process globals so tests call it in-process; main.ts wires it to stdin/stdout/env/exit.
import { readFileSync } from 'node:fs';
import { isKemuError, type Store } from '@kemu/core';
import { CniProtocolError, IpamConfigError, IpamError } from '../errors.js';
import { allocateAddresses, checkAddresses, collectGarbage, releaseAddresses } from '../ipam/allocator.js';
import type { IpamBackend } from '../ipam/backend.js';
import { ClaimIpamBackend } from '../ipam/claim-backend.js';
import { type IpamConfigJSON, parseIpamConfig, type RangeJSON, versionAtLeast } from '../ipam/config.js';
import { parseCniArgs } from './args.js';
import { type CniCommand, type CniRequest, readRequest, validateAttachment, validateNetworkName } from './env.js';
import { FileIpamBackend } from './file-backend.js';
import { type DnsJSON, formatResult, parseResolvConf } from './result.js';
import { type PluginMode, versionsFor } from './versions.js';

/** What the plugin gets from its process. */
export interface PluginInput {
  env: Record<string, string | undefined>;
  stdin: string;
  /** Default: `KEMU_CNI_COMPAT=host-local` selects host-local mode, else spec. */
  mode?: PluginMode;
  /** Opens the store for `"store": "redis://…"` (main.ts passes @kemu/core/redis). */
  openStore?: (url: string, network: string) => Promise<Store>;
}

/** What the plugin gives back. */
export interface PluginOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The network config fields the plugin reads (unknown keys pass through untouched). */
interface NetConf {
  cniVersion?: string;
  name?: string;
  ipam?: IpamConfigJSON;
  args?: { cni?: { ips?: string[] } };
  runtimeConfig?: { ips?: string[]; ipRanges?: RangeJSON[][] };
  'cni.dev/valid-attachments'?: { containerID: string; ifname: string }[];
}

/** Runs one CNI invocation and returns exit code and output, never throwing. */
export async function runPlugin(input: PluginInput): Promise<PluginOutput> {
  const mode = input.mode ?? (input.env.KEMU_CNI_COMPAT === 'host-local' ? 'host-local' : 'spec');
  const versions = versionsFor(mode);
  if (!input.env.CNI_COMMAND) {
    // skel: no command prints the "about" text on stderr and succeeds.
    return {
      exitCode: 0,
      stdout: '',
      stderr: `CNI kemu-cni plugin version 0.1.0\nCNI protocol versions supported: ${versions.join(', ')}\n`,
    };
  }
  let version: string | undefined;
  try {
    const commands: CniCommand[] =
      mode === 'spec' ? ['ADD', 'DEL', 'CHECK', 'VERSION', 'STATUS', 'GC'] : ['ADD', 'DEL', 'CHECK', 'VERSION'];
    const req = readRequest(input.env, commands);
    if (req.command === 'VERSION') return versionAnswer(input.stdin, mode, versions);
    const conf = decode(input.stdin);
    version = conf.cniVersion ?? '0.1.0';
    if (!versions.includes(version)) {
      throw new CniProtocolError(
        1,
        'incompatible CNI versions',
        `config is "${version}", plugin supports [${versions.map((v) => `"${v}"`).join(' ')}]`,
      );
    }
    const name = validateNetworkName(conf.name);
    if (req.command === 'ADD' || req.command === 'DEL' || req.command === 'CHECK') validateAttachment(req);
    if (req.command === 'CHECK' && !versionAtLeast(version, '0.4.0'))
      throw new CniProtocolError(1, 'config version does not allow CHECK');
    return await dispatch(req, conf, name, version, input);
  } catch (err) {
    return failure(err, mode, version);
  }
}

async function dispatch(
  req: CniRequest,
  conf: NetConf,
  name: string,
  version: string,
  input: PluginInput,
): Promise<PluginOutput> {
  if (!conf.ipam || typeof conf.ipam !== 'object') throw new IpamConfigError("IPAM config missing 'ipam' key");
  const cniArgs = parseCniArgs(req.args);
  const config = parseIpamConfig({
    name,
    cniVersion: version,
    ipam: conf.ipam,
    ...(cniArgs.ip ? { argsIP: cniArgs.ip } : {}),
    ...(conf.args?.cni?.ips ? { argsIPs: conf.args.cni.ips } : {}),
    ...(conf.runtimeConfig?.ips ? { runtimeIPs: conf.runtimeConfig.ips } : {}),
    ...(conf.runtimeConfig?.ipRanges ? { runtimeRanges: conf.runtimeConfig.ipRanges } : {}),
  });
  let store: Store | undefined;
  let backend: IpamBackend;
  if (config.store) {
    if (!input.openStore) throw new CniProtocolError(11, 'no store client available', config.store);
    try {
      store = await input.openStore(config.store, name);
    } catch (err) {
      // A store that cannot be reached is a temporary condition: code 11 "try again later".
      if (req.command === 'STATUS') throw new CniProtocolError(50, 'IPAM store unavailable', (err as Error).message);
      throw new CniProtocolError(11, 'IPAM store unavailable', (err as Error).message);
    }
    backend = new ClaimIpamBackend(store, name);
  } else {
    backend = new FileIpamBackend(config.dataDir, name);
  }
  const who = { containerID: req.containerID, ifname: req.ifname };
  try {
    switch (req.command) {
      case 'ADD': {
        const dns: DnsJSON = config.resolvConf ? parseResolvConf(readFileSync(config.resolvConf, 'utf8')) : {};
        const ips = await allocateAddresses(config, backend, who);
        return { exitCode: 0, stdout: JSON.stringify(formatResult(version, ips, config.routes, dns), null, 4), stderr: '' };
      }
      case 'DEL':
        await releaseAddresses(backend, who);
        return ok();
      case 'CHECK':
        await checkAddresses(config, backend, who);
        return ok();
      case 'GC':
        await collectGarbage(backend, conf['cni.dev/valid-attachments'] ?? []);
        return ok();
      default:
        // STATUS: the backend opened, so ADD can be served.
        return ok();
    }
  } finally {
    await store?.close();
  }
}

function ok(): PluginOutput {
  return { exitCode: 0, stdout: '', stderr: '' };
}

function decode(stdin: string): NetConf {
  try {
    const value: unknown = JSON.parse(stdin);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('network config is not a JSON object');
    return value as NetConf;
  } catch (err) {
    throw new CniProtocolError(6, `error unmarshall network config: ${(err as Error).message}`);
  }
}

function versionAnswer(stdin: string, mode: PluginMode, versions: readonly string[]): PluginOutput {
  // host-local 1.1.1 always answers 1.0.0; the spec says: echo the requested cniVersion.
  let asked = '1.0.0';
  if (mode === 'spec') {
    try {
      const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
      if (typeof v === 'string' && v !== '') asked = v;
    } catch {
      // VERSION needs no valid config.
    }
  }
  return { exitCode: 0, stdout: `${JSON.stringify({ cniVersion: asked, supportedVersions: versions })}\n`, stderr: '' };
}

function failure(err: unknown, mode: PluginMode, version: string | undefined): PluginOutput {
  let body: { code: number; msg: string; details?: string };
  if (err instanceof CniProtocolError)
    body = { code: err.cniCode, msg: err.msg, ...(err.details ? { details: err.details } : {}) };
  else if (err instanceof IpamError) body = { code: err.cniCode, msg: err.message };
  else if (isKemuError(err)) body = { code: 999, msg: err.message };
  else body = { code: 999, msg: err instanceof Error ? err.message : String(err) };
  // The spec's error object carries cniVersion; host-local (libcni) leaves it out.
  const out = mode === 'spec' && version ? { cniVersion: version, ...body } : body;
  return { exitCode: 1, stdout: JSON.stringify(out, null, 4), stderr: '' };
}
