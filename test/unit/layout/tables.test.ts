import { describe, expect, test } from '@jest/globals';
import { buildTables, TableConflictError, translate, type MemoryKind } from '../../../compiler/layout/tables.js';
import { EL2_NORMAL, el2Format, S2_DEVICE, S2_NORMAL, stage2Format } from '../../../compiler/arch/aarch64/vmsa.js';
import { MiB, GiB, subtract } from '../../../compiler/util/ranges.js';

const map = (base: bigint, size: bigint, pa: bigint, kind: MemoryKind = 'ram') => ({ base, size, pa, kind, label: 'test' });

describe('translation tables', () => {
  test('a 2 MiB-aligned region uses 2 MiB blocks under one level-2 table', () => {
    const set = buildTables([map(0x4000_0000n, 16n * MiB, 0x4800_0000n)], stage2Format);
    expect(set.tables.map((t) => t.level)).toEqual([1, 2]);
    const l2 = set.tables[1]!;
    expect(l2.entries.filter((e) => e.kind === 'leaf')).toHaveLength(8);
    // Level-2 block descriptors have type 0b01.
    const first = l2.entries.find((e) => e.kind === 'leaf')!;
    expect(first.kind === 'leaf' && first.descriptor & 3n).toBe(1n);
  });

  test('a whole aligned GiB is one level-1 block', () => {
    const set = buildTables([map(GiB, GiB, GiB)], el2Format);
    expect(set.tables).toHaveLength(1);
    expect(translate(set, GiB + 0x1234n)).toEqual({ pa: GiB + 0x1234n, attributes: EL2_NORMAL, level: 1 });
  });

  test('unaligned pieces fall back to 4 KiB pages, and every address translates like the MMU would', () => {
    const set = buildTables([map(0x0900_0000n, 0x1000n, 0x0900_0000n, 'device'), map(0x4010_0000n, 3n * MiB, 0x5000_0000n)], stage2Format);
    expect(set.tables.some((t) => t.level === 3)).toBe(true);
    expect(translate(set, 0x0900_0010n)).toEqual({ pa: 0x0900_0010n, attributes: S2_DEVICE, level: 3 });
    for (const off of [0n, 0x1000n, MiB, 2n * MiB, 3n * MiB - 8n]) {
      expect(translate(set, 0x4010_0000n + off)?.pa).toBe(0x5000_0000n + off);
    }
    expect(translate(set, 0x4010_0000n + 3n * MiB)).toBeUndefined();
    expect(translate(set, 0x0900_1000n)).toBeUndefined();
  });

  test('a read-only RAM mapping clears stage 2\'s write permission and nothing else', () => {
    const set = buildTables([{ ...map(GiB, 2n * MiB, GiB), readOnly: true }], stage2Format);
    expect(translate(set, GiB)?.attributes).toBe(S2_NORMAL & ~(2n << 6n));
  });

  test('mapping the same address twice is refused', () => {
    expect(() => buildTables([map(0n, 2n * MiB, 0n), map(MiB, 4096n, 0n)], stage2Format)).toThrow(TableConflictError);
  });

  test('addresses beyond the input range are refused', () => {
    expect(() => buildTables([map(1n << 39n, 4096n, 0n)], stage2Format)).toThrow(/beyond the 39-bit/);
  });
});

describe('ranges', () => {
  test('subtract leaves the free pieces in address order', () => {
    expect(subtract([{ base: 0n, size: 100n }], [{ base: 10n, size: 10n }, { base: 50n, size: 60n }])).toEqual([
      { base: 0n, size: 10n },
      { base: 20n, size: 30n },
    ]);
  });
});
