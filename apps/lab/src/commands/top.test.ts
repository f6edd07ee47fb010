import { createMemoryStore, MemoryBackend } from '@kemu/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../cli.js';
import { LabMetrics } from '../dashboard/metrics.js';
import { type Dashboard, startDashboard } from '../dashboard/server.js';
import { TrafficLog } from '../dashboard/traffic-log.js';

describe('kemu top', () => {
  const traffic = new TrafficLog();
  let dashboard: Dashboard;

  beforeAll(async () => {
    dashboard = await startDashboard({
      store: createMemoryStore({ backend: new MemoryBackend() }),
      traffic,
      metrics: new LabMetrics(),
      port: 0,
    });
  });
  afterAll(() => dashboard.close());

  it('prints requests/s, errors/s and bytes/s per Service and pod over the last 10 s', async () => {
    const now = Date.now();
    for (let i = 0; i < 20; i++)
      traffic.add({
        time: now,
        protocol: 'http',
        summary: 'GET /',
        status: i < 5 ? 503 : 200,
        durationMs: 1,
        bytes: 100,
        service: 'shop/web',
        pod: 'shop/web-1',
        hops: [],
      });
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    const code = await main(['node', 'kemu', 'top', '--once', '--dashboard', dashboard.url]).finally(() => spy.mockRestore());
    expect(code).toBe(0);
    expect(out).toMatch(/service shop\/web\s+2\.0\s+0\.5\s+200\n/);
    expect(out).toMatch(/pod shop\/web-1\s+2\.0\s+0\.5\s+200\n/);
  });

  it('says what to do when no lab is running', async () => {
    let err = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err += String(chunk);
      return true;
    });
    const code = await main(['node', 'kemu', 'top', '--once', '--dashboard', 'http://127.0.0.1:9']).finally(() =>
      spy.mockRestore(),
    );
    expect(code).toBe(1);
    expect(err).toContain('is a lab running? start one with kemu up');
  });
});
