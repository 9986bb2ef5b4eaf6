/**
 * The aarch64 translation tables of real descriptions, checked by a walker written from the Arm ARM's
 * VMSAv8-64 rules (4 KiB granule), not by the builder's own walk: the input range and starting level come
 * from the register values the runtime programs (TCR_EL2.T0SZ for the hypervisor's stage 1, VTCR_EL2.T0SZ
 * and SL0 for a guest's stage 2), the root from where the tables lie in memory, laid out as the linker lays
 * them (each table aligned to its size, 64 bytes at least, and no more), and the descriptors are read as the
 * hardware reads them. A wrong T0SZ, SL0 or root alignment makes some walk below differ.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { analyze } from '../../../compiler/driver/analyze.js';
import { buildTables, translate, type TableSet } from '../../../compiler/layout/tables.js';
import type { Layout } from '../../../compiler/layout/layout.js';
import { el2Format, el2Tcr, stage2Format, vtcr } from '../../../compiler/arch/aarch64/vmsa.js';
import { packageRoot } from '../../../compiler/paths.js';
import { GiB, MiB, type Range } from '../../../compiler/util/ranges.js';

beforeAll(() => {
  execFileSync('make', ['-s', '-C', join(packageRoot, 'examples', 'guests')]);
});

const PAGE = 4096n;
const bits = (v: bigint, hi: number, lo: number) => (v >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);

interface Memory {
  words: Map<bigint, bigint>;
  root: bigint;
}

/** Places the tables in memory from `at`, each at the next address aligned to its size (64 bytes at least) after `gap` bytes, root first. */
function lay(set: TableSet, at: bigint, gap = 0n): Memory {
  const addr: bigint[] = [];
  let next = at;
  for (const t of set.tables) {
    const bytes = BigInt(t.entries.length) * 8n;
    const align = bytes < 64n ? 64n : bytes;
    next = ((next + align - 1n) / align) * align;
    addr.push(next);
    next += bytes + gap;
  }
  const words = new Map<bigint, bigint>();
  set.tables.forEach((t, ti) =>
    t.entries.forEach((e, i) => {
      // What ld.lld writes for `ptrtoint(table) + tableBits`.
      const v = e.kind === 'leaf' ? e.descriptor : e.kind === 'table' ? addr[e.table]! + set.format.tableBits : 0n;
      words.set(addr[ti]! + BigInt(i) * 8n, v);
    }),
  );
  return { words, root: addr[0]! };
}

type Walk = { pa: bigint; level: number; desc: bigint } | { fault: string; level: number };

/**
 * The walk. `stage2`: VTCR_EL2 says the input size (T0SZ) and the starting level (SL0, checked against the
 * size as AArch64.S2InconsistentSL does); otherwise TCR_EL2 (one VA range, TTBR0_EL2), where T0SZ alone
 * gives the starting level. The root's address bits below its size are RES0: the walk ignores them, as the
 * hardware does, so a root that is not aligned to its size is read from the wrong place.
 */
function walk(mem: Memory, control: bigint, address: bigint, stage2: boolean): Walk {
  const t0sz = Number(control & 0x3fn);
  expect(Number(bits(control, 15, 14))).toBe(0); // TG0: 4 KiB
  if (t0sz < 16 || t0sz > 39) return { fault: `T0SZ ${t0sz} out of range`, level: 0 };
  const iasize = 64 - t0sz;
  let start: number;
  if (stage2) {
    const sl0 = Number(bits(control, 7, 6));
    if (sl0 === 3) return { fault: 'reserved SL0', level: 0 };
    start = 2 - sl0;
    const levels = 3 - start;
    const min = levels * 9 + 12 + 1;
    if (iasize < min || iasize > min + 8 + 4) return { fault: 'SL0 inconsistent with T0SZ', level: 0 };
  } else {
    start = 3 - Math.floor((iasize - 1 - 12) / 9);
  }
  // An input address beyond the range: a translation fault at level 0, before any table is read.
  if (address >> BigInt(iasize) !== 0n) return { fault: 'beyond the input range', level: 0 };
  const rootBits = iasize - (12 + 9 * (3 - start));
  let table = mem.root & ~((1n << BigInt(Math.max(rootBits + 3, 6))) - 1n);
  for (let level = start; ; level++) {
    const shift = 12 + 9 * (3 - level);
    const width = level === start ? rootBits : 9;
    const index = bits(address, shift + width - 1, shift);
    const desc = mem.words.get(table + index * 8n);
    if (desc === undefined) return { fault: `read outside the tables at ${table.toString(16)}+${index}`, level };
    if ((desc & 1n) === 0n) return { fault: 'translation fault', level };
    const isTable = (desc & 2n) !== 0n;
    if (level === 3 ? !isTable : !isTable && level === 0) return { fault: 'reserved descriptor', level };
    if (isTable && level < 3) {
      table = bits(desc, 47, 12) << 12n;
      continue;
    }
    if ((desc & (1n << 10n)) === 0n) return { fault: 'access flag fault', level };
    const out = (bits(desc, 47, shift) << BigInt(shift)) | bits(address, shift - 1, 0);
    return { pa: out, level, desc };
  }
}

