// Cluster DNS: CoreDNS kubernetes-plugin answers (model) and the server over UDP/TCP (dig).
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterDns, ServiceTable } from '../src/index.js';
import { type DnsServer, startDnsServer } from '../src/proxy/index.js';
import { yaml } from './fixtures.js';

const objects = yaml(`
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { clusterIP: 10.96.0.20, ports: [{ name: http, port: 80, protocol: TCP }] }
---
apiVersion: v1
kind: Service
metadata: { name: db, namespace: shop }
spec: { clusterIP: None, ports: [{ name: pg, port: 5432, protocol: TCP }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
# The EndpointSlice controller labels a headless Service's slices service.kubernetes.io/headless
# (pkg/controller/endpointslice/reconciler.go, setEndpointSliceLabels); kube-proxy skips them, CoreDNS does not.
metadata: { name: db-1, namespace: shop, labels: { kubernetes.io/service-name: db, service.kubernetes.io/headless: '' } }
addressType: IPv4
endpoints:
  - { addresses: [10.244.1.5], hostname: db-0 }
  - { addresses: [10.244.2.6] }
  - { addresses: [10.244.3.7], conditions: { ready: false } }
ports: [{ name: pg, port: 5432, protocol: TCP }]
---
apiVersion: v1
kind: Service
metadata: { name: ext, namespace: shop }
spec: { type: ExternalName, externalName: example.com }
`);
const dns = new ClusterDns(ServiceTable.from(objects));
const answer = (name: string, type: string) => dns.answer({ name, type });

describe('ClusterDns (model)', () => {
  it('answers A for a ClusterIP Service with TTL 5', () => {
    const a = answer('web.shop.svc.cluster.local', 'A');
    expect(a.rcode).toBe('NOERROR');
    expect(a.answers).toEqual([{ name: 'web.shop.svc.cluster.local', type: 'A', ttl: 5, data: '10.96.0.20' }]);
  });

  it('answers a headless Service with its ready endpoints’ IPs', () => {
    expect(answer('db.shop.svc.cluster.local', 'A').answers.map((r) => r.data)).toEqual(['10.244.1.5', '10.244.2.6']);
    expect(answer('db-0.db.shop.svc.cluster.local', 'A').answers[0]?.data).toBe('10.244.1.5');
  });

  it('answers SRV _port._proto with the service name as target (ClusterIP) or each endpoint (headless)', () => {
    expect(answer('_http._tcp.web.shop.svc.cluster.local', 'SRV').answers[0]?.data).toEqual({
      priority: 0,
      weight: 100,
      port: 80,
      target: 'web.shop.svc.cluster.local',
    });
    const headless = answer('_pg._tcp.db.shop.svc.cluster.local', 'SRV');
    expect(headless.answers.map((r) => (r.type === 'SRV' ? r.data.target : ''))).toEqual([
      'db-0.db.shop.svc.cluster.local',
      '10-244-2-6.db.shop.svc.cluster.local',
    ]);
    expect(headless.additionals.map((r) => r.data)).toEqual(['10.244.1.5', '10.244.2.6']);
  });

  it('answers an ExternalName Service with a CNAME', () => {
    expect(answer('ext.shop.svc.cluster.local', 'A').answers).toEqual([
      { name: 'ext.shop.svc.cluster.local', type: 'CNAME', ttl: 5, data: 'example.com' },
    ]);
  });

  it('answers pod A records from the dashed name (pods insecure)', () => {
    expect(answer('10-244-1-5.shop.pod.cluster.local', 'A').answers[0]?.data).toBe('10.244.1.5');
  });

  it('tells NXDOMAIN from NODATA, both with the zone SOA', () => {
    const nx = answer('nope.shop.svc.cluster.local', 'A');
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.authority[0]?.type).toBe('SOA');
    const nodata = answer('web.shop.svc.cluster.local', 'AAAA');
    expect(nodata.rcode).toBe('NOERROR');
    expect(nodata.answers).toEqual([]);
    expect(nodata.authority[0]).toMatchObject({
      type: 'SOA',
      data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', minimum: 5 },
    });
  });

  it('refuses names outside the cluster zone (nothing is forwarded off loopback)', () => {
    expect(answer('example.com', 'A').rcode).toBe('REFUSED');
  });

  it('expands short names through the pod search path (ndots:5)', () => {
    expect(dns.expandQuery('web', 'shop')).toEqual([
      'web.shop.svc.cluster.local',
      'web.svc.cluster.local',
      'web.cluster.local',
      'web',
    ]);
    expect(dns.expandQuery('web.shop.svc.cluster.local.', 'shop')).toEqual(['web.shop.svc.cluster.local']);
  });
});

