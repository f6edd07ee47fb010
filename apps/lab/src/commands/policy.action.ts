import { findPod, type PolicyEndpoint } from '@kemu/cni';
import { isIP } from '@kemu/core';
import { CliExit, exitCodes } from '../cli/exit.js';
import { type OutputFormat, printData } from '../cli/output.js';
import { loadClusterModel, parsePortProtocol } from './cni-model.js';

/** Judges one connection; JSON verdict with its explanation; exit 3 when denied. */
export async function runPolicyCheck(options: {
  filename: string[];
  from: string;
  to: string;
  port: string;
  output: string;
}): Promise<void> {
  const flow = parsePortProtocol(options.port);
  const model = await loadClusterModel(options.filename);
  const endpoint = (ref: string): PolicyEndpoint => {
    const pod = findPod(model, ref);
    if (pod) return pod;
    if (isIP(ref)) return ref;
    throw new CliExit(exitCodes.userError, `error: no pod "${ref}" in the manifests (use NAMESPACE/POD or an IP address)`);
  };
  const src = endpoint(options.from);
  const dst = endpoint(options.to);
  const verdict = model.policy.verdict(src, dst, flow);
  const describe = (e: PolicyEndpoint) =>
    typeof e === 'string' ? { ip: e } : { pod: `${e.namespace}/${e.name}`, ip: e.ips?.[0] };
  await printData(
    options.output as OutputFormat,
    {
      from: describe(src),
      to: describe(dst),
      ...flow,
      allowed: verdict.allowed,
      egress: verdict.egress,
      ingress: verdict.ingress,
      reason: verdict.reason,
    },
    () => verdict.reason,
  );
  if (!verdict.allowed) throw new CliExit(exitCodes.denied);
}
