// Shared test fixtures: upstream's fake-proxier conventions (proxier_test.go NewFakeProxier).
import { readFileSync } from 'node:fs';
import { type KubernetesObject, parseManifestsOrThrow } from '@kemu/core';
import { parseAllDocuments } from 'yaml';
import { Proxier, type ProxierConfig } from '../src/index.js';

/** Pod CIDR 10.0.0.0/8, node test-node at 192.168.0.2, service CIDR 172.30.0.0/16. */
export const fakeProxierConfig: ProxierConfig = {
  nodeName: 'test-node',
  nodeIP: '192.168.0.2',
  clusterCIDR: '10.0.0.0/8',
  serviceCIDRs: ['172.30.0.0/16'],
};

/**
 * Objects from a YAML fixture under test/fixtures, read without API validation: upstream's fake
 * objects use nodePorts (3001…) below the API server's 30000–32767 range, and kube-proxy itself
 * does not check the range.
 */
export function fixture(name: string): KubernetesObject[] {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJSON() as KubernetesObject);
}

/** Objects from inline YAML. */
export function yaml(text: string): KubernetesObject[] {
  return parseManifestsOrThrow(text);
}

/** A proxier over inline YAML with the fake-proxier config (overridable). */
export function proxierFor(text: string, config: Partial<ProxierConfig> = {}): Proxier {
  return Proxier.from(yaml(text), { ...fakeProxierConfig, ...config });
}

/** Strips the common indentation of a template literal (Go's dedent.Dedent) and the leading newline. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => (/^\s*/.exec(l) as RegExpExecArray)[0].length));
  return lines
    .map((l) => l.slice(indent))
    .join('\n')
    .replace(/[ \t]+$/, '');
}
