import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadManifestFiles } from '../node/load-files.js';
import type { Service } from '../objects/core-v1.js';
import type { NetworkPolicy } from '../objects/networking-v1.js';
import { formatIssue } from './issue.js';
import { parseManifestsOrThrow } from './or-throw.js';
import { parseManifests } from './parse.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const messages = (text: string) => parseManifests(text, { file: 'm.yaml' }).issues.map(formatIssue);

describe('loading manifests as kubectl apply -f does', () => {
  it('reads a folder recursively, .yaml .yml and .json, in name order, List kinds unwrapped', async () => {
    const result = await loadManifestFiles([`${fixtures}valid`]);
    expect(result.issues).toEqual([]);
    expect(result.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/settings',
      'StorageClass/kemu',
      'Gateway/edge',
      'HTTPRoute/web',
      'Namespace/shop',
      'Deployment/web',
      'Service/web',
      'Ingress/web',
      'NetworkPolicy/web-from-ingress',
    ]);
  });

  it('keeps fields kemu does not model on round trip', () => {
    const [service] = parseManifestsOrThrow(
      'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}], x-extra: {deep: [1]}}\nextraTop: true\n',
    );
    expect((service as unknown as { extraTop: boolean }).extraTop).toBe(true);
    expect((service as Service).spec).toMatchObject({ 'x-extra': { deep: [1] } });
  });

  it('applies the API server defaults for Services (pkg/apis/core/v1/defaults.go)', () => {
    const [service] = parseManifestsOrThrow(
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n',
    ) as Service[];
    expect(service!.metadata.namespace).toBe('default');
    expect(service!.spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster' });
    expect(service!.spec.ports![0]).toEqual({ port: 80, protocol: 'TCP', targetPort: 80 });
  });

  it('defaults ClientIP affinity timeout to 10800 s and externalTrafficPolicy for NodePort', () => {
    const [service] = parseManifestsOrThrow(
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: NodePort, sessionAffinity: ClientIP, ports: [{port: 80}]}\n',
    ) as Service[];
    expect(service!.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds).toBe(10800);
    expect(service!.spec.externalTrafficPolicy).toBe('Cluster');
  });

  it('defaults NetworkPolicy policyTypes to Ingress, plus Egress when egress rules exist (SetDefaults_NetworkPolicy)', () => {
    const [a, b] = parseManifestsOrThrow(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a}
spec: {podSelector: {}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b}
spec: {podSelector: {}, egress: [{ports: [{port: 53}]}]}
`) as NetworkPolicy[];
    expect(a!.spec.policyTypes).toEqual(['Ingress']);
    expect(b!.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(b!.spec.egress![0]!.ports![0]!.protocol).toBe('TCP');
  });

  it('applies the namespace given by the caller, as kubectl -n', () => {
    const [cm] = parseManifestsOrThrow('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n', { namespace: 'team' });
    expect(cm!.metadata.namespace).toBe('team');
  });

  it('leaves cluster-scoped kinds without a namespace', () => {
    const [node] = parseManifestsOrThrow('apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n');
    expect(node!.metadata.namespace).toBeUndefined();
  });
});

describe('manifest errors name file, line, column, object, field and expectation', () => {
  it('reports malformed YAML with its position', async () => {
    const result = await loadManifestFiles([`${fixtures}bad/malformed.yaml`]);
    expect(result.issues.map(formatIssue)[0]).toMatch(/^.*bad\/malformed\.yaml:7:1: invalid YAML: Flow sequence/);
  });

  it('reports a missing kind', async () => {
    const result = await loadManifestFiles([`${fixtures}bad/missing-kind.yaml`]);
    expect(result.issues.map(formatIssue)).toEqual([
      expect.stringMatching(/missing-kind\.yaml:1:1: kind: Required value: kind is missing/),
    ]);
  });

  it('reports an unknown kind rather than dropping it', async () => {
    const result = await loadManifestFiles([`${fixtures}bad/unknown-kind.yaml`]);
    expect(result.objects).toEqual([]);
    expect(result.issues.map(formatIssue)[0]).toMatch(/unknown-kind\.yaml:2:7: Widget\/w: kind: unknown kind "Widget"/);
  });

  it('reports a wrong type at the value', async () => {
    const result = await loadManifestFiles([`${fixtures}bad/wrong-type.yaml`]);
    expect(result.issues.map(formatIssue)).toEqual([
      expect.stringMatching(
        /wrong-type\.yaml:7:11: Service\/default\/web: spec\.ports\[0\]\.port: expected an integer, got string "eighty"/,
      ),
    ]);
  });

  it('reports every error of a file at once', async () => {
    const result = await loadManifestFiles([`${fixtures}bad/many-errors.yaml`]);
    const lines = result.issues.map(formatIssue).map((l) => l.replace(/^.*many-errors\.yaml:/, ''));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^4:9: Service\/default\/Web_Service: metadata\.name: Invalid value: "Web_Service": a DNS-1035 label/,
        ),
        expect.stringMatching(
          /^10:11: Service\/default\/Web_Service: spec\.ports\[0\]\.port: Invalid value: 70000: must be between 1 and 65535/,
        ),
        expect.stringMatching(
          /^11:15: Service\/default\/Web_Service: spec\.ports\[0\]\.nodePort: Invalid value: 80: provided port is not in the valid range/,
        ),
        expect.stringMatching(/^12:5: Service\/default\/Web_Service: spec\.ports\[1\]\.name: Required value/),
        expect.stringMatching(/^23:9: Ingress\/default\/web: spec\.rules\[0\]\.http\.paths\[0\]\.pathType: Required value/),
        expect.stringMatching(/^33:5: NetworkPolicy\/default\/bad-policy: spec\.podSelector: Invalid value: .*can't be empty/),
        expect.stringMatching(
          /^37:23: NetworkPolicy\/default\/bad-policy: spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: Invalid value: "10\.0\.0\.0\/33"/,
        ),
        expect.stringMatching(
          /^39:29: NetworkPolicy\/default\/bad-policy: spec\.ingress\[0\]\.ports\[0\]\.endPort: Invalid value: must be greater than or equal to `port`/,
        ),
        expect.stringMatching(
          /^48:24: Deployment\/default\/api: spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/,
        ),
      ]),
    );
    // targetPort was defaulted from the bad port: reported once, where the user wrote it.
    expect(lines.some((line) => line.includes('targetPort'))).toBe(false);
    expect(result.objects).toEqual([]);
  });

  it('reports an object defined twice, pointing at the first definition', async () => {
    const result = await loadManifestFiles([`${fixtures}bad/duplicate-a.yaml`, `${fixtures}bad/duplicate-b.yaml`]);
    expect(result.objects).toHaveLength(1);
    expect(result.issues.map(formatIssue)[0]).toMatch(
      /duplicate-b\.yaml:1:1: ConfigMap\/default\/twice: metadata\.name: Duplicate value: this object is already defined at .*duplicate-a\.yaml:1:1/,
    );
  });

  it('reports a path that does not exist', async () => {
    const result = await loadManifestFiles(['/nonexistent/kemu.yaml']);
    expect(result.issues.map(formatIssue)).toEqual(['/nonexistent/kemu.yaml:1:1: cannot read: no such file or directory']);
  });

  it('rejects a document that is not a mapping', () => {
    expect(messages('- a\n- b\n')).toEqual([
      'm.yaml:1:1: expected a Kubernetes object (a mapping with apiVersion and kind), got a list',
    ]);
  });

  it('rejects an apiVersion that does not serve the kind', () => {
    expect(messages('apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: a}\n')[0]).toMatch(
      /m\.yaml:1:13: Ingress\/a: apiVersion: no kind "Ingress" in version "extensions\/v1beta1"; expected networking\.k8s\.io\/v1/,
    );
  });

  it('rejects duplicate keys in one mapping', () => {
    expect(messages('apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: a}\n')[0]).toMatch(
      /m\.yaml:3:1: invalid YAML: Map keys must be unique/,
    );
  });

  it('requires absolute paths for Prefix and Exact Ingress paths (networking/validation)', () => {
    const text = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a}
spec:
  rules:
  - http:
      paths:
      - {path: api, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}
`;
    expect(messages(text)).toEqual([
      expect.stringMatching(
        /m\.yaml:8:16: Ingress\/default\/a: spec\.rules\[0\]\.http\.paths\[0\]\.path: Invalid value: "api": must be an absolute path/,
      ),
    ]);
  });

  it('rejects a label selector string error inside a structured selector', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: a}
spec:
  selector: {matchLabels: {"bad key!": x}}
  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: a}]}}
`;
    expect(messages(text)[0]).toMatch(/spec\.selector: Invalid value: .*key "bad key!"/);
  });

  it('names the object of an error inside a List item', () => {
    const text =
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n  spec: {ports: [{port: 0}]}\n';
    expect(messages(text)).toEqual([
      expect.stringMatching(
        /m\.yaml:7:25: Service\/default\/s: items\[0\]\.spec\.ports\[0\]\.port: Invalid value: 0: must be between 1 and 65535/,
      ),
    ]);
  });
});
