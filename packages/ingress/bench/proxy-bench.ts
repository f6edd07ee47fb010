// Proxy benchmark: one loopback backend (its own process), the same wrk load through the kemu
// proxy, @fastify/http-proxy and nginx (one worker, keepalive upstream), and straight at the backend.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fastifyHttpProxy from '@fastify/http-proxy';
import type { KubernetesObject } from '@kemu/core';
import fastify from 'fastify';
import { IngressProxy } from '../src/proxy/index.js';

const run = promisify(execFile);

/** One load-generator result. */
export interface LoadFigure {
  name: string;
  requestsPerSecond: number;
  p99ms: number;
}

const backendSource = `
const http = require('node:http');
const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 }); res.end('ok'); });
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

function which(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin'])) {
    if (existsSync(join(dir, binary))) return join(dir, binary);
  }
  return undefined;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} never opened`);
}

async function wrk(wrkPath: string, name: string, port: number, seconds: number): Promise<LoadFigure> {
  const args = ['-t1', '-c50', `-d${seconds}s`, '--latency', '-H', 'Host: bench.local', `http://127.0.0.1:${port}/a/b`];
  await run(wrkPath, ['-t1', '-c50', '-d2s', '-H', 'Host: bench.local', `http://127.0.0.1:${port}/a/b`]); // warm-up (JIT)
  const { stdout } = await run(wrkPath, args);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  const scale = p99?.[2] === 'us' ? 0.001 : p99?.[2] === 's' ? 1000 : 1;
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  if (non2xx) console.log(`  note: ${name} answered ${non2xx[1]} non-2xx responses`);
  return { name, requestsPerSecond: rps, p99ms: Number(p99?.[1] ?? 0) * scale };
}

function objects(): KubernetesObject[] {
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'nginx' },
      spec: { controller: 'k8s.io/ingress-nginx' },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { ports: [{ name: 'http', port: 80 }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-a', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.244.0.10'] }],
      ports: [{ name: 'http', port: 8080 }],
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'bench.local',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] },
          },
        ],
      },
    },
  ] as unknown as KubernetesObject[];
}

async function startNginx(nginxPath: string, backendPort: number): Promise<{ port: number; child: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'kemu-nginx-'));
  const probe = await import('node:net').then(
    (net) =>
      new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as { port: number }).port;
          s.close(() => resolve(p));
        });
      }),
  );
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream backend { server 127.0.0.1:${backendPort}; keepalive 128; }
  server {
    listen 127.0.0.1:${probe};
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; proxy_set_header X-Forwarded-For $remote_addr; }
  }
}
`,
  );
  const child = spawn(nginxPath, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'ignore' });
  await waitForPort(probe);
  return { port: probe, child };
}

/** Runs the proxy comparison; returns the figures (nginx omitted when not installed). */
export async function proxyBench(seconds = 5): Promise<{ figures: LoadFigure[]; notes: string[] }> {
  const notes: string[] = [];
  const wrkPath = which('wrk');
  if (!wrkPath) return { figures: [], notes: ['wrk not found: proxy benchmark skipped (apt install wrk)'] };
  const dir = mkdtempSync(join(tmpdir(), 'kemu-backend-'));
  writeFileSync(join(dir, 'backend.cjs'), backendSource);
  const backend = spawn(process.execPath, [join(dir, 'backend.cjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const backendPort = await new Promise<number>((resolve) =>
    backend.stdout?.once('data', (d) => resolve(Number(String(d).trim()))),
  );
  const figures: LoadFigure[] = [];
  try {
    figures.push(await wrk(wrkPath, 'backend alone', backendPort, seconds));
    const kemu = await IngressProxy.start({ objects: objects(), resolver: () => ({ host: '127.0.0.1', port: backendPort }) });
    const fhp = fastify();
    await fhp.register(fastifyHttpProxy, { upstream: `http://127.0.0.1:${backendPort}` });
    await fhp.listen({ port: 0, host: '127.0.0.1' });
    // Two interleaved rounds, best of each: the shared VM swings by 2× between runs (ingress-perf.md §3).
    const rounds: LoadFigure[] = [];
    for (let round = 0; round < 2; round++) {
      rounds.push(await wrk(wrkPath, 'kemu IngressProxy', kemu.address('http').port, seconds));
      rounds.push(await wrk(wrkPath, '@fastify/http-proxy', (fhp.server.address() as { port: number }).port, seconds));
    }
    for (const name of ['kemu IngressProxy', '@fastify/http-proxy']) {
      const mine = rounds.filter((f) => f.name === name).sort((a, b) => b.requestsPerSecond - a.requestsPerSecond);
      figures.push(mine[0] as LoadFigure);
    }
    await kemu.close();
    await fhp.close();
    const nginxPath = which('nginx');
    if (nginxPath) {
      const nginx = await startNginx(nginxPath, backendPort);
      try {
        figures.push(await wrk(wrkPath, 'nginx (1 worker, keepalive upstream)', nginx.port, seconds));
      } finally {
        nginx.child.kill('SIGTERM');
      }
    } else notes.push('nginx not found: nginx comparison skipped (apt install nginx)');
  } finally {
    backend.kill('SIGTERM');
  }
  return { figures, notes };
}
