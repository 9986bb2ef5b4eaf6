import type { Sym } from './model.js';
import { MOD, NO, YES } from './model.js';
import type { KconfigState } from './symbol.js';
import { F_DEF_USER, F_VALID } from './symbol.js';

/**
 * `conf --randconfig`, bit for bit as Linux's conf does it (scripts/kconfig/conf.c and confdata.c, as in
 * Linux 4.11, which Debian's kconfig-frontends is): glibc's rand() seeded from KCONFIG_SEED, the
 * probabilities of KCONFIG_PROBABILITY, and — because every random number goes to the next symbol in turn —
 * Linux's order of symbols: its symbol hash table (9973 buckets, FNV-1 hash, newest symbol first in a bucket).
 */

/** glibc's rand() after srand(seed): the TYPE_3 additive feedback generator (random_r.c), 31 words of state. */
export class GlibcRandom {
  private readonly r: number[] = [];
  private i = 0;

  constructor(seed: number) {
    // srandom_r: state[0] = seed (0 becomes 1), then state[i] = 16807 * state[i-1] mod (2^31 - 1) by Schrage's
    // method on signed 32-bit words, then 310 outputs discarded.
    let word = seed >>> 0 === 0 ? 1 : seed | 0;
    const r = this.r;
    r.push(word);
    for (let k = 1; k < 31; k++) {
      const hi = Math.trunc(word / 127773);
      const lo = word % 127773;
      word = 16807 * lo - 2836 * hi;
      if (word < 0) word += 2147483647;
      r.push(word);
    }
    for (let k = 31; k < 34; k++) r.push(r[k - 31]!);
    this.i = 34;
    for (let k = 0; k < 310; k++) this.step();
  }

  private step(): number {
    const r = this.r;
    const v = (r[this.i - 31]! + r[this.i - 3]!) >>> 0;
    r.push(v);
    this.i++;
    // Only the last 34 words are ever read again.
    if (r.length > 4096) {
      r.splice(0, r.length - 34);
      this.i = r.length;
    }
    return v;
  }

  /** rand(): 31 random bits. */
  next(): number {
    return this.step() >>> 1;
  }
}

/** C's strtol(s, &end, base) on a long of 64 bits: the value (clamped) and how many characters it read. */
export function strtol(s: string, base: number): { value: bigint; end: number } {
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') negative = s[i++] === '-';
  let b = base;
  if ((b === 0 || b === 16) && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
    i += 2;
    b = 16;
  } else if (b === 0) b = s[i] === '0' ? 8 : 10;
  const start = i;
  let v = 0n;
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, 36);
    if (Number.isNaN(d) || d >= b) break;
    v = v * BigInt(b) + BigInt(d);
  }
  if (i === start) return { value: 0n, end: 0 };
  const max = (1n << 63n) - 1n;
  const value = negative ? (v > max + 1n ? -(max + 1n) : -v) : v > max ? max : v;
  return { value, end: i };
}

/**
 * The seed conf uses: KCONFIG_SEED when it is a number with nothing after it (`(int)strtol(s, &end, 0)`, so
 * hexadecimal and octal too, truncated to 32 bits), else one made from the time of day, as conf makes it.
 */
export function randconfigSeed(env: Readonly<Record<string, string | undefined>>, now: { sec: number; usec: number } = timeOfDay()): number {
  const s = env['KCONFIG_SEED'];
  if (s) {
    const r = strtol(s, 0);
    if (r.end === s.length) return Number(BigInt.asUintN(32, r.value));
  }
  return Math.imul(now.sec + 1, now.usec + 1) >>> 0;
}

function timeOfDay(): { sec: number; usec: number } {
  const ms = Date.now();
  const usec = (ms % 1000) * 1000 + Math.floor(Number(process.hrtime.bigint() % 1000n));
  return { sec: Math.floor(ms / 1000), usec };
}

export interface Probabilities {
  /** Percent: a bool is y; a tristate is y; a tristate is m. */
  pby: number;
  pty: number;
  ptm: number;
}

/**
 * KCONFIG_PROBABILITY as conf reads it: `Y` (bool y = Y, tristate y = Y - Y/2, m = Y/2), `Y:M` (tristate y,
 * m; bool y their sum) or `BY:TY:TM`; each 0-100, y + m of a tristate at most 100. Default 50 / 33 / 33.
 * An error is what conf's perror prints before it exits 1.
 */
