// The datagram path puts real RFC 7348 frames on the wire: tshark decodes outer and inner headers
// (`-d udp.port==PORT,vxlan`, as one would for flannel's 8472) and finds the checksums good.
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileNetworkPolicies } from '../policy/engine.js';
import { startNodeAgent } from './agent.js';
import { MemoryDirectory } from './directory.js';

const tshark = spawnSync('sh', ['-c', 'command -v tshark'], { encoding: 'utf8' }).stdout.trim();
if (!tshark && process.env.CI === 'true') throw new Error('tshark is required in CI (apt-get install tshark)');
if (!tshark) console.warn('skipping the VXLAN capture test: tshark is not installed');
const dir = mkdtempSync(join(tmpdir(), 'kemu-cni-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(tshark)('VXLAN on the wire', () => {
  it('is decoded by tshark: VNI 1, outer agent addresses, inner pod addresses, good checksums', async () => {
    const directory = new MemoryDirectory();
    const policy = () => compileNetworkPolicies({ policies: [] });
    const a = await startNodeAgent({ node: 'a', address: '127.0.0.6', directory, policy });
    const b = await startNodeAgent({ node: 'b', address: '127.0.0.7', directory, policy });
    const sink = dgram.createSocket('udp4');
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
    try {
      await b.addPod({
        namespace: 'default',
        name: 'dns',
        ip: '10.244.7.2',
        udp: { 31000: { host: '127.0.0.1', port: sink.address().port } },
      });
      await a.addPod({ namespace: 'default', name: 'client', ip: '10.244.6.2' });
      const port = b.endpoint.vxlanPort;
      const file = join(dir, 'vxlan.pcap');
      const capture = spawn(tshark, [
        '-i',
        'lo',
        '-f',
        `udp dst port ${port} and dst host 127.0.0.7`,
        '-c',
        '1',
        '-w',
        file,
        '-a',
        'duration:15',
      ]);
      // tshark logs "Capture started" once packets are being captured; give libpcap a moment more.
      await new Promise<void>((resolve) => {
        let text = '';
        capture.stderr.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('Capture started')) resolve();
        });
      });
      await new Promise((r) => setTimeout(r, 300));
      const got = new Promise<void>((r) => sink.once('message', () => r()));
      expect(a.sendDatagram('10.244.6.2', 40000, '10.244.7.2', 31000, Buffer.from('kemu'))).toEqual({ ok: true });
      await got;
      await new Promise<void>((r) => capture.on('exit', () => r()));
      const fields = [
        'vxlan.vni',
        'ip.src',
        'ip.dst',
        'udp.dstport',
        'udp.checksum.status',
        'ip.checksum.status',
        'eth.src',
        'data.data',
      ];
      const out = spawnSync(
        tshark,
        [
          '-r',
          file,
          '-d',
          `udp.port==${port},vxlan`,
          '-o',
          'udp.check_checksum:TRUE',
          '-o',
          'ip.check_checksum:TRUE',
          '-T',
          'fields',
          '-E',
          'separator=|',
          ...fields.flatMap((f) => ['-e', f]),
        ],
        { encoding: 'utf8' },
      );
      const [vni, src, dst, dport, udpCsum, ipCsum, eth, data] = out.stdout.trim().split('|');
      expect(vni).toBe('1');
      expect(src).toBe('127.0.0.6,10.244.6.2');
      expect(dst).toBe('127.0.0.7,10.244.7.2');
      expect(dport).toBe(`${port},31000`);
      expect(udpCsum?.split(',').at(-1)).toBe('1'); // proto.h: 0 bad, 1 good, 2 unverified
      expect(ipCsum?.split(',').at(-1)).toBe('1');
      expect(eth).toContain('0e:2a:7f:00:00:06');
      expect(data).toBe(Buffer.from('kemu').toString('hex'));
    } finally {
      sink.close();
      await a.close();
      await b.close();
    }
  });
});
