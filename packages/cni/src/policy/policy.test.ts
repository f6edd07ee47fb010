import { type NetworkPolicy, parseManifestsOrThrow } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../errors.js';
import { compileNetworkPolicies } from './engine.js';
import type { PolicyPod } from './types.js';

const pods: PolicyPod[] = [
  { namespace: 'app', name: 'web', labels: { app: 'web' }, ips: ['10.244.1.2'], ports: [{ name: 'http', containerPort: 8080 }] },
  { namespace: 'app', name: 'db', labels: { app: 'db' }, ips: ['10.244.2.3'], ports: [{ name: 'pg', containerPort: 5432 }] },
  {
    namespace: 'app',
    name: 'dns',
    labels: { app: 'dns' },
    ips: ['10.244.2.4'],
    ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }],
  },
  { namespace: 'ops', name: 'mon', labels: { app: 'mon' }, ips: ['10.244.3.5'] },
  { namespace: 'ops', name: 'web', labels: { app: 'web' }, ips: ['10.244.3.6'] },
];
const namespaces = [
  { name: 'app', labels: { team: 'a' } },
  { name: 'ops', labels: { team: 'ops' } },
];
const [web, db, dns, mon, opsWeb] = pods as [PolicyPod, PolicyPod, PolicyPod, PolicyPod, PolicyPod];

