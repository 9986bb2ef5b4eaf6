/**
 * Shared memory: a region is placed once in host RAM and mapped into each sharer at its own window, with
 * its own permission; `hvcc map` shows who shares it and which doorbells ring whom.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { analyze } from '../../../compiler/driver/analyze.js';
import { translate } from '../../../compiler/layout/tables.js';
import { ledger, ledgerText } from '../../../compiler/map/ledger.js';
import { packageRoot } from '../../../compiler/paths.js';

beforeAll(() => {
  execFileSync('make', ['-s', '-C', join(packageRoot, 'examples', 'guests')]);
});

describe('shared memory', () => {
  test('one region in host RAM, mapped read-write into the producer and read-only into the consumer', () => {
    const result = analyze({ file: join(packageRoot, 'examples', 'shared-memory', 'system.dts') });
    expect(result.diagnostics).toEqual([]);
    const layout = result.layout!;
    expect(layout.shared).toHaveLength(1);
    const region = layout.shared![0]!;
    expect(region.size).toBe(0x10000n);
    expect(region.sharers).toEqual([
      { guest: 'producer', ipa: 0x5000_0000n, readOnly: false },
      { guest: 'consumer', ipa: 0x5000_0000n, readOnly: true },
    ]);
    // Outside every guest's RAM and the hypervisor's.
    for (const g of layout.guests) for (const m of g.memory) expect(region.pa + region.size <= m.pa || m.pa + m.size <= region.pa).toBe(true);
    expect(region.pa >= layout.hypervisor.base + layout.hypervisor.size).toBe(true);

    const [producer, consumer] = layout.guests;
    const p = translate(producer!.stage2, 0x5000_0000n + 0x123n);
    const c = translate(consumer!.stage2, 0x5000_0000n + 0x123n);
    expect(p?.pa).toBe(region.pa + 0x123n);
    expect(c?.pa).toBe(region.pa + 0x123n);
    // Stage-2 access permissions (S2AP, bits 7:6): read-write for the producer, read-only for the consumer.
    expect((p!.attributes >> 6n) & 3n).toBe(3n);
    expect((c!.attributes >> 6n) & 3n).toBe(1n);
    // Nothing past the window.
    expect(translate(consumer!.stage2, 0x5001_0000n)).toBeUndefined();

    const text = ledgerText(ledger(result.system!, layout));
    expect(text).toContain('shared:ring');
    expect(text).toContain('shared with producer (read-write at 0x50000000), consumer (read-only at 0x50000000); doorbells producer -> consumer, consumer -> producer');
  });

  test("the region's window stays in the guest's device tree without the hypervisor's properties", () => {
    const result = analyze({ file: join(packageRoot, 'examples', 'shared-memory', 'system.dts') });
    const tree = result.layout!.guests[1]!.deviceTree!;
    const shm = tree.root.children.find((n) => n.name === 'shm')!;
    expect(shm.properties.map((p) => p.name)).toEqual(['compatible', 'reg', 'read-only']);
    const bell = tree.root.children.find((n) => n.name === 'doorbell')!;
    expect(bell.properties.map((p) => p.name)).not.toContain('targets');
    expect(bell.properties.map((p) => p.name)).not.toContain('memory-region');
  });
});
