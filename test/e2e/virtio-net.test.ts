import { beforeAll, describe, expect, test } from '@jest/globals';
import { buildExampleGuests, hvcc, tempDir } from './harness.js';

beforeAll(() => buildExampleGuests());

const MAC = (n: string) => `52:54:00:00:00:${n}`;

describe('virtio-net and the virtual switch', () => {
  test('unicast reaches only its card, broadcast and multicast reach every card, a spoofed source is dropped', () => {
    const r = hvcc(['run', 'examples/virtio-net/system.dts', '-O', tempDir('net'), '--timeout', '60']);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('ERROR');
    const lines = r.stdout.split('\n');
    const got = (g: string) => lines.filter((l) => l.startsWith(`[${g}] net: got `)).map((l) => l.slice(`[${g}] net: got `.length));
    expect(lines).toContain('[a] net: b answered the ping');
    // c: broadcasts, the multicast and its own "done"; nothing for b, nobody, or from a pretending to be c.
    const c = got('c');
    expect(c.filter((l) => !l.endsWith(': who'))).toEqual([
      `ff:ff:ff:ff:ff:ff from ${MAC('0a')}: hello everyone`,
      `01:00:5e:00:00:01 from ${MAC('0a')}: hello multicast group`,
      `${MAC('0c')} from ${MAC('0a')}: done`,
    ]);
    expect(c.filter((l) => l.endsWith(': who')).length).toBeGreaterThan(0);
    // b: also its ping and its secret; never the spoofed frame.
    const b = got('b').filter((l) => !l.endsWith(': who'));
    expect(b).toEqual([
      `${MAC('0b')} from ${MAC('0a')}: ping 1`,
      `ff:ff:ff:ff:ff:ff from ${MAC('0a')}: hello everyone`,
      `01:00:5e:00:00:01 from ${MAC('0a')}: hello multicast group`,
      `${MAC('0b')} from ${MAC('0a')}: secret for b`,
      `${MAC('0b')} from ${MAC('0a')}: done`,
    ]);
    // a: the answers addressed to it only.
    expect(got('a').every((l) => l.startsWith(`${MAC('0a')} from `))).toBe(true);
    expect(r.stdout).not.toContain('pretending to be c');
    expect(r.stdout).not.toContain('for an address nobody has');
    expect(r.stdout).toContain('[hv] all guests have stopped, powering off');
  });

  test("a network's uplink reaches QEMU's user-mode network: an ARP request for the gateway is answered", () => {
    const r = hvcc(['run', 'examples/net-uplink/system.dts', '-O', tempDir('uplink'), '--timeout', '60', '--', '-netdev', 'user,id=n0', '-device', 'virtio-net-device,netdev=n0']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\[hv\] network \/hypervisor\/lan: uplink virtio-net at 0xa003e00 \(virtio-mmio version [12]\)/);
    expect(r.stdout).toContain('[arp] net: 10.0.2.2 is at 52:55:0a:00:02:02 (the answer came through the uplink)');
    expect(r.stdout).not.toContain('ERROR');
  });
});