function engine(yaml: string) {
  const policies = parseManifestsOrThrow(yaml) as NetworkPolicy[];
  return compileNetworkPolicies({ policies, namespaces, pods });
}
const header = (name: string, ns = 'app') =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\n`;

describe('isolation (reference §5)', () => {
  it('allows everything when no policy selects either pod', () => {
    const v = compileNetworkPolicies({ policies: [], pods }).verdict(web, db, { port: 5432 });
    expect(v.allowed).toBe(true);
    expect(v.ingress.isolated).toBe(false);
  });

  it('denies all ingress with an empty ingress list (default deny) and says which policy isolates', () => {
    const e = engine(`${header('deny')}spec: {podSelector: {matchLabels: {app: db}}}`);
    const v = e.verdict(web, db, { port: 5432 });
    expect(v.allowed).toBe(false);
    expect(v.ingress.policies).toEqual(['app/deny']);
    expect(v.reason).toContain('app/db is isolated for Ingress by app/deny');
  });

  it('lets `ingress: [{}]` allow everything', () => {
    const e = engine(`${header('all')}spec: {podSelector: {}, ingress: [{}]}`);
    expect(e.verdict(mon, db, { port: 1 }).ingress.allowedBy).toEqual({ policy: 'app/all', rule: 0 });
  });

  it('makes a policy without policyTypes but with egress rules isolate ingress too', () => {
    // types.go: policyTypes defaults to Ingress, plus Egress when egress rules exist.
    const e = engine(`${header('eg')}spec: {podSelector: {matchLabels: {app: web}}, egress: [{}]}`);
    expect(e.verdict(mon, web, { port: 8080 }).allowed).toBe(false);
    expect(e.verdict(web, mon, { port: 80 }).allowed).toBe(true);
  });

  it('leaves ingress alone for an egress-only policy with policyTypes [Egress]', () => {
    const e = engine(`${header('eg')}spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}`);
    expect(e.verdict(mon, web, { port: 8080 }).allowed).toBe(true);
    expect(e.verdict(web, db, { port: 5432 }).egress.reason).toContain('isolated for Egress');
  });

  it('requires both ends to agree: an admitting server does not help a blocked client', () => {
    const e = engine(
      `${header('eg')}spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}\n---\n${header('in')}spec: {podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}`,
    );
    const v = e.verdict(web, db, { port: 5432 });
    expect(v.ingress.allowed).toBe(true);
    expect(v.egress.allowed).toBe(false);
    expect(v.allowed).toBe(false);
  });
});

describe('peers', () => {
  it('resolves a podSelector alone in the policy namespace only', () => {
    const e = engine(
      `${header('p')}spec: {podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}`,
    );
    expect(e.verdict(web, db, { port: 5432 }).allowed).toBe(true);
    expect(e.verdict(opsWeb, db, { port: 5432 }).allowed).toBe(false);
  });

  it('selects namespaces by the automatic kubernetes.io/metadata.name label', () => {
    const e = engine(
      `${header('p')}spec: {podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ops}}}]}]}`,
    );
    expect(e.verdict(mon, db, { port: 5432 }).allowed).toBe(true);
    expect(e.verdict(web, db, { port: 5432 }).allowed).toBe(false);
  });

  it('ANDs podSelector and namespaceSelector in one peer but ORs them in two', () => {
    const and = engine(
      `${header('and')}spec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: ops}}\n      podSelector: {matchLabels: {app: web}}`,
    );
    const or = engine(
      `${header('or')}spec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: ops}}\n    - podSelector: {matchLabels: {app: web}}`,
    );
    expect(and.verdict(opsWeb, db, { port: 1 }).allowed).toBe(true);
    expect(and.verdict(mon, db, { port: 1 }).allowed).toBe(false);
    expect(and.verdict(web, db, { port: 1 }).allowed).toBe(false);
    expect(or.verdict(mon, db, { port: 1 }).ingress.allowedBy).toEqual({ policy: 'app/or', rule: 0, peer: 0 });
    expect(or.verdict(web, db, { port: 1 }).ingress.allowedBy).toEqual({ policy: 'app/or', rule: 0, peer: 1 });
  });

  it('matches ipBlock with except against pod IPs and outside addresses', () => {
    const e = engine(
      `${header('ip')}spec: {podSelector: {matchLabels: {app: db}}, ingress: [{from: [{ipBlock: {cidr: 10.244.0.0/16, except: [10.244.3.0/24]}}]}]}`,
    );
    expect(e.verdict(web, db, { port: 1 }).allowed).toBe(true);
    expect(e.verdict(mon, db, { port: 1 }).allowed).toBe(false);
    expect(e.verdict('10.244.9.9', db, { port: 1 }).allowed).toBe(true);
    expect(e.verdict('192.168.0.1', db, { port: 1 }).allowed).toBe(false);
  });
});

describe('ports', () => {
  it('resolves named ports on the receiving pod and needs the protocol to match', () => {
    const e = engine(`${header('n')}spec: {podSelector: {}, ingress: [{ports: [{port: pg}, {port: dns, protocol: UDP}]}]}`);
    expect(e.verdict(mon, db, { port: 5432 }).allowed).toBe(true);
    expect(e.verdict(mon, web, { port: 5432 }).allowed).toBe(false); // web has no "pg" port
    expect(e.verdict(mon, dns, { port: 53, protocol: 'UDP' }).ingress.allowedBy?.port).toBe(1);
    expect(e.verdict(mon, dns, { port: 53, protocol: 'TCP' }).allowed).toBe(false);
  });

  it('treats port..endPort as an inclusive range', () => {
    const e = engine(`${header('r')}spec: {podSelector: {}, ingress: [{ports: [{port: 8000, endPort: 8080}]}]}`);
    expect([7999, 8000, 8080, 8081].map((port) => e.verdict(mon, web, { port }).allowed)).toEqual([false, true, true, false]);
  });

  it('never opens TCP with a UDP or SCTP rule', () => {
    const e = engine(`${header('u')}spec: {podSelector: {}, ingress: [{ports: [{protocol: SCTP}, {protocol: UDP, port: 80}]}]}`);
    expect(e.verdict(mon, web, { port: 80 }).allowed).toBe(false);
    expect(e.verdict(mon, web, { port: 80, protocol: 'UDP' }).allowed).toBe(true);
  });
});

describe('invalid policies', () => {
  const bad = (spec: unknown): NetworkPolicy =>
    ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'bad', namespace: 'app' },
      spec,
    }) as NetworkPolicy;
  const cases: [string, unknown, string][] = [
    [
      'an invalid CIDR',
      { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] },
      'spec.ingress[0].from[0].ipBlock.cidr',
    ],
    [
      'except outside cidr',
      { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/24'] } }] }] },
      'must be a strict subset',
    ],
    ['a port of 0', { podSelector: {}, ingress: [{ ports: [{ port: 0 }] }] }, 'spec.ingress[0].ports[0].port'],
    ['endPort with a named port', { podSelector: {}, egress: [{ ports: [{ port: 'http', endPort: 90 }] }] }, 'endPort'],
    ['endPort below port', { podSelector: {}, egress: [{ ports: [{ port: 100, endPort: 90 }] }] }, 'endPort'],
    [
      'ipBlock with a selector',
      { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] },
      'both ipBlock',
    ],
    ['an empty peer', { podSelector: {}, ingress: [{ from: [{}] }] }, 'must specify a peer'],
  ];
  for (const [name, spec, text] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => compileNetworkPolicies({ policies: [bad(spec)] })).toThrow(PolicyError);
      expect(() => compileNetworkPolicies({ policies: [bad(spec)] })).toThrow(text);
    });
  }
});
