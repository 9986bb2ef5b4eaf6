/**
 * The riscv64 backend's Sv39 and Sv39x4 tables, checked by a walker written from the RISC-V privileged
 * specification's own algorithm ("Virtual Address Translation Process" of the supervisor chapter, and its
 * G-stage variant in the hypervisor chapter), not by the builder's generic walk. The tables are first laid
 * out in a simulated memory the way the image has them: the linker resolves each non-leaf entry to
 * `address | V`, and the runtime's boot fix-up turns that into `(address >> 12) << 10 | V`.
 */
import { describe, expect, test } from '@jest/globals';
import { buildTables, translate, type Mapping, type TableSet } from '../../../compiler/layout/tables.js';
import { G_DEVICE, G_RAM, HS_RAM, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, sv39Format, sv39x4Format } from '../../../compiler/arch/riscv64/sv39.js';
import { GiB, MiB } from '../../../compiler/util/ranges.js';

const PAGESIZE = 4096n;
const PTESIZE = 8n;
const LEVELS = 3;

interface Memory {
  words: Map<bigint, bigint>;
  root: bigint;
}

/** Places the tables (root first, each aligned to its size), as the linker and then the runtime's fix-up leave them. */
function lay(set: TableSet, at = 0x8040_0000n): Memory {
  const addr: bigint[] = [];
  let next = at;
  for (const t of set.tables) {
    const bytes = BigInt(t.entries.length) * PTESIZE;
    next = ((next + bytes - 1n) / bytes) * bytes;
    addr.push(next);
    next += bytes;
  }
  const words = new Map<bigint, bigint>();
  set.tables.forEach((t, ti) =>
    t.entries.forEach((e, i) => {
      let v = 0n;
      if (e.kind === 'leaf') v = e.descriptor;
      // What ld.lld writes for `ptrtoint(table) + tableBits`...
      else if (e.kind === 'table') v = addr[e.table]! + set.format.tableBits;
      // ...and what runtime/arch/riscv64/src/pgtable.c makes of a valid entry with R = W = X = 0.
      if ((v & PTE_V) !== 0n && (v & (PTE_R | PTE_W | PTE_X)) === 0n) v = ((v >> 12n) << 10n) | (v & 0x3ffn);
      words.set(addr[ti]! + BigInt(i) * PTESIZE, v);
    }),
  );
  return { words, root: addr[0]! };
}

type Access = 'load' | 'store' | 'fetch';
type Walk = { pa: bigint; pte: bigint; level: number } | { fault: string };

const bits = (v: bigint, hi: number, lo: number) => (v >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);

/**
 * The specification's walk. `gstage`: Sv39x4 (hgatp), where the root's VPN[2] has 2 more bits, addresses
 * above 2^41 fault, and every leaf must have U set (G-stage accesses are checked as U-mode accesses).
 * Otherwise Sv39 (satp) for an S-mode access with the address's bits 63:39 all equal to bit 38.
 */
