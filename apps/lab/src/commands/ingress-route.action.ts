import { compileRouter, type HTTPRequest, summarizeAnswer } from '@kemu/ingress';
import { CliExit, exitCodes } from '../cli/exit.js';
import { loadManifestsForCommand } from '../cli/manifests.js';
import { type OutputFormat, printData } from '../cli/output.js';
import type { RouteHttpOptions } from './ingress-route.command.js';

/** Prints the routing answer for one request with every rule considered. */
export async function runIngressRoute(options: RouteHttpOptions): Promise<void> {
  const { objects } = await loadManifestsForCommand(options.filename);
  const headers: Record<string, string[]> = {};
  for (const pair of options.header) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliExit(exitCodes.userError, `--header must be NAME=VALUE, got "${pair}"`);
    const name = pair.slice(0, eq);
    headers[name] = [...(headers[name] ?? []), pair.slice(eq + 1)];
  }
  const random = Number(options.random);
  if (!(random >= 0 && random < 1)) throw new CliExit(exitCodes.userError, `--random must be in [0, 1), got "${options.random}"`);
  if (!options.path.startsWith('/')) throw new CliExit(exitCodes.userError, `--path must start with "/", got "${options.path}"`);
  const router = compileRouter(objects, { ingress: { profile: options.profile } });
  const request: HTTPRequest = {
    host: options.host,
    path: options.path,
    method: options.method.toUpperCase(),
    headers,
    scheme: options.scheme,
    clientIP: options.clientIp,
    random,
    ...(options.port ? { port: options.port } : {}),
  };
  const answer = router.explain(request, options.dataPlane);
  const outcome = answer.outcome;
  const data = {
    request: { method: request.method, host: request.host, path: request.path, scheme: request.scheme },
    dataPlane: answer.dataPlane,
    route: answer.route ?? null,
    ...(outcome.type === 'backend'
      ? {
          backend: { ...outcome.backend, endpoints: outcome.endpoints.map((e) => `${e.address}:${e.port}`) },
          upstream: { path: outcome.upstreamPath, host: outcome.upstreamHost },
          ...(outcome.canary ? { canary: true } : {}),
        }
      : { status: outcome.status, ...(outcome.location ? { location: outcome.location } : {}) }),
    reason: answer.reason,
    message: answer.message,
    summary: summarizeAnswer(answer),
    explanation: answer.explanation,
    issues: router.issues,
  };
  await printData(options.output as OutputFormat, data, () =>
    [
      `${data.request.method} ${data.request.scheme}://${data.request.host}${data.request.path} → ${
        outcome.type === 'backend'
          ? `${outcome.backend.namespace}/${outcome.backend.service}:${outcome.backend.port} ${outcome.upstreamPath}`
          : `${outcome.status}${outcome.location ? ` ${outcome.location}` : ''}`
      } (${answer.reason})`,
      ...answer.explanation.map((s) => `  ${s.verdict.padEnd(8)} ${s.rule}: ${s.why}`),
    ].join('\n'),
  );
}
