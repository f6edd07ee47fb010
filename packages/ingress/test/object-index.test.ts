// ObjectIndex: a Service's endpoints are the ready addresses of the EndpointSlices labelled with
// its name (discovery/v1 kubernetes.io/service-name); a slice is replaced and removed by name.
import { describe, expect, it } from 'vitest';
import { ObjectIndex } from '../src/index.js';
import { objects, serviceYaml } from './fixtures.js';

const addresses = (index: ObjectIndex, service: string) => {
  const resolved = index.resolve('default', service, 80);
  return resolved.ok ? resolved.endpoints.map((e) => e.address) : resolved.problem;
};

const slice = (name: string, service: string, address: string) =>
  objects(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}, namespace: default, labels: { kubernetes.io/service-name: ${service} } }
addressType: IPv4
ports: [{ name: http, port: 8080, protocol: TCP }]
endpoints: [{ addresses: ["${address}"], conditions: { ready: true } }]
`)[0]!;

describe('ObjectIndex EndpointSlices', () => {
  it('counts every slice of a Service', () => {
    const index = ObjectIndex.from(objects(serviceYaml('a', ['10.244.1.1'])));
    index.upsert(slice('a-2', 'a', '10.244.1.2'));
    expect(addresses(index, 'a')).toEqual(['10.244.1.1', '10.244.1.2']);
  });

  it('replaces a slice by name, keeping its siblings', () => {
    const index = ObjectIndex.from(objects(serviceYaml('a', ['10.244.1.1'])));
    index.upsert(slice('a-2', 'a', '10.244.1.2'));
    index.upsert(slice('a-2', 'a', '10.244.1.3'));
    expect(addresses(index, 'a')).toEqual(['10.244.1.1', '10.244.1.3']);
  });

  it('moves a slice relabelled to another Service', () => {
    const index = ObjectIndex.from(objects(serviceYaml('a', ['10.244.1.1']), serviceYaml('b', [])));
    index.upsert(slice('moving', 'a', '10.244.1.2'));
    index.upsert(slice('moving', 'b', '10.244.1.2'));
    expect(addresses(index, 'a')).toEqual(['10.244.1.1']);
    expect(addresses(index, 'b')).toEqual(['10.244.1.2']);
  });

  it('removes a slice by name', () => {
    const index = ObjectIndex.from(objects(serviceYaml('a', ['10.244.1.1'])));
    index.upsert(slice('a-2', 'a', '10.244.1.2'));
    index.remove({ kind: 'EndpointSlice', metadata: { name: 'a-abc', namespace: 'default' } });
    expect(addresses(index, 'a')).toEqual(['10.244.1.2']);
  });
});
