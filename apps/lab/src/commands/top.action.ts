import { setTimeout as sleep } from 'node:timers/promises';
import { CliExit, exitCodes } from '../cli/exit.js';
import type { TrafficRates } from '../dashboard/traffic-log.js';

/** The table `kemu top` prints, widest key first column. */
export function formatTop(rates: readonly TrafficRates[], now: Date): string {
  const width = Math.max(14, ...rates.map((r) => r.key.length));
  const lines = [
    `kemu top — ${now.toISOString().slice(11, 19)}  (last 10 s)`,
    `${'SERVICE / POD'.padEnd(width)}  ${'REQ/S'.padStart(8)}  ${'ERR/S'.padStart(8)}  ${'BYTES/S'.padStart(10)}`,
  ];
  for (const r of rates) {
    lines.push(
      `${r.key.padEnd(width)}  ${r.requestsPerSecond.toFixed(1).padStart(8)}  ${r.errorsPerSecond.toFixed(1).padStart(8)}  ${Math.round(r.bytesPerSecond).toString().padStart(10)}`,
    );
  }
  if (rates.length === 0) lines.push('(no traffic in the last 10 s)');
  return `${lines.join('\n')}\n`;
}

/** Polls the dashboard's rates and redraws the table until interrupted. */
export async function runTop(options: { dashboard: string; interval: number; once?: boolean }): Promise<void> {
  const url = `${options.dashboard.replace(/\/$/, '')}/kemu/v1/rates`;
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  try {
    for (;;) {
      let rates: TrafficRates[];
      try {
        const response = await fetch(url, { signal: controller.signal });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        rates = (await response.json()) as TrafficRates[];
      } catch (error) {
        if (controller.signal.aborted) return;
        throw new CliExit(
          exitCodes.userError,
          `cannot read ${url}: ${(error as Error).message} (is a lab running? start one with kemu up)`,
        );
      }
      const table = formatTop(rates, new Date());
      if (options.once) {
        process.stdout.write(table);
        return;
      }
      process.stdout.write(`\x1b[H\x1b[2J${table}`);
      await sleep(options.interval, undefined, { signal: controller.signal }).catch(() => undefined);
      if (controller.signal.aborted) return;
    }
  } finally {
    process.off('SIGINT', stop);
  }
}