// dig is Debian dnsutils; CI installs it, so there a missing dig fails instead of skipping.
const digPath = ['/usr/bin/dig', '/bin/dig', '/usr/local/bin/dig'].find((p) => existsSync(p));
if (!digPath && process.env.CI === 'true') throw new Error('dig (dnsutils) is required in CI');
const run = promisify(execFile);
/** The RCODE a decoded response carries (dns-packet decodes it; its types omit the field). */
const rcodeOf = (message: Buffer) => (dnsPacket.decode(message) as { rcode?: string }).rcode;

describe.runIf(digPath !== undefined)(
  digPath ? 'DNS server over UDP and TCP (dig)' : 'DNS server (skipped: dig not found; apt-get install dnsutils)',
  () => {
    let server: DnsServer;
    beforeAll(async () => {
      server = await startDnsServer(dns);
    });
    afterAll(() => server.close());
    const dig = async (...args: string[]) =>
      (await run(digPath as string, ['@127.0.0.1', '-p', String(server.port), '+time=2', '+tries=1', ...args])).stdout;

    it('answers A over UDP', async () => {
      const out = await dig('+short', 'web.shop.svc.cluster.local', 'A');
      expect(out.trim()).toBe('10.96.0.20');
    });

    it('answers SRV over TCP', async () => {
      const out = await dig('+tcp', '+short', '_http._tcp.web.shop.svc.cluster.local', 'SRV');
      expect(out.trim()).toBe('0 100 80 web.shop.svc.cluster.local.');
    });

    it('reports NXDOMAIN with an authoritative SOA', async () => {
      const out = await dig('nope.shop.svc.cluster.local', 'A');
      expect(out).toContain('status: NXDOMAIN');
      expect(out).toMatch(/flags: qr aa rd/);
      expect(out).toMatch(/cluster\.local\.\s+5\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\./);
    });

    it('answers a malformed UDP query with FORMERR and ignores a runt', async () => {
      const socket = dgram.createSocket('udp4');
      try {
        const reply = new Promise<Buffer>((r) => socket.once('message', (m) => r(m)));
        const bad = Buffer.alloc(20, 0xff);
        bad.writeUInt16BE(0x1234, 0);
        bad.writeUInt16BE(0x0100, 2); // a query (QR=0), RD
        bad.writeUInt16BE(1, 4); // one question… whose name runs off the end
        socket.send(Buffer.from([1, 2, 3]), server.port, '127.0.0.1');
        socket.send(bad, server.port, '127.0.0.1');
        const m = await reply;
        expect(m.readUInt16BE(0)).toBe(0x1234);
        expect(rcodeOf(m)).toBe('FORMERR');
      } finally {
        socket.close();
      }
    });

    it('answers an oversized TCP query with FORMERR and closes', async () => {
      const socket = net.connect(server.port, '127.0.0.1');
      const query = dnsPacket.encode({ id: 7, type: 'query', questions: [{ type: 'A', name: 'web.shop.svc.cluster.local' }] });
      const big = Buffer.concat([query, Buffer.alloc(6000)]);
      const frame = Buffer.alloc(2);
      frame.writeUInt16BE(big.length);
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      socket.write(Buffer.concat([frame, big]));
      await new Promise((r) => socket.once('close', r));
      const reply = Buffer.concat(chunks);
      expect(rcodeOf(reply.subarray(2))).toBe('FORMERR');
    });

    it('answers two questions in one query with FORMERR', async () => {
      const socket = dgram.createSocket('udp4');
      try {
        const reply = new Promise<Buffer>((r) => socket.once('message', (m) => r(m)));
        socket.send(
          dnsPacket.encode({
            id: 9,
            type: 'query',
            questions: [
              { type: 'A', name: 'a.cluster.local' },
              { type: 'A', name: 'b.cluster.local' },
            ],
          }),
          server.port,
          '127.0.0.1',
        );
        expect(rcodeOf(await reply)).toBe('FORMERR');
      } finally {
        socket.close();
      }
    });
  },
);