/** Every valid leaf the tables hold, as [input, output, size], found from the root the registers describe. */
function leaves(mem: Memory, control: bigint, stage2: boolean): { ia: bigint; pa: bigint; size: bigint; desc: bigint }[] {
  const t0sz = Number(control & 0x3fn);
  const iasize = 64 - t0sz;
  const start = stage2 ? 2 - Number(bits(control, 7, 6)) : 3 - Math.floor((iasize - 13) / 9);
  const out: { ia: bigint; pa: bigint; size: bigint; desc: bigint }[] = [];
  const visit = (table: bigint, level: number, base: bigint, count: number) => {
    const shift = BigInt(12 + 9 * (3 - level));
    for (let i = 0; i < count; i++) {
      const desc = mem.words.get(table + BigInt(i) * 8n)!;
      if ((desc & 1n) === 0n) continue;
      const ia = base + (BigInt(i) << shift);
      if ((desc & 2n) !== 0n && level < 3) visit(bits(desc, 47, 12) << 12n, level + 1, ia, 512);
      else out.push({ ia, pa: bits(desc, 47, Number(shift)) << shift, size: 1n << shift, desc });
    }
  };
  const rootBits = iasize - (12 + 9 * (3 - start));
  visit(mem.root & ~((1n << BigInt(Math.max(rootBits + 3, 6))) - 1n), start, 0n, 1 << rootBits);
  return out;
}

const inside = (r: Range, outer: readonly Range[]) => outer.some((o) => r.base >= o.base && r.base + r.size <= o.base + o.size);

/** Addresses to try in a range: every page of a small one; of a large one the first, the last and every 2 MiB boundary's neighbours. */
function probes(r: Range): bigint[] {
  if (r.size <= 64n * PAGE) return Array.from({ length: Number(r.size / PAGE) }, (_, i) => r.base + BigInt(i) * PAGE + 0x10n);
  const out = [r.base, r.base + r.size - 8n];
  for (let a = r.base + 2n * MiB; a < r.base + r.size; a += 2n * MiB) out.push(a - 8n, a);
  return out;
}

const EXAMPLES = ['two-guests', 'containment', 'shared-memory', 'passthrough', 'virtio-console', 'rtc-emulated'];

function layoutOf(example: string): Layout {
  const result = analyze({ file: join(packageRoot, 'examples', example, 'system.dts') });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.layout!;
}

