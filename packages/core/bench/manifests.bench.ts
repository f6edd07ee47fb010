import { parseManifests } from '../src/index.js';

/** A 10k-object manifest file mixing the common kinds, as a large lab's YAML would. */
function generateManifests(count: number): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `app-${i}`;
    switch (i % 4) {
      case 0:
        docs.push(`apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ns-${i % 100}
  labels: {app: ${name}, tier: web}
spec:
  selector: {app: ${name}}
  ports:
  - name: http
    port: 80
    targetPort: 8080
  - name: https
    port: 443
    targetPort: 8443`);
        break;
      case 1:
        docs.push(`apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ns-${i % 100}}
spec:
  replicas: 3
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: app
        image: kemu/echo:1.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}}`);
        break;
      case 2:
        docs.push(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: ns-${i % 100}}
spec:
  rules:
  - host: ${name}.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: ${name}, port: {number: 80}}}}`);
        break;
      default:
        docs.push(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: ns-${i % 100}}
spec:
  podSelector: {matchLabels: {app: ${name}}}
  ingress:
  - from: [{podSelector: {matchLabels: {tier: web}}}]
    ports: [{port: 8080}]`);
    }
  }
  return docs.join('\n---\n');
}

/** Manifest loading: objects/s for a 10k-object file (target ≥ 50k objects/s). */
export function runManifestBench(): void {
  const count = 10_000;
  const text = generateManifests(count);
  parseManifests(text); // one full warm-up run: steady state, as a long-running lab would be
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    const result = parseManifests(text, { file: 'bench.yaml' });
    const ms = performance.now() - start;
    if (result.objects.length !== count || result.issues.length > 0)
      throw new Error(`bench manifests did not load cleanly: ${result.issues[0]?.message}`);
    runs.push(ms);
  }
  const best = Math.min(...runs);
  console.log(
    `manifests: ${count} objects (${(text.length / 1e6).toFixed(1)} MB YAML) parsed+defaulted+validated in ${best.toFixed(0)} ms → ${Math.round((count / best) * 1000).toLocaleString('en')} objects/s (target ≥ 50,000)`,
  );
}
