// How `kemu curl/trace --from` resolve a URL's host and name the source pod, as a pod and kubectl would.
import { parseManifestsOrThrow } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { UnresolvedHostError } from '../errors.js';
import { parsePodRef } from './pod-request.js';
import { resolveHost } from './resolve-host.js';

const objects = parseManifestsOrThrow(`
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {clusterIP: 10.96.0.20, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: other}
spec: {clusterIP: 10.96.0.30, ports: [{port: 80}]}
`);

describe('resolveHost', () => {
  it('searches the pod namespace first (resolv.conf search <ns>.svc.cluster.local, ndots:5)', () => {
    expect(resolveHost('web', 'shop', objects)).toMatchObject({ ip: '10.96.0.20', name: 'web.shop.svc.cluster.local' });
    expect(resolveHost('web', 'other', objects).ip).toBe('10.96.0.30');
  });

  it('resolves SERVICE.NAMESPACE through the svc.cluster.local search domain', () => {
    expect(resolveHost('web.other', 'shop', objects)).toMatchObject({ ip: '10.96.0.30', name: 'web.other.svc.cluster.local' });
  });

  it('takes a fully qualified name with a trailing dot as given', () => {
    expect(resolveHost('web.shop.svc.cluster.local.', 'other', objects).ip).toBe('10.96.0.20');
  });

  it('keeps an address as it is, without DNS', () => {
    expect(resolveHost('10.244.1.7', 'shop', [])).toEqual({ host: '10.244.1.7', ip: '10.244.1.7', source: 'address' });
  });

  it('lists the names tried when none answers', () => {
    expect(() => resolveHost('db', 'shop', objects)).toThrow(UnresolvedHostError);
    expect(() => resolveHost('db', 'shop', objects)).toThrow(/db\.shop\.svc\.cluster\.local, db\.svc\.cluster\.local/);
  });
});

describe('parsePodRef', () => {
  it('reads pod/NAME, po/NAME and NAME in the given namespace, as kubectl does', () => {
    expect(parsePodRef('pod/web', 'shop')).toEqual({ namespace: 'shop', name: 'web' });
    expect(parsePodRef('po/web', 'shop')).toEqual({ namespace: 'shop', name: 'web' });
    expect(parsePodRef('web', 'shop')).toEqual({ namespace: 'shop', name: 'web' });
  });

  it('reads NS/NAME (the model trace form) and refuses more slashes', () => {
    expect(parsePodRef('other/web', 'shop')).toEqual({ namespace: 'other', name: 'web' });
    expect(parsePodRef('a/b/c', 'shop')).toBeUndefined();
  });
});