describe.each(EXAMPLES)('aarch64 tables of examples/%s, walked as the MMU walks them', (example) => {
  test("each guest reaches exactly its RAM, its shared windows and its passed-through devices, and faults elsewhere, beyond its input range included", () => {
    const layout = layoutOf(example);
    const system = analyze({ file: join(packageRoot, 'examples', example, 'system.dts') }).system!;
    layout.guests.forEach((g, gi) => {
      const control = g.arch[0]!;
      const mem = lay(g.stage2, 0x4010_0040n);
      const model = system.guests[gi]!;
      const iasize = 64 - Number(control & 0x3fn);
      // The range the registers say is the one the tables were built for, and it holds every IPA the guest uses.
      expect(iasize).toBe(g.stage2.format.inputBits);
      const used: Range[] = [...g.memory.map((m) => ({ base: m.ipa, size: m.size })), ...model.devices.flatMap((d) => d.reg), ...model.shared.map((w) => ({ base: w.ipa, size: w.size }))];
      for (const r of used) expect(r.base + r.size <= 1n << BigInt(iasize)).toBe(true);

      // Where its leaves may lead: its RAM, its shared regions, its passed-through devices' windows.
      const allowed: Range[] = [
        ...g.memory.map((m) => ({ base: m.pa, size: m.size })),
        ...(layout.shared ?? []).filter((s) => s.sharers.some((x) => x.guest === g.name)).map((s) => ({ base: s.pa, size: s.size })),
        ...model.passthrough.flatMap((p) => system.board.devices.find((d) => d.path === p.device)!.reg.map((r) => ({ base: r.base, size: ((r.size + PAGE - 1n) / PAGE) * PAGE }))),
      ];
      const all = leaves(mem, control, true);
      expect(all.length).toBeGreaterThan(0);
      for (const l of all) expect(inside({ base: l.pa, size: l.size }, allowed)).toBe(true);

      // RAM: every probe lands at its own PA, Normal write-back (MemAttr 0b1111), read-write (S2AP 0b11), executable.
      for (const m of g.memory) {
        for (const ipa of probes({ base: m.ipa, size: m.size })) {
          const w = walk(mem, control, ipa, true);
          expect(w).toMatchObject({ pa: m.pa + (ipa - m.ipa) });
          if ('desc' in w) {
            expect(bits(w.desc, 5, 2)).toBe(0xfn);
            expect(bits(w.desc, 7, 6)).toBe(3n);
            expect(bits(w.desc, 54, 53)).toBe(0n);
          }
        }
        // Just outside: a fault unless something else of the guest's is mapped there.
        for (const ipa of [m.ipa - PAGE, m.ipa + m.size]) {
          if (ipa < 0n || inside({ base: ipa, size: 1n }, used)) continue;
          expect(walk(mem, control, ipa, true)).toHaveProperty('fault');
        }
      }
      // Emulated devices are not mapped: their accesses fault into the hypervisor, which emulates them.
      for (const d of model.devices) for (const r of d.reg) expect(walk(mem, control, r.base, true)).toHaveProperty('fault', 'translation fault');
      // The top of the input range faults (nothing is mapped that high), and so does everything beyond it.
      const top = 1n << BigInt(iasize);
      if (!inside({ base: top - PAGE, size: PAGE }, used)) expect(walk(mem, control, top - PAGE, true)).toHaveProperty('fault', 'translation fault');
      for (const ipa of [top, top + g.memory[0]!.ipa, (1n << 39n) - PAGE, 1n << 47n]) expect(walk(mem, control, ipa, true)).toEqual({ fault: 'beyond the input range', level: 0 });

      // The builder's own walk, used by `hvcc map`, agrees with the hardware's over the whole 39-bit range.
      for (let ipa = 0n; ipa < 1n << 39n; ipa += 1n << 30n) {
        for (const off of [0n, 0x1000n, 0x0900_0000n, 0x1000_0000n]) {
          const hw = walk(mem, control, ipa + off, true);
          const own = translate(g.stage2, ipa + off);
          expect('pa' in hw ? hw.pa : undefined).toBe(own?.pa);
        }
      }
    });
  });

  test("the hypervisor's identity map: RAM and its drivers' devices at their own addresses, nothing else", () => {
    const layout = layoutOf(example);
    const control = layout.arch[0]!;
    const mem = lay(layout.hv.tables, 0x4008_0000n);
    expect(64 - Number(control & 0x3fn)).toBe(layout.hv.tables.format.inputBits);
    for (const m of layout.hv.mappings) {
      for (const va of probes(m)) {
        const w = walk(mem, control, va, false);
        expect(w).toMatchObject({ pa: va });
        // AttrIndx (bits 4:2): 1 Normal for RAM, 0 Device for devices, which are also execute-never.
        if ('desc' in w) expect([bits(w.desc, 4, 2), bits(w.desc, 54, 54)]).toEqual(m.kind === 'ram' ? [1n, 0n] : [0n, 1n]);
      }
    }
    for (const l of leaves(mem, control, false)) expect(inside({ base: l.ia, size: l.size }, layout.hv.mappings)).toBe(true);
    const top = 1n << BigInt(64 - Number(control & 0x3fn));
    expect(walk(mem, control, top, false)).toEqual({ fault: 'beyond the input range', level: 0 });
  });
});