function specWalk(mem: Memory, va: bigint, access: Access, gstage: boolean): Walk {
  if (gstage ? va >> 41n !== 0n : va >> 38n !== 0n && va >> 38n !== (1n << 26n) - 1n) return { fault: 'address out of range' };
  const vpn = (i: number) => (i === 2 ? bits(va, gstage ? 40 : 38, 30) : bits(va, 12 + 9 * i + 8, 12 + 9 * i));
  // 1. a = root PPN x PAGESIZE; i = LEVELS - 1.
  let a = mem.root;
  let i = LEVELS - 1;
  for (;;) {
    // 2. pte = the PTE at a + va.vpn[i] x PTESIZE.
    const pte = mem.words.get(a + vpn(i) * PTESIZE);
    if (pte === undefined) return { fault: `PTE read outside the tables at ${(a + vpn(i) * PTESIZE).toString(16)}` };
    // 3. Invalid, or writable without readable, or reserved bits 63:54 set: page fault.
    if ((pte & PTE_V) === 0n || ((pte & PTE_R) === 0n && (pte & PTE_W) !== 0n) || pte >> 54n !== 0n) return { fault: 'invalid PTE' };
    // 4. A leaf has R or X set; otherwise descend.
    if ((pte & (PTE_R | PTE_X)) !== 0n) {
      // 5. Permissions for the access.
      if (access === 'load' && (pte & PTE_R) === 0n) return { fault: 'not readable' };
      if (access === 'store' && (pte & PTE_W) === 0n) return { fault: 'not writable' };
      if (access === 'fetch' && (pte & PTE_X) === 0n) return { fault: 'not executable' };
      if (gstage && (pte & PTE_U) === 0n) return { fault: 'G-stage leaf without U' };
      if (!gstage && (pte & PTE_U) !== 0n) return { fault: 'S-mode access to a U page' };
      const ppn = bits(pte, 53, 10);
      // 6. A superpage's low PPN fields must be zero.
      if (i > 0 && bits(ppn, 9 * i - 1, 0) !== 0n) return { fault: 'misaligned superpage' };
      // 7. A clear, or D clear on a store: a fault where hardware does not update them.
      if ((pte & PTE_A) === 0n || (access === 'store' && (pte & PTE_D) === 0n)) return { fault: 'A/D clear' };
      // 8. pa.pgoff = va.pgoff; a superpage takes its low PPN fields from the VPN.
      let paPpn = ppn;
      if (i > 0) paPpn = ((ppn >> BigInt(9 * i)) << BigInt(9 * i)) | bits(va >> 12n, 9 * i - 1, 0);
      return { pa: (paPpn << 12n) | bits(va, 11, 0), pte, level: i };
    }
    i -= 1;
    if (i < 0) return { fault: 'no leaf at level 0' };
    a = bits(pte, 53, 10) * PAGESIZE;
  }
}

const map = (base: bigint, size: bigint, pa: bigint, kind: Mapping['kind'] = 'ram', readOnly = false): Mapping => ({ base, size, pa, kind, label: 'test', ...(readOnly ? { readOnly } : {}) });

function expectWalks(set: TableSet, mappings: Mapping[], gstage: boolean, probes: bigint[]) {
  const mem = lay(set);
  for (const va of probes) {
    const m = mappings.find((x) => va >= x.base && va < x.base + x.size);
    const walk = specWalk(mem, va, 'load', gstage);
    const generic = translate(set, va);
    if (!m) {
      expect(walk).toHaveProperty('fault');
      expect(generic).toBeUndefined();
      continue;
    }
    expect(walk).toMatchObject({ pa: m.pa + (va - m.base) });
    expect(generic?.pa).toBe(m.pa + (va - m.base));
    const store = specWalk(mem, va, 'store', gstage);
    const fetch = specWalk(mem, va, 'fetch', gstage);
    if (m.readOnly) expect(store).toEqual({ fault: 'not writable' });
    else expect(store).toMatchObject({ pa: m.pa + (va - m.base) });
    if (m.kind === 'device') expect(fetch).toEqual({ fault: 'not executable' });
    else expect(fetch).toHaveProperty('pa');
  }
}

/** A deterministic pseudo-random sequence (xorshift), so failures reproduce. */
function rng(seed: bigint) {
  let x = seed;
  return (limit: bigint) => {
    x ^= (x << 13n) & ((1n << 64n) - 1n);
    x ^= x >> 7n;
    x ^= (x << 17n) & ((1n << 64n) - 1n);
    return x % limit;
  };
}

