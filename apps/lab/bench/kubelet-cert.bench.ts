import { generateKeyPairSync } from 'node:crypto';
import { generateKubeletServingCertificate } from '../src/agent/kubelet-serving-cert.js';

/** Median of `runs` timings of `work`, in ms. */
function median(runs: number, work: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * What a `kemu agent` start spends on its kubelet serving certificate (ECDSA P-256 key, DER by
 * hand, signed with node:crypto), against the RSA 2048 key upstream's certutil generates twice
 * (its throwaway CA and the leaf).
 */
export function runKubeletCertBench(): void {
  const start = performance.now();
  generateKubeletServingCertificate('node-a', ['127.0.0.2']);
  const first = performance.now() - start;
  const ec = median(200, () => generateKubeletServingCertificate('node-a', ['127.0.0.2']));
  const rsa = median(10, () => generateKeyPairSync('rsa', { modulusLength: 2048 }));
  console.log('Kubelet serving certificate at agent start:');
  console.log(`  ECDSA P-256 certificate, first in process ${first.toFixed(1).padStart(6)} ms`);
  console.log(`  ECDSA P-256 certificate, median of 200   ${ec.toFixed(1).padStart(6)} ms`);
  console.log(`  RSA 2048 key alone, median of 10         ${rsa.toFixed(1).padStart(6)} ms  (certutil makes two)`);
}