describe('sizing the input range', () => {
  const ram = (base: bigint, size: bigint, pa: bigint) => ({ base, size, pa, kind: 'ram' as const, label: 'ram' });

  test('the two-guest example: 31-bit spaces, level-1 roots of two entries, VTCR_EL2.SL0 = 1', () => {
    const layout = layoutOf('two-guests');
    for (const g of layout.guests) {
      expect(g.stage2.format.inputBits).toBe(31);
      expect(g.stage2.tables[0]!.entries).toHaveLength(2);
      expect(g.arch[0]! & 0x3fn).toBe(33n);
      expect(bits(g.arch[0]!, 7, 6)).toBe(1n);
    }
    // The hypervisor maps RAM up to 0x80000000: 31 bits as well.
    expect(layout.arch[0]! & 0x3fn).toBe(33n);
    expect(layout.hv.tables.tables[0]!.entries).toHaveLength(2);
  });

  test('a space below 1 GiB starts at level 2 (SL0 = 0), with a root of 2^(bits - 21) entries', () => {
    const set = buildTables([ram(0n, 16n * MiB, GiB), { base: 0x0900_0000n, size: PAGE, pa: 0x0900_0000n, kind: 'device', label: 'uart' }], stage2Format);
    // The UART's page ends at 0x09001000: 28 bits, a root of 128 entries at level 2.
    expect(set.format.inputBits).toBe(28);
    expect(set.format.startLevel).toBe(2);
    expect(set.tables[0]!.entries).toHaveLength(128);
    const control = vtcr(set.format);
    expect([control & 0x3fn, bits(control, 7, 6)]).toEqual([36n, 0n]);
    const mem = lay(set, 0x4000_0040n);
    expect(walk(mem, control, 0x12_3450n, true)).toMatchObject({ pa: GiB + 0x12_3450n, level: 2 });
    expect(walk(mem, control, 0x0900_0010n, true)).toMatchObject({ pa: 0x0900_0010n, level: 3 });
    expect(walk(mem, control, 16n * MiB, true)).toHaveProperty('fault', 'translation fault');
    expect(walk(mem, control, 0x0900_1000n, true)).toHaveProperty('fault', 'translation fault');
    expect(walk(mem, control, 1n << 28n, true)).toEqual({ fault: 'beyond the input range', level: 0 });
    // Stage 1 has the same geometry: TCR_EL2.T0SZ 39 starts at level 2.
    const hv = buildTables([ram(0n, 16n * MiB, 0n)], el2Format);
    expect([hv.format.inputBits, el2Tcr(hv.format) & 0x3fn]).toEqual([25, 39n]);
    expect(walk(lay(hv, 0x4000_0040n), el2Tcr(hv.format), 0x10n, false)).toMatchObject({ pa: 0x10n, level: 2 });
  });

  test('a space reaching 2^39 keeps a whole level-1 root; beyond it is refused', () => {
    const set = buildTables([ram((1n << 39n) - 2n * MiB, 2n * MiB, GiB)], stage2Format);
    expect([set.format.inputBits, set.format.startLevel, set.tables[0]!.entries.length]).toEqual([39, 1, 512]);
    expect(walk(lay(set, 0x4000_0000n), vtcr(set.format), (1n << 39n) - 8n, true)).toMatchObject({ pa: GiB + 2n * MiB - 8n });
    expect(() => buildTables([ram(1n << 39n, 2n * MiB, GiB)], stage2Format)).toThrow(/beyond the 39-bit/);
  });

  test('emulated device windows count: a trap high above RAM is still inside the range', () => {
    const set = buildTables([ram(GiB, 16n * MiB, GiB)], stage2Format, 0x1_0000_1000n);
    expect(set.format.inputBits).toBe(33);
    expect(set.tables[0]!.entries).toHaveLength(8);
  });

  test('the walker notices a wrong T0SZ, a wrong SL0 and a misaligned root', () => {
    const set = buildTables([ram(GiB, 16n * MiB, 0x4800_0000n)], stage2Format);
    const control = vtcr(set.format);
    const good = lay(set, 0x4000_0040n);
    expect(walk(good, control, GiB + 0x10n, true)).toMatchObject({ pa: 0x4800_0010n });
    // One bit fewer: RAM at 1 GiB is beyond the range. One more: the top of the range no longer faults at
    // once, the walk reads root entries the table does not have.
    expect(walk(good, control + 1n, GiB + 0x10n, true)).toHaveProperty('fault');
    expect(walk(good, control, 1n << 31n, true)).toEqual({ fault: 'beyond the input range', level: 0 });
    expect(walk(good, control - 1n, 1n << 31n, true)).not.toEqual({ fault: 'beyond the input range', level: 0 });
    // SL0 = 0 (level 2) with a 31-bit range: two concatenated level-2 tables, which these are not. (The
    // tables are laid apart: laid end to end, the level-2 table happens to sit where the second half of
    // such a root would be.)
    const apart = lay(set, 0x4000_0040n, PAGE);
    expect(walk(apart, control, GiB + 0x10n, true)).toMatchObject({ pa: 0x4800_0010n });
    expect(walk(apart, control & ~(3n << 6n), GiB + 0x10n, true)).not.toMatchObject({ pa: 0x4800_0010n });
    // The same root 8 bytes further on: its address's low bits are ignored, and the walk reads the wrong entries.
    const words = new Map<bigint, bigint>();
    for (const [a, v] of good.words) words.set(a >= good.root && a < good.root + 16n ? a + 8n : a, v);
    expect(walk({ words, root: good.root + 8n }, control, GiB + 0x10n, true)).not.toMatchObject({ pa: 0x4800_0010n });
  });
});
