import { parseManifestsOrThrow } from '@kemu/core';
import { compareRouters } from '../src/migrate/check.js';
import { convertIngresses } from '../src/migrate/convert.js';
import { generateCorpus } from '../src/migrate/corpus.js';
import { buildRouters } from '../src/migrate/routers.js';

/** `kemu migrate check` on 1,000 Ingresses × 5 paths: whole-check time and comparisons/s (targets < 10 s, ≥ 500k/s). */
export function runMigrateBench(): void {
  const docs = [
    'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\nspec: {controller: k8s.io/ingress-nginx}',
  ];
  for (let i = 0; i < 1000; i++) {
    const paths = ['/', '/api', '/static', '/v1/items', '/healthz']
      .map(
        (p, j) =>
          `      - {path: ${p}, pathType: ${j === 4 ? 'Exact' : 'Prefix'}, backend: {service: {name: svc-${i}-${j}, port: {number: 80}}}}`,
      )
      .join('\n');
    docs.push(
      `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: app-${i}, namespace: ns-${i % 50}}\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: app-${i}.example.com\n    http:\n      paths:\n${paths}`,
    );
  }
  const before = parseManifestsOrThrow(docs.join('\n---\n'));
  const start = performance.now();
  const after = convertIngresses(before).objects;
  const converted = performance.now();
  const routers = buildRouters(before, after);
  const corpus = generateCorpus(before, after);
  const built = performance.now();
  const result = compareRouters(routers.old, routers.new, corpus);
  const compared = performance.now();
  const compareSeconds = (compared - built) / 1000;
  console.log('migrate check, 1,000 Ingresses × 5 paths:');
  console.log(
    `  convert ${(converted - start).toFixed(0)} ms, build routers + corpus ${(built - converted).toFixed(0)} ms (${corpus.length.toLocaleString('en')} requests)`,
  );
  console.log(
    `  compare ${(compareSeconds * 1000).toFixed(0)} ms → ${Math.round(result.compared / compareSeconds).toLocaleString('en')} comparisons/s (target ≥ 500,000), ${result.differences.length.toLocaleString('en')} differences`,
  );
  console.log(`  whole check ${((compared - start) / 1000).toFixed(2)} s (target < 10 s)`);
}