export function randconfigProbabilities(env: Readonly<Record<string, string | undefined>>): Probabilities | { error: string } {
  let pby = 50;
  let pty = 33;
  let ptm = 33;
  let rest = env['KCONFIG_PROBABILITY'];
  const p: number[] = [];
  const range = { error: 'KCONFIG_PROBABILITY: Numerical result out of range' };
  while (rest) {
    const r = strtol(rest, 10);
    // conf keeps it in an int.
    const v = Number(BigInt.asIntN(32, r.value));
    if (v < 0 || v > 100) return range;
    p.push(v);
    rest = rest[r.end] === ':' ? rest.slice(r.end + 1) : rest.slice(r.end);
    if (p.length >= 3) break;
  }
  if (p.length === 1) {
    pby = p[0]!;
    ptm = Math.trunc(pby / 2);
    pty = pby - ptm;
  } else if (p.length === 2) {
    pty = p[0]!;
    ptm = p[1]!;
    pby = pty + ptm;
  } else if (p.length === 3) {
    [pby, pty, ptm] = p as [number, number, number];
  }
  if (pty + ptm > 100) return range;
  return { pby, pty, ptm };
}

/** Linux's strhash (FNV-1 on the name's bytes as signed chars, as x86 has them). */
function strhash(name: string): number {
  let h = 2166136261;
  for (const byte of Buffer.from(name, 'latin1')) h = Math.imul((h ^ (byte >= 128 ? byte - 256 : byte)) >>> 0, 0x01000193) >>> 0;
  return h >>> 0;
}

const SYMBOL_HASHSIZE = 9973;

/**
 * for_all_symbols(): the symbols of the hash table in Linux's order — by bucket (unnamed choices all in
 * bucket 0), newest first within a bucket. "Newest" is the order Linux 4.11's parser created them in
 * (`Sym.order411`); y, m and n are not in the table.
 */
export function linuxSymbolOrder(symbols: readonly Sym[], yes: Sym, mod: Sym, no: Sym): Sym[] {
  return symbols
    .filter((s) => s !== yes && s !== mod && s !== no)
    .map((s) => ({ s, bucket: s.name === null ? 0 : strhash(s.name) % SYMBOL_HASHSIZE, created: s.order411 ?? s.id }))
    .sort((a, b) => a.bucket - b.bucket || b.created - a.created)
    .map((x) => x.s);
}

/** One call of conf_set_all_new_symbols(def_random): true when conf calls it again. */
export function setAllNewSymbolsRandom(state: KconfigState, order: readonly Sym[], rand: GlibcRandom, p: Probabilities): boolean {
  let changed = false;
  for (const sym of order) {
    const x = state.s(sym);
    if (state.hasValue(sym) || x.flags & F_VALID) continue;
    const t = state.getType(sym);
    if (t !== 'bool' && t !== 'tristate') continue;
    changed = true;
    x.defTri = NO;
    const cnt = rand.next() % 100;
    if (sym.type === 'tristate') {
      if (cnt < p.pty) x.defTri = YES;
      else if (cnt < p.pty + p.ptm) x.defTri = MOD;
    } else if (cnt < p.pby) x.defTri = YES;
    // A choice's random value is not a user value: its values are chosen below.
    if (!sym.isChoice) x.flags |= F_DEF_USER;
  }
  state.clearAllValid();
  for (const csym of order) {
    if (state.hasValue(csym) || !csym.isChoice) continue;
    state.calcValue(csym);
    // As conf does: the result of the last choice, not of any.
    changed = randomizeChoiceValues(state, csym, rand);
  }
  return changed;
}

/** randomize_choice_values(): a choice that is y gets one of its values, picked at random, and the rest n. */
function randomizeChoiceValues(state: KconfigState, csym: Sym, rand: GlibcRandom): boolean {
  const c = state.s(csym);
  if (c.currTri !== YES) return false;
  const values = csym.choiceValues;
  const pick = rand.next() % values.length;
  values.forEach((sym, i) => {
    const x = state.s(sym);
    if (i === pick) {
      x.defTri = YES;
      c.defChoice = sym;
    } else x.defTri = NO;
    x.flags |= F_DEF_USER;
    x.flags &= ~F_VALID;
  });
  c.flags |= F_DEF_USER;
  c.flags &= ~F_VALID;
  return true;
}