describe('Sv39x4 G-stage tables, walked as the privileged specification says', () => {
  test('the root is 2048 entries (16 KiB), the only table with more than 512', () => {
    const set = buildTables([map(0x8000_0000n, 16n * MiB, 0x8100_0000n)], sv39x4Format);
    expect(set.tables[0]!.entries).toHaveLength(2048);
    expect(set.tables.slice(1).every((t) => t.entries.length === 512)).toBe(true);
    expect(lay(set).root % (16n * 1024n)).toBe(0n);
  });

  test('guest RAM with 2 MiB megapages, a 4 KiB device page, and nothing else', () => {
    const mappings = [map(0x8000_0000n, 16n * MiB, 0x8100_0000n), map(0x1000_0000n, 0x1000n, 0x1000_0000n, 'device')];
    const set = buildTables(mappings, sv39x4Format);
    const mem = lay(set);
    expect(specWalk(mem, 0x8000_0000n, 'load', true)).toMatchObject({ level: 1, pte: ((0x8100_0000n >> 12n) << 10n) | G_RAM });
    expect(specWalk(mem, 0x1000_0010n, 'store', true)).toMatchObject({ pa: 0x1000_0010n, level: 0, pte: ((0x1000_0000n >> 12n) << 10n) | G_DEVICE });
    expectWalks(set, mappings, true, [0n, 0x0fff_ffffn, 0x1000_0000n, 0x1000_0fffn, 0x1000_1000n, 0x7fff_ffffn, 0x8000_0000n, 0x80ff_fff8n, 0x8100_0000n]);
  });

  test('addresses between 2^39 and 2^41 use the root\'s extra entries; 2^41 and above fault', () => {
    const high = (1n << 40n) + 3n * GiB;
    const mappings = [map(high, GiB, GiB)];
    const set = buildTables(mappings, sv39x4Format);
    const mem = lay(set);
    expect(specWalk(mem, high + 0x1234n, 'load', true)).toMatchObject({ pa: GiB + 0x1234n, level: 2 });
    expect(specWalk(mem, (1n << 41n) + 0x1234n, 'load', true)).toEqual({ fault: 'address out of range' });
  });

  test('a read-only mapping refuses stores, and pages at odd offsets walk to level 0', () => {
    const mappings = [map(0x8000_0000n, 2n * MiB, 0x9000_0000n, 'ram', true), map(0x8020_3000n, 0x5000n, 0x9123_4000n)];
    expectWalks(buildTables(mappings, sv39x4Format), mappings, true, [0x8000_0000n, 0x801f_f000n, 0x8020_2ff8n, 0x8020_3000n, 0x8020_7ff8n, 0x8020_8000n]);
  });

  test('random layouts: every probed address translates as mapped or faults', () => {
    const next = rng(0x9e3779b97f4a7c15n);
    for (let round = 0; round < 20; round++) {
      const mappings: Mapping[] = [];
      let cursor = next(4n) * GiB;
      for (let k = 0; k < 4; k++) {
        const gran = [4096n, 2n * MiB, GiB][Number(next(3n))]!;
        const size = gran * (1n + next(3n)) + (next(2n) === 0n ? 0n : 4096n * next(8n));
        const base = ((cursor + gran - 1n) / gran) * gran;
        const pa = 0x8000_0000n + (next(64n) * gran) % (16n * GiB);
        mappings.push(map(base, size, pa, next(4n) === 0n ? 'device' : 'ram', next(5n) === 0n));
        cursor = base + size + 4096n * next(1024n);
      }
      if (mappings.some((m) => m.base + m.size > 1n << 41n)) continue;
      const set = buildTables(mappings, sv39x4Format);
      const probes = mappings.flatMap((m) => [m.base, m.base + m.size - 1n, m.base + m.size, m.base + next(m.size), m.base === 0n ? 0n : m.base - 1n]);
      expectWalks(set, mappings, true, probes);
    }
  });
});

describe('Sv39 tables of the hypervisor', () => {
  test('an identity map of RAM and a UART: S-mode pages, global, never U', () => {
    const mappings = [map(0x8000_0000n, GiB, 0x8000_0000n), map(0x1000_0000n, 0x1000n, 0x1000_0000n, 'device')];
    const set = buildTables(mappings, sv39Format);
    expect(set.tables[0]!.entries).toHaveLength(512);
    const mem = lay(set);
    expect(specWalk(mem, 0x8000_1234n, 'fetch', false)).toMatchObject({ pa: 0x8000_1234n, level: 2, pte: ((0x8000_0000n >> 12n) << 10n) | HS_RAM });
    expectWalks(set, mappings, false, [0x8000_0000n, 0xbfff_fff8n, 0xc000_0000n, 0x1000_0000n, 0x1000_1000n]);
    // Sv39 addresses must be sign-extended from bit 38.
    expect(specWalk(mem, 1n << 39n, 'load', false)).toEqual({ fault: 'address out of range' });
  });
});
