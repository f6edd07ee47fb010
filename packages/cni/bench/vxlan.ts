// VXLAN encode+decode frames/s (64-byte UDP payload, IPv4 inner).
import { decodeVxlan, encodeVxlan, type InnerPacket } from '../src/index.js';

export function benchVxlan(): void {
  const packet: InnerPacket = {
    srcMac: Uint8Array.of(0x0e, 0x2a, 127, 0, 0, 2),
    dstMac: Uint8Array.of(0x0e, 0x2a, 127, 0, 0, 3),
    src: Uint8Array.of(10, 244, 0, 2),
    dst: Uint8Array.of(10, 244, 1, 2),
    transport: { protocol: 'UDP', srcPort: 40000, dstPort: 53 },
    payload: new Uint8Array(64).fill(7),
  };
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 2000) {
    for (let i = 0; i < 10_000; i++) {
      const e = encodeVxlan(1, packet);
      if (e.ok && !decodeVxlan(e.bytes).ok) throw new Error('round trip failed');
    }
    n += 10_000;
  }
  const secs = (performance.now() - start) / 1000;
  console.log(`vxlan: ${Math.round(n / secs).toLocaleString('en-US')} encode+decode frames/s (target >= 1,000,000)`);
}
