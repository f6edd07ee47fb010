import { CliExit, exitCodes } from '../cli/exit.js';
import { LabClient } from '../lab/client/api-client.js';
import { sendFromPod } from '../lab/client/pod-request.js';
import type { CurlOptions } from './curl.command.js';
import { addressedUrl, parseRequestUrl, resolveFor, sourcePod } from './pod-target.js';

function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new CliExit(exitCodes.userError, `error: -H "${line}" is not "Name: value"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Sends the request through the source pod's HTTP proxy and prints the body as curl does. Exit
 * 0 on 2xx/3xx; 3 when the pod network denies it (NetworkPolicy), with the policy's reason; 2 for
 * any other failure (refused, unreachable, HTTP 4xx/5xx from the server).
 */
export async function runCurl(text: string, options: CurlOptions): Promise<void> {
  const url = parseRequestUrl(text);
  const client = new LabClient(options);
  const pod = await sourcePod(client, options.from, options.namespace);
  const resolved = await resolveFor(client, url, pod);
  const say = (line: string) => options.verbose && process.stderr.write(`* ${line}\n`);
  say(`from pod ${pod.namespace}/${pod.name} (${pod.podIP}) on ${pod.node}, through its proxy ${pod.httpProxy}`);
  if (resolved.source === 'cluster-dns') say(`resolved ${resolved.host} to ${resolved.ip} (${resolved.name}, cluster DNS)`);
  const headers = parseHeaders(options.header);
  if (options.data !== undefined && !headers['content-type']) headers['content-type'] = 'application/x-www-form-urlencoded';
  const { host, ...rest } = headers;
  const response = await sendFromPod(pod, {
    url: addressedUrl(url, resolved.ip),
    host: host ?? url.host,
    method: options.request ?? (options.data !== undefined ? 'POST' : 'GET'),
    headers: rest,
    body: options.data,
    timeoutMs: options.maxTime * 1000,
  }).catch((error: Error) => {
    throw new CliExit(exitCodes.internalError, `error: no answer through ${pod.httpProxy}: ${error.message}`);
  });
  for (const hop of response.hops) say(`hop: ${hop}`);
  if (response.refusal !== undefined) {
    const denied = response.status === 403;
    throw new CliExit(
      denied ? exitCodes.denied : exitCodes.internalError,
      `error: ${denied ? 'denied by NetworkPolicy' : 'refused by the pod network'} (${response.status} ${response.statusMessage}): ${response.refusal}`,
    );
  }
  if (options.include) {
    process.stdout.write(
      `HTTP/1.1 ${response.status} ${response.statusMessage}\r\n${response.rawHeaders.map((l) => `${l}\r\n`).join('')}\r\n`,
    );
  }
  process.stdout.write(response.body);
  if (response.status >= 400) {
    throw new CliExit(exitCodes.internalError, `error: the server answered ${response.status} ${response.statusMessage}`);
  }
}
